#!/usr/bin/env python3
"""Convert pytorch-fid's Inception-v3 weights (pt_inception-2015-12-05-6726825d.pth) to AugBench's HDF5.

Run wherever torch, h5py and the weight file are:

    python3 scripts/convert_inception_weights.py pt_inception-2015-12-05-6726825d.pth weights/inception-v3-fid.h5

Every tensor of the state dict goes to /state/<name> as float32 (num_batches_tracked counters are
dropped); the file carries format = augbench-inception-fid-1 and the source file's name and SHA-256.
The file is written to a temporary name and renamed, so an interrupted run leaves nothing behind.
"""
import argparse
import hashlib
import os
import sys

FORMAT = "augbench-inception-fid-1"


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_state(state, output, source_name, source_sha256):
    """Writes {name: numpy array} to `output` atomically."""
    import h5py
    import numpy as np
    temporary = output + ".partial"
    with h5py.File(temporary, "w") as file:
        file.attrs["format"] = FORMAT
        file.attrs["source"] = source_name
        file.attrs["source_sha256"] = source_sha256
        for name, array in state.items():
            if name.endswith("num_batches_tracked"):
                continue
            file.create_dataset("state/" + name, data=np.asarray(array, dtype=np.float32))
    os.replace(temporary, output)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", help="pytorch-fid's .pth weight file")
    parser.add_argument("output", help="HDF5 file to write, e.g. weights/inception-v3-fid.h5")
    arguments = parser.parse_args()
    import torch
    state = torch.load(arguments.source, map_location="cpu", weights_only=True)
    if "Mixed_7c.branch_pool.conv.weight" not in state or "fc.weight" not in state:
        sys.exit(f"{arguments.source}: not pytorch-fid's FID Inception state dict (no Mixed_7c / fc weights)")
    if tuple(state["fc.weight"].shape) != (1008, 2048):
        sys.exit(f"{arguments.source}: fc.weight is {tuple(state['fc.weight'].shape)}, expected (1008, 2048)")
    write_state({name: tensor.numpy() for name, tensor in state.items()}, arguments.output,
                os.path.basename(arguments.source), sha256(arguments.source))
    print(f"wrote {arguments.output}: {len(state)} tensors")


if __name__ == "__main__":
    main()
