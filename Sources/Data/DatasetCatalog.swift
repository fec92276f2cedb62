import Foundation

/// Which dataset to load and how to shape it; a config's `dataset` section.
public struct DatasetSpec: Codable, Equatable, Sendable {
    /// fashion-mnist, mnist, cifar10, cifar100, obama (100-shot Obama) or folder.
    public var name: String
    /// Where the files are; nil uses the default location of `name`.
    public var path: String?
    /// Side of the square images (folders are resized to it; 28×28 IDX images are padded to it).
    public var resolution: Int
    /// 1 or 3 for image folders (nil: 3).
    public var channels: Int?

    public init(name: String, path: String? = nil, resolution: Int = 32, channels: Int? = nil) {
        self.name = name
        self.path = path
        self.resolution = resolution
        self.channels = channels
    }
}

/// The datasets AugBench knows by name, with every fact about them in one place.
public enum DatasetName: String, Codable, CaseIterable, Sendable {
    case fashionMNIST = "fashion-mnist", mnist, cifar10, cifar100, obama, folder

    /// Image channels; nil for an image folder (its config says).
    public var channels: Int? {
        switch self {
        case .fashionMNIST, .mnist: return 1
        case .cifar10, .cifar100, .obama: return 3
        case .folder: return nil
        }
    }

    /// Classes of the labels; nil when the images have none that AugBench reads.
    public var classes: Int? {
        switch self {
        case .fashionMNIST, .mnist, .cifar10: return 10
        case .cifar100: return 100
        case .obama, .folder: return nil
        }
    }

    /// Whether there is a separate test split (image folders hold out a slice of their images instead).
    public var hasTestSplit: Bool { classes != nil }

    /// The sub-folder of `AUGBENCH_DATA` it is found in, for the datasets shipped there.
    var sharedSubfolder: String? {
        switch self {
        case .cifar10: return "cifar-10-batches-bin"
        case .cifar100: return "cifar-100-binary"
        case .obama: return "100-shot-obama"
        default: return nil
        }
    }

    /// How to obtain it, for error messages.
    public var hint: String {
        switch self {
        case .fashionMNIST:
            return "install the Debian package (`scripts/setup` does: apt-get install dataset-fashion-mnist), or give a path to a folder with train-/t10k-images-idx3-ubyte[.gz] and -labels-idx1-ubyte[.gz]"
        case .mnist:
            return "give a path to a folder with the four MNIST IDX files (train-/t10k-images-idx3-ubyte[.gz], -labels-idx1-ubyte[.gz])"
        case .cifar10:
            return "set AUGBENCH_DATA to a folder holding cifar-10-batches-bin/ (the official binary version: data_batch_1..5.bin, test_batch.bin), or give its path"
        case .cifar100:
            return "set AUGBENCH_DATA to a folder holding cifar-100-binary/ (train.bin, test.bin), or give its path"
        case .obama:
            return "set AUGBENCH_DATA to a folder holding 100-shot-obama/ (000.png … 099.png), or give its path"
        case .folder:
            return "give the path of a folder of PNG images (flat, or one subfolder per class)"
        }
    }
}

/// The datasets AugBench knows, where it looks for them, and how to get them.
public enum DatasetCatalog {
    public static let names = DatasetName.allCases.map(\.rawValue)
    public static let fashionMNISTFolder = "/usr/share/datasets/fashion-mnist"
    static let fashionMNISTClasses = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
                                      "Sneaker", "Bag", "Ankle boot"]

    /// The folder named by AUGBENCH_DATA (e.g. ../shared/data), where CIFAR and Obama live by default.
    public static var sharedDataFolder: String? {
        ProcessInfo.processInfo.environment["AUGBENCH_DATA"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The known dataset of a name, or an error listing the known ones.
    public static func dataset(named name: String) throws -> DatasetName {
        guard let known = DatasetName(rawValue: name) else {
            throw DataError(file: "<\(name)>", "unknown dataset; known: \(names.joined(separator: ", "))")
        }
        return known
    }

    /// The folder a dataset is read from: the spec's path, else its default location.
    public static func location(of spec: DatasetSpec) throws -> String {
        let dataset = try dataset(named: spec.name)
        if let path = spec.path { return path }
        if dataset == .fashionMNIST { return fashionMNISTFolder }
        guard let sub = dataset.sharedSubfolder, let shared = sharedDataFolder else {
            throw DataError(file: "<\(spec.name)>", "no location given", hint: dataset.hint)
        }
        return shared + "/" + sub
    }

    /// How to obtain a dataset, for error messages.
    public static func hint(for name: String) -> String {
        DatasetName(rawValue: name)?.hint ?? DatasetName.folder.hint
    }

    /// Loads one split ("train" or "test"); image folders have only "train".
    public static func load(_ spec: DatasetSpec, split: String) throws -> Dataset {
        let folder = try location(of: spec)
        let hint = hint(for: spec.name)
        switch try dataset(named: spec.name) {
        case .fashionMNIST, .mnist:
            let classes = spec.name == "mnist" ? (0..<10).map(String.init) : fashionMNISTClasses
            return try IDXLoader.load(name: spec.name, folder: folder, split: split, classNames: classes, hint: hint)
                .padded(to: spec.resolution)
        case .cifar10: return try CIFARLoader.loadCIFAR10(folder: folder, split: split, hint: hint)
        case .cifar100: return try CIFARLoader.loadCIFAR100(folder: folder, split: split, hint: hint)
        case .obama, .folder:
            guard split == "train" else {
                throw DataError(file: folder, "an image folder has no '\(split)' split; held-out images are a slice of it")
            }
            return try ImageFolderLoader.load(name: spec.name, folder: folder, resolution: spec.resolution,
                                              channels: spec.channels ?? 3, hint: hint)
        }
    }

    /// Whether the dataset has a separate test split (image folders do not).
    public static func hasTestSplit(_ spec: DatasetSpec) -> Bool {
        DatasetName(rawValue: spec.name)?.hasTestSplit ?? false
    }
}
