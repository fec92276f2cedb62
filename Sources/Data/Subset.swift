import Foundation
import Storage
import TensorCore

/// How a subset is drawn.
public enum SubsetMode: String, Codable, CaseIterable, Sendable {
    /// Class-stratified and nested: with one seed, smaller subsets lie inside larger ones.
    case stratified
    /// A uniform choice without replacement (the official code's kind of subset, not class-balanced).
    case uniform
}

/// The chosen images of a run, saved with it and part of its identity.
public struct SubsetManifest: Codable, Equatable, Sendable {
    public let datasetName: String
    public let datasetFingerprint: String
    public let split: String
    public let mode: SubsetMode
    public let fraction: Double?
    public let seed: UInt64
    /// Chosen indices into the split, ascending.
    public let indices: [Int]
    public let classCounts: [Int]

    /// A short content hash of the choice (dataset, mode, indices), for run ids.
    public var identity: String {
        let bytes = indices.flatMap { withUnsafeBytes(of: UInt32($0).littleEndian, Array.init) }
        return String(Fingerprint.of(bytes: bytes, labels: nil, shape: [indices.count]).prefix(16)) + "-" + datasetFingerprint.prefix(8)
    }
}

public enum Subset {
    /// Chooses `fraction` (0 < f ≤ 1) or `count` of the dataset's images with `seed` (separate from the
    /// training seed). Stratified mode orders each class by a seeded permutation and interleaves the
    /// classes by within-class quantile, so any prefix is stratified (every class within one image of
    /// its share) and a smaller subset is a prefix of a larger one.
    /// With `pool`, the subset is drawn from those indices only (the same nested order, restricted).
    public static func choose(from dataset: Dataset, fraction: Double? = nil, count: Int? = nil, seed: UInt64,
                              mode: SubsetMode = .stratified, pool: [Int]? = nil) throws -> SubsetManifest {
        let total = pool?.count ?? dataset.count
        let n: Int
        if let fraction {
            guard fraction > 0, fraction <= 1 else { throw DataError(file: dataset.source, "subset fraction \(fraction) is not in (0, 1]") }
            n = max(1, Int((fraction * Double(total)).rounded()))
        } else if let count {
            guard count >= 1, count <= total else { throw DataError(file: dataset.source, "subset count \(count) is not in 1…\(total)") }
            n = count
        } else {
            n = total
        }
        var order = mode == .stratified && dataset.labels != nil
            ? stratifiedOrder(dataset.labels!, classes: dataset.classCount, seed: seed)
            : uniformOrder(dataset.count, seed: seed)
        if let pool {
            let members = Set(pool)
            order = order.filter { members.contains($0) }
        }
        let indices = order.prefix(n).sorted()
        guard !indices.isEmpty else {
            throw DataError(file: dataset.source, "the training subset is empty: \(total) image(s) to choose from"
                            + (pool != nil ? " after holding out dataset.held_out_fraction" : "") + " (subset.fraction / subset.count)")
        }
        var counts = [Int](repeating: 0, count: dataset.classCount)
        if let labels = dataset.labels { for index in indices { counts[labels[index]] += 1 } }
        return SubsetManifest(datasetName: dataset.name, datasetFingerprint: dataset.fingerprint, split: dataset.split,
                              mode: mode, fraction: fraction, seed: seed, indices: indices, classCounts: counts)
    }

    /// Fisher–Yates permutation of 0..<n from the stream (seed, name).
    public static func permutation(_ n: Int, seed: UInt64, name: String) -> [Int] {
        var stream = RandomStream(seed: seed, name: name)
        var order = Array(0..<n)
        for i in stride(from: n - 1, to: 0, by: -1) { order.swapAt(i, stream.integer(in: 0...i)) }
        return order
    }

    static func uniformOrder(_ n: Int, seed: UInt64) -> [Int] { permutation(n, seed: seed, name: "subset/uniform") }

    static func stratifiedOrder(_ labels: [Int], classes: Int, seed: UInt64) -> [Int] {
        var members = [[Int]](repeating: [], count: classes)
        for (index, label) in labels.enumerated() { members[label].append(index) }
        let classRank = permutation(classes, seed: seed, name: "subset/class-order")
        var keyed: [(key: Double, tie: Int, index: Int)] = []
        for (label, indices) in members.enumerated() where !indices.isEmpty {
            let shuffled = permutation(indices.count, seed: seed, name: "subset/class-\(label)").map { indices[$0] }
            for (rank, index) in shuffled.enumerated() {
                keyed.append(((Double(rank) + 0.5) / Double(indices.count), classRank[label], index))
            }
        }
        keyed.sort { $0.key != $1.key ? $0.key < $1.key : $0.tie < $1.tie }
        return keyed.map(\.index)
    }

    /// Splits an image folder into training and held-out indices: a seeded slice of `heldOutFraction`.
    public static func heldOutSplit(count: Int, heldOutFraction: Double, seed: UInt64) -> (train: [Int], heldOut: [Int]) {
        let order = permutation(count, seed: seed, name: "held-out")
        let held = Int((heldOutFraction * Double(count)).rounded())
        return (order.dropFirst(held).sorted(), order.prefix(held).sorted())
    }
}
