#!/usr/bin/env python3
"""torch.profiler's table of one PyTorch peer step, grouped by op and input shape: the counterpart of
`augbench bench train-step --workload W --profile` (whose last table times AugBench's convolution kernels
by shape).

    .build/peer-venv/bin/python Benchmarks/peer/profile_step.py [--workload biggan] [--threads 2] [--rows 25]

Runs two warm-up steps, then profiles one step and prints the ops by self CPU time.
"""
import argparse
import os
import sys

import torch
from torch.profiler import ProfilerActivity, profile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import workloads  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workload", choices=["dcgan", "cpu", "biggan"], default="biggan")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rows", type=int, default=25)
    arguments = parser.parse_args()
    torch.set_num_threads(arguments.threads)
    torch.manual_seed(0)
    step = workloads.TrainStep(arguments.workload)
    for _ in range(2):
        step.step()
    with profile(activities=[ProfilerActivity.CPU], record_shapes=True) as profiled:
        step.step()
    print(profiled.key_averages(group_by_input_shape=True).table(
        sort_by="self_cpu_time_total", row_limit=arguments.rows, max_name_column_width=32, max_shapes_column_width=60))


if __name__ == "__main__":
    main()
