import Foundation

/// The scalar functions of the elementwise ops, as types the loops specialise on.
enum UnaryOperations {
    struct Negate: UnaryOperation { @inline(__always) func apply(_ x: Float) -> Float { -x } }
    struct AddConstant: UnaryOperation { let c: Float; @inline(__always) func apply(_ x: Float) -> Float { x + c } }
    struct Scale: UnaryOperation { let c: Float; @inline(__always) func apply(_ x: Float) -> Float { x * c } }
    struct Exp: UnaryOperation { @inline(__always) func apply(_ x: Float) -> Float { Foundation.exp(x) } }
    struct Log: UnaryOperation { @inline(__always) func apply(_ x: Float) -> Float { Foundation.log(x) } }
    struct SquareRoot: UnaryOperation { @inline(__always) func apply(_ x: Float) -> Float { x.squareRoot() } }
    struct Square: UnaryOperation { @inline(__always) func apply(_ x: Float) -> Float { x * x } }
    struct Power: UnaryOperation { let p: Float; @inline(__always) func apply(_ x: Float) -> Float { Foundation.pow(x, p) } }
    struct Sigmoid: UnaryOperation {
        @inline(__always) func apply(_ x: Float) -> Float {
            x >= 0 ? 1 / (1 + Foundation.exp(-x)) : Foundation.exp(x) / (1 + Foundation.exp(x))
        }
    }
    struct LeakyRelu: UnaryOperation { let slope: Float; @inline(__always) func apply(_ x: Float) -> Float { x > 0 ? x : slope * x } }
    struct LeakyReluDerivative: UnaryOperation { let slope: Float; @inline(__always) func apply(_ x: Float) -> Float { x > 0 ? 1 : slope } }
    /// g·(x > 0 ? 1 : slope) for (g, x).
    struct LeakyReluGradient: ZipOperation {
        let slope: Float
        @inline(__always) func apply(_ g: Float, _ x: Float) -> Float { x > 0 ? g : g * slope }
    }
    struct Softplus: UnaryOperation {
        @inline(__always) func apply(_ x: Float) -> Float { Swift.max(x, 0) + Foundation.log1p(Foundation.exp(-Swift.abs(x))) }
    }
}
