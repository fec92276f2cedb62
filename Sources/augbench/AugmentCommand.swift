import ArgumentParser
import Augment
import Data
import Foundation
import Storage
import TensorCore

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

    @Flag(help: "Write a PNG grid: each row an original image of --dataset followed by augmented versions.")
    var preview = false

    @Option(help: "Dataset for --preview: \(DatasetCatalog.names.joined(separator: ", ")).")
    var dataset = "fashion-mnist"

    @Option(help: "Folder of the dataset (default: its standard location).")
    var path: String?

    @Option(help: "Images (rows) in the preview.")
    var images = 8

    @Option(help: "Augmented versions of each image in the preview.")
    var variants = 7

    func run() throws {
        let parsedPolicy: Policy
        do { parsedPolicy = try Policy(policy) } catch { throw ValidationError("\(error)") }
        if preview { return try writePreview(parsedPolicy) }
        guard let input else { throw ValidationError("--input is required (an HDF5 file with `images`)") }
        let summary = try AugmentFile.run(policy: parsedPolicy, input: input, output: output, seed: seed)
        var parts = ["\(summary.images) images \(summary.shape)", "policy '\(policy)'"]
        parts.append(summary.sampled ? "parameters sampled with seed \(seed!) (written to the output)" : "parameters from the input")
        if summary.wroteGradient { parts.append("input_grad written") }
        print("wrote \(output): " + parts.joined(separator: ", "))
    }

    /// Rows of [original, T₁(x), …, T_k(x)] for the first training images of the dataset.
    private func writePreview(_ policy: Policy) throws {
        let data = try DatasetCatalog.load(DatasetSpec(name: dataset, path: path), split: "train")
        let count = min(images, data.count)
        let originals = Tensor(shape: [count] + data.imageShape, scalars: data.images(0..<count))
        let grid = AugmentPreview.grid(policy, originals: originals, variants: variants, seed: seed ?? 0)
        try grid.write(to: output)
        print("wrote \(output): \(count) \(dataset) images (first column) and \(variants) augmentations each, policy '\(policy)'")
    }
}
