import Foundation
import Models
import NN
import Storage
import TensorCore
import TestSupport
import XCTest

final class CheckpointTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws { folder = try temporaryFolder("augbench-ckpt") }

    /// A miniature GAN run: everything a real run keeps between iterations.
    final class MiniRun {
        let g: DCGANGenerator, d: DCGANDiscriminator, gEMA: DCGANGenerator
        let ema: ExponentialMovingAverage
        let gOptimizer: Adam, dOptimizer: Adam
        var latents: RandomStream, data: RandomStream
        var iteration = 0

        init() throws {
            var initStream = RandomStream(seed: 11, name: "init")
            g = DCGANGenerator(width: 4, channels: 1, latentDimension: 16, stream: &initStream)
            d = DCGANDiscriminator(width: 4, channels: 1, stream: &initStream)
            gEMA = DCGANGenerator(width: 4, channels: 1, latentDimension: 16, stream: &initStream)
            ema = try ExponentialMovingAverage(average: gEMA, of: g, decay: 0.9, startIteration: 2)
            gOptimizer = Adam(parameters: g.namedParameters(), learningRate: 2e-4, beta1: 0.5)
            dOptimizer = Adam(parameters: d.namedParameters(), learningRate: 2e-4, beta1: 0.5)
            latents = RandomStream(seed: 11, name: "latents")
            data = RandomStream(seed: 11, name: "data")
        }

        func step() {
            let reals = Tensor.randomUniform([4, 1, 32, 32], low: -1, high: 1, stream: &data)
            let fakes = g(Tensor.randomNormal([4, 16], stream: &latents), .training)
            Loss.hingeDiscriminator(real: d(reals, .training), fake: d(fakes.detached(), .training)).backward()
            dOptimizer.update()
            d.zeroGradients()
            let moreFakes = g(Tensor.randomNormal([4, 16], stream: &latents), .training)
            Loss.hingeGenerator(fake: d(moreFakes, .training)).backward()
            gOptimizer.update()
            d.zeroGradients()
            iteration += 1
            ema.update(from: g, iteration: iteration)
        }

        func checkpoint() -> Checkpoint {
            var c = Checkpoint()
            c.store(g, as: "G"); c.store(d, as: "D"); c.store(gEMA, as: "G_ema")
            c.store(gOptimizer, as: "optimizer.G"); c.store(dOptimizer, as: "optimizer.D")
            c.streams = ["latents": latents, "data": data]
            c.integers["iteration"] = Int64(iteration)
            return c
        }

        func restore(_ c: Checkpoint) throws {
            try c.restore(g, from: "G"); try c.restore(d, from: "D"); try c.restore(gEMA, from: "G_ema")
            try c.restore(gOptimizer, from: "optimizer.G"); try c.restore(dOptimizer, from: "optimizer.D")
            latents = c.streams["latents"]!
            data = c.streams["data"]!
            iteration = Int(c.integers["iteration"]!)
        }

        var state: [[Float]] { (g.namedState() + d.namedState() + gEMA.namedState()).map(\.1.scalars) }
    }

    func testResumedRunIsBitIdenticalToAnUninterruptedOne() throws {
        let uninterrupted = try MiniRun()
        for _ in 0..<6 { uninterrupted.step() }

        let first = try MiniRun()
        for _ in 0..<3 { first.step() }
        let path = folder.appendingPathComponent("checkpoint.h5").path
        try first.checkpoint().write(to: path)

        let resumed = try MiniRun()  // a new process: fresh objects, state only from the file
        try resumed.restore(try Checkpoint.read(from: path))
        for _ in 0..<3 { resumed.step() }
        XCTAssertEqual(resumed.iteration, 6)
        XCTAssertEqual(resumed.state, uninterrupted.state, "resumed weights differ from the uninterrupted run")
        XCTAssertEqual(resumed.gOptimizer.step, uninterrupted.gOptimizer.step)
    }

    func testCheckpointErrors() throws {
        let path = folder.appendingPathComponent("bad.h5").path
        try AtomicFile.writeHDF5(to: path) { try $0.write([Float(1)], shape: [1], at: "/x") }
        XCTAssertThrowsError(try Checkpoint.read(from: path)) { error in
            XCTAssertTrue("\(error)".contains("not an AugBench checkpoint"), "\(error)")
        }
        var stream = RandomStream(seed: 1, name: "x")
        var checkpoint = Checkpoint()
        checkpoint.store(DCGANGenerator(width: 4, stream: &stream), as: "G")
        XCTAssertThrowsError(try checkpoint.restore(DCGANGenerator(width: 8, stream: &stream), from: "G")) { error in
            XCTAssertTrue("\(error)".contains("has shape"), "\(error)")
        }
    }
}
