import Foundation

// MARK: - Philox 4×32-10

/// The counter-based generator Philox 4×32 with 10 rounds (Salmon et al., SC 2011): the n-th block of
/// four words is a pure function of (key, n), so a stream's state is just its counter.
public enum Philox4x32 {
    static let multiplier0: UInt32 = 0xD251_1F53
    static let multiplier1: UInt32 = 0xCD9E_8D57
    static let weyl0: UInt32 = 0x9E37_79B9
    static let weyl1: UInt32 = 0xBB67_AE85

    /// Ten rounds of Philox on `counter` under `key`.
    public static func block(counter: (UInt32, UInt32, UInt32, UInt32),
                             key: (UInt32, UInt32)) -> (UInt32, UInt32, UInt32, UInt32) {
        var (c0, c1, c2, c3) = counter
        var (k0, k1) = key
        for round in 0..<10 {
            if round > 0 { k0 &+= weyl0; k1 &+= weyl1 }
            let product0 = UInt64(multiplier0) &* UInt64(c0)
            let product1 = UInt64(multiplier1) &* UInt64(c2)
            let hi0 = UInt32(truncatingIfNeeded: product0 >> 32), lo0 = UInt32(truncatingIfNeeded: product0)
            let hi1 = UInt32(truncatingIfNeeded: product1 >> 32), lo1 = UInt32(truncatingIfNeeded: product1)
            (c0, c1, c2, c3) = (hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0)
        }
        return (c0, c1, c2, c3)
    }
}

// MARK: - Named random streams

/// A reproducible stream of random numbers keyed by (seed, name), e.g. (7, "latents").
///
/// Different names give independent streams; the state is the number of 32-bit words consumed,
/// so it can be saved in a checkpoint and restored exactly.
public struct RandomStream: Codable, Equatable, Sendable {
    public let seed: UInt64
    public let name: String
    /// Number of 32-bit words drawn so far.
    public private(set) var position: UInt64 = 0
    private let key: UInt64

    public init(seed: UInt64, name: String) {
        self.seed = seed
        self.name = name
        self.key = RandomStream.mix(seed ^ RandomStream.fnv1a(name))
    }

    private enum CodingKeys: String, CodingKey { case seed, name, position }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(seed: try container.decode(UInt64.self, forKey: .seed),
                  name: try container.decode(String.self, forKey: .name))
        position = try container.decode(UInt64.self, forKey: .position)
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(seed, forKey: .seed)
        try container.encode(name, forKey: .name)
        try container.encode(position, forKey: .position)
    }

    /// Restores a saved state (`position` as returned earlier by this stream).
    public mutating func restore(position: UInt64) { self.position = position }

    /// A derived stream, e.g. one per image or per run: key (seed, "name/child").
    public func child(_ suffix: String) -> RandomStream { RandomStream(seed: seed, name: name + "/" + suffix) }

    // MARK: Words

    /// The next uniformly distributed 32-bit word.
    public mutating func nextWord() -> UInt32 {
        let word = RandomStream.word(RandomStream.block(blockIndex: position >> 2, key: key), lane: Int(position & 3))
        position += 1
        return word
    }

    /// Philox block `blockIndex` of the stream keyed `key`: the words at positions 4·blockIndex ..< 4·blockIndex + 4.
    @inline(__always)
    static func block(blockIndex: UInt64, key: UInt64) -> (UInt32, UInt32, UInt32, UInt32) {
        Philox4x32.block(counter: (UInt32(truncatingIfNeeded: blockIndex), UInt32(truncatingIfNeeded: blockIndex >> 32), 0, 0),
                         key: (UInt32(truncatingIfNeeded: key), UInt32(truncatingIfNeeded: key >> 32)))
    }

    /// Word `lane` (0–3) of a Philox block.
    @inline(__always)
    static func word(_ words: (UInt32, UInt32, UInt32, UInt32), lane: Int) -> UInt32 {
        switch lane {
        case 0: return words.0
        case 1: return words.1
        case 2: return words.2
        default: return words.3
        }
    }

    /// The stream's words from `position` on, computing each Philox block once for its four words (where
    /// `nextWord` computes it for every word): the same words, for drawing many values at once.
    struct WordCursor {
        let key: UInt64
        var position: UInt64
        private var blockIndex = UInt64.max
        private var words: (UInt32, UInt32, UInt32, UInt32) = (0, 0, 0, 0)

        init(key: UInt64, position: UInt64) { (self.key, self.position) = (key, position) }

        @inline(__always)
        mutating func next() -> UInt32 {
            if position >> 2 != blockIndex {
                blockIndex = position >> 2
                words = RandomStream.block(blockIndex: blockIndex, key: key)
            }
            defer { position += 1 }
            return RandomStream.word(words, lane: Int(position & 3))
        }
    }

    // MARK: Distributions

    /// u ~ U[0, 1): the top 24 bits of a word times 2⁻²⁴, so 0 is reachable and 1 is not.
    public mutating func uniform() -> Float { RandomStream.unitInterval(nextWord()) }

    /// The top 24 bits of `word` times 2⁻²⁴: a value of U[0, 1).
    @inline(__always)
    static func unitInterval(_ word: UInt32) -> Float { Float(word >> 8) * 0x1p-24 }

    /// u ~ U[low, high): `low + (high − low)·uniform()`.
    public mutating func uniform(_ low: Float, _ high: Float) -> Float { low + (high - low) * uniform() }

    /// An integer uniform on `range`, both ends included (Lemire's unbiased multiply-and-reject).
    public mutating func integer(in range: ClosedRange<Int>) -> Int {
        let span = UInt64(range.upperBound - range.lowerBound) + 1
        precondition(span <= 1 << 32, "integer(in:): range \(range) wider than 2³²")
        if span == 1 << 32 { return range.lowerBound + Int(nextWord()) }
        let threshold = (1 << 32 - span) % span
        while true {
            let product = UInt64(nextWord()) * span
            if product & 0xFFFF_FFFF >= threshold { return range.lowerBound + Int(product >> 32) }
        }
    }

    /// z ~ N(0, 1) by Box–Muller on two words: z = √(−2 ln u₁)·cos(2π u₂), u₁ ∈ (0, 1].
    public mutating func normal() -> Float {
        let first = nextWord()
        return RandomStream.boxMuller(first, nextWord())
    }

    /// √(−2 ln u₁)·cos(2π u₂) for u₁ = (w₁ + 1)·2⁻³², u₂ = w₂·2⁻³², in Double.
    @inline(__always)
    static func boxMuller(_ word1: UInt32, _ word2: UInt32) -> Float {
        let u1 = (Double(word1) + 1) * 0x1p-32
        let u2 = Double(word2) * 0x1p-32
        return Float((-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2))
    }

    /// `count` values of U[0, 1): those of `count` calls of `uniform()`.
    public mutating func uniforms(_ count: Int) -> [Float] {
        var words = WordCursor(key: key, position: position)
        position += UInt64(count)
        return (0..<count).map { _ in RandomStream.unitInterval(words.next()) }
    }

    /// `count` values of N(mean, std²): those of `count` calls of `mean + std·normal()`. Each value depends
    /// only on its two words' positions, so ranges of values are drawn on the workers, each from its own
    /// cursor (drawn one at a time, Philox per word, they were 2.7% of the w32 step's samples on one thread).
    public mutating func normals(_ count: Int, mean: Float = 0, std: Float = 1) -> [Float] {
        guard count > 0 else { return [] }
        let (first, key) = (position, self.key)
        position += 2 * UInt64(count)
        return [Float].uninitialized(count) { out in
            Parallel.forRanges(count, minimumChunk: 2_048) { range in
                var words = WordCursor(key: key, position: first + 2 * UInt64(range.lowerBound))
                for index in range {
                    let word1 = words.next()
                    out[index] = mean + std * RandomStream.boxMuller(word1, words.next())
                }
            }
        }
    }

    // MARK: Key derivation

    static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return hash
    }

    /// SplitMix64's finaliser: spreads nearby seeds to unrelated keys.
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension Tensor {
    /// Values drawn from N(mean, std²) out of `stream`.
    public static func randomNormal(_ shape: [Int], mean: Float = 0, std: Float = 1,
                                    stream: inout RandomStream) -> Tensor {
        Tensor(shape: shape, scalars: stream.normals(Shape.count(shape), mean: mean, std: std))
    }

    /// Values drawn from U[low, high) out of `stream`.
    public static func randomUniform(_ shape: [Int], low: Float = 0, high: Float = 1,
                                     stream: inout RandomStream) -> Tensor {
        Tensor(shape: shape, scalars: (0..<Shape.count(shape)).map { _ in stream.uniform(low, high) })
    }
}
