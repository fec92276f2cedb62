import CHDF5

/// Scalar attributes (strings, Float64, Int64) on a group or dataset.
extension HDF5File {
    private func withObject<Result>(_ objectPath: String, _ body: (hid_t) throws -> Result) throws -> Result {
        guard objectPath == "/" || exists(objectPath) else { throw error(objectPath, "no such group or dataset") }
        let object = H5Oopen(id, objectPath, augbench_h5p_default())
        guard object >= 0 else { throw error(objectPath, "cannot open object") }
        defer { H5Oclose(object) }
        return try body(object)
    }

    private func writeAttribute(_ name: String, on objectPath: String, type: hid_t, _ bytes: UnsafeRawPointer) throws {
        try withObject(objectPath) { object in
            if H5Aexists(object, name) > 0 { H5Adelete(object, name) }
            let space = H5Screate(H5S_SCALAR)
            defer { H5Sclose(space) }
            let attribute = H5Acreate2(object, name, type, space, augbench_h5p_default(), augbench_h5p_default())
            guard attribute >= 0 else { throw error(objectPath, "cannot create attribute '\(name)'") }
            defer { H5Aclose(attribute) }
            guard H5Awrite(attribute, type, bytes) >= 0 else { throw error(objectPath, "cannot write attribute '\(name)'") }
        }
    }

    public func setAttribute(_ name: String, _ value: String, on objectPath: String = "/") throws {
        let type = H5Tcopy(augbench_h5t_c_s1())
        defer { H5Tclose(type) }
        var bytes = Array(value.utf8)
        H5Tset_size(type, max(1, bytes.count))
        H5Tset_cset(type, H5T_CSET_UTF8)
        if bytes.isEmpty { bytes = [0] }
        try writeAttribute(name, on: objectPath, type: type, bytes)
    }

    public func setAttribute(_ name: String, _ value: Double, on objectPath: String = "/") throws {
        var value = value
        try writeAttribute(name, on: objectPath, type: Double.memoryType, &value)
    }

    public func setAttribute(_ name: String, _ value: Int64, on objectPath: String = "/") throws {
        var value = value
        try writeAttribute(name, on: objectPath, type: Int64.memoryType, &value)
    }

    public func hasAttribute(_ name: String, on objectPath: String = "/") -> Bool {
        (try? withObject(objectPath) { H5Aexists($0, name) > 0 }) ?? false
    }

    private func withAttribute<Result>(_ name: String, on objectPath: String,
                                       _ body: (hid_t, hid_t) throws -> Result) throws -> Result {
        try withObject(objectPath) { object in
            guard H5Aexists(object, name) > 0 else { throw error(objectPath, "no attribute '\(name)'") }
            let attribute = H5Aopen(object, name, augbench_h5p_default())
            guard attribute >= 0 else { throw error(objectPath, "cannot open attribute '\(name)'") }
            defer { H5Aclose(attribute) }
            let type = H5Aget_type(attribute)
            defer { H5Tclose(type) }
            return try body(attribute, type)
        }
    }

    /// A string attribute, fixed-length or variable-length (as h5py writes them).
    public func stringAttribute(_ name: String, on objectPath: String = "/") throws -> String {
        try withAttribute(name, on: objectPath) { attribute, type in
            guard H5Tget_class(type) == H5T_STRING else { throw error(objectPath, "attribute '\(name)' is not a string") }
            if H5Tis_variable_str(type) > 0 {
                let memoryType = H5Tcopy(augbench_h5t_c_s1())
                defer { H5Tclose(memoryType) }
                H5Tset_size(memoryType, augbench_h5t_variable())
                H5Tset_cset(memoryType, H5Tget_cset(type))
                var pointer: UnsafeMutablePointer<CChar>? = nil
                guard H5Aread(attribute, memoryType, &pointer) >= 0, let pointer else {
                    throw error(objectPath, "cannot read attribute '\(name)'")
                }
                defer { H5free_memory(pointer) }
                return String(cString: pointer)
            }
            let size = H5Tget_size(type)
            var buffer = [UInt8](repeating: 0, count: size + 1)
            guard H5Aread(attribute, type, &buffer) >= 0 else { throw error(objectPath, "cannot read attribute '\(name)'") }
            let end = buffer.firstIndex(of: 0) ?? size
            return String(decoding: buffer[..<end], as: UTF8.self)
        }
    }

    public func doubleAttribute(_ name: String, on objectPath: String = "/") throws -> Double {
        try numericAttribute(name, on: objectPath, as: Double.self)
    }

    public func integerAttribute(_ name: String, on objectPath: String = "/") throws -> Int64 {
        try numericAttribute(name, on: objectPath, as: Int64.self)
    }

    private func numericAttribute<Element: HDF5Element>(_ name: String, on objectPath: String, as: Element.Type) throws -> Element {
        try withAttribute(name, on: objectPath) { attribute, type in
            let typeClass = H5Tget_class(type)
            guard typeClass == H5T_FLOAT || typeClass == H5T_INTEGER else {
                throw error(objectPath, "attribute '\(name)' is not numeric")
            }
            var value = Element.zero
            let read = withUnsafeMutableBytes(of: &value) { H5Aread(attribute, Element.memoryType, $0.baseAddress) }
            guard read >= 0 else {
                throw error(objectPath, "cannot read attribute '\(name)' as \(Element.self)")
            }
            return value
        }
    }
}
