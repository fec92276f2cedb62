/// What a number was measured with. Two numbers may share a table column only when their protocols are
/// equal: the same extractor (and weights), sample count, reference set and size, IS splits and KID subsets.
public struct MetricProtocol: Codable, Equatable, Hashable, Sendable, CustomStringConvertible {
    public var extractor: String
    public var extractorHash: String
    public var sampleCount: Int
    /// The reference set, e.g. "fashion-mnist:test".
    public var reference: String
    public var referenceCount: Int
    public var isSplits: Int
    public var kidSubsets: Int
    public var kidSubsetSize: Int

    public init(extractor: String, extractorHash: String, sampleCount: Int, reference: String, referenceCount: Int,
                isSplits: Int = 10, kidSubsets: Int = 100, kidSubsetSize: Int = 1000) {
        self.extractor = extractor
        self.extractorHash = extractorHash
        self.sampleCount = sampleCount
        self.reference = reference
        self.referenceCount = referenceCount
        self.isSplits = isSplits
        self.kidSubsets = kidSubsets
        self.kidSubsetSize = kidSubsetSize
    }

    public var description: String {
        "\(extractor)@\(extractorHash.prefix(8)), \(sampleCount) samples vs \(reference) (\(referenceCount)), IS \(isSplits) splits, KID \(kidSubsets)×\(kidSubsetSize)"
    }
}
