#!/usr/bin/env python3
"""Golden fixture for AugBench's Inception-v3: pytorch-fid's FID network with deterministic weights.

Needs torch, torchvision, pytorch-fid, h5py (PyPI); downloads nothing. The weights follow a rule that
Tests/MetricsTests/InceptionV3Tests.swift reproduces exactly (so the 95 MB of weights need not be
committed): for a parameter `name` with n elements, u_i = splitmix64(fnv1a64(name) + i) >> 40 / 2^24
in [0, 1), then
    conv weights  (2u − 1)·√(6 / fan_in)      bn.weight, running_var  0.8 + 0.4u
    bn.bias, running_mean  0.2(u − 0.5)       fc.weight (2u − 1)·√(3 / 2048),  fc.bias 0.1(2u − 1)
The network runs in float64 on images in [0, 1] (also from the rule, name "inputs"), through
pytorch-fid's InceptionV3 (resize to 299, 2x − 1, blocks 0–3) for the 2048-d pool features; the
1008 logits are fc on those features. Also checks that scripts/convert_inception_weights.py's HDF5
holds the same state (when --converted is given, it writes it there for a manual end-to-end check).

    python3 scripts/make_inception_fixture.py Tests/Fixtures/inception/random-weights.h5
"""
import argparse
import os
import sys

import numpy as np

MASK = np.uint64(0xFFFFFFFFFFFFFFFF)


def fnv1a64(text):
    value = 0xcbf29ce484222325
    for byte in text.encode():
        value = ((value ^ byte) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return value


def uniforms(name, count):
    """u_i = splitmix64(fnv1a64(name) + i) >> 40, over 2^24."""
    with np.errstate(over="ignore"):
        z = np.uint64(fnv1a64(name)) + np.arange(count, dtype=np.uint64) + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(40)).astype(np.float64) / float(1 << 24)


def rule_value(name, shape):
    u = uniforms(name, int(np.prod(shape))).reshape(shape)
    if name.endswith("conv.weight"):
        fan_in = int(np.prod(shape[1:]))
        return (2 * u - 1) * np.sqrt(6.0 / fan_in)
    if name.endswith("bn.weight") or name.endswith("running_var"):
        return 0.8 + 0.4 * u
    if name.endswith("bn.bias") or name.endswith("running_mean"):
        return 0.2 * (u - 0.5)
    if name == "fc.weight":
        return (2 * u - 1) * np.sqrt(3.0 / 2048)
    if name == "fc.bias":
        return 0.1 * (2 * u - 1)
    raise ValueError(f"no rule for {name}")


def build_network():
    import torch
    from pytorch_fid import inception as fid
    network = fid._inception_v3(num_classes=1008, aux_logits=False, weights=None)
    network.Mixed_5b = fid.FIDInceptionA(192, pool_features=32)
    network.Mixed_5c = fid.FIDInceptionA(256, pool_features=64)
    network.Mixed_5d = fid.FIDInceptionA(288, pool_features=64)
    network.Mixed_6b = fid.FIDInceptionC(768, channels_7x7=128)
    network.Mixed_6c = fid.FIDInceptionC(768, channels_7x7=160)
    network.Mixed_6d = fid.FIDInceptionC(768, channels_7x7=160)
    network.Mixed_6e = fid.FIDInceptionC(768, channels_7x7=192)
    network.Mixed_7b = fid.FIDInceptionE_1(1280)
    network.Mixed_7c = fid.FIDInceptionE_2(2048)
    state = {}
    for name, tensor in network.state_dict().items():
        if name.endswith("num_batches_tracked"):
            state[name] = tensor
        else:
            state[name] = torch.tensor(rule_value(name, tuple(tensor.shape)), dtype=torch.float32)
    network.load_state_dict(state)
    # pytorch-fid's wrapper, with our network in place of the downloaded one.
    fid.fid_inception_v3 = lambda: network
    wrapper = fid.InceptionV3([fid.InceptionV3.BLOCK_INDEX_BY_DIM[2048]])
    return network, wrapper.double().eval(), state


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output")
    parser.add_argument("--converted", help="also write the converter's HDF5 of these weights here")
    arguments = parser.parse_args()
    import h5py
    import torch
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import convert_inception_weights as converter

    torch.set_num_threads(2)
    network, wrapper, state = build_network()
    count, size = 3, 32
    inputs = uniforms("inputs", count * 3 * size * size).reshape(count, 3, size, size)
    with torch.no_grad():
        features = wrapper(torch.tensor(inputs))[0].reshape(count, 2048)
        logits = network.fc.double()(features)
    features, logits = features.numpy(), logits.numpy()
    print(f"features: mean |f| {np.abs(features).mean():.4g}, max {np.abs(features).max():.4g}; "
          f"logits: mean |l| {np.abs(logits).mean():.4g}")

    converted = arguments.converted or arguments.output + ".converted.h5"
    converter.write_state({k: v.numpy() for k, v in state.items()}, converted, "rule", "none")
    with h5py.File(converted, "r") as file:
        for name, tensor in state.items():
            if not name.endswith("num_batches_tracked"):
                assert np.array_equal(file["state/" + name][()], tensor.numpy()), name
    if not arguments.converted:
        os.remove(converted)

    temporary = arguments.output + ".partial"
    with h5py.File(temporary, "w") as file:
        file.attrs["format"] = "augbench-inception-fixture-1"
        file.attrs["torch"] = str(torch.__version__)
        file.create_dataset("inputs", data=inputs.astype(np.float32))
        file.create_dataset("features", data=features)
        file.create_dataset("logits", data=logits)
        file.create_dataset("probe/Conv2d_1a_3x3.conv.weight", data=state["Conv2d_1a_3x3.conv.weight"].numpy()[:2])
    os.replace(temporary, arguments.output)
    print(f"wrote {arguments.output}")


if __name__ == "__main__":
    main()
