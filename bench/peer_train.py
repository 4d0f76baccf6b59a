"""Peer for bench_train: the same denoising-score-matching SGD in numpy.

Four training points in 1-D, forward OU noising at 10 levels geometric in t
from 1e-3 to 4, a two-layer ReLU eps-network with a one-hot level bias
(width H), minibatches of B fresh (point, level, noise) draws, constant step
0.01, hand-written backward pass, vectorised over the batch. Prints steps per
second and the final excess risk over a design of every point x level x 8
draws (a checksum to compare with fwkit's).

Usage: peer_train.py [steps] [repeats]
"""
import sys
import time

import numpy as np

DATA = np.array([-1.5, -0.5, 0.5, 1.5])
LEVELS = 10
T = 1e-3 * (4 / 1e-3) ** (np.arange(LEVELS) / (LEVELS - 1))
ALPHA = np.exp(-T)
SIGMA = np.sqrt(-np.expm1(-2 * T))
ETA = 0.01


def eps_star(x, k):
    logw = -((x[:, None] - ALPHA[k, None] * DATA[None, :]) ** 2) / (2 * SIGMA[k, None] ** 2)
    w = np.exp(logw - logw.max(axis=1, keepdims=True))
    w /= w.sum(axis=1, keepdims=True)
    return (x - ALPHA[k] * (w @ DATA)) / SIGMA[k]


def run(width, batch, steps, seed):
    rng = np.random.default_rng(seed)
    w1x = rng.standard_normal(width) * np.sqrt(2 / 2)
    w1e = rng.standard_normal((width, LEVELS)) * np.sqrt(2 / 2)
    b1 = np.zeros(width)
    w2 = rng.standard_normal(width) * np.sqrt(1 / width)
    b2 = 0.0
    for _ in range(steps):
        i = rng.integers(0, 4, batch)
        k = rng.integers(0, LEVELS, batch)
        z = rng.standard_normal(batch)
        x = ALPHA[k] * DATA[i] + SIGMA[k] * z
        a = np.outer(x, w1x) + w1e[:, k].T + b1  # B x H
        h = np.maximum(a, 0)
        r = h @ w2 + b2 - z
        ge = r / batch
        gw2 = h.T @ ge
        gb2 = ge.sum()
        ga = np.outer(ge, w2) * (a > 0)
        gw1x = ga.T @ x
        gw1e = np.zeros_like(w1e)
        np.add.at(gw1e.T, k, ga)
        gb1 = ga.sum(axis=0)
        w1x -= ETA * gw1x
        w1e -= ETA * gw1e
        b1 -= ETA * gb1
        w2 -= ETA * gw2
        b2 -= ETA * gb2
    drng = np.random.default_rng(seed + 1)
    i, k = np.meshgrid(np.arange(4), np.arange(LEVELS), indexing="ij")
    i, k = np.repeat(i.ravel(), 8), np.repeat(k.ravel(), 8)
    z = drng.standard_normal(i.size)
    x = ALPHA[k] * DATA[i] + SIGMA[k] * z
    eps = np.maximum(np.outer(x, w1x) + w1e[:, k].T + b1, 0) @ w2 + b2
    return 0.5 * np.mean((eps - eps_star(x, k)) ** 2)


def main():
    steps = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    for width, batch in ((64, 32), (256, 128)):
        best, excess = float("inf"), 0.0
        for r in range(repeats):
            t0 = time.perf_counter()
            excess = run(width, batch, steps, 1 + r)
            best = min(best, time.perf_counter() - t0)
        print(f"numpy   width {width:4d} batch {batch:4d}: {steps / best:10.0f} steps/s  "
              f"({best:.3f} s for {steps} steps)  excess risk {excess:.4f}")


if __name__ == "__main__":
    main()
