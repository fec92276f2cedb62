import Foundation
import Results

/// A config file as written: experiment overrides plus the grid around them.
public struct ConfigFile: Sendable {
    /// Name of the grid (the file's `name`, else its file name); results go to results/<name>/.
    public let name: String
    public let path: String
    /// Overrides of the defaults, merged over every `extends` base.
    public let overrides: JSONValue
    /// Axes: config path (or alias) → values, expanded as a cartesian product.
    public let axes: [(path: String, values: [JSONValue])]
    /// Combinations to leave out: each maps axis names to values; an experiment matching all is excluded.
    public let exclusions: [[String: JSONValue]]
    /// Free-form paper metadata (table layout and reported numbers), used by `augbench table`.
    public let paper: JSONValue?
    public let description: String
}

public enum ConfigLoader {
    /// Grid axis aliases for the config paths users vary most.
    public static let aliases: [String: String] = [
        "strategy": "augment.strategy", "policy": "augment.policy", "fraction": "subset.fraction",
        "model": "model.architecture", "size": "model.size", "width": "model.width", "loss": "training.loss",
        "dataset": "dataset.name", "seed": "training.seed", "iterations": "training.iterations",
        "consistency": "augment.consistency_weight",
    ]
    static let topLevelKeys: Set = ["extends", "name", "description", "grid", "exclude", "paper"]

    public static func resolve(alias: String) -> String { aliases[alias] ?? alias }

    /// Reads a config file and its `extends` chain (paths relative to the file), checking every key and type.
    public static func load(_ path: String) throws -> ConfigFile {
        let document = try merged(path, visited: [])
        guard case .object(let top) = document else { throw ConfigError(file: path, path: "", "expected a JSON object") }
        var overrides = JSONValue.object([:])
        for (key, value) in top where !topLevelKeys.contains(key) { overrides = overrides.setting(key, to: value) }
        try validate(overrides, against: FieldType.config, path: "", file: path)
        let axes = try parseGrid(top["grid"], file: path)
        let exclusions = try parseExclusions(top["exclude"], axes: axes, file: path)
        let name: String
        switch top["name"] {
        case .string(let given)?: name = given
        case nil: name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        case let other?: throw ConfigError(file: path, path: "name", "found \(other.kind), expected a string")
        }
        try checkGridName(name, file: path)
        var description = ""
        if case .string(let text)? = top["description"] { description = text }
        return ConfigFile(name: name, path: path, overrides: overrides, axes: axes, exclusions: exclusions,
                          paper: top["paper"], description: description)
    }

    /// Folders of the results root that a grid's record must not take.
    static let reservedNames: Set = [RunStore.folderName, "cache", "baselines"]

    /// A grid's name becomes the folder results/<name>: one safe path component of letters, digits, '.', '_'
    /// and '-', not starting with '.', at most 100 characters, and not a folder the results root uses itself.
    static func checkGridName(_ name: String, file: String) throws {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
        let problem: String? =
            name.isEmpty ? "is empty" :
            name.count > 100 ? "has \(name.count) characters (at most 100)" :
            name.hasPrefix(".") ? "starts with '.'" :
            !name.allSatisfy(allowed.contains) ? "contains characters other than letters, digits, '.', '_' and '-'" :
            reservedNames.contains(name) ? "is a folder of the results root itself (\(reservedNames.sorted().joined(separator: ", ")))" : nil
        if let problem {
            throw ConfigError(file: file, path: "name", "\"\(name.prefix(60))\(name.count > 60 ? "…" : "")\" \(problem); a grid name becomes the folder results/<name>")
        }
    }

    /// The file's JSON with its bases merged underneath (later files override earlier ones).
    static func merged(_ path: String, visited: [String]) throws -> JSONValue {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        guard !visited.contains(absolute) else {
            throw ConfigError(file: path, path: "extends", "circular: \((visited + [absolute]).joined(separator: " → "))")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(file: path, path: "", FileManager.default.fileExists(atPath: path) ? "cannot read file" : "no such file")
        }
        let document = try JSONValue.parse(data, file: path)
        guard case .object(let object) = document else { throw ConfigError(file: path, path: "", "expected a JSON object, found \(document.kind)") }
        var bases: [String] = []
        switch object["extends"] {
        case nil: break
        case .string(let base)?: bases = [base]
        case .array(let list)?:
            for item in list {
                guard case .string(let base) = item else { throw ConfigError(file: path, path: "extends", "found \(item.kind), expected file names") }
                bases.append(base)
            }
        case let other?: throw ConfigError(file: path, path: "extends", "found \(other.kind), expected a file name or a list of them")
        }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        var result = JSONValue.object([:])
        for base in bases {
            let basePath = base.hasPrefix("/") ? base : folder.appendingPathComponent(base).path
            result = deepMerge(result, try merged(basePath, visited: visited + [absolute]))
        }
        return deepMerge(result, document.removing("extends"))
    }

    /// Objects merge key by key; anything else in `top` replaces `base`.
    static func deepMerge(_ base: JSONValue, _ top: JSONValue) -> JSONValue {
        guard case .object(var merged) = base, case .object(let overrides) = top else { return top }
        for (key, value) in overrides { merged[key] = merged[key].map { deepMerge($0, value) } ?? value }
        return .object(merged)
    }

    /// Every key must be known and every value of its field's type.
    static func validate(_ value: JSONValue, against type: FieldType, path: String, file: String) throws {
        switch (type, value) {
        case (.object(let fields), .object(let object)):
            for (key, child) in object {
                let childPath = path.isEmpty ? key : path + "." + key
                guard let childType = fields[key] else {
                    throw ConfigError(file: file, path: childPath, "unknown key; known keys here: \(fields.keys.sorted().joined(separator: ", "))")
                }
                try validate(child, against: childType, path: childPath, file: file)
            }
        case (.integer, .number(let n)) where n == n.rounded(): return
        case (.number, .number), (.string, .string), (.bool, .bool): return
        case (.choice(let allowed), .string(let text)):
            guard allowed.contains(text) else { throw ConfigError(file: file, path: path, "found \"\(text)\", expected \(type.name)") }
        default:
            throw ConfigError(file: file, path: path, "found \(value) (\(value.kind)), expected \(type.name)")
        }
    }

    static func fieldType(at dotted: String) -> FieldType? {
        var type = FieldType.config
        for key in dotted.split(separator: ".") {
            guard case .object(let fields) = type, let next = fields[String(key)] else { return nil }
            type = next
        }
        return type
    }

    static func parseGrid(_ grid: JSONValue?, file: String) throws -> [(path: String, values: [JSONValue])] {
        guard let grid else { return [] }
        guard case .object(let axes) = grid else { throw ConfigError(file: file, path: "grid", "found \(grid.kind), expected an object of lists") }
        return try axes.keys.sorted().map { axis in
            let path = resolve(alias: axis)
            guard let type = fieldType(at: path), type != .object([:]) else {
                throw ConfigError(file: file, path: "grid.\(axis)", "unknown axis; use a config path such as training.iterations or an alias: \(aliases.keys.sorted().joined(separator: ", "))")
            }
            guard case .array(let values) = axes[axis]!, !values.isEmpty else {
                throw ConfigError(file: file, path: "grid.\(axis)", "found \(axes[axis]!.kind), expected a non-empty list of values")
            }
            for (index, value) in values.enumerated() { try validate(value, against: type, path: "grid.\(axis)[\(index)]", file: file) }
            return (path, values)
        }
    }

    static func parseExclusions(_ exclude: JSONValue?, axes: [(path: String, values: [JSONValue])], file: String) throws -> [[String: JSONValue]] {
        guard let exclude else { return [] }
        guard case .array(let list) = exclude else { throw ConfigError(file: file, path: "exclude", "found \(exclude.kind), expected a list of objects") }
        return try list.enumerated().map { index, item in
            guard case .object(let object) = item else { throw ConfigError(file: file, path: "exclude[\(index)]", "found \(item.kind), expected an object") }
            var resolved: [String: JSONValue] = [:]
            for (key, value) in object {
                let path = resolve(alias: key)
                guard axes.contains(where: { $0.path == path }) else {
                    throw ConfigError(file: file, path: "exclude[\(index)].\(key)", "not an axis of this grid")
                }
                resolved[path] = value
            }
            return resolved
        }
    }
}
