"""numpy peer of bench_expression: the same drifts evaluated on the same
number of points with vectorised numpy, in ns per point."""
import sys
import time

import numpy as np

n = int(sys.argv[1]) if len(sys.argv) > 1 else 1 << 16
repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 20
rng = np.random.default_rng(1)
x, y = rng.uniform(-1.5, 1.5, size=(2, n))

A = np.array([-200, -100, -170, 15.0])
a = np.array([-1, -1, -6.5, 0.7])
b = np.array([0, 0, 11, 0.6])
c = np.array([-10, -10, -6.5, 0.7])
x0 = np.array([1, 0, -0.5, -1.0])
y0 = np.array([0, 0.5, 1.5, 1.0])


def muller_brown(x, y):
    gx = np.zeros_like(x)
    gy = np.zeros_like(y)
    for i in range(4):
        dx, dy = x - x0[i], y - y0[i]
        e = A[i] * np.exp(a[i] * dx * dx + b[i] * dx * dy + c[i] * dy * dy)
        gx += e * (2 * a[i] * dx + b[i] * dy)
        gy += e * (b[i] * dx + 2 * c[i] * dy)
    return -gx, -gy


drifts = {
    "double_well_2d": lambda x, y: (x - x**3, -y),
    "maier_stein": lambda x, y: (x - x**3 - 10 * x * y**2, -(1 + x**2) * y),
    "van_der_pol": lambda x, y: (10 * (x - x**3 / 3 - y), x / 10),
    "muller_brown": muller_brown,
}
print(f"numpy {np.__version__}: points {n}, best of {repeats} runs")
for name, f in drifts.items():
    best = 1e300
    for _ in range(repeats):
        t0 = time.perf_counter()
        f(x, y)
        best = min(best, time.perf_counter() - t0)
    print(f"{name:<16} {best / n * 1e9:11.2f} ns")
