/// Counts the multiply–add FLOPs (2 per multiply–add) of matrix products and convolutions run while it is
/// the task's current counter: `FLOPCounter.$current.withValue(counter) { … }`. Scoped, not global.
public final class FLOPCounter: @unchecked Sendable {
    public private(set) var flops: Double = 0
    @TaskLocal public static var current: FLOPCounter?

    public init() {}

    @inline(__always)
    static func add(_ multiplyAdds: Int) { current?.flops += 2 * Double(multiplyAdds) }
}
