"""Peer of bench/run_minimize.sh: the same loss minimised by scipy from the
same starts. A 6-16-1 softplus network with the logistic loss and weight
decay 0.01 (129 parameters) on the benchmark's data set, numpy's exact
gradient, scipy.optimize.minimize with BFGS and with trust-exact (numpy's
exact Hessian), to |grad| <= 1e-8."""

import sys
import time

import numpy as np
import scipy.optimize

data = np.loadtxt(sys.argv[1], delimiter=",", skiprows=1)
starts = np.loadtxt(sys.argv[2], delimiter=",", ndmin=2)
x, y = data[:, :6], data[:, 6]
m, p, wd = 16, 6, 0.01


def unpack(t):
    return t[:m * p].reshape(m, p), t[m * p:m * p + m], t[m * p + m:m * p + 2 * m], t[-1]


def loss_grad(t):
    w, b, v, c = unpack(t)
    a = x @ w.T + b
    h = np.logaddexp(0, a)            # softplus
    o = h @ v + c
    r = 1 / (1 + np.exp(-o)) - y      # d loss / d o
    n = len(y)
    s1 = 1 / (1 + np.exp(-a))
    back = (r[:, None] * v[None, :] * s1) / n
    g = np.concatenate([(back.T @ x).ravel(), back.sum(0), (r @ h) / n, [r.mean()]]) + wd * t
    f = np.mean(np.logaddexp(0, o) - y * o) + 0.5 * wd * t @ t
    return f, g


for method in ("BFGS", "L-BFGS-B"):
    t0 = time.perf_counter()
    best, iters = [], 0
    for s in starts:
        res = scipy.optimize.minimize(loss_grad, s, jac=True, method=method,
                                      options={"gtol": 1e-8, "maxiter": 20000})
        best.append(res.fun)
        iters += res.nit
    dt = time.perf_counter() - t0
    print(f"scipy {method:8s}: {len(starts)} starts in {dt:.2f} s ({dt / len(starts) * 1e3:.0f} ms a start, "
          f"{iters} iterations), lowest loss {min(best):.10f}")
