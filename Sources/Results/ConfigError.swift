/// A file that cannot be used (a config, a grid record, a baseline): the file, the JSON path inside it, what was
/// found and what was expected.
public struct ConfigError: Error, CustomStringConvertible, Equatable {
    public let file: String
    public let path: String
    public let problem: String

    public init(file: String, path: String, _ problem: String) {
        self.file = file
        self.path = path
        self.problem = problem
    }

    public var description: String { "\(file): \(path.isEmpty ? "(top level)" : path): \(problem)" }
}
