import Foundation
import TensorCore

/// Prints `OpProfile`'s op entries: milliseconds per repetition forward and backward, calls, and their sum
/// against the measured wall time.
enum OpProfileTable {
    static func show(_ entries: [OpProfile.Entry], repetitions: Int, unit: String, wallSeconds: Double) {
        let perRepetition = 1000 / Double(max(repetitions, 1))
        print(String(format: "\n%9@ %9@ %9@ %7@  %@", "fwd ms", "bwd ms", "total", "calls", "op (per \(unit))"))
        for entry in entries {
            print(String(format: "%9.2f %9.2f %9.2f %7d  %@", entry.forwardSeconds * perRepetition, entry.backwardSeconds * perRepetition,
                         entry.totalSeconds * perRepetition, entry.forwardCalls / max(repetitions, 1), entry.op))
        }
        let total = entries.reduce(0) { $0 + $1.totalSeconds } * perRepetition
        print(String(format: "%29.2f          all ops (wall time: %.2f ms)", total, wallSeconds * perRepetition))
    }
}

/// Prints `OpProfile`'s convolution kernel entries: milliseconds and calls per repetition, and each entry's share.
enum KernelProfileTable {
    static func show(_ entries: [OpProfile.KernelEntry], repetitions: Int, unit: String) {
        guard !entries.isEmpty else { return }
        let perRepetition = 1000 / Double(max(repetitions, 1))
        let total = entries.reduce(0) { $0 + $1.seconds } * perRepetition
        print(String(format: "\n%9@ %7@ %7@  %@", "ms", "share", "calls", "convolution kernel (per \(unit))"))
        for entry in entries {
            let ms = entry.seconds * perRepetition
            print(String(format: "%9.2f %6.1f%% %7.1f  %@", ms, 100 * ms / total, Double(entry.calls) / Double(max(repetitions, 1)), entry.name))
        }
        print(String(format: "%9.2f          all convolution kernels", total))
    }
}
