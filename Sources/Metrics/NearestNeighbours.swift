import COpenBLAS
import Foundation
import TensorCore

/// Euclidean distances between two sets of rows, in Float64 blocks: ‖x − y‖² = ‖x‖² + ‖y‖² − 2 x·y with the
/// products by dgemm, one block of rows of A at a time on the workers (results fixed by the shapes, not by the
/// core count), so 10,000 × 10,000 distances never sit in memory at once.
public struct DistanceBlocks {
    public let a: [Double], b: [Double]
    public let rowsA: Int, rowsB: Int, dimension: Int
    let squaredA: [Double], squaredB: [Double]
    public static let blockRows = 256

    public init(_ a: [Float], rows rowsA: Int, _ b: [Float], rows rowsB: Int, dimension: Int) {
        self.a = a.map(Double.init)
        self.b = b.map(Double.init)
        (self.rowsA, self.rowsB, self.dimension) = (rowsA, rowsB, dimension)
        squaredA = Self.squaredNorms(self.a, rows: rowsA, dimension: dimension)
        squaredB = Self.squaredNorms(self.b, rows: rowsB, dimension: dimension)
    }

    static func squaredNorms(_ x: [Double], rows: Int, dimension: Int) -> [Double] {
        (0..<rows).map { row in (0..<dimension).reduce(0) { $0 + x[row * dimension + $1] * x[row * dimension + $1] } }
    }

    /// Calls `body(first row of A, distances [rows × rowsB])` for consecutive blocks of A's rows, in order.
    /// The blocks are computed on the workers and handed to `body` on the calling thread.
    public func forEachBlock(_ body: (Int, UnsafeBufferPointer<Double>) -> Void) {
        let blocks = (rowsA + Self.blockRows - 1) / Self.blockRows
        let wave = max(1, Parallel.workerCount)
        var first = 0
        while first < blocks {
            let count = min(wave, blocks - first)
            var results = [[Double]](repeating: [], count: count)
            results.withUnsafeMutableBufferPointer { results in
                Parallel.forEach(count) { index in results[index] = distances(block: first + index) }
            }
            for (index, distances) in results.enumerated() {
                distances.withUnsafeBufferPointer { body((first + index) * Self.blockRows, $0) }
            }
            first += count
        }
    }

    /// Distances of A's rows [block·256, …) to every row of B.
    func distances(block: Int) -> [Double] {
        let start = block * Self.blockRows, rows = min(Self.blockRows, rowsA - start)
        var products = [Double](repeating: 0, count: rows * rowsB)
        BLASThreads.ensureSingleThreaded()
        a.withUnsafeBufferPointer { a in
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(rowsB), Int32(dimension), 1,
                        a.baseAddress! + start * dimension, Int32(dimension), b, Int32(dimension), 0, &products, Int32(rowsB))
        }
        for row in 0..<rows {
            for column in 0..<rowsB {
                let squared = squaredA[start + row] + squaredB[column] - 2 * products[row * rowsB + column]
                products[row * rowsB + column] = max(0, squared).squareRoot()
            }
        }
        return products
    }

    /// Each row of A's distance to its k-th nearest row of B (k = 1 is the nearest). For A = B the row itself
    /// is at distance 0 and counts, as in the prdc package (whose "k nearest neighbours" ask for k + 1 here).
    public func kthNearest(_ k: Int) -> [Double] {
        var radii = [Double](repeating: 0, count: rowsA)
        forEachBlock { first, distances in
            for row in 0..<(distances.count / rowsB) {
                radii[first + row] = Self.kthSmallest(distances[(row * rowsB)..<((row + 1) * rowsB)], k)
            }
        }
        return radii
    }

    /// The k-th smallest value (1-based) of a row, by keeping the k smallest seen so far.
    static func kthSmallest(_ values: Slice<UnsafeBufferPointer<Double>>, _ k: Int) -> Double {
        var smallest: [Double] = []
        smallest.reserveCapacity(k + 1)
        for value in values where smallest.count < k || value < smallest[k - 1] {
            let position = smallest.firstIndex { $0 > value } ?? smallest.count
            smallest.insert(value, at: position)
            if smallest.count > k { smallest.removeLast() }
        }
        return smallest[min(k, smallest.count) - 1]
    }
}

/// Precision and recall (Kynkäänniemi et al. 2019) and density and coverage (Naeem et al. 2020) of generated
/// features against real ones, as the prdc package computes them: r_i is the distance of real i to its k-th
/// nearest real (itself included, so the k-th other one), s_j likewise for fakes;
/// precision = share of fakes within some r_i of real i; recall = share of reals within some s_j of fake j;
/// density = (1/k)·mean over fakes of the number of reals i with d(i, j) < r_i; coverage = share of reals whose
/// nearest fake is within r_i.
public enum PrecisionRecall {
    public struct Scores: Codable, Equatable, Sendable {
        public var precision: Double
        public var recall: Double
        public var density: Double
        public var coverage: Double
    }

    /// Precision and recall with k = `recallK` (3), density and coverage with k = `densityK` (5).
    public static func scores(real: FeatureSet, fake: FeatureSet, recallK: Int = 3, densityK: Int = 5) throws -> Scores {
        guard real.dimension == fake.dimension else { throw MetricError("feature dimensions differ: \(real.dimension) and \(fake.dimension)") }
        let largestK = max(recallK, densityK)
        guard real.count > largestK, fake.count > largestK else {
            throw MetricError("precision/recall need more than k = \(largestK) rows in each set (have \(real.count) and \(fake.count))")
        }
        let realReal = DistanceBlocks(real.features, rows: real.count, real.features, rows: real.count, dimension: real.dimension)
        let fakeFake = DistanceBlocks(fake.features, rows: fake.count, fake.features, rows: fake.count, dimension: fake.dimension)
        let realRadii = (recall: realReal.kthNearest(recallK + 1), density: realReal.kthNearest(densityK + 1))
        let fakeRadii = fakeFake.kthNearest(recallK + 1)
        let realFake = DistanceBlocks(real.features, rows: real.count, fake.features, rows: fake.count, dimension: real.dimension)
        var fakeInside = [Bool](repeating: false, count: fake.count)      // precision
        var fakeNeighbours = [Int](repeating: 0, count: fake.count)       // density
        var realCovered = 0, realRecalled = 0
        realFake.forEachBlock { first, distances in
            for row in 0..<(distances.count / fake.count) {
                let i = first + row
                var nearest = Double.infinity, recalled = false
                for j in 0..<fake.count {
                    let d = distances[row * fake.count + j]
                    if d < realRadii.recall[i] { fakeInside[j] = true }
                    if d < realRadii.density[i] { fakeNeighbours[j] += 1 }
                    if d < fakeRadii[j] { recalled = true }
                    nearest = min(nearest, d)
                }
                if nearest < realRadii.density[i] { realCovered += 1 }
                if recalled { realRecalled += 1 }
            }
        }
        return Scores(precision: Double(fakeInside.filter { $0 }.count) / Double(fake.count),
                      recall: Double(realRecalled) / Double(real.count),
                      density: Double(fakeNeighbours.reduce(0, +)) / Double(densityK) / Double(fake.count),
                      coverage: Double(realCovered) / Double(real.count))
    }
}
