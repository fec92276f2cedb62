"""Reference values of FID, IS and KID for MetricsTests, from the published formulas in NumPy/SciPy:
pytorch-fid's calculate_frechet_distance (scipy.linalg.sqrtm), the original Inception Score code
(improved-gan), and torch-fidelity's unbiased polynomial-kernel MMD^2. Run from this folder:
    python3 make_metric_fixtures.py
Writes metrics_fixture.h5: /a/features [200, 16], /a/logits [200, 10], /b/features [200, 16],
/c/features [150, 16] and the expected values as root attributes.
"""
import h5py
import numpy as np
from scipy import linalg

rng = np.random.default_rng(20201106)
d = 16
mixing = rng.normal(size=(d, d)) / np.sqrt(d)
a = rng.normal(size=(200, d)) @ mixing
b = rng.normal(loc=0.3, size=(200, d)) @ (mixing + 0.1 * rng.normal(size=(d, d)))
c = rng.normal(size=(150, d)) @ mixing * 1.5
logits = rng.normal(scale=3.0, size=(200, 10))
a, b, c, logits = (x.astype(np.float32) for x in (a, b, c, logits))


def fid(x, y, eps=1e-6):  # pytorch-fid
    mu1, mu2 = np.mean(x.astype(np.float64), axis=0), np.mean(y.astype(np.float64), axis=0)
    s1, s2 = np.cov(x.astype(np.float64), rowvar=False), np.cov(y.astype(np.float64), rowvar=False)
    diff = mu1 - mu2
    covmean, _ = linalg.sqrtm(s1.dot(s2), disp=False)
    if not np.isfinite(covmean).all():
        offset = np.eye(s1.shape[0]) * eps
        covmean = linalg.sqrtm((s1 + offset).dot(s2 + offset))
    if np.iscomplexobj(covmean):
        covmean = covmean.real
    return diff.dot(diff) + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean)


def inception_score(z, splits=10):  # improved-gan, on softmax(logits)
    z = z.astype(np.float64)
    preds = np.exp(z - z.max(axis=1, keepdims=True))
    preds /= preds.sum(axis=1, keepdims=True)
    scores = []
    for i in range(splits):
        part = preds[(i * preds.shape[0] // splits):((i + 1) * preds.shape[0] // splits), :]
        kl = part * (np.log(part) - np.log(np.expand_dims(np.mean(part, 0), 0)))
        scores.append(np.exp(np.mean(np.sum(kl, 1))))
    return np.mean(scores), np.std(scores)


def mmd2(f1, f2):  # torch-fidelity, degree 3, gamma 1/d, coef0 1
    f1, f2 = f1.astype(np.float64), f2.astype(np.float64)
    kernel = lambda x, y: (x @ y.T / x.shape[1] + 1) ** 3
    k11, k22, k12 = kernel(f1, f1), kernel(f2, f2), kernel(f1, f2)
    m = f1.shape[0]
    kt_xx_sum = (k11.sum(axis=-1) - np.diagonal(k11)).sum()
    kt_yy_sum = (k22.sum(axis=-1) - np.diagonal(k22)).sum()
    k_xy_sum = k12.sum(axis=0).sum()
    return (kt_xx_sum + kt_yy_sum) / (m * (m - 1)) - 2 * k_xy_sum / (m ** 2)


with h5py.File("metrics_fixture.h5", "w") as f:
    f["a/features"], f["a/logits"], f["b/features"], f["c/features"] = a, logits, b, c
    f.attrs["fid_ab"] = fid(a, b)
    f.attrs["fid_ac"] = fid(a, c)
    f.attrs["is_mean"], f.attrs["is_std"] = inception_score(logits)
    f.attrs["kid_ab"] = mmd2(a, b)
    print({k: float(v) for k, v in f.attrs.items()})
