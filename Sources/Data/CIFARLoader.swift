import Foundation

/// CIFAR-10 and CIFAR-100 in the official binary layouts. CIFAR-10: `data_batch_1…5.bin` (train) and
/// `test_batch.bin`, records of 1 label byte + 3,072 bytes (R, G, B planes of 32×32). CIFAR-100:
/// `train.bin` and `test.bin`, records of coarse and fine label bytes + 3,072; the fine label is used.
public enum CIFARLoader {
    public static func loadCIFAR10(folder: String, split: String, hint: String) throws -> Dataset {
        let files = split == "train" ? (1...5).map { "data_batch_\($0).bin" } : ["test_batch.bin"]
        let names = (try? String(contentsOfFile: folder + "/batches.meta.txt", encoding: .utf8))
            .map { $0.split(whereSeparator: \.isNewline).map(String.init).filter { !$0.isEmpty } }
        return try load(name: "cifar10", folder: folder, files: files, split: split, labelBytes: 1, classes: 10,
                        classNames: names?.count == 10 ? names! : (0..<10).map { "class\($0)" }, hint: hint)
    }

    public static func loadCIFAR100(folder: String, split: String, hint: String) throws -> Dataset {
        let names = (try? String(contentsOfFile: folder + "/fine_label_names.txt", encoding: .utf8))
            .map { $0.split(whereSeparator: \.isNewline).map(String.init).filter { !$0.isEmpty } }
        return try load(name: "cifar100", folder: folder, files: [split == "train" ? "train.bin" : "test.bin"], split: split,
                        labelBytes: 2, classes: 100, classNames: names?.count == 100 ? names! : (0..<100).map { "class\($0)" }, hint: hint)
    }

    static func load(name: String, folder: String, files: [String], split: String, labelBytes: Int, classes: Int,
                     classNames: [String], hint: String) throws -> Dataset {
        let imageBytes = 3 * 32 * 32, recordSize = labelBytes + imageBytes
        var pixels: [UInt8] = [], labels: [Int] = []
        for file in files {
            let path = folder + "/" + file
            guard FileManager.default.fileExists(atPath: path) else {
                throw DataError(file: path, FileManager.default.fileExists(atPath: folder) ? "not found" : "folder \(folder) not found", hint: hint)
            }
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            guard size > 0, size % recordSize == 0 else {
                throw DataError(file: path, "\(size) bytes is not a whole number of \(recordSize)-byte records (corrupt or truncated)", hint: hint)
            }
            let records = size / recordSize, start = pixels.count
            pixels.append(contentsOf: repeatElement(0, count: records * imageBytes))
            var label = [UInt8](repeating: 0, count: labelBytes)
            guard let handle = fopen(path, "rb") else { throw DataError(file: path, "cannot open", hint: hint) }
            defer { fclose(handle) }
            try pixels.withUnsafeMutableBufferPointer { buffer in
                for record in 0..<records {
                    let target = buffer.baseAddress! + start + record * imageBytes
                    guard fread(&label, 1, labelBytes, handle) == labelBytes, fread(target, 1, imageBytes, handle) == imageBytes else {
                        throw DataError(file: path, "unexpected end of file at record \(record)", hint: hint)
                    }
                    let value = Int(label[labelBytes - 1])
                    guard value < classes else {
                        throw DataError(file: path, "record \(record) has label \(value), outside 0…\(classes - 1)")
                    }
                    labels.append(value)
                }
            }
        }
        return Dataset(name: name, split: split, bytes: pixels, channels: 3, height: 32, width: 32, labels: labels,
                       classNames: classNames, source: files.map { folder + "/" + $0 }.joined(separator: ", "))
    }
}
