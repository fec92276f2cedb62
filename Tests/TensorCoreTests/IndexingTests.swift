import TensorCore
import TestSupport
import XCTest

final class IndexingTests: XCTestCase {
    func testGatherFollowsTorchSemantics() {
        let x = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        let index = IndexTensor(shape: [2, 2], values: [2, 0, 1, 1])
        XCTAssertEqual(x.gathered(alongAxis: 1, indices: index).scalars, [3, 1, 5, 5])
        let rows = IndexTensor(shape: [1, 3], values: [1, 0, 1])
        XCTAssertEqual(x.gathered(alongAxis: 0, indices: rows).scalars, [4, 2, 6])
    }

    func testScatterAddAccumulatesRepeatedIndices() {
        let source = Tensor(shape: [1, 3], scalars: [1, 2, 3])
        let index = IndexTensor(shape: [1, 3], values: [0, 0, 2])
        XCTAssertEqual(source.scatteredAdding(alongAxis: 1, indices: index, into: [1, 4]).scalars, [3, 0, 3, 0])
    }

    func testEmbeddingLookup() {
        let table = Tensor(shape: [3, 2], scalars: [0, 1, 10, 11, 20, 21])
        XCTAssertEqual(table.rows([2, 0, 2]).scalars, [20, 21, 0, 1, 20, 21])
    }

    func testPerSampleShiftByGather() {
        // Shift each image's columns by its own amount (as translation does), via gather along W.
        let x = Tensor(shape: [2, 1, 1, 4], scalars: [1, 2, 3, 4, 5, 6, 7, 8])
        let shifts = [1, -1]
        let padded = x.padded(alongAxis: 3, before: 1, after: 1)  // zero border absorbs out-of-range reads
        var values: [Int] = []
        for n in 0..<2 { for j in 0..<4 { values.append(min(max(j + shifts[n] + 1, 0), 5)) } }
        let y = padded.gathered(alongAxis: 3, indices: IndexTensor(shape: [2, 1, 1, 4], values: values))
        XCTAssertEqual(y.scalars, [2, 3, 4, 0, 0, 5, 6, 7])
    }

    func testGradients() {
        let x = GradientCheck.sample([3, 4], seed: 111)
        assertGradients([x]) { $0[0].gathered(alongAxis: 1, indices: IndexTensor(shape: [3, 3], values: [3, 3, 0, 1, 2, 1, 0, 0, 0])) }
        assertGradients([x]) { $0[0].rows([2, 2, 0]) }
        let source = GradientCheck.sample([2, 3], seed: 112)
        assertGradients([source]) {
            $0[0].scatteredAdding(alongAxis: 0, indices: IndexTensor(shape: [2, 3], values: [1, 0, 1, 1, 2, 0]), into: [3, 3])
        }
    }
}
