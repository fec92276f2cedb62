/// Loops over a broadcast binary operation with dimensions coalesced, so that an inner run is as long
/// as possible: [N, C, H, W] against [1, C, 1, 1] runs N·C inner loops of H·W.
struct BroadcastLoop {
    /// Outer dimensions (all but the innermost) after coalescing.
    let outerShape: [Int]
    let outerStridesA: [Int], outerStridesB: [Int]
    let innerCount: Int, innerStrideA: Int, innerStrideB: Int

    init(outputShape: [Int], shapeA: [Int], shapeB: [Int]) {
        let rank = outputShape.count
        func stridesFor(_ shape: [Int]) -> [Int] {
            let padded = [Int](repeating: 1, count: rank - shape.count) + shape
            let dense = Shape.strides(padded)
            return (0..<rank).map { padded[$0] == 1 && outputShape[$0] != 1 ? 0 : dense[$0] }
        }
        var dims = outputShape, sa = stridesFor(shapeA), sb = stridesFor(shapeB)
        if dims.isEmpty { dims = [1]; sa = [0]; sb = [0] }
        var axis = dims.count - 1
        while axis > 0 {
            // Merge axis-1 into axis when both operands step through them as one run.
            if sa[axis - 1] == sa[axis] * dims[axis] && sb[axis - 1] == sb[axis] * dims[axis] {
                dims[axis - 1] *= dims[axis]; sa[axis - 1] = sa[axis]; sb[axis - 1] = sb[axis]
                dims.remove(at: axis); sa.remove(at: axis); sb.remove(at: axis)
            }
            axis -= 1
        }
        innerCount = dims.last!; innerStrideA = sa.last!; innerStrideB = sb.last!
        outerShape = Array(dims.dropLast()); outerStridesA = Array(sa.dropLast()); outerStridesB = Array(sb.dropLast())
    }

    var outerCount: Int { outerShape.reduce(1, *) }

    /// Offsets into A and B of the outer index `outer` (row-major over `outerShape`).
    @inline(__always)
    func offsets(ofOuter outer: Int) -> (Int, Int) {
        var remainder = outer, offsetA = 0, offsetB = 0
        for axis in stride(from: outerShape.count - 1, through: 0, by: -1) {
            let index = remainder % outerShape[axis]
            remainder /= outerShape[axis]
            offsetA += index * outerStridesA[axis]
            offsetB += index * outerStridesB[axis]
        }
        return (offsetA, offsetB)
    }
}

/// A binary scalar function the compiler specialises and inlines into the elementwise loops.
public protocol BinaryOperation { static func apply(_ a: Float, _ b: Float) -> Float }
/// A unary scalar function (with captured constants) specialised into the loops.
public protocol UnaryOperation { func apply(_ x: Float) -> Float }
/// A binary function with parameters (a leaky-ReLU slope), for `Elementwise.zipped`.
protocol ZipOperation { func apply(_ a: Float, _ b: Float) -> Float }

enum Add: BinaryOperation { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a + b } }
enum Subtract: BinaryOperation { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a - b } }
enum Multiply: BinaryOperation { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a * b } }
enum Divide: BinaryOperation { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a / b } }
enum First: BinaryOperation { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a } }

enum Elementwise {
    /// out = Op(a, b) with NumPy broadcasting; the shapes must already be known to broadcast.
    @inline(__always)
    static func binary<Op: BinaryOperation>(_ a: [Float], _ shapeA: [Int], _ b: [Float], _ shapeB: [Int], outputShape: [Int],
                                            _ op: Op.Type) -> [Float] {
        let count = Shape.count(outputShape)
        return [Float](unsafeUninitializedCapacity: count) { out, initialized in
            a.withUnsafeBufferPointer { a in b.withUnsafeBufferPointer { b in
                let (pa, pb, po) = (a.baseAddress!, b.baseAddress!, out.baseAddress!)
                if shapeA == shapeB {
                    Parallel.forRanges(count) { range in for i in range { po[i] = Op.apply(pa[i], pb[i]) } }
                    return
                }
                let loop = BroadcastLoop(outputShape: outputShape, shapeA: shapeA, shapeB: shapeB)
                let inner = loop.innerCount, strideA = loop.innerStrideA, strideB = loop.innerStrideB
                Parallel.forEach(loop.outerCount, work: count) { outer in
                    let (offsetA, offsetB) = loop.offsets(ofOuter: outer)
                    let target = po + outer * inner, sourceA = pa + offsetA, sourceB = pb + offsetB
                    if strideA == 1 && strideB == 1 {
                        for i in 0..<inner { target[i] = Op.apply(sourceA[i], sourceB[i]) }
                    } else if strideA == 1 && strideB == 0 {
                        let value = sourceB[0]
                        for i in 0..<inner { target[i] = Op.apply(sourceA[i], value) }
                    } else if strideA == 0 && strideB == 1 {
                        let value = sourceA[0]
                        for i in 0..<inner { target[i] = Op.apply(value, sourceB[i]) }
                    } else {
                        for i in 0..<inner { target[i] = Op.apply(sourceA[i * strideA], sourceB[i * strideB]) }
                    }
                }
            } }
            initialized = count
        }
    }

    /// out[i] = op(x[i]), in parallel for large inputs.
    @inline(__always)
    static func unary<Op: UnaryOperation>(_ x: [Float], _ op: Op) -> [Float] {
        [Float](unsafeUninitializedCapacity: x.count) { out, initialized in
            x.withUnsafeBufferPointer { x in
                let (px, po) = (x.baseAddress!, out.baseAddress!)
                Parallel.forRanges(x.count, minimumChunk: 32_768) { range in for i in range { po[i] = op.apply(px[i]) } }
            }
            initialized = x.count
        }
    }

    /// out[i] = f(x[i]) for a function of 16 lanes (`VectorMath`), in parallel for large inputs.
    @inline(__always)
    static func vectorMapped(_ x: [Float], _ f: (SIMD16<Float>) -> SIMD16<Float>) -> [Float] {
        [Float](unsafeUninitializedCapacity: x.count) { out, initialized in
            x.withUnsafeBufferPointer { x in
                let (px, po) = (x.baseAddress!, out.baseAddress!)
                Parallel.forRanges(x.count, minimumChunk: 32_768) { range in
                    VectorMath.map(px + range.lowerBound, po + range.lowerBound, count: range.count, f)
                }
            }
            initialized = x.count
        }
    }

    /// out[i] = op(a[i], b[i]) for arrays of equal length, in parallel for large inputs.
    @inline(__always)
    static func zipped<Op: ZipOperation>(_ a: [Float], _ b: [Float], _ op: Op) -> [Float] {
        precondition(a.count == b.count, "zipped: \(a.count) and \(b.count) elements")
        return [Float](unsafeUninitializedCapacity: a.count) { out, initialized in
            a.withUnsafeBufferPointer { a in b.withUnsafeBufferPointer { b in
                let (pa, pb, po) = (a.baseAddress!, b.baseAddress!, out.baseAddress!)
                Parallel.forRanges(a.count, minimumChunk: 32_768) { range in for i in range { po[i] = op.apply(pa[i], pb[i]) } }
            } }
            initialized = a.count
        }
    }

    /// Sums x viewed as [outer, n, inner] over its middle axis: out[o, i] = Σₐ x[o, a, i].
    static func sumMiddleAxis(_ x: [Float], outer: Int, n: Int, inner: Int) -> [Float] {
        var out = [Float](repeating: 0, count: outer * inner)
        x.withUnsafeBufferPointer { x in out.withUnsafeMutableBufferPointer { out in
            let (px, po) = (x.baseAddress!, out.baseAddress!)
            Parallel.forEach(outer, work: outer * n * inner) { o in
                let target = po + o * inner
                if inner == 1 {
                    target[0] = Summation.sum(px + o * n, count: n)
                    return
                }
                for a in 0..<n {
                    let row = px + (o * n + a) * inner
                    for i in 0..<inner { target[i] += row[i] }
                }
            }
        } }
        return out
    }
}
