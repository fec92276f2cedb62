import Augment
import Data
import Foundation
import Results
import Models

/// One experiment, fully resolved: every field has a documented default (README, "Config reference").
/// JSON keys are snake_case versions of these names.
public struct ExperimentConfig: Codable, Equatable, Sendable {
    public struct DatasetSection: Codable, Equatable, Sendable {
        /// fashion-mnist, mnist, cifar10, cifar100, obama, folder.
        public var name = DatasetName.fashionMNIST
        /// Folder of the files; "" uses the dataset's standard location.
        public var path = ""
        /// Image side (28×28 data is padded to it; folders are resized to it).
        public var resolution = 32
        /// Channels of an image folder (1 or 3).
        public var channels = 3
        /// Image folders: share of images held out for D accuracy on unseen reals.
        public var heldOutFraction = 0.1
    }

    public struct SubsetSection: Codable, Equatable, Sendable {
        /// Share of the training split, in (0, 1].
        public var fraction = 1.0
        /// Number of images instead of a fraction (0: use `fraction`).
        public var count = 0
        /// Seed of the subset choice, separate from the training seed.
        public var seed = 0
        /// stratified (nested, class-balanced) or uniform.
        public var mode = SubsetMode.stratified
    }

    public struct ModelSection: Codable, Equatable, Sendable {
        /// dcgan or biggan.
        public var architecture = Architecture.dcgan
        /// Base width: DCGAN w, BigGAN ch.
        public var width = 32
        /// Width multiplier (Figure 8a: 0.25, 0.5, 1).
        public var size = 1.0
        /// Class-conditional (BigGAN only).
        public var conditional = false
    }

    public struct TrainingSection: Codable, Equatable, Sendable {
        public var iterations = 2000
        public var batchSize = 64
        /// D steps per G step.
        public var dSteps = 1
        /// hinge or non-saturating.
        public var loss = TrainingLoss.hinge
        public var learningRateG = 2e-4
        public var learningRateD = 2e-4
        public var beta1 = 0.5
        public var beta2 = 0.999
        /// EMA of G's state; 0 disables it (samples come from G itself).
        public var emaDecay = 0.999
        /// Iteration from which the EMA averages (before it, it copies).
        public var emaStart = 0
        /// Training seed: initialisation, latents, data order, flips, augmentation.
        public var seed = 0
        public var checkpointEvery = 500
    }

    public struct AugmentSection: Codable, Equatable, Sendable {
        /// none, reals-only, d-only, diffaugment, adaptive.
        public var strategy = Strategy.none
        /// DiffAugment policy, e.g. "color,translation,cutout".
        public var policy = "color,translation,cutout"
        /// Consistency regularisation weight λ (CR-BigGAN: 10); 0 disables it.
        public var consistencyWeight = 0.0
        /// adaptive: target of E[sign(D(reals))].
        public var adaTarget = 0.6
        /// adaptive: iterations between adjustments of p.
        public var adaInterval = 4
        /// adaptive: images for p to go from 0 to 1.
        public var adaImages = 500_000.0
    }

    public struct EvaluationSection: Codable, Equatable, Sendable {
        /// Evaluate every this many iterations (and at the end).
        public var every = 500
        /// Generated samples per evaluation.
        public var samples = 5000
        /// Reference reals for FID/KID: the test split (or the training split of an image folder).
        public var referenceSplit = "test"
        /// The first this many images of the reference split (0: all of them).
        public var referenceCount = 0
        /// Feature extractor for FID/IS/KID: "featurenet" (ours, trained per dataset) or "inception"
        /// (the FID Inception-v3: numbers comparable with published ones; needs its converted weights).
        public var extractor = ExtractorKind.featurenet
        /// Extractor weights; "" uses weights/featurenet-<dataset>.h5 or weights/inception-v3-fid.h5.
        public var extractorWeights = ""
        /// A second extractor that scores only the final and the best-FID generator when the run ends: "" (none)
        /// or "inception" (FID and KID on the FID Inception-v3, too slow for every evaluation), so a run is
        /// tracked with `extractor` and reported with both.
        public var finalExtractor = FinalExtractor.none
        /// When the run ends: precision/recall and density/coverage against the reference, memorisation of the
        /// training set (features and pixels, against held-out reals), augmentation leakage, and a strip of
        /// samples beside their nearest training images (neighbours.png).
        public var explain = false
        public var isSplits = 10
        public var kidSubsets = 100
        public var kidSubsetSize = 1000
        /// Training reals and held-out reals scored for D accuracy (Figure 1).
        public var trainingReals = 500
        public var heldOutReals = 1000
        /// Images in each saved sample grid.
        public var gridImages = 64
    }

    public var dataset = DatasetSection()
    public var subset = SubsetSection()
    public var model = ModelSection()
    public var training = TrainingSection()
    public var augment = AugmentSection()
    public var evaluation = EvaluationSection()

    public init() {}

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }()

    /// The config as a JSON value (snake_case keys).
    public var json: JSONValue {
        try! JSONValue.parse(try! ExperimentConfig.encoder.encode(self), file: "<config>")
    }

    /// A run folder's config.json: fields it predates take their defaults (`laterFields`).
    public static func decodeStored(_ data: Data, file: String) throws -> ExperimentConfig {
        let stored = try JSONValue.parse(data, file: file)
        do { return try decoder.decode(ExperimentConfig.self, from: ConfigLoader.deepMerge(ExperimentConfig().json, stored).encoded) } catch {
            throw ConfigError(file: file, path: "", "not a run config: \(DecodingDescription.describe(error))")
        }
    }

    /// Fields added after runs were stored, with the default they had implicitly before: they enter a run's
    /// content id only when set to something else, so adding a field never changes the ids of stored runs.
    static let laterFields: [(path: String, implicitDefault: JSONValue)] = [
        ("evaluation.final_extractor", .string("")),
        ("evaluation.reference_count", .number(0)),
        ("evaluation.explain", .bool(false)),
    ]

    /// The JSON a run's content id hashes: `json` without later fields at their implicit default.
    public var identityJSON: JSONValue {
        var value = json
        for field in Self.laterFields where value.value(at: field.path) == field.implicitDefault {
            value = value.removing(path: field.path)
        }
        return value
    }
}

// MARK: - Fixed choices

/// A setting with a fixed set of values: its type says them, the schema validator rejects any other at load
/// time (naming the file, the JSON path, the value and the allowed ones), so no later code parses strings.
public protocol ConfigChoice: CaseIterable, Codable, RawRepresentable, Sendable where RawValue == String {}

extension ConfigChoice {
    static var allowedValues: [String] { allCases.map(\.rawValue) }
}

extension Strategy: ConfigChoice {}
extension Architecture: ConfigChoice {}
extension SubsetMode: ConfigChoice {}
extension DatasetName: ConfigChoice {}

/// GAN losses (training.loss).
public enum TrainingLoss: String, ConfigChoice {
    case hinge
    case nonSaturating = "non-saturating"
}

/// Feature extractors for FID/IS/KID (evaluation.extractor).
public enum ExtractorKind: String, ConfigChoice {
    /// Ours, trained per dataset (weights/featurenet-<dataset>.h5).
    case featurenet
    /// The FID Inception-v3 (weights/inception-v3-fid.h5).
    case inception
}

/// The extractor that also scores the final and best generators (evaluation.final_extractor).
public enum FinalExtractor: String, ConfigChoice {
    case none = ""
    case inception
}

// MARK: - Schema

/// The type each config field must have, taken from the Swift types of the defaults.
enum FieldType: Equatable {
    case integer, number, string, bool
    /// A string from a fixed list.
    case choice([String])
    indirect case object([String: FieldType])

    var name: String {
        switch self {
        case .integer: return "an integer"
        case .number: return "a number"
        case .string: return "a string"
        case .bool: return "true/false"
        case .choice(let values): return "one of: " + values.map { $0.isEmpty ? "\"\"" : $0 }.joined(separator: ", ")
        case .object: return "an object"
        }
    }

    static func allowed<Choice: ConfigChoice>(_ value: Choice) -> [String] { Choice.allowedValues }

    static func of(_ value: Any) -> FieldType {
        if let choice = value as? any ConfigChoice { return .choice(allowed(choice)) }
        switch value {
        case is Int: return .integer
        case is Double: return .number
        case is String: return .string
        case is Bool: return .bool
        default:
            var fields: [String: FieldType] = [:]
            for child in Mirror(reflecting: value).children {
                guard let label = child.label else { continue }
                fields[snakeCase(label)] = of(child.value)
            }
            return .object(fields)
        }
    }

    static func snakeCase(_ name: String) -> String {
        var result = ""
        for character in name {
            if character.isUppercase { result += "_" + character.lowercased() } else { result.append(character) }
        }
        return result
    }

    static let config = FieldType.of(ExperimentConfig())
}

extension ExperimentConfig.DatasetSection {
    /// Channels of the dataset's images: the dataset's own (1 for the MNISTs, 3 for CIFAR and Obama), or
    /// `channels` for an image folder.
    public var imageChannels: Int { name.channels ?? channels }
}
