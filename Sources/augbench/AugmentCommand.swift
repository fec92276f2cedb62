import ArgumentParser
import Augment
import Foundation

/// `augbench augment`: apply a DiffAugment policy to images in an HDF5 file (with recorded or sampled
/// parameters and an optional upstream gradient), or preview a policy on a dataset.
struct AugmentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "augment",
        abstract: "Apply a DiffAugment policy to an HDF5 batch (to compare with another implementation), or preview it.")

    @Option(help: "Comma-separated ops, applied in order: color, translation, cutout (and brightness, saturation, contrast, flip, rotation, scale, noise).")
    var policy: String

    @Option(help: "HDF5 input with `images` [N,C,H,W] and the policy's parameters (names as the golden file).")
    var input: String?

    @Option(help: "Output file: HDF5 (`output`, `input_grad`), or PNG with --preview.")
    var output: String

    @Option(help: "Sample the parameters from this seed instead of reading them (they are written to the output).")
    var seed: UInt64?

    func run() throws {
        let parsedPolicy: Policy
        do { parsedPolicy = try Policy(policy) } catch { throw ValidationError("\(error)") }
        guard let input else { throw ValidationError("--input is required (an HDF5 file with `images`)") }
        let summary = try AugmentFile.run(policy: parsedPolicy, input: input, output: output, seed: seed)
        var parts = ["\(summary.images) images \(summary.shape)", "policy '\(policy)'"]
        parts.append(summary.sampled ? "parameters sampled with seed \(seed!) (written to the output)" : "parameters from the input")
        if summary.wroteGradient { parts.append("input_grad written") }
        print("wrote \(output): " + parts.joined(separator: ", "))
    }
}
