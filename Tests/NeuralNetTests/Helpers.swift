import Foundation

func Foundation_exp(_ x: Double) -> Double { Foundation.exp(x) }
func Foundation_tanh(_ x: Double) -> Double { Foundation.tanh(x) }
