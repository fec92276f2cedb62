/// Transcendental functions on 16 lanes at once, branch-free, for the elementwise ops whose scalar libm call
/// dominated their time (tanh: glibc's tanhf, through expm1f, took ~20 ns per element). Each lane is
/// computed on its own, so a value does not depend on where it sits in a loop or in a chunk of the workers.
enum VectorMath {
    typealias Vector = SIMD16<Float>

    /// eˣ for |x| ≤ 80 (Cephes expf): x = n·ln 2 + r with n = round(x / ln 2) and |r| ≤ ln 2 / 2 (ln 2 split in
    /// two parts, so n·ln 2 is subtracted exactly), eʳ ≈ 1 + r + r²·P(r) with a degree-5 P, and 2ⁿ put into
    /// the exponent bits. About 1 ulp. Lanes outside [−80, 80] (and NaN) are computed at the bound, so 2ⁿ
    /// stays a normal float.
    @inline(__always)
    static func exp(_ x: Vector) -> Vector {
        var x = x.replacing(with: 80, where: .!(x .<= 80))
        x.replace(with: -80, where: x .< -80)
        // n = round(x / ln 2) by adding 1.5·2²³, which leaves n in the low mantissa bits (|n| < 2²²): the
        // conversions of Swift's SIMD types do not vectorise, this does.
        let shifted = x * 1.442_695_04 + 12_582_912
        let n = shifted - 12_582_912
        let r = x - n * 0.693_359_375 + n * 2.121_944_40e-4
        var p = Vector(repeating: 1.987_569_15e-4)
        p = p * r + 1.398_199_95e-3
        p = p * r + 8.333_451_907e-3
        p = p * r + 4.166_579_589e-2
        p = p * r + 1.666_666_546e-1
        p = p * r + 5.000_000_12e-1
        let er = p * (r * r) + r + 1
        let integer = unsafeBitCast(shifted, to: SIMD16<Int32>.self) &- 0x4B40_0000
        let scale = unsafeBitCast((integer &+ 127) &<< 23, to: Vector.self)
        return er * scale
    }

    /// tanh x (Cephes tanhf), computed on |x| and given x's sign bit (so tanh(−0) = −0): |x| + |x|³·P(x²) with
    /// a degree-4 P for |x| < 0.625, where 1 − 2/(e^{2|x|} + 1) would lose digits to cancellation, that
    /// formula above, with |x| capped at 10, past which tanh rounds to 1 in float. NaN stays NaN. About 2 ulp.
    @inline(__always)
    static func tanh(_ x: Vector) -> Vector {
        let bits = unsafeBitCast(x, to: SIMD16<UInt32>.self)
        let magnitude = unsafeBitCast(bits & 0x7fff_ffff, to: Vector.self)
        let z = x * x
        var p = Vector(repeating: -5.704_988_727_45e-3)
        p = p * z + 2.063_908_879_54e-2
        p = p * z - 5.373_971_555_31e-2
        p = p * z + 1.333_144_220_36e-1
        p = p * z - 3.333_328_194_22e-1
        let small = p * z * magnitude + magnitude
        let e = exp(2 * magnitude.replacing(with: 10, where: .!(magnitude .<= 10)))
        var result = 1 - 2 / (e + 1)
        result.replace(with: small, where: magnitude .< 0.625)
        let signed = unsafeBitCast(unsafeBitCast(result, to: SIMD16<UInt32>.self) | (bits & 0x8000_0000), to: Vector.self)
        return signed.replacing(with: x, where: x .!= x)
    }

    /// out[i] = f(x[i]) over `count` floats, 16 at a time; the last partial vector is computed padded with
    /// zeros, through the same f.
    @inline(__always)
    static func map(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int, _ f: (Vector) -> Vector) {
        var i = 0
        while i + 16 <= count {
            let value = f(UnsafeRawPointer(x + i).loadUnaligned(as: Vector.self))
            UnsafeMutableRawPointer(out + i).storeBytes(of: value, as: Vector.self)
            i += 16
        }
        guard i < count else { return }
        var tail = Vector()
        for lane in 0..<(count - i) { tail[lane] = x[i + lane] }
        let value = f(tail)
        for lane in 0..<(count - i) { out[i + lane] = value[lane] }
    }
}
