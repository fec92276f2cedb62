import Augment
import Data
import Foundation
import Results
import Storage
import Models

/// One experiment of a grid: its resolved config and the axis values that made it.
public struct Experiment: Sendable {
    public let config: ExperimentConfig
    /// Axis path → value, in the grid's axis order (empty for a single experiment).
    public let axisValues: [(path: String, value: JSONValue)]

    public init(config: ExperimentConfig, axisValues: [(path: String, value: JSONValue)]) {
        self.config = config
        self.axisValues = axisValues
    }

    /// "strategy=diffaugment, fraction=0.1": how tables and progress lines name it.
    public var label: String {
        axisValues.isEmpty ? "default" : axisValues.map { "\(Grid.shortName($0.path))=\(Grid.plain($0.value))" }.joined(separator: ", ")
    }

    /// A content id: hash of the resolved config (`identityJSON`) and the dataset fingerprint (12 hex digits).
    /// Renaming the grid or reordering axes changes nothing.
    public func id(datasetFingerprint: String) -> String {
        let text = config.identityJSON.canonical + "|" + datasetFingerprint
        return String(Fingerprint.of(bytes: Array(text.utf8), labels: nil, shape: []).prefix(12))
    }
}

public enum Grid {
    /// The cartesian product of the axes over the file's overrides, minus exclusions, each validated.
    public static func expand(_ file: ConfigFile) throws -> [Experiment] {
        var combinations: [[(path: String, value: JSONValue)]] = [[]]
        for axis in file.axes {
            combinations = combinations.flatMap { prefix in axis.values.map { prefix + [(axis.path, $0)] } }
        }
        let defaults = ExperimentConfig().json
        return try combinations.compactMap { combination in
            if file.exclusions.contains(where: { exclusion in
                exclusion.allSatisfy { key, value in combination.contains { $0.path == key && $0.value == value } }
            }) { return nil }
            var overrides = file.overrides
            for (path, value) in combination { overrides = overrides.setting(path, to: value) }
            let json = ConfigLoader.deepMerge(defaults, overrides)
            let config: ExperimentConfig
            do { config = try ExperimentConfig.decoder.decode(ExperimentConfig.self, from: json.encoded) } catch {
                throw ConfigError(file: file.path, path: "", "cannot build the experiment \(combination.map { "\($0.path)=\($0.value)" }): \(error)")
            }
            try validate(config, file: file.path, combination: combination)
            return Experiment(config: config, axisValues: combination)
        }
    }

    static func shortName(_ path: String) -> String {
        ConfigLoader.aliases.first { $0.value == path }?.key ?? path
    }

    static func plain(_ value: JSONValue) -> String {
        if case .string(let s) = value { return s.isEmpty ? "\"\"" : s }
        return value.canonical
    }

    /// Checks values against their allowed sets and ranges; errors give the JSON path and the grid cell.
    static func validate(_ c: ExperimentConfig, file: String, combination: [(path: String, value: JSONValue)]) throws {
        let cell = combination.isEmpty ? "" : " (grid cell \(combination.map { "\(shortName($0.path))=\(plain($0.value))" }.joined(separator: ", ")))"
        func fail(_ path: String, _ problem: String) -> ConfigError { ConfigError(file: file, path: path, problem + cell) }
        do { _ = try Policy(c.augment.policy) } catch { throw fail("augment.policy", "\(error)") }
        if c.augment.strategy != .none && c.augment.policy.trimmingCharacters(in: .whitespaces).isEmpty {
            throw fail("augment.policy", "found \"\", but strategy \(c.augment.strategy.rawValue) augments with it: name at least one op (e.g. translation,cutout), or use strategy none")
        }
        guard c.dataset.heldOutFraction >= 0, c.dataset.heldOutFraction < 1 else {
            throw fail("dataset.held_out_fraction", "found \(c.dataset.heldOutFraction), expected 0 ≤ share < 1 (the rest is the training set)")
        }
        guard c.evaluation.referenceCount >= 0 else {
            throw fail("evaluation.reference_count", "found \(c.evaluation.referenceCount), expected 0 (all) or a positive count")
        }
        guard c.subset.count >= 0 else { throw fail("subset.count", "found \(c.subset.count), expected 0 (use the fraction) or a positive count") }
        guard c.subset.fraction > 0, c.subset.fraction <= 1 else { throw fail("subset.fraction", "found \(c.subset.fraction), expected a number in (0, 1]") }
        for (path, value) in [("training.iterations", c.training.iterations), ("training.batch_size", c.training.batchSize),
                              ("training.d_steps", c.training.dSteps), ("training.checkpoint_every", c.training.checkpointEvery),
                              ("evaluation.every", c.evaluation.every), ("evaluation.samples", c.evaluation.samples),
                              ("model.width", c.model.width), ("dataset.resolution", c.dataset.resolution),
                              ("evaluation.is_splits", c.evaluation.isSplits), ("evaluation.kid_subsets", c.evaluation.kidSubsets)] where value < 1 {
            throw fail(path, "found \(value), expected a positive integer")
        }
        // Upper bounds far above any sensible run, below sizes whose tensors could not be allocated.
        for (path, value, limit) in [("training.iterations", c.training.iterations, 1_000_000_000), ("training.batch_size", c.training.batchSize, 4096),
                                     ("training.d_steps", c.training.dSteps, 100), ("model.width", c.model.width, 1024),
                                     ("dataset.resolution", c.dataset.resolution, 1024), ("evaluation.samples", c.evaluation.samples, 1_000_000),
                                     ("evaluation.kid_subsets", c.evaluation.kidSubsets, 100_000),
                                     ("evaluation.kid_subset_size", c.evaluation.kidSubsetSize, 1_000_000),
                                     ("evaluation.training_reals", c.evaluation.trainingReals, 1_000_000),
                                     ("evaluation.held_out_reals", c.evaluation.heldOutReals, 1_000_000),
                                     ("evaluation.grid_images", c.evaluation.gridImages, 4096)] where value > limit {
            throw fail(path, "found \(value), expected at most \(limit)")
        }
        for (path, value) in [("evaluation.kid_subset_size", c.evaluation.kidSubsetSize), ("evaluation.grid_images", c.evaluation.gridImages),
                              ("evaluation.training_reals", c.evaluation.trainingReals), ("evaluation.held_out_reals", c.evaluation.heldOutReals)]
            where value < 0 {
            throw fail(path, "found \(value), expected a count ≥ 0")
        }
        guard c.model.size > 0, c.model.size <= 16, Double(c.model.width) * c.model.size >= 1 else {
            throw fail("model.size", "found \(c.model.size), expected a multiplier in (0, 16] that leaves a width of at least 1")
        }
        guard c.model.size > 0 else { throw fail("model.size", "found \(c.model.size), expected a positive multiplier") }
        guard c.training.emaDecay >= 0, c.training.emaDecay < 1 else { throw fail("training.ema_decay", "found \(c.training.emaDecay), expected 0 ≤ decay < 1") }
        guard c.evaluation.samples >= c.evaluation.isSplits else { throw fail("evaluation.samples", "fewer samples than IS splits") }
        if c.model.architecture == .dcgan && c.dataset.resolution != 32 { throw fail("dataset.resolution", "the DCGAN generates 32×32 images") }
        if c.model.architecture == .dcgan && c.model.conditional { throw fail("model.conditional", "the DCGAN is unconditional") }
        if c.model.architecture == .biggan && c.dataset.imageChannels == 1 {
            throw fail("model.architecture", "BigGAN generates RGB images; dataset \(c.dataset.name.rawValue) has 1 channel (use dcgan, or an RGB dataset)")
        }
    }
}
