/// A dataset that cannot be used: where it was looked for or which file is wrong, what is wrong, and how
/// to fix it.
public struct DataError: Error, CustomStringConvertible, Equatable {
    public let file: String
    public let problem: String
    public let hint: String

    public init(file: String, _ problem: String, hint: String = "") {
        self.file = file
        self.problem = problem
        self.hint = hint
    }

    public var description: String { "\(file): \(problem)" + (hint.isEmpty ? "" : "\n  fix: \(hint)") }
}
