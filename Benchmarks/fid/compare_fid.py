"""FID between two 10,000 x 2048 feature files: AugBench's `augbench fid` (end to end, reading the files)
against the SciPy route of pytorch-fid (np.cov + scipy.linalg.sqrtm) on the same files.
    python3 Benchmarks/fid/compare_fid.py [path/to/augbench]
Writes the two files to /tmp/augbench-fid-{a,b}.h5 once (seeded), then times each side 3 times.
"""
import json, os, subprocess, sys, time
import h5py
import numpy as np
from scipy import linalg

augbench = sys.argv[1] if len(sys.argv) > 1 else ".build/release/augbench"
paths = ["/tmp/augbench-fid-a.h5", "/tmp/augbench-fid-b.h5"]
if not all(os.path.exists(p) for p in paths):
    rng = np.random.default_rng(0)
    mixing = rng.normal(size=(2048, 2048)).astype(np.float32) / 45
    for i, p in enumerate(paths):
        x = (rng.normal(size=(10000, 2048)).astype(np.float32) + 0.1 * i) @ mixing
        with h5py.File(p, "w") as f:
            f["features"] = np.maximum(x, 0)  # non-negative like pool features


def scipy_fid():
    stats = []
    for p in paths:
        with h5py.File(p) as f:
            x = f["features"][:].astype(np.float64)
        stats.append((x.mean(axis=0), np.cov(x, rowvar=False)))
    (m1, s1), (m2, s2) = stats
    covmean, _ = linalg.sqrtm(s1.dot(s2), disp=False)
    covmean = covmean.real
    return (m1 - m2).dot(m1 - m2) + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean)


def ours():
    out = subprocess.run([augbench, "fid", *paths, "--json"], check=True, capture_output=True, text=True).stdout
    return json.loads(out)["fid"]


for name, run in [("augbench fid", ours), ("scipy sqrtm", scipy_fid)]:
    times, value = [], None
    for _ in range(3):
        start = time.perf_counter()
        value = run()
        times.append(time.perf_counter() - start)
    print(f"{name:14s} FID {value:.6f}  best {min(times):.2f} s  median {sorted(times)[1]:.2f} s")
