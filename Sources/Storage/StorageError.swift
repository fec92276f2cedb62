/// A failure reading or writing a file, naming the file, the place inside it and what was expected.
public struct StorageError: Error, CustomStringConvertible, Equatable {
    public let file: String
    /// The path inside the file (HDF5 object path), or "" for the file as a whole.
    public let path: String
    public let problem: String

    public init(file: String, path: String = "", _ problem: String) {
        self.file = file
        self.path = path
        self.problem = problem
    }

    public var description: String {
        path.isEmpty ? "\(file): \(problem)" : "\(file): \(path): \(problem)"
    }
}
