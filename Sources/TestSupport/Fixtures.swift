import Foundation

/// Files in `Tests/Fixtures` (committed test data) and the optional shared data folder.
public enum Fixtures {
    /// The repository's `Tests/Fixtures` folder, found from this source file's location.
    public static let folder: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Tests/Fixtures")

    /// The repository's root folder.
    public static var repository: URL { folder.deletingLastPathComponent().deletingLastPathComponent() }

    /// The path of a committed fixture, e.g. `path("png/rgb.png")`.
    public static func path(_ relative: String) -> String { folder.appendingPathComponent(relative).path }

    /// The shared data folder named by `AUGBENCH_DATA` (CIFAR-10, 100-shot Obama), when present.
    public static var sharedData: URL? {
        guard let value = ProcessInfo.processInfo.environment["AUGBENCH_DATA"], !value.isEmpty else { return nil }
        let url = URL(fileURLWithPath: value)
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }
}
