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

/// The datasets AugBench knows, where it looks for them, and how to get them.
public enum DatasetCatalog {
    public static let names = ["fashion-mnist", "mnist", "cifar10", "cifar100", "obama", "folder"]
    public static let fashionMNISTFolder = "/usr/share/datasets/fashion-mnist"
    static let fashionMNISTClasses = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
                                      "Sneaker", "Bag", "Ankle boot"]

    /// The folder named by AUGBENCH_DATA (e.g. ../shared/data), where CIFAR and Obama live by default.
    public static var sharedDataFolder: String? {
        ProcessInfo.processInfo.environment["AUGBENCH_DATA"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The folder a dataset is read from: the spec's path, else its default location.
    public static func location(of spec: DatasetSpec) throws -> String {
        if let path = spec.path { return path }
        switch spec.name {
        case "fashion-mnist": return fashionMNISTFolder
        case "cifar10", "cifar100", "obama":
            let sub = ["cifar10": "cifar-10-batches-bin", "cifar100": "cifar-100-binary", "obama": "100-shot-obama"][spec.name]!
            guard let shared = sharedDataFolder else {
                throw DataError(file: "<\(spec.name)>", "no location given", hint: hint(for: spec.name))
            }
            return shared + "/" + sub
        case "mnist", "folder":
            throw DataError(file: "<\(spec.name)>", "no location given", hint: hint(for: spec.name))
        default:
            throw DataError(file: "<\(spec.name)>", "unknown dataset; known: \(names.joined(separator: ", "))")
        }
    }

    /// How to obtain a dataset, for error messages.
    public static func hint(for name: String) -> String {
        switch name {
        case "fashion-mnist":
            return "install the Debian package (`scripts/setup` does: apt-get install dataset-fashion-mnist), or give a path to a folder with train-/t10k-images-idx3-ubyte[.gz] and -labels-idx1-ubyte[.gz]"
        case "mnist":
            return "give a path to a folder with the four MNIST IDX files (train-/t10k-images-idx3-ubyte[.gz], -labels-idx1-ubyte[.gz])"
        case "cifar10":
            return "set AUGBENCH_DATA to a folder holding cifar-10-batches-bin/ (the official binary version: data_batch_1..5.bin, test_batch.bin), or give its path"
        case "cifar100":
            return "set AUGBENCH_DATA to a folder holding cifar-100-binary/ (train.bin, test.bin), or give its path"
        case "obama":
            return "set AUGBENCH_DATA to a folder holding 100-shot-obama/ (000.png … 099.png), or give its path"
        default:
            return "give the path of a folder of PNG images (flat, or one subfolder per class)"
        }
    }

    /// Loads one split ("train" or "test"); image folders have only "train".
    public static func load(_ spec: DatasetSpec, split: String) throws -> Dataset {
        let folder = try location(of: spec)
        let hint = hint(for: spec.name)
        switch spec.name {
        case "fashion-mnist", "mnist":
            let classes = spec.name == "mnist" ? (0..<10).map(String.init) : fashionMNISTClasses
            return try IDXLoader.load(name: spec.name, folder: folder, split: split, classNames: classes, hint: hint)
                .padded(to: spec.resolution)
        case "cifar10": return try CIFARLoader.loadCIFAR10(folder: folder, split: split, hint: hint)
        case "cifar100": return try CIFARLoader.loadCIFAR100(folder: folder, split: split, hint: hint)
        default:
            guard split == "train" else {
                throw DataError(file: folder, "an image folder has no '\(split)' split; held-out images are a slice of it")
            }
            return try ImageFolderLoader.load(name: spec.name, folder: folder, resolution: spec.resolution,
                                              channels: spec.channels ?? 3, hint: hint)
        }
    }

    /// Whether the dataset has a separate test split (image folders do not).
    public static func hasTestSplit(_ spec: DatasetSpec) -> Bool {
        ["fashion-mnist", "mnist", "cifar10", "cifar100"].contains(spec.name)
    }
}
