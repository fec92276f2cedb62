import Foundation

/// A JSON document as a value tree, for merging overrides onto defaults and checking them key by key.
public indirect enum JSONValue: Equatable, Sendable, CustomStringConvertible {
    case object([String: JSONValue])
    case array([JSONValue])
    case string(String)
    case number(Double)
    case bool(Bool)
    case null

    public static func parse(_ data: Data, file: String) throws -> JSONValue {
        do { return try JSONDecoder().decode(JSONValue.self, from: data) } catch let error as DecodingError {
            if case .dataCorrupted(let context) = error, !context.codingPath.isEmpty {
                let path = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().drop { $0 == "." }
                throw ConfigError(file: file, path: String(path), "found \(context.debugDescription)")
            }
            throw ConfigError(file: file, path: "", DecodingDescription.describe(error))
        }
    }

    public var encoded: Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try! encoder.encode(self)
    }

    /// Canonical text: sorted keys, no spaces (what run ids hash).
    public var canonical: String { String(data: encoded, encoding: .utf8)! }

    public var pretty: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return String(data: try! encoder.encode(self), encoding: .utf8)!
    }

    public var description: String {
        switch self {
        case .string(let s): return "\"\(s)\""
        default: return canonical
        }
    }

    /// The kind of value, as error messages name it.
    public var kind: String {
        switch self {
        case .object: return "an object"
        case .array: return "a list"
        case .string: return "a string"
        case .number(let n): return n == n.rounded() ? "an integer" : "a number"
        case .bool: return "true/false"
        case .null: return "null"
        }
    }

    public subscript(key: String) -> JSONValue? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    /// The value at a dotted path ("training.iterations").
    public func value(at dotted: String) -> JSONValue? {
        dotted.split(separator: ".").reduce(Optional(self)) { $0?[String($1)] }
    }

    /// A copy with the value at a dotted path replaced.
    public func setting(_ dotted: String, to value: JSONValue) -> JSONValue {
        let keys = dotted.split(separator: ".").map(String.init)
        guard case .object(var o) = self, let first = keys.first else { return value }
        o[first] = keys.count == 1 ? value : (o[first] ?? .object([:])).setting(keys.dropFirst().joined(separator: "."), to: value)
        return .object(o)
    }

    /// A copy without the value at a dotted path.
    public func removing(path dotted: String) -> JSONValue {
        let keys = dotted.split(separator: ".").map(String.init)
        guard case .object(var o) = self, let first = keys.first else { return self }
        if keys.count == 1 { o[first] = nil } else if let child = o[first] {
            o[first] = child.removing(path: keys.dropFirst().joined(separator: "."))
        }
        return .object(o)
    }

    public func removing(_ key: String) -> JSONValue {
        guard case .object(var o) = self else { return self }
        o[key] = nil
        return .object(o)
    }
}

extension JSONValue: Codable {
    public init(from decoder: Decoder) throws {
        if var list = try? decoder.unkeyedContainer() {
            var values: [JSONValue] = []
            while !list.isAtEnd { values.append(try list.decode(JSONValue.self)) }
            self = .array(values)
            return
        }
        if let object = try? decoder.container(keyedBy: AnyKey.self) {
            var values: [String: JSONValue] = [:]
            for key in object.allKeys { values[key.stringValue] = try object.decode(JSONValue.self, forKey: key) }
            self = .object(values)
            return
        }
        let single = try decoder.singleValueContainer()
        if single.decodeNil() { self = .null }
        else if let bool = try? single.decode(Bool.self) { self = .bool(bool) }
        else if let number = try? single.decode(Double.self) { self = .number(number) }
        else if let text = try? single.decode(String.self) { self = .string(text) }
        else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "a number outside the range of a 64-bit float (such as 1e400)"))
        }
    }

    public func encode(to encoder: Encoder) throws {
        switch self {
        case .object(let o):
            var container = encoder.container(keyedBy: AnyKey.self)
            for (key, value) in o { try container.encode(value, forKey: AnyKey(stringValue: key)) }
        case .array(let a):
            var container = encoder.unkeyedContainer()
            for value in a { try container.encode(value) }
        case .string(let s): var c = encoder.singleValueContainer(); try c.encode(s)
        case .number(let n):
            var c = encoder.singleValueContainer()
            if n == n.rounded() && abs(n) < 1e15 { try c.encode(Int64(n)) } else { try c.encode(n) }
        case .bool(let b): var c = encoder.singleValueContainer(); try c.encode(b)
        case .null: var c = encoder.singleValueContainer(); try c.encodeNil()
        }
    }

    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
