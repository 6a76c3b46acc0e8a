import Foundation

/// Elementwise activations over flat buffers: forward writes `y`, backward accumulates into `dx`.
public enum Activation {
    /// y = ln(1 + e^x), computed stably as max(x, 0) + ln(1 + e^{-|x|}).  shapes: x, y [N]
    @_optimize(speed)
    public static func softplusForward(_ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ n: Int) {
        for i in 0..<n {
            let v = x[i]
            y[i] = max(v, 0) + Foundation.log1p(Foundation.exp(-abs(v)))
        }
    }

    /// dx += dy · sigmoid(x), the softplus derivative.  shapes: dx, dy, x [N]
    @_optimize(speed)
    public static func softplusBackward(_ dx: UnsafeMutablePointer<Float>, _ dy: UnsafePointer<Float>,
                                        _ x: UnsafePointer<Float>, _ n: Int) {
        for i in 0..<n { dx[i] += dy[i] * ssigmoid(x[i]) }
    }

    /// y = tanh(x).  shapes: x, y [N] (may alias)
    @_optimize(speed)
    public static func tanhForward(_ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ n: Int) {
        var i = 0
        while i + 8 <= n { store8(vtanh(load8(x + i)), y + i); i += 8 }
        while i < n { y[i] = stanh(x[i]); i += 1 }
    }

    /// dx += dy · (1 − y²) given the forward output y = tanh(x).  shapes: dx, dy, y [N]
    @_optimize(speed)
    public static func tanhBackward(_ dx: UnsafeMutablePointer<Float>, _ dy: UnsafePointer<Float>,
                                    _ y: UnsafePointer<Float>, _ n: Int) {
        for i in 0..<n { dx[i] += dy[i] * (1 - y[i] * y[i]) }
    }

    /// y = 1 / (1 + e^{-x}).  shapes: x, y [N] (may alias)
    @_optimize(speed)
    public static func sigmoidForward(_ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ n: Int) {
        var i = 0
        while i + 8 <= n { store8(vsigmoid(load8(x + i)), y + i); i += 8 }
        while i < n { y[i] = ssigmoid(x[i]); i += 1 }
    }

    /// dx += dy · y (1 − y) given the forward output y = sigmoid(x).  shapes: dx, dy, y [N]
    @_optimize(speed)
    public static func sigmoidBackward(_ dx: UnsafeMutablePointer<Float>, _ dy: UnsafePointer<Float>,
                                       _ y: UnsafePointer<Float>, _ n: Int) {
        for i in 0..<n { dx[i] += dy[i] * y[i] * (1 - y[i]) }
    }
}
