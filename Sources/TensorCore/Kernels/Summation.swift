/// Sums over contiguous runs with eight independent partial sums, so the loop is not one long chain of
/// dependent adds. The order is fixed (lane l takes elements l, l + 8, …; lanes are then added as
/// ((0+1)+(2+3))+((4+5)+(6+7)); the tail last): results do not depend on the caller or the core count.
enum Summation {
    @inline(__always)
    static func loadDoubles(_ p: UnsafePointer<Float>) -> SIMD8<Double> {
        SIMD8<Double>(UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self))
    }

    @inline(__always)
    static func combine(_ v: SIMD8<Double>) -> Double {
        ((v[0] + v[1]) + (v[2] + v[3])) + ((v[4] + v[5]) + (v[6] + v[7]))
    }

    @inline(__always)
    static func combine(_ v: SIMD8<Float>) -> Float {
        ((v[0] + v[1]) + (v[2] + v[3])) + ((v[4] + v[5]) + (v[6] + v[7]))
    }

    /// Σᵢ p[i] in Float.
    @inline(__always)
    static func sum(_ p: UnsafePointer<Float>, count: Int) -> Float {
        var lanes = SIMD8<Float>(), i = 0
        while i + 8 <= count { lanes += UnsafeRawPointer(p + i).loadUnaligned(as: SIMD8<Float>.self); i += 8 }
        var total = combine(lanes)
        while i < count { total += p[i]; i += 1 }
        return total
    }

    /// Σᵢ p[i] accumulated in Double.
    @inline(__always)
    static func doubleSum(_ p: UnsafePointer<Float>, count: Int) -> Double {
        var lanes = SIMD8<Double>(), i = 0
        while i + 8 <= count { lanes += loadDoubles(p + i); i += 8 }
        var total = combine(lanes)
        while i < count { total += Double(p[i]); i += 1 }
        return total
    }

    /// Σᵢ (p[i] − center)² with the difference rounded to Float, accumulated in Double.
    @inline(__always)
    static func doubleSquaredDeviations(_ p: UnsafePointer<Float>, count: Int, center: Float) -> Double {
        var lanes = SIMD8<Double>(), i = 0
        let c = SIMD8<Float>(repeating: center)
        while i + 8 <= count {
            let d = UnsafeRawPointer(p + i).loadUnaligned(as: SIMD8<Float>.self) - c
            lanes += SIMD8<Double>(d * d)
            i += 8
        }
        var total = combine(lanes)
        while i < count { let d = p[i] - center; total += Double(d * d); i += 1 }
        return total
    }

    /// (Σᵢ a[i], Σᵢ a[i]·b[i]) with each product rounded to Float, accumulated in Double.
    @inline(__always)
    static func doubleSumAndDot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> (Double, Double) {
        var sums = SIMD8<Double>(), dots = SIMD8<Double>(), i = 0
        while i + 8 <= count {
            let x = UnsafeRawPointer(a + i).loadUnaligned(as: SIMD8<Float>.self)
            let y = UnsafeRawPointer(b + i).loadUnaligned(as: SIMD8<Float>.self)
            sums += SIMD8<Double>(x); dots += SIMD8<Double>(x * y)
            i += 8
        }
        var (sum, dot) = (combine(sums), combine(dots))
        while i < count { sum += Double(a[i]); dot += Double(a[i] * b[i]); i += 1 }
        return (sum, dot)
    }

    /// Σᵢ a[i]·b[i] with each product rounded to Float, accumulated in Double.
    @inline(__always)
    static func doubleDot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Double {
        doubleSumAndDot(a, b, count: count).1
    }
}
