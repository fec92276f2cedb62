#!/usr/bin/env python3
"""Speed of pytorch-fid's FID Inception-v3 on this CPU, the peer of
`augbench features extract --extractor inception`.

    .build/peer-venv/bin/python Benchmarks/peer/inception_speed.py [--images 500] [--threads 2]

Builds the network as scripts/make_inception_fixture.py does (rule-generated weights: the cost is the
same as with the real ones), then times pool features of random 32×32 RGB images in batches of 50
(after one warm-up batch) and prints images/s.
"""
import argparse
import os
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
import make_inception_fixture  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=500)
    parser.add_argument("--threads", type=int, default=2)
    arguments = parser.parse_args()
    torch.set_num_threads(arguments.threads)
    _, wrapper, _ = make_inception_fixture.build_network()
    wrapper = wrapper.float()
    images = torch.rand(arguments.images, 3, 32, 32)
    with torch.no_grad():
        wrapper(images[:50])
        start = time.perf_counter()
        for first in range(0, arguments.images, 50):
            wrapper(images[first:first + 50])
        seconds = time.perf_counter() - start
    print(f"pytorch-fid Inception-v3: {arguments.images} images in {seconds:.1f} s ({arguments.images / seconds:.1f} images/s), "
          f"torch {torch.__version__}, {torch.get_num_threads()} threads")


if __name__ == "__main__":
    main()
