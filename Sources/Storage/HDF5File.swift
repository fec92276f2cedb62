import CHDF5
import Foundation

/// Element types AugBench stores in HDF5: Float32, Float64 and Int64.
public protocol HDF5Element {
    static var memoryType: hid_t { get }
    static var isFloatingPoint: Bool { get }
    static var zero: Self { get }
}

extension Float: HDF5Element {
    public static var memoryType: hid_t { augbench_h5t_float32() }
    public static var isFloatingPoint: Bool { true }
}
extension Double: HDF5Element {
    public static var memoryType: hid_t { augbench_h5t_float64() }
    public static var isFloatingPoint: Bool { true }
}
extension Int64: HDF5Element {
    public static var memoryType: hid_t { augbench_h5t_int64() }
    public static var isFloatingPoint: Bool { false }
}

/// An open HDF5 file: groups, n-dimensional datasets and scalar attributes, with errors that name the
/// file and the path inside it. Close it with `close()` (or let it go out of scope).
public final class HDF5File {
    public enum Mode { case read, readWrite, create }

    public let path: String
    let id: hid_t

    public init(path: String, mode: Mode = .read) throws {
        augbench_h5_silence_errors()
        self.path = path
        errno = 0
        switch mode {
        case .create:
            id = H5Fcreate(path, augbench_h5f_acc_trunc(), augbench_h5p_default(), augbench_h5p_default())
        case .read, .readWrite:
            guard FileManager.default.fileExists(atPath: path) else {
                throw StorageError(file: path, "no such file")
            }
            guard H5Fis_hdf5(path) > 0 else { throw StorageError(file: path, "not an HDF5 file (or corrupt)") }
            id = H5Fopen(path, mode == .read ? augbench_h5f_acc_rdonly() : augbench_h5f_acc_rdwr(), augbench_h5p_default())
        }
        guard id >= 0 else {
            throw StorageError(file: path, mode == .create ? "cannot create file" + Self.systemReason()
                                                           : "cannot open file (truncated or corrupt HDF5?)")
        }
    }

    deinit { if H5Iis_valid(id) > 0 { H5Fclose(id) } }

    /// Flushes and closes the file; later calls on it fail.
    public func close() { if H5Iis_valid(id) > 0 { H5Fclose(id) } }

    /// Flushes and closes a file being written, and says when the data did not reach the disk.
    public func closeAfterWriting() throws {
        guard H5Iis_valid(id) > 0 else { return }
        errno = 0
        guard H5Fclose(id) >= 0 else { throw StorageError(file: path, "cannot flush the file to disk" + Self.systemReason()) }
    }

    func error(_ objectPath: String, _ problem: String) -> StorageError {
        StorageError(file: path, path: objectPath, problem)
    }

    /// The operating system's reason for the last failed call (": no space left on device"), if it set one.
    static func systemReason() -> String {
        errno == 0 ? "" : ": " + String(cString: strerror(errno)).lowercased()
    }

    // MARK: - Structure

    /// Whether a link exists at `objectPath` (every intermediate group must exist too).
    public func exists(_ objectPath: String) -> Bool {
        var prefix = ""
        for component in objectPath.split(separator: "/") {
            prefix += "/" + component
            if H5Lexists(id, prefix, augbench_h5p_default()) <= 0 { return false }
        }
        return true
    }

    /// Creates a group and any missing parents.
    public func createGroup(_ groupPath: String) throws {
        var prefix = ""
        for component in groupPath.split(separator: "/") {
            prefix += "/" + component
            if H5Lexists(id, prefix, augbench_h5p_default()) > 0 { continue }
            let group = H5Gcreate2(id, prefix, augbench_h5p_default(), augbench_h5p_default(), augbench_h5p_default())
            guard group >= 0 else { throw error(prefix, "cannot create group") }
            H5Gclose(group)
        }
    }

    /// Names of the links directly inside a group, in name order.
    public func children(of groupPath: String = "/") throws -> [String] {
        let group = H5Gopen2(id, groupPath, augbench_h5p_default())
        guard group >= 0 else { throw error(groupPath, "no such group") }
        defer { H5Gclose(group) }
        var info = H5G_info_t()
        guard H5Gget_info(group, &info) >= 0 else { throw error(groupPath, "cannot list group") }
        return (0..<info.nlinks).compactMap { index -> String? in
            let size = H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, index, nil, 0, augbench_h5p_default())
            guard size >= 0 else { return nil }
            var buffer = [CChar](repeating: 0, count: Int(size) + 1)
            H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, index, &buffer, buffer.count, augbench_h5p_default())
            return String(cString: buffer)
        }
    }

    // MARK: - Datasets

    /// Writes a dataset of `shape` (replacing one already there), creating parent groups.
    public func write<Element: HDF5Element>(_ values: [Element], shape: [Int], at datasetPath: String) throws {
        guard values.count == shape.reduce(1, *) else {
            throw error(datasetPath, "\(values.count) values do not fill shape \(shape)")
        }
        let parent = (datasetPath as NSString).deletingLastPathComponent
        if !parent.isEmpty && parent != "/" { try createGroup(parent) }
        if H5Lexists(id, datasetPath, augbench_h5p_default()) > 0 {
            H5Ldelete(id, datasetPath, augbench_h5p_default())
        }
        var dims = shape.map { hsize_t($0) }
        let space = H5Screate_simple(Int32(shape.count), &dims, nil)
        guard space >= 0 else { throw error(datasetPath, "cannot create dataspace for shape \(shape)") }
        defer { H5Sclose(space) }
        let dataset = H5Dcreate2(id, datasetPath, Element.memoryType, space, augbench_h5p_default(),
                                 augbench_h5p_default(), augbench_h5p_default())
        guard dataset >= 0 else { throw error(datasetPath, "cannot create dataset") }
        defer { H5Dclose(dataset) }
        errno = 0
        let status = values.withUnsafeBytes {
            H5Dwrite(dataset, Element.memoryType, augbench_h5s_all(), augbench_h5s_all(), augbench_h5p_default(), $0.baseAddress)
        }
        guard status >= 0 else { throw error(datasetPath, "cannot write dataset" + Self.systemReason()) }
    }

    /// The shape of a dataset.
    public func shape(of datasetPath: String) throws -> [Int] {
        let dataset = try openDataset(datasetPath)
        defer { H5Dclose(dataset) }
        return try shape(ofOpen: dataset, datasetPath)
    }

    /// Reads a whole dataset. Floating-point datasets convert between Float32 and Float64; an integer
    /// dataset read as floats (or the reverse) is an error naming both types.
    public func read<Element: HDF5Element>(_ type: Element.Type, at datasetPath: String) throws -> (shape: [Int], values: [Element]) {
        let dataset = try openDataset(datasetPath)
        defer { H5Dclose(dataset) }
        let fileType = H5Dget_type(dataset)
        defer { H5Tclose(fileType) }
        let typeClass = H5Tget_class(fileType)
        let found = typeClass == H5T_FLOAT ? "floating-point" : typeClass == H5T_INTEGER ? "integer" : "non-numeric"
        guard (typeClass == H5T_FLOAT && Element.isFloatingPoint) || (typeClass == H5T_INTEGER && !Element.isFloatingPoint) else {
            throw error(datasetPath, "holds \(found) data, expected \(Element.isFloatingPoint ? "floating-point" : "integer")")
        }
        let shape = try shape(ofOpen: dataset, datasetPath)
        var values = [Element](repeating: Element.zero, count: shape.reduce(1, *))
        let status = values.withUnsafeMutableBytes {
            H5Dread(dataset, Element.memoryType, augbench_h5s_all(), augbench_h5s_all(), augbench_h5p_default(), $0.baseAddress)
        }
        guard status >= 0 else { throw error(datasetPath, "cannot read dataset (corrupt data?)") }
        return (shape, values)
    }

    /// Reads a dataset and checks its shape against `expected`, where nil matches any size.
    public func read<Element: HDF5Element>(_ type: Element.Type, at datasetPath: String,
                                           expectingShape expected: [Int?]) throws -> (shape: [Int], values: [Element]) {
        let result = try read(type, at: datasetPath)
        let matches = result.shape.count == expected.count
            && zip(result.shape, expected).allSatisfy { $1 == nil || $0 == $1 }
        guard matches else {
            let pattern = "[" + expected.map { $0.map(String.init) ?? "*" }.joined(separator: ", ") + "]"
            throw error(datasetPath, "has shape \(result.shape), expected \(pattern)")
        }
        return result
    }

    /// An image file's `/images` [N, C, H, W] (Float32 in [−1, 1], as `augbench augment` and the feature
    /// commands read and write them).
    public static func readImages(from path: String) throws -> (shape: [Int], values: [Float]) {
        let file = try HDF5File(path: path)
        defer { file.close() }
        return try file.read(Float.self, at: "/images", expectingShape: [nil, nil, nil, nil])
    }

    private func openDataset(_ datasetPath: String) throws -> hid_t {
        guard exists(datasetPath) else { throw error(datasetPath, "no such dataset") }
        let dataset = H5Dopen2(id, datasetPath, augbench_h5p_default())
        guard dataset >= 0 else { throw error(datasetPath, "is not a dataset") }
        return dataset
    }

    private func shape(ofOpen dataset: hid_t, _ datasetPath: String) throws -> [Int] {
        let space = H5Dget_space(dataset)
        defer { H5Sclose(space) }
        let rank = H5Sget_simple_extent_ndims(space)
        guard rank >= 0 else { throw error(datasetPath, "unreadable dataspace") }
        var dims = [hsize_t](repeating: 0, count: Int(rank))
        H5Sget_simple_extent_dims(space, &dims, nil)
        return dims.map { Int($0) }
    }
}

extension HDF5File {
    /// The HDF5 library's version, e.g. "1.10.8".
    public static var libraryVersion: String {
        var major: UInt32 = 0, minor: UInt32 = 0, release: UInt32 = 0
        H5get_libversion(&major, &minor, &release)
        return "\(major).\(minor).\(release)"
    }
}
