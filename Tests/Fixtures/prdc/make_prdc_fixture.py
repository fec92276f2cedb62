"""Reference precision, recall, density and coverage from the prdc package (0.2, NAVER, MIT; PyPI) for
PrecisionRecallTests: two clouds of float32 features, with prdc's own compute_prdc at k = 3 (precision,
recall) and k = 5 (density, coverage). Needs numpy, scikit-learn, h5py and prdc (the peer venv:
.build/peer-venv/bin/pip install scikit-learn prdc==0.2). Run from this folder:
    ../../../.build/peer-venv/bin/python make_prdc_fixture.py
"""
import h5py
import numpy as np
from prdc import compute_prdc

rng = np.random.default_rng(7)
real = rng.normal(size=(300, 24)).astype(np.float32)
fake = (rng.normal(size=(250, 24)) * 1.15 + 0.3).astype(np.float32)
k3 = compute_prdc(real, fake, nearest_k=3)
k5 = compute_prdc(real, fake, nearest_k=5)
with h5py.File("prdc_fixture.h5", "w") as file:
    file["real"] = real
    file["fake"] = fake
    file.attrs["precision_k3"], file.attrs["recall_k3"] = k3["precision"], k3["recall"]
    file.attrs["density_k5"], file.attrs["coverage_k5"] = k5["density"], k5["coverage"]
    file.attrs["source"] = "prdc 0.2 compute_prdc"
print(k3, k5)
