"""The real-data flagship (softmax regression of the iris species) at its
reduced size, recomputed independently with numpy and scipy: the minimum and
its Hessian spectrum, the discrete-Lyapunov covariance with the
finite-population batch covariance (by a Kronecker solve), the simulated
variances, and the figure's numbers."""


import h5py
import numpy as np
import pytest
import scipy.optimize

import fwkit.plot as fp
from conftest import ROOT, run_test_set

EXPERIMENT = ROOT / "data" / "experiments" / "real_data_sgd.toml"
WEIGHT_DECAY, BATCH, CLASSES = 0.01, 10, 3


@pytest.fixture(scope="module")
def results(fwkit_bin, tmp_path_factory):
    return run_test_set(fwkit_bin, EXPERIMENT, tmp_path_factory.mktemp("real_data") / "real_data_sgd")


def _iris():
    rows = np.loadtxt(ROOT / "data" / "reference" / "iris.csv", delimiter=",", comments="#", skiprows=4)
    x = rows[:, :4]
    x = (x - x.mean(axis=0)) / x.std(axis=0)  # standardize = true: population sd
    return x, rows[:, 4].astype(int)


def _per_sample_gradients(theta, x, y):
    """Gradients of log sum exp(z) - z_y + wd |theta|^2 / 2, theta = (W[3,4] by rows, b[3])."""
    w, b = theta[:12].reshape(CLASSES, 4), theta[12:]
    z = x @ w.T + b
    pi = np.exp(z - z.max(axis=1, keepdims=True))
    pi /= pi.sum(axis=1, keepdims=True)
    r = pi - np.eye(CLASSES)[y]
    return np.hstack([(r[:, :, None] * x[:, None, :]).reshape(len(y), -1), r]) + WEIGHT_DECAY * theta, pi


def _loss(theta, x, y):
    w, b = theta[:12].reshape(CLASSES, 4), theta[12:]
    z = x @ w.T + b
    top = z.max(axis=1)
    lse = top + np.log(np.exp(z - top[:, None]).sum(axis=1))
    return np.mean(lse - z[np.arange(len(y)), y]) + 0.5 * WEIGHT_DECAY * theta @ theta


def _hessian(theta, x, pi):
    h = np.zeros((15, 15))
    for xi, p in zip(x, pi):
        a = np.append(xi, 1.0)  # inputs and the intercept's 1
        s = np.diag(p) - np.outer(p, p)
        full = np.kron(s, np.outer(a, a))  # by class, then input (the intercept last)
        order = [k * 5 + q for k in range(CLASSES) for q in range(4)] + [k * 5 + 4 for k in range(CLASSES)]
        h += full[np.ix_(order, order)]
    return h / len(x) + WEIGHT_DECAY * np.eye(15)


@pytest.fixture(scope="module")
def minimum():
    x, y = _iris()
    res = scipy.optimize.minimize(_loss, np.zeros(15), args=(x, y), jac=lambda t, x, y: _per_sample_gradients(t, x, y)[0].mean(axis=0),
                                  method="BFGS", options={"gtol": 1e-12, "maxiter": 10000})
    g, pi = _per_sample_gradients(res.x, x, y)
    assert np.linalg.norm(g.mean(axis=0)) < 1e-9
    return res.x, g, _hessian(res.x, x, pi)


def test_the_minimum_and_its_hessian_spectrum(results, minimum):
    theta, _, h = minimum
    with h5py.File(results / "covariance.h5", "r") as f:
        c = f["sgd_covariance"]
        np.testing.assert_allclose(c["minimum"][:], theta, atol=1e-7)
        np.testing.assert_allclose(c["hessian_eigenvalues"][:], np.linalg.eigvalsh(h), rtol=1e-8, atol=1e-12)
    with h5py.File(results / "minima.h5", "r") as f:
        assert len(f["equilibria/loss"]) == 1  # strictly convex: one minimum from every start


def test_the_predicted_variances_solve_the_discrete_lyapunov_equation(results, minimum):
    theta, g, h = minimum
    n = len(g)
    centred = g - g.mean(axis=0)
    # The mean of a batch of B drawn without replacement from n: (n - B) / (B (n - 1)) times the population covariance.
    sigma = (n - BATCH) / (BATCH * (n - 1)) * centred.T @ centred / n
    with h5py.File(results / "covariance.h5", "r") as f:
        c = f["sgd_covariance"]
        for k, eta in enumerate(c["step"][:]):
            a = np.eye(15) - eta * h
            s = np.linalg.solve(np.eye(225) - np.kron(a, a), (eta * eta * sigma).ravel()).reshape(15, 15)
            np.testing.assert_allclose(c["predicted"][k], np.diag(s), rtol=1e-8)


def test_the_simulated_variances_are_the_simulate_file_s(results):
    with h5py.File(results / "covariance.h5", "r") as f, h5py.File(results / "sgd.h5", "r") as s:
        c = f["sgd_covariance"]
        points = sorted(s["sweep"].keys())
        for k, p in enumerate(points):
            assert float(np.ravel(s["sweep"][p].attrs["value"])[0]) == pytest.approx(c["step"][k])
            np.testing.assert_array_equal(c["simulated"][k], s["sweep"][p]["summary/variance"][:])


def test_the_figure_draws_the_file_s_ratios(results):
    fig = fp.covariance_comparison_figure(results / "covariance.h5")
    with h5py.File(results / "covariance.h5", "r") as f:
        c = f["sgd_covariance"]
        mean = np.mean(c["simulated"][:] / c["predicted"][:] - 1, axis=1)
    line = [ln for ln in fig.axes[1].get_lines() if ln.get_label() == "mean over the parameters"][0]
    np.testing.assert_allclose(line.get_ydata(), mean, rtol=1e-12)


NETWORK = ROOT / "data" / "experiments" / "real_data_network_sgd.toml"


@pytest.fixture(scope="module")
def network_results(fwkit_bin, tmp_path_factory):
    return run_test_set(fwkit_bin, NETWORK, tmp_path_factory.mktemp("real_data_network") / "real_data_network_sgd")


def _network_loss(theta, x, y):
    """Mean logistic loss of v . tanh(W x + b) + c, plus 0.01 |theta|^2 / 2; theta = (W[2,4], b[2], v[2], c)."""
    w, b, v, c = theta[:8].reshape(2, 4), theta[8:10], theta[10:12], theta[12]
    o = np.tanh(x @ w.T + b) @ v + c
    return np.mean(np.logaddexp(0, o) - y * o) + 0.005 * theta @ theta


def _versicolor_virginica():
    rows = np.loadtxt(ROOT / "data" / "reference" / "iris_versicolor_virginica.csv", delimiter=",", comments="#",
                      skiprows=4)
    x = rows[:, :4]
    return (x - x.mean(axis=0)) / x.std(axis=0), rows[:, 4]


def test_the_network_s_minima_are_copies_and_the_string_finds_the_barrier(network_results):
    x, y = _versicolor_virginica()
    with h5py.File(network_results / "minima.h5", "r") as f:
        e = f["equilibria"]
        stable = e["stability"][:] == 0
        minima, losses = e["state"][:][stable], e["loss"][:][stable]
        saddle_losses = e["loss"][:][e["index"][:] == 1]
    assert len(minima) >= 2 and np.ptp(losses) < 1e-9
    m = minima[0]
    assert _network_loss(m, x, y) == pytest.approx(losses[0], rel=1e-12)
    # A unit's sign flip maps the minimum to another with the same loss.
    flipped = m.copy()
    flipped[[0, 1, 2, 3, 8, 10]] *= -1
    assert _network_loss(flipped, x, y) == pytest.approx(losses[0], rel=1e-12)
    with h5py.File(network_results / "path.h5", "r") as f:
        s = f["string"]
        saddle, barrier = s["saddle"][:], float(s.attrs["barrier"])
        start = s["path"][0]
    assert barrier == pytest.approx(_network_loss(saddle, x, y) - _network_loss(start, x, y), rel=1e-9)
    # The saddle is one of the index-1 saddles analyze found (same level), and
    # its Hessian, by central differences of the loss, has one negative eigenvalue.
    assert np.min(np.abs(saddle_losses - _network_loss(saddle, x, y))) < 1e-9
    h, eps = np.zeros((13, 13)), 1e-4
    for i in range(13):
        for j in range(13):
            ei, ej = np.eye(13)[i] * eps, np.eye(13)[j] * eps
            h[i, j] = (_network_loss(saddle + ei + ej, x, y) - _network_loss(saddle + ei - ej, x, y)
                       - _network_loss(saddle - ei + ej, x, y) + _network_loss(saddle - ei - ej, x, y)) / (4 * eps * eps)
    assert np.sum(np.linalg.eigvalsh(h) < -1e-6) == 1


def test_copied_units_keep_equal_variances_under_sgd(network_results):
    with h5py.File(network_results / "covariance.h5", "r") as f:
        sim = f["sgd_covariance/simulated"][:]
        minimum = f["sgd_covariance/minimum"][:]
    # At the minimum unit 2 is unit 1 sign-flipped; SGD keeps it so, and with it the variances.
    np.testing.assert_allclose(minimum[4:8], -minimum[0:4], rtol=1e-6)
    np.testing.assert_allclose(sim[:, 4:8], sim[:, 0:4], rtol=1e-9)
    np.testing.assert_allclose(sim[:, 11], sim[:, 10], rtol=1e-9)
