import TensorCore

/// A per-image linear map of the spatial positions of NCHW images, shared by all channels:
/// out[n, c, p] = Σₜ weights[n, p, t] · x[n, c, sources[n, p, t]], where a source of −1 reads 0.
/// Translation, flips and rotations are one tap of weight 1; bilinear scaling is four taps.
public struct SpatialMap: Sendable {
    public let batch, height, width, taps: Int
    public var sources: [Int32]
    public var weights: [Float]

    public init(batch: Int, height: Int, width: Int, taps: Int) {
        self.batch = batch; self.height = height; self.width = width; self.taps = taps
        sources = [Int32](repeating: -1, count: batch * height * width * taps)
        weights = [Float](repeating: 0, count: sources.count)
    }

    /// Sets tap `t` of output position (row, column) of image n to read (sourceRow, sourceColumn) with
    /// `weight`; a source outside the image leaves the tap reading 0.
    @inline(__always)
    public mutating func set(_ n: Int, _ row: Int, _ column: Int, tap t: Int, sourceRow: Int, sourceColumn: Int,
                             weight: Float = 1) {
        guard sourceRow >= 0, sourceRow < height, sourceColumn >= 0, sourceColumn < width else { return }
        let index = ((n * height + row) * width + column) * taps + t
        sources[index] = Int32(sourceRow * width + sourceColumn)
        weights[index] = weight
    }
}

extension Tensor {
    /// Applies a spatial map. Pullback: its adjoint, g scattered back through the same taps.
    public func resampled(_ map: SpatialMap) -> Tensor {
        let values = Tensor.applySpatialMap(scalars, shape: shape, map, adjoint: false)
        return Tensor.record(Tensor(shape: shape, scalars: values), inputs: [self]) { g in [g.resampledAdjoint(map)] }
    }

    /// The adjoint of `resampled`: x̄[n, c, sources[n, p, t]] += weights[n, p, t] · g[n, c, p].
    /// Pullback: `resampled` with the same map.
    public func resampledAdjoint(_ map: SpatialMap) -> Tensor {
        let values = Tensor.applySpatialMap(scalars, shape: shape, map, adjoint: true)
        return Tensor.record(Tensor(shape: shape, scalars: values), inputs: [self]) { g in [g.resampled(map)] }
    }

    private static func applySpatialMap(_ x: [Float], shape: [Int], _ map: SpatialMap, adjoint: Bool) -> [Float] {
        precondition(shape.count == 4 && shape[0] == map.batch && shape[2] == map.height && shape[3] == map.width,
                     "SpatialMap for \([map.batch, map.height, map.width]) applied to \(shape)")
        let (channels, plane, taps) = (shape[1], map.height * map.width, map.taps)
        var out = [Float](repeating: 0, count: x.count)
        map.sources.withUnsafeBufferPointer { sources in map.weights.withUnsafeBufferPointer { weights in
            x.withUnsafeBufferPointer { x in out.withUnsafeMutableBufferPointer { out in
                Parallel.forEach(map.batch * channels, work: x.count * taps) { nc in
                    let n = nc / channels, source = x.baseAddress! + nc * plane, target = out.baseAddress! + nc * plane
                    let base = n * plane * taps
                    for p in 0..<plane {
                        for t in 0..<taps {
                            let index = Int(sources[base + p * taps + t])
                            guard index >= 0 else { continue }
                            if adjoint { target[index] += weights[base + p * taps + t] * source[p] }
                            else { target[p] += weights[base + p * taps + t] * source[index] }
                        }
                    }
                }
            } }
        } }
        return out
    }
}
