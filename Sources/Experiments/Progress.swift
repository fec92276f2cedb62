import Foundation
import Results

/// How a grid reports progress: a live line per run on a terminal, plain lines in a log, or JSON lines.
public enum ProgressStyle: String, Sendable { case terminal, plain, json }

public final class ProgressReporter {
    let style: ProgressStyle
    let plainEvery: Int
    private var lastLength = 0

    public init(style: ProgressStyle? = nil, plainEvery: Int = 100) {
        self.style = style ?? (isatty(STDOUT_FILENO) != 0 ? .terminal : .plain)
        self.plainEvery = plainEvery
    }

    public struct Status {
        public var run: Int, runs: Int
        public var label: String
        public var iteration: Int, iterations: Int
        public var iterationsPerSecond: Double
        public var lossD: Double, lossG: Double
        public var lastFID: Double?

        /// The one-line form: "[2/6] strategy=none it 400/30000 9.1 it/s ETA 54m12s D 1.002 G 0.61 FID 2.80".
        public var line: String {
            let eta = iterationsPerSecond > 0 ? Double(iterations - iteration) / iterationsPerSecond : 0
            return String(format: "[%d/%d] %@ it %d/%d %.1f it/s ETA %@ D %.3f G %.3f FID %@", run, runs, label, iteration,
                          iterations, iterationsPerSecond, DurationText.format(eta), lossD, lossG,
                          lastFID.map { String(format: "%.2f", $0) } ?? "-")
        }

        /// The status a worker printed as a JSON progress event.
        init?(json object: [String: Any]) {
            guard let run = object["run"] as? Int, let runs = object["runs"] as? Int, let label = object["label"] as? String,
                  let iteration = object["iteration"] as? Int, let iterations = object["iterations"] as? Int else { return nil }
            self.init(run: run, runs: runs, label: label, iteration: iteration, iterations: iterations,
                      iterationsPerSecond: object["it_per_s"] as? Double ?? 0, lossD: object["loss_d"] as? Double ?? 0,
                      lossG: object["loss_g"] as? Double ?? 0, lastFID: object["fid"] as? Double)
        }

        init(run: Int, runs: Int, label: String, iteration: Int, iterations: Int, iterationsPerSecond: Double, lossD: Double,
             lossG: Double, lastFID: Double?) {
            (self.run, self.runs, self.label, self.iteration, self.iterations) = (run, runs, label, iteration, iterations)
            (self.iterationsPerSecond, self.lossD, self.lossG, self.lastFID) = (iterationsPerSecond, lossD, lossG, lastFID)
        }
    }

    public func update(_ s: Status, force: Bool = false) {
        switch style {
        case .terminal:
            let text = s.line
            print("\r" + text.padding(toLength: max(text.count, lastLength), withPad: " ", startingAt: 0), terminator: "")
            fflush(stdout)
            lastLength = text.count
        case .plain:
            guard force || s.iteration % plainEvery == 0 else { return }
            print(s.line)
        case .json:
            guard force || s.iteration % plainEvery == 0 else { return }
            var object: [String: Any] = ["event": "progress", "run": s.run, "runs": s.runs, "label": s.label, "iteration": s.iteration,
                                         "iterations": s.iterations, "it_per_s": s.iterationsPerSecond, "loss_d": s.lossD, "loss_g": s.lossG]
            if let fid = s.lastFID { object["fid"] = fid }
            emit(object)
        }
    }

    /// A message that ends a run's line (finished, failed, skipped).
    public func event(_ text: String, fields: [String: Any] = [:]) {
        switch style {
        case .terminal:
            print("\r" + text.padding(toLength: max(text.count, lastLength), withPad: " ", startingAt: 0))
            lastLength = 0
        case .plain: print(text)
        case .json: emit(fields.merging(["event": "message", "text": text]) { a, _ in a })
        }
    }

    private func emit(_ object: [String: Any]) {
        if let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) {
            print(String(decoding: data, as: UTF8.self))
        }
    }
}
