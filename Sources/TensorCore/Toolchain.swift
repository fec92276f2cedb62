/// Facts about the build, for `augbench doctor` and every run's provenance.
public enum Toolchain {
    /// The Swift compiler version this binary was built with (major.minor).
    public static var swiftVersion: String {
        #if compiler(>=6.4)
        return "6.4 or later"
        #elseif compiler(>=6.3)
        return "6.3"
        #elseif compiler(>=6.2)
        return "6.2"
        #elseif compiler(>=6.1)
        return "6.1"
        #else
        return "6.0"
        #endif
    }
}
