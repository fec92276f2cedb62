import Foundation

/// The JSON of AugBench's records (result.json, metrics.jsonl, grid.json, baselines, `diff --json`): snake_case
/// keys, sorted, slashes unescaped, non-finite numbers as the strings "inf", "-inf" and "nan". Content ids
/// hash configs in their own canonical form (`ExperimentConfig`), which must never change with this one.
public enum JSONCoding {
    /// Pretty-printed for files people read; one line (`pretty: false`) for JSON-lines logs.
    public static func encoder(pretty: Bool = true) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }

    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return decoder
    }
}
