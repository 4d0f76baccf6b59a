"""Peer for bench_hj's OLIM rows: the same ordered line integral method in
numba, on the same benchmark (b = (-2x - 10y, 20x - y), D = I,
V = 2x^2 + y^2 on [-1, 1]^2), one thread.

The scheme is fwkit's `method = "olim"` step for step: the Lyapunov seed on
the nodes within 2.5 steps of the attractor, a Dijkstra march whose sources
are the front nodes (accepted with a neighbour not yet accepted) within the
radius K, midpoint-rule straight segments (skipped when they pass through the
seed ball), triangle updates with the source's accepted neighbours when the
one-point update improves the node (Illinois regula falsi on the exact slope
of the edge's value), and the first update of a new trial node from every
front node in the radius. The values agree with fwkit's to rounding; the
script prints the time, the max error over V <= 1 and, when given fwkit's
time, the ratio.

Usage: peer_hj.py n [K] [fwkit_seconds]
"""
import heapq
import math
import sys
import time

import numpy as np
from numba import njit

A = np.array([[-2.0, -10.0], [20.0, -1.0]])


@njit(cache=True)
def seg_cost(ax, ay, xx, xy):
    mx, my = 0.5 * (ax + xx), 0.5 * (ay + xy)
    bx, by = -2.0 * mx - 10.0 * my, 20.0 * mx - my
    vx, vy = xx - ax, xy - ay
    c = math.sqrt((bx * bx + by * by) * (vx * vx + vy * vy)) - (bx * vx + by * vy)
    return max(0.0, c)


@njit(cache=True)
def seg_slope(x0x, x0y, ex, ey, s, xx, xy):
    # d/ds of the midpoint cost of the segment from x0 + s e to x.
    ax, ay = x0x + s * ex, x0y + s * ey
    mx, my = 0.5 * (ax + xx), 0.5 * (ay + xy)
    bx, by = -2.0 * mx - 10.0 * my, 20.0 * mx - my
    vx, vy = xx - ax, xy - ay
    dmx, dmy = 0.5 * ex, 0.5 * ey
    dbx, dby = -2.0 * dmx - 10.0 * dmy, 20.0 * dmx - dmy
    dvx, dvy = -ex, -ey
    bb, vv = bx * bx + by * by, vx * vx + vy * vy
    dbb, dvv = 2 * (dbx * bx + dby * by), 2 * (dvx * vx + dvy * vy)
    dbv = dbx * vx + dby * vy + bx * dvx + by * dvy
    root = math.sqrt(bb * vv)
    return ((dbb * vv + bb * dvv) / (2 * root) if root > 0 else 0.0) - dbv


@njit(cache=True)
def triangle(x0x, x0y, v0, x1x, x1y, v1, xx, xy):
    ex, ey = x1x - x0x, x1y - x0y
    lo, hi = 0.0, 1.0
    glo = (v1 - v0) + seg_slope(x0x, x0y, ex, ey, 0.0, xx, xy)
    ghi = (v1 - v0) + seg_slope(x0x, x0y, ex, ey, 1.0, xx, xy)
    if not (glo < 0 and ghi > 0):
        return np.inf
    side = 0
    s = 0.5
    for _ in range(60):
        if hi - lo <= 1e-12:
            break
        s = (lo * ghi - hi * glo) / (ghi - glo)
        g = (v1 - v0) + seg_slope(x0x, x0y, ex, ey, s, xx, xy)
        if g == 0:
            break
        if g < 0:
            lo, glo = s, g
            if side == -1:
                ghi *= 0.5
            side = -1
        else:
            hi, ghi = s, g
            if side == 1:
                glo *= 0.5
            side = 1
    return (1 - s) * v0 + s * v1 + seg_cost(x0x + s * ex, x0y + s * ey, xx, xy)


@njit(cache=True)
def march(n, K, seed_steps):
    h = 2.0 / (n - 1)
    V = np.full(n * n, np.inf)
    status = np.zeros(n * n, np.int8)  # 0 far, 1 trial, 2 accepted, 3 seed
    done = np.zeros(n * n, np.uint8)
    nbr = np.zeros(n * n, np.uint8)
    front = np.zeros(n * n, np.uint8)
    ball = []
    for a in range(-K, K + 1):
        for b in range(-K, K + 1):
            if (a != 0 or b != 0) and a * a + b * b <= K * K + 1e-9:
                ball.append((a, b))
    cube = [(a, b) for a in range(-1, 2) for b in range(-1, 2) if a != 0 or b != 0]
    seed_r = seed_steps * h
    heap = [(0.0, 0)]
    heap.pop()
    c = n // 2  # the attractor (0, 0) is a node
    reach = int(math.ceil(seed_steps)) + 1
    for a in range(-reach, reach + 1):
        for b in range(-reach, reach + 1):
            i, j = c + a, c + b
            x, y = -1.0 + i * h, -1.0 + j * h
            if x * x + y * y <= seed_r * seed_r and 0 <= i < n and 0 <= j < n:
                f = i * n + j
                V[f] = 2 * x * x + y * y
                status[f] = 3
                heapq.heappush(heap, (V[f], f))
    updates = 0


    while len(heap) > 0:
        val, f1 = heapq.heappop(heap)
        if done[f1] or val > V[f1]:
            continue
        done[f1] = 1
        if status[f1] != 3:
            status[f1] = 2
        i1, j1 = f1 // n, f1 % n
        inside1 = (1 + (i1 > 0) + (i1 < n - 1)) * (1 + (j1 > 0) + (j1 < n - 1)) - 1
        if nbr[f1] < inside1:
            front[f1] = 1
        fresh = []
        for (a, b) in cube:
            i, j = i1 + a, j1 + b
            if not (0 <= i < n and 0 <= j < n):
                continue
            f = i * n + j
            nbr[f] += 1
            inside = (1 + (i > 0) + (i < n - 1)) * (1 + (j > 0) + (j < n - 1)) - 1
            if nbr[f] == inside and done[f]:
                front[f] = 0
            if status[f] != 0:
                continue
            status[f] = 1
            fresh.append(f)
            for (a2, b2) in ball:
                si, sj = i + a2, j + b2
                if 0 <= si < n and 0 <= sj < n and front[si * n + sj]:
                    updates += update(V, heap, done, n, K, h, seed_r, cube, f, i, j, si * n + sj, si, sj)
        for (a, b) in ball:
            i, j = i1 + a, j1 + b
            if not (0 <= i < n and 0 <= j < n):
                continue
            f = i * n + j
            if status[f] == 1 and f not in fresh:
                updates += update(V, heap, done, n, K, h, seed_r, cube, f, i, j, f1, i1, j1)
    return V, updates


@njit(cache=True)
def crosses(ax, ay, xx, xy, r):
    dx, dy = xx - ax, xy - ay
    ee = dx * dx + dy * dy
    t = (-ax * dx - ay * dy) / ee
    if t <= 0 or t >= 1:
        return False
    cx, cy = ax + t * dx, ay + t * dy
    return cx * cx + cy * cy < r * r


@njit(cache=True)
def update(V, heap, done, n, K, h, seed_r, cube, f, i, j, fs, si, sj):
    xsx, xsy = -1.0 + si * h, -1.0 + sj * h
    xx, xy = -1.0 + i * h, -1.0 + j * h
    if crosses(xsx, xsy, xx, xy, seed_r):
        return 0
    best = V[fs] + seg_cost(xsx, xsy, xx, xy)
    count = 1
    if not (best < V[f]):
        return count
    for (a, b) in cube:
        i0, j0 = si + a, sj + b
        if not (0 <= i0 < n and 0 <= j0 < n):
            continue
        f0 = i0 * n + j0
        if done[f0] and (i0 - i) * (i0 - i) + (j0 - j) * (j0 - j) <= K * K:
            best = min(best, triangle(-1.0 + i0 * h, -1.0 + j0 * h, V[f0], xsx, xsy, V[fs], xx, xy))
            count += 1
    if best < V[f]:
        V[f] = best
        heapq.heappush(heap, (best, f))
    return count


def main():
    n = int(sys.argv[1])
    K = int(sys.argv[2]) if len(sys.argv) > 2 and sys.argv[2] != "-" else max(3, round(1.5 * math.sqrt(n)))
    fw = float(sys.argv[3]) if len(sys.argv) > 3 else None
    march(17, 3, 2.5)  # compile outside the timing
    t0 = time.perf_counter()
    V, updates = march(n, K, 2.5)
    sec = time.perf_counter() - t0
    x = -1.0 + 2.0 / (n - 1) * np.arange(n)
    X, Y = np.meshgrid(x, x, indexing="ij")
    exact = (2 * X * X + Y * Y).ravel()
    inner = exact <= 1
    err = np.abs(V - exact)[inner].max()
    line = f"numba OLIM  n={n} K={K}  {sec:.3f} s  max error (V <= 1) {err:.3e}  {updates / (n * n):.1f} updates/node"
    if fw:
        line += f"  fwkit {fw:.3f} s: {sec / fw:.1f}x"
    print(line)
    return V


if __name__ == "__main__":
    main()
