"""Peers for bench_sim: the identical ensemble SGD scheme in numpy and numba.

x <- x + eta (-grad f(x) + Z), f = (x^2-1)^2/4 + y^2/2, Z ~ N(0, I), every
member starting at (-1, 0). numpy steps all members at once (vectorised over
members); numba runs a compiled double loop, single-threaded, drawing the
normals inside. Prints member-steps per second and E|x_N|^2 (a checksum that
should agree with fwkit's to within sampling error).

Usage: peer_sim.py [members] [steps] [repeats]
"""
import sys
import time

import numpy as np

ETA = 0.05


def numpy_run(members, steps, seed):
    rng = np.random.default_rng(seed)
    x = np.full(members, -1.0)
    y = np.zeros(members)
    for _ in range(steps):
        z = rng.standard_normal((2, members))
        bx = x - x * x * x
        x += ETA * (bx + z[0])
        y += ETA * (-y + z[1])
    return float(np.mean(x * x + y * y))


def numba_kernel():
    from numba import njit

    @njit(cache=False)
    def run(members, steps, seed):
        np.random.seed(seed)
        total = 0.0
        for m in range(members):
            x = -1.0
            y = 0.0
            for _ in range(steps):
                zx = np.random.standard_normal()
                zy = np.random.standard_normal()
                x += ETA * (x - x * x * x + zx)
                y += ETA * (-y + zy)
            total += x * x + y * y
        return total / members

    return run


def best_rate(fn, members, steps, repeats):
    best, check = 0.0, 0.0
    for r in range(repeats):
        t0 = time.perf_counter()
        check = fn(members, steps, 1234 + r)
        best = max(best, members * steps / (time.perf_counter() - t0))
    return best, check


def main():
    members = int(sys.argv[1]) if len(sys.argv) > 1 else 4096
    steps = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    repeats = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    rate, check = best_rate(numpy_run, members, steps, repeats)
    print(f"{'numpy (vectorised over members)':<44} {rate:>16.4g} {check:>12.6f}")
    try:
        kernel = numba_kernel()
    except ImportError:
        print("numba: not installed (apt-get install python3-numba)")
        return
    kernel(16, 10, 1)  # compile outside the timing
    rate, check = best_rate(kernel, members, steps, repeats)
    print(f"{'numba (compiled loop, 1 thread)':<44} {rate:>16.4g} {check:>12.6f}")


if __name__ == "__main__":
    main()
