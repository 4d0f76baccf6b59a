"""Peers for bench_noise: the identical ensemble schemes vectorised in numpy.

Minibatch SGD on f_i(x, y) = (x^2 - 1)^2/4 + a_i x + (y - w u_i x)^2 / 2,
w = 0.5, a_i = 0.8 sin(i + 1), u_i = 1.5 cos(0.7 (i + 1)), eta = 0.1, batch
indices drawn uniformly (with replacement, or a uniform subset without), then
the discrete, mixture and Markov noise models on the 2-D double well
b = (x - x^3, -y), all members stepped at once. Prints member-steps per
second and E|x_N|^2 (a checksum that should agree with fwkit's to within
sampling error).

Usage: peer_noise.py [members] [steps] [repeats]
"""
import sys
import time

import numpy as np

ETA = 0.1
W = 0.5


def data(n):
    i = np.arange(1, n + 1, dtype=float)
    return 0.8 * np.sin(i), W * 1.5 * np.cos(0.7 * i)


def minibatch(n, batch, replacement):
    a, wu = data(n)

    def run(members, steps, rng):
        x = np.full(members, -1.0)
        y = np.zeros(members)
        for _ in range(steps):
            if replacement:
                idx = rng.integers(0, n, size=(batch, members))
            else:  # a uniform subset per member: the first B of a random order
                idx = np.argsort(rng.random((n, members)), axis=0)[:batch]
            ai, ui = a[idx], wu[idx]
            r = y - ui * x
            gx = (x * (x * x - 1) + ai - ui * r).mean(axis=0)
            gy = r.mean(axis=0)
            x -= ETA * gx
            y -= ETA * gy
        return x, y

    return run


def double_well(draw):
    def run(members, steps, rng):
        x = np.full(members, -1.0)
        y = np.zeros(members)
        state = {"chain": None}
        for _ in range(steps):
            zx, zy = draw(x, y, rng, state)
            x, y = x + ETA * (x - x * x * x + zx), y + ETA * (-y + zy)
        return x, y

    return run


ATOMS = np.array([[1.0, -0.5, 0.2], [0.0, 1.5, -1.0]])
PROBS = np.array([0.5, 0.2, 0.3])
CENTRED = ATOMS - (ATOMS @ PROBS)[:, None]


def discrete(x, y, rng, state):
    k = np.searchsorted(np.cumsum(PROBS), rng.random(x.size))
    k = np.minimum(k, 2)
    return CENTRED[0, k], CENTRED[1, k]


M1 = np.array([1.5, -0.5])
L1 = np.linalg.cholesky(np.array([[0.5, 0.1], [0.1, 0.3]]))
L2 = np.linalg.cholesky(np.array([[0.2, 0.0], [0.0, 0.6]]))


def mixture(x, y, rng, state):
    w1 = 1.0 / (1.0 + np.exp(-(0.5 * x - y)))  # softmax of (0, 0.5x - y)
    second = rng.random(x.size) < w1
    xi = rng.standard_normal((2, x.size))
    z0 = np.where(second, L2 @ xi, L1 @ xi) + np.where(second, M1[:, None], 0.0)
    mean = w1 * M1[:, None]
    return z0[0] - mean[0], z0[1] - mean[1]


def markov(x, y, rng, state):
    # kernel P = [[0.7 - t, 0.3 + t], [0.2 + s, 0.8 - s]], t = 0.1 tanh x, s = 0.05 sin y;
    # the chain moves first, then Z = h(x, Y) - b(x), b = sum_y pi(y) h(x, y).
    t, s = 0.1 * np.tanh(x), 0.05 * np.sin(y)
    p01, p10 = 0.3 + t, 0.2 + s
    pi1 = p01 / (p01 + p10)
    if state["chain"] is None:
        state["chain"] = rng.random(x.size) < pi1
    c = state["chain"]
    u = rng.random(x.size)
    c = np.where(c, u >= p10, u < p01)
    state["chain"] = c
    h0 = (1 - x, 0.5 - y)
    h1 = (-2 - x, -1 - y + 0.3 * x)
    bx = (1 - pi1) * h0[0] + pi1 * h1[0]
    by = (1 - pi1) * h0[1] + pi1 * h1[1]
    zx = np.where(c, h1[0], h0[0]) - bx
    zy = np.where(c, h1[1], h0[1]) - by
    # the Markov system's drift is b itself, not the double well: undo it
    return zx + bx - (x - x * x * x), zy + by + y


def best_rate(fn, members, steps, repeats):
    best, check = 0.0, 0.0
    for r in range(repeats):
        rng = np.random.default_rng(1234 + r)
        t0 = time.perf_counter()
        x, y = fn(members, steps, rng)
        best = max(best, members * steps / (time.perf_counter() - t0))
        check = float(np.mean(x * x + y * y))
    return best, check


def main():
    members = int(sys.argv[1]) if len(sys.argv) > 1 else 4096
    steps = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    repeats = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    print(f"# numpy {np.__version__}, vectorised over members, {members} members x {steps} steps")
    cases = []
    for n in (4, 40, 4000):
        for batch in (1, 4):
            cases.append((f"numpy minibatch n={n} B={batch} (with replacement)", minibatch(n, batch, True)))
    cases.append(("numpy minibatch n=40 B=4 (without replacement)", minibatch(40, 4, False)))
    cases += [("numpy discrete (3 atoms, constant scale)", double_well(discrete)),
              ("numpy mixture (2 Gaussians, logits 0, 0.5x - y)", double_well(mixture)),
              ("numpy markov (2 states, expression kernel)", double_well(markov))]
    for label, fn in cases:
        rate, check = best_rate(fn, members, steps, repeats)
        print(f"{label:<50} {rate:>16.4g} {check:>12.6f}")


if __name__ == "__main__":
    main()
