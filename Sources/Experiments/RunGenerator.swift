import Foundation
import Results
import Models
import NN
import TensorCore

/// Rebuilds a finished or running experiment's generator from its run folder: the resolved config gives
/// the architecture, the checkpoint the weights (the EMA generator when the run has one).
public enum RunGenerator {
    public static func load(runFolder: String, checkpoint name: String = "checkpoint-best.h5") throws -> (generator: any Generator, config: ExperimentConfig) {
        let directory = RunDirectory(URL(fileURLWithPath: runFolder))
        guard let data = FileManager.default.contents(atPath: directory.path("config.json")) else {
            throw ConfigError(file: directory.path("config.json"), path: "", "no run here (config.json missing)")
        }
        let config = try ExperimentConfig.decodeStored(data, file: directory.path("config.json"))
        let checkpoint = try Checkpoint.read(from: directory.path(name))
        let channels = config.dataset.imageChannels
        let classes = config.model.conditional ? (config.dataset.name.classes ?? 0) : 0
        let spec = ModelSpec(architecture: config.model.architecture, baseWidth: config.model.width,
                             sizeMultiplier: config.model.size, imageChannels: channels, classes: classes)
        var unused = RandomStream(seed: 0, name: "unused")
        let generator = spec.makeGenerator(stream: &unused)
        try checkpoint.restore(generator, from: checkpoint.tensors.keys.contains { $0.hasPrefix("G_ema.") } ? "G_ema" : "G")
        return (generator, config)
    }
}
