"""The geometric minimum action method of solvers/action/gmam.cpp, written
in numpy/scipy with the same discretisation, for bench/run_action.sh:
equal-arclength nodes (linear redistribution repeated until the segment
lengths agree to 1e-12), phi' by central differences, the closed-form inner
problem for H = <b, p> + |p|^2 / 2, the flow
    phi_t = lambda^2 phi'' - lambda Db phi' + Db^T p   (explicit part normal to the curve)
implicit in lambda^2 phi'' (scipy.linalg.solve_banded), the same step-size
control (grow by 1.2, halve on a rise above 1e-8 relative, never grow back
past a failure) and the same stopping rule (normal residual / term size
below 1e-8). No seeding at the attractor, as in bench_action.

Usage: peer_action.py [nodes]   (default 401)
"""
import sys
import time

import numpy as np
from scipy.linalg import solve_banded


def maier_stein(beta=10.0, mu=1.0):
    def drift(x):
        return np.stack([x[:, 0] - x[:, 0] ** 3 - beta * x[:, 0] * x[:, 1] ** 2,
                         -mu * (1 + x[:, 0] ** 2) * x[:, 1]], axis=1)

    def jac(x):  # (n, 2, 2): jac[:, k, l] = d b_k / d x_l
        j = np.empty((len(x), 2, 2))
        j[:, 0, 0] = 1 - 3 * x[:, 0] ** 2 - beta * x[:, 1] ** 2
        j[:, 0, 1] = -2 * beta * x[:, 0] * x[:, 1]
        j[:, 1, 0] = -2 * mu * x[:, 0] * x[:, 1]
        j[:, 1, 1] = -mu * (1 + x[:, 0] ** 2)
        return j
    return drift, jac


MB_A = np.array([-200.0, -100.0, -170.0, 15.0])
MB_a = np.array([-1.0, -1.0, -6.5, 0.7])
MB_b = np.array([0.0, 0.0, 11.0, 0.6])
MB_c = np.array([-10.0, -10.0, -6.5, 0.7])
MB_X = np.array([1.0, 0.0, -0.5, -1.0])
MB_Y = np.array([0.0, 0.5, 1.5, 1.0])


def muller_brown(scale=0.01):
    def parts(x):
        dx = x[:, 0:1] - MB_X
        dy = x[:, 1:2] - MB_Y
        e = MB_A * np.exp(MB_a * dx * dx + MB_b * dx * dy + MB_c * dy * dy)
        px = 2 * MB_a * dx + MB_b * dy
        py = MB_b * dx + 2 * MB_c * dy
        return e, px, py

    def drift(x):
        e, px, py = parts(x)
        return -scale * np.stack([(e * px).sum(1), (e * py).sum(1)], axis=1)

    def jac(x):
        e, px, py = parts(x)
        hxx = (e * (px * px + 2 * MB_a)).sum(1)
        hxy = (e * (px * py + MB_b)).sum(1)
        hyy = (e * (py * py + 2 * MB_c)).sum(1)
        j = np.empty((len(x), 2, 2))
        j[:, 0, 0], j[:, 0, 1], j[:, 1, 0], j[:, 1, 1] = -scale * hxx, -scale * hxy, -scale * hxy, -scale * hyy
        return j
    return drift, jac


def newton(drift, jac, x):
    x = np.array(x, dtype=float)
    for _ in range(100):
        x = x - np.linalg.solve(jac(x[None])[0], drift(x[None])[0])
    return x


def redistribute(path):
    n = len(path)
    s = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(path, axis=0), axis=1))])
    if s[-1] == 0:
        return path
    target = s[-1] * np.arange(1, n - 1) / (n - 1)
    j = np.clip(np.searchsorted(s, target, side="left") - 1, 0, n - 2)
    w = (target - s[j]) / np.maximum(s[j + 1] - s[j], 1e-300)
    out = path.copy()
    out[1:-1] = (1 - w)[:, None] * path[j] + w[:, None] * path[j + 1]
    return out


def reparametrize(path):
    for _ in range(100):
        path = redistribute(path)
        seg = np.linalg.norm(np.diff(path, axis=0), axis=1)
        if seg.max() - seg.min() <= 1e-12 * seg.max():
            break
    return path


def tangent(path):
    n = len(path)
    h = 1.0 / (n - 1)
    t = np.empty_like(path)
    t[1:-1] = (path[2:] - path[:-2]) / (2 * h)
    t[0] = (path[1] - path[0]) / h
    t[-1] = (path[-1] - path[-2]) / h
    return t


def momentum(drift, x, v):
    b = drift(x)
    vv = (v * v).sum(1)
    lam = np.where(vv > 0, np.sqrt(np.maximum((b * b).sum(1), 0) / np.where(vv > 0, vv, 1)), 0.0)
    p = np.where((vv > 0)[:, None], lam[:, None] * v - b, 0.0)
    return p, lam


def action(drift, path):
    h = 1.0 / (len(path) - 1)
    dx = np.diff(path, axis=0)
    p, _ = momentum(drift, 0.5 * (path[1:] + path[:-1]), dx / h)
    return (p * dx).sum()


def evaluate(drift, path):
    v = tangent(path)
    p, lam = momentum(drift, path, v)
    return {"path": path, "v": v, "p": p, "lam": lam, "action": action(drift, path)}


def flow_step(jac, s, tau):
    path, v, p, lam = s["path"], s["v"], s["p"], s["lam"]
    n = len(path)
    hh = 1.0 / (n - 1)
    x, vi, pi, li = path[1:-1], v[1:-1], p[1:-1], lam[1:-1]
    j = jac(x)
    u = vi / np.linalg.norm(vi, axis=1)[:, None]
    drift_term = -li[:, None] * np.einsum("nkl,nl->nk", j, vi) + np.einsum("nlk,nl->nk", j, pi)
    drift_term -= (drift_term * u).sum(1)[:, None] * u
    rhs = path.copy()
    rhs[1:-1] += tau * drift_term
    curv = (li * li)[:, None] * (path[2:] - 2 * path[1:-1] + path[:-2]) / (hh * hh)
    r = curv + drift_term
    rn = r - (r * u).sum(1)[:, None] * u
    r_max = np.linalg.norm(rn, axis=1).max()
    scale = (np.linalg.norm(curv, axis=1) + np.linalg.norm(drift_term, axis=1)).max()
    residual = r_max / scale if scale > 0 else 0.0
    c = np.zeros(n)
    c[1:-1] = tau * lam[1:-1] ** 2 / (hh * hh)
    ab = np.zeros((3, n))
    ab[0, 1:] = -c[:-1]
    ab[1, :] = 1 + 2 * c
    ab[2, :-1] = -c[1:]
    return solve_banded((1, 1), ab, rhs), residual


def initial_path(a, b, nodes, guess=None):
    if guess is None:
        return a + (b - a) * (np.arange(nodes) / (nodes - 1))[:, None]
    g = np.array(guess, dtype=float)
    g[0], g[-1] = a, b
    s = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(g, axis=0), axis=1))])
    target = s[-1] * np.arange(nodes) / (nodes - 1)
    j = np.clip(np.searchsorted(s, target, side="left") - 1, 0, len(g) - 2)
    w = (target - s[j]) / np.maximum(s[j + 1] - s[j], 1e-300)
    return (1 - w)[:, None] * g[j] + w[:, None] * g[j + 1]


def gmam(drift, jac, a, b, nodes, guess=None, tol=1e-8, initial_step=1e-3, max_iterations=200000):
    path = reparametrize(initial_path(a, b, nodes, guess))
    s = evaluate(drift, path)
    tau, tau_cap = initial_step, 1e6 * initial_step
    it = 0
    converged = False
    while it < max_iterations:
        nxt, residual = flow_step(jac, s, tau)
        if residual < tol:
            converged = True
            break
        nxt = reparametrize(nxt)
        t = evaluate(drift, nxt)
        it += 1
        if not np.isfinite(t["action"]) or t["action"] > s["action"] + 1e-8 * abs(s["action"]):
            tau *= 0.5
            tau_cap = min(tau_cap, tau)
            if tau < 1e-12 * initial_step:
                break
            continue
        s = t
        tau = min(tau * 1.2, tau_cap)
    return action(drift, s["path"]), it, converged


def main():
    nodes = int(sys.argv[1]) if len(sys.argv) > 1 else 401
    print("# numpy/scipy gMAM (the same scheme), one thread")
    print(f"{'case':<14} {'nodes':>6} {'iterations':>10} {'seconds':>10} {'action':>20}")
    cases = []
    d, j = maier_stein()
    cases.append(("maier_stein", d, j, np.array([-1.0, 0.0]), np.array([0.0, 0.0]),
                  [[-1.0, 0.0], [-0.5, 0.3], [0.0, 0.0]]))
    d, j = muller_brown()
    cases.append(("muller_brown", d, j, newton(d, j, [-0.56, 1.44]), newton(d, j, [-0.82, 0.62]), None))
    for name, d, j, a, b, guess in cases:
        best = 1e300
        for _ in range(3):
            t0 = time.perf_counter()
            value, it, ok = gmam(d, j, a, b, nodes, guess)
            best = min(best, time.perf_counter() - t0)
        print(f"{name:<14} {nodes:>6} {it:>10} {best:>10.4f} {value:>20.14f}  {'converged' if ok else 'NOT converged'}")


if __name__ == "__main__":
    main()
