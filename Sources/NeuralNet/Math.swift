import Foundation

// Vectorised elementwise math on flat buffers (SIMD8, plain SSE2-compatible code paths).
// exp follows Cephes expf (about 1 ulp); sigmoid and tanh are built on it.

/// SIMD lane width used by the elementwise kernels.
public typealias FloatVector = SIMD8<Float>

@usableFromInline let expHi: Float = 88.3762626647949
@usableFromInline let expLo: Float = -87.3365447504019
@usableFromInline let roundMagic: Float = 12_582_912.0  // 1.5 * 2^23

/// e^x for 8 lanes (Cephes expf; inputs clamped to [-87.3, 88.4]).
@inlinable @inline(__always) @_optimize(speed)
public func vexp(_ x0: FloatVector) -> FloatVector {
    var x = x0.replacing(with: expHi, where: x0 .> expHi)
    x.replace(with: expLo, where: x .< expLo)
    // n = round(x / ln 2) via the 1.5·2^23 trick; its low mantissa bits hold n as an integer.
    let t = x * 1.44269504088896341 + roundMagic
    let n = t - roundMagic
    x = x - n * 0.693359375
    x = x - n * -2.12194440e-4
    let z = x * x
    var y: FloatVector = FloatVector(repeating: 1.9875691500e-4)
    y = y * x + 1.3981999507e-3
    y = y * x + 8.3334519073e-3
    y = y * x + 4.1665795894e-2
    y = y * x + 1.6666665459e-1
    y = y * x + 5.0000001201e-1
    y = y * z + x + 1
    let ni = unsafeBitCast(t, to: SIMD8<Int32>.self) &- 0x4B40_0000
    let pow2 = unsafeBitCast((ni &+ 127) &<< 23, to: FloatVector.self)
    return y * pow2
}

/// 1 / (1 + e^{-x}) for 8 lanes.
@inlinable @inline(__always) @_optimize(speed)
public func vsigmoid(_ x: FloatVector) -> FloatVector {
    1 / (1 + vexp(-x))
}

/// tanh(x) = 2·sigmoid(2x) − 1 for 8 lanes (absolute error ≈ 1e-7, which is what an LSTM needs).
@inlinable @inline(__always) @_optimize(speed)
public func vtanh(_ x: FloatVector) -> FloatVector {
    2 / (1 + vexp(-2 * x)) - 1
}

/// Scalar e^x (libm).
@inlinable @inline(__always) public func sexp(_ x: Float) -> Float { Foundation.exp(x) }
/// Scalar logistic sigmoid.
@inlinable @inline(__always) public func ssigmoid(_ x: Float) -> Float { 1 / (1 + Foundation.exp(-x)) }
/// Scalar tanh (libm).
@inlinable @inline(__always) public func stanh(_ x: Float) -> Float { Foundation.tanh(x) }

@inlinable @inline(__always) @_optimize(speed)
func load8(_ p: UnsafePointer<Float>) -> FloatVector {
    UnsafeRawPointer(p).loadUnaligned(as: FloatVector.self)
}

@inlinable @inline(__always) @_optimize(speed)
func store8(_ v: FloatVector, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: FloatVector.self)
}

/// Elementwise math over flat buffers.
public enum Vec {
    /// y[i] = x[i] (copy `n` floats).
    @inlinable public static func copy(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        y.update(from: x, count: n)
    }

    /// y[i] = 0 for `n` floats.
    @inlinable public static func zero(_ y: UnsafeMutablePointer<Float>, _ n: Int) {
        y.update(repeating: 0, count: n)
    }

    /// y[i] += x[i] for `n` floats.
    @_optimize(speed)
    @inlinable public static func add(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, _ n: Int) {
        var i = 0
        while i + 8 <= n { store8(load8(y + i) + load8(x + i), y + i); i += 8 }
        while i < n { y[i] += x[i]; i += 1 }
    }

    /// Σ x[i]² accumulated in Double.
    @_optimize(speed)
    @inlinable public static func sumOfSquares(_ x: UnsafePointer<Float>, _ n: Int) -> Double {
        var acc = SIMD8<Double>()
        var i = 0
        while i + 8 <= n {
            let v = SIMD8<Double>(load8(x + i))
            acc += v * v
            i += 8
        }
        var s = acc.sum()
        while i < n { s += Double(x[i]) * Double(x[i]); i += 1 }
        return s
    }

    /// y[i] *= a for `n` floats.
    @_optimize(speed)
    @inlinable public static func scale(_ y: UnsafeMutablePointer<Float>, by a: Float, _ n: Int) {
        var i = 0
        while i + 8 <= n { store8(load8(y + i) * a, y + i); i += 8 }
        while i < n { y[i] *= a; i += 1 }
    }
}
