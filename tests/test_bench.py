"""The benchmark and the speed-ups it measures.

No timing is asserted (machines are noisy). What is checked:
- the optimised trainers give the same numbers as the plain loop they replaced
  (bench/reference.py, frozen from the first commit), to the last bit;
- the benchmark's comparison implementations (per-sample loop, PyTorch) do the same job;
- ``python -m bench --quick`` runs end to end and writes its JSON;
- cached page computations return what calling core directly returns.
"""

from __future__ import annotations

import dataclasses
import itertools
import json

import numpy as np
import pytest

from bench import reference as ref
from core.data import X, y
from core.mlp import MLP
from core.multiseed import train_many
from core.train import train

# ----- the optimised single-seed trainer is the original loop, bit for bit --------------------------


def assert_same_history(h, r) -> None:
    np.testing.assert_array_equal(h.loss, r["loss"])
    np.testing.assert_array_equal(h.acc, r["acc"])
    assert h.snapshot_epochs == r["snapshot_epochs"]
    for p, q in zip(h.snapshots, r["snapshots"], strict=True):
        assert p.keys() == q.keys()
        for k in p:
            np.testing.assert_array_equal(p[k], q[k])
    assert h.grad_norms == r["grad_norms"]
    for w, v in zip(h.final.W + h.final.b, r["final"].W + r["final"].b, strict=True):
        np.testing.assert_array_equal(w, v)
    assert (h.divergence.reason if h.divergence else None) == r["reason"]


TRAIN_CASES = list(
    itertools.product(["sigmoid", "tanh", "relu", "leaky_relu"], ["bce", "mse"], [0.5, 4.0, 60.0], ["normal"])
) + [("sigmoid", "bce", 1.0, "xavier_uniform"), ("linear", "mse", 0.3, "he_uniform")]


@pytest.mark.parametrize("hidden, loss, lr, init", TRAIN_CASES)
def test_train_equals_original_loop(hidden, loss, lr, init):
    for seed in range(3):
        net = MLP.create([2, 2, 1], hidden, "sigmoid", init, seed)
        kw = dict(lr=lr, epochs=400, loss=loss, schedule="cosine" if seed == 2 else "constant", snapshots=41)
        assert_same_history(train(net, X, y, **kw), ref.train(net, X, y, **kw))


def test_train_equals_original_loop_other_shapes():
    for sizes in ([2, 3, 4, 1], [2, 8, 1], [2, 1]):
        net = MLP.create(sizes, "sigmoid", "sigmoid", "normal", 1)
        assert_same_history(train(net, X, y, lr=2.0, epochs=300), ref.train(net, X, y, lr=2.0, epochs=300))
    rng = np.random.default_rng(0)
    Xs, labels = rng.standard_normal((20, 3)), rng.integers(0, 4, 20)
    net = MLP.create([3, 5, 4], "tanh", "softmax", "normal", 2)
    kw = dict(lr=0.5, epochs=200, loss="cce")
    assert_same_history(train(net, Xs, np.eye(4)[labels], **kw), ref.train(net, Xs, np.eye(4)[labels], **kw))
    net = MLP.create([3, 4, 2], "sigmoid", "sigmoid", "normal", 3)
    two = np.c_[labels % 2, labels // 2].astype(float)
    assert_same_history(train(net, Xs, two, lr=3.0, epochs=200), ref.train(net, Xs, two, lr=3.0, epochs=200))


def test_train_equals_original_loop_when_it_overflows():
    net = MLP.create([2, 8, 1], "leaky_relu", init="normal", seed=0, sigma=10)
    h = train(net, X, y, lr=1e6, epochs=2000, diverge_factor=np.inf)
    assert h.divergence is not None and h.divergence.reason == "non-finite"
    assert_same_history(h, ref.train(net, X, y, lr=1e6, epochs=2000, diverge_factor=np.inf))
    net = MLP.create([2, 2, 1], "relu", "sigmoid", "normal", 0)
    h = train(net, X, y, lr=50.0, epochs=500)
    assert h.divergence is not None and h.divergence.reason == "loss blew up"
    assert_same_history(h, ref.train(net, X, y, lr=50.0, epochs=500))


@pytest.mark.parametrize("hidden", ["sigmoid", "tanh", "relu", "leaky_relu", "linear"])
def test_train_equals_original_loop_for_deep_networks(hidden):
    # the vanishing-gradient page's networks: every layer's buffers, activations written in place
    deep = (([2, *[8] * 10, 1], "normal", "bce", 0.1), ([2, 5, 3, 6, 1], "he_normal", "mse", 0.7))
    for sizes, init, loss, lr in deep:
        net = MLP.create(sizes, hidden, "sigmoid", init, 4)
        kw = dict(lr=lr, epochs=300, loss=loss, snapshots=7)
        assert_same_history(train(net, X, y, **kw), ref.train(net, X, y, **kw))
    rng = np.random.default_rng(1)
    Xs, labels = rng.standard_normal((12, 3)), rng.integers(0, 3, 12)
    net = MLP.create([3, 6, 6, 6, 3], hidden, "softmax", "normal", 5)
    kw = dict(lr=0.5, epochs=200, loss="cce", schedule="cosine")
    assert_same_history(train(net, Xs, np.eye(3)[labels], **kw), ref.train(net, Xs, np.eye(3)[labels], **kw))


def test_deep_training_equals_original_loop_when_it_blows_up_or_overflows():
    net = MLP.create([2, *[16] * 8, 1], "relu", init="normal", seed=0, sigma=3.0)
    h = train(net, X, y, lr=1e3, epochs=500, diverge_factor=np.inf)
    assert h.divergence is not None and h.divergence.reason == "non-finite"
    assert_same_history(h, ref.train(net, X, y, lr=1e3, epochs=500, diverge_factor=np.inf))
    net = MLP.create([2, *[8] * 6, 1], "tanh", init="normal", seed=2, sigma=2.0)
    h = train(net, X, y, lr=20.0, epochs=500)
    assert h.divergence is not None and h.divergence.reason == "loss blew up"
    assert_same_history(h, ref.train(net, X, y, lr=20.0, epochs=500))


@pytest.mark.parametrize(
    "hidden, layers, batch, schedule, x_max",
    [("relu", 1, 16, "cosine", None), ("tanh", 2, 50, "step", None), ("sigmoid", 1, 7, "constant", 16.0)],
)
def test_minibatch_training_equals_original_loop(hidden, layers, batch, schedule, x_max):
    from core.digits import load_bundled, stratified_split
    from core.sgd import train_minibatch

    ds = load_bundled()
    tr, te = stratified_split(ds.labels, 0.2, seed=0)
    X = ds.images.reshape(len(ds), -1) if x_max else ds.X()  # 0..16 integers, scaled per batch
    Y = np.eye(10)[ds.labels]
    net = MLP.create([X.shape[1], *[24] * layers, 10], hidden, "softmax", "he_normal", 3)
    args = (X[tr], Y[tr], X[te], Y[te])
    h = train_minibatch(net, *args, lr=0.1, epochs=4, batch_size=batch, schedule=schedule, seed=2, x_max=x_max)
    r = ref.train_minibatch(net, *args, lr=0.1, epochs=4, batch_size=batch, schedule=schedule, seed=2, x_max=x_max)
    assert h.complete
    for k in ("train_loss", "train_acc", "test_loss", "test_acc"):
        np.testing.assert_array_equal(getattr(h, k), r[k], err_msg=k)
    np.testing.assert_array_equal(h.running_loss, r["running"])
    np.testing.assert_array_equal(h.grad_norms, r["grad_norms"])
    for w, v in zip(h.final.W + h.final.b, r["final"].W + r["final"].b, strict=True):
        np.testing.assert_array_equal(w, v)


# ----- the optimised multi-seed trainer is the original loop, bit for bit --------------------------


def assert_same_multi(r, q) -> None:
    for k in ("loss", "loss_curves", "output", "curve_epochs", "solved", "epochs_to_solve", "diverged"):
        np.testing.assert_array_equal(getattr(r, k), q[k], err_msg=k)
    for w, v in zip(r.W + r.b, q["W"] + q["b"], strict=True):
        np.testing.assert_array_equal(w, v)


@pytest.mark.parametrize(
    "sizes, hidden, loss, lr",
    [
        ([2, 2, 1], "sigmoid", "bce", 1.0),
        ([2, 2, 1], "sigmoid", "bce", 30.0),
        ([2, 2, 1], "tanh", "mse", 3.0),
        ([2, 2, 1], "relu", "bce", 4.0),
        ([2, 3, 4, 1], "sigmoid", "bce", 2.0),
        ([2, 3, 2], "leaky_relu", "mse", 1.0),
    ],
)
def test_train_many_equals_original_loop(sizes, hidden, loss, lr):
    yy = y if sizes[-1] == 1 else np.c_[y, 1 - y]
    kw = dict(hidden=hidden, init="normal", lr=lr, epochs=300, loss=loss, schedule="cosine")
    assert_same_multi(train_many(sizes, range(25), X, yy, **kw), ref.train_many(sizes, range(25), X, yy, **kw))


def test_train_many_equals_original_loop_with_more_examples():
    # N ≥ 8 changes NumPy's summation order for a single column; the trainer must follow it
    rng = np.random.default_rng(0)
    Xs, ys = rng.standard_normal((20, 3)), (rng.random((20, 1)) > 0.5).astype(float)
    for sizes in ([3, 4, 1], [3, 5, 3, 1]):
        kw = dict(hidden="tanh", lr=1.0, epochs=200)
        assert_same_multi(train_many(sizes, range(20), Xs, ys, **kw), ref.train_many(sizes, range(20), Xs, ys, **kw))


def test_train_many_equals_train_seed_by_seed_to_the_bit():
    r = train_many([2, 2, 1], range(30), X, y, lr=2.0, epochs=1500)
    for i in range(30):
        h = train(MLP.create([2, 2, 1], "sigmoid", "sigmoid", "normal", i), X, y, lr=2.0, epochs=1500, snapshots=2)
        assert not h.diverged
        assert h.loss[-1] == r.loss[i]
        for w, v in zip(h.final.W + h.final.b, r.network(i).W + r.network(i).b, strict=True):
            np.testing.assert_array_equal(w, v)


# ----- python -m bench runs end to end (tiny settings; no timing asserted) -----------------------


def test_quick_benchmark_core_and_payload(tmp_path, capsys):
    from bench.__main__ import main

    out = tmp_path / "r.json"
    r = main(["--quick", "--sections", "core,payload", "--out", str(out)])
    assert json.loads(out.read_text())["core"]["ratios"] == r["core"]["ratios"]
    single = r["core"]["single_seed"]
    assert {"core.train", "original loop (before)", "per-sample loop, NumPy", "per-sample loop, Python floats"} <= set(
        single
    )
    for name, v in single.items():  # every comparison does the same job as core.train
        assert v["max_abs_loss_difference_from_core"] < 1e-9, name
        assert 0 < v["min"] <= v["median"] <= v["max"]
    assert r["core"]["multi_seed"]["train_many"]["seed_epochs_per_s"] > 0
    assert r["core"]["ratios_cpu"].keys() == r["core"]["ratios"].keys()
    assert r["core"]["ratios_cpu"]["per_sample_numpy_over_core"] > 0
    home = r["payload"][""]
    assert home["tables"] == 1 and home["total_bytes"] > home["table_bytes"] > 0
    text = capsys.readouterr().out
    assert "Targets" in text and "per-sample NumPy loop" in text


@pytest.mark.slow
def test_quick_benchmark_against_a_real_server(tmp_path):
    from bench.__main__ import main

    r = main(["--quick", "--sections", "pages,classroom", "--pages", "home", "--out", str(tmp_path / "r.json")])
    warm = r["pages"][""]["warm"]
    assert warm["control"] == "(plain rerun)" and not warm["new value"]["problems"]
    assert r["pages"][""]["cold_fresh_process"]["median"] > 0
    room = r["classroom"]
    assert room["reruns"] == 4 and not room["failures"]
    assert room["memory_after_mb"]["peak_mb"] >= room["memory_after_mb"]["rss_mb"] > 0
    assert 0 < room["p50_s"] <= room["p95_s"] <= room["max_s"]
    floor = room["floor"]  # the same class on a one-slider page, in the same run
    assert floor["reruns"] == 4 and not floor["failures"] and 0 < floor["p50_s"] <= floor["p95_s"]
    assert room["p95_over_floor"] == pytest.approx(room["p95_s"] / floor["p95_s"])
    targets = {v["target"]: v for v in r["targets"]}
    assert targets["classroom p95 / Streamlit floor p95"]["value"] == room["p95_over_floor"]


def test_torch_baseline_does_the_same_job():
    pytest.importorskip("torch")
    from bench import baselines

    net = MLP.create([2, 2, 1], init="normal", seed=3)
    ours = train(net, X, y, lr=1.0, epochs=200).loss
    np.testing.assert_allclose(baselines.torch_sgd(net.to_dict(), X, y, 1.0, 200), ours, rtol=0, atol=1e-12)


# ----- caching returns what core computes --------------------------------------------------------


def assert_same(a, b, path="value") -> None:
    """Equal to the last bit, through dataclasses, dicts, lists and arrays (NaN equals NaN)."""
    if dataclasses.is_dataclass(a):
        assert type(a) is type(b), path
        for f in dataclasses.fields(a):
            assert_same(getattr(a, f.name), getattr(b, f.name), f"{path}.{f.name}")
    elif isinstance(a, dict):
        assert a.keys() == b.keys(), path
        for k in a:
            assert_same(a[k], b[k], f"{path}[{k!r}]")
    elif isinstance(a, list | tuple):
        assert len(a) == len(b), path
        for i, (u, v) in enumerate(zip(a, b)):
            assert_same(u, v, f"{path}[{i}]")
    elif isinstance(a, np.ndarray | float | np.floating):
        np.testing.assert_array_equal(a, b, err_msg=path)
    else:
        assert a == b, path


def twice(fn, *args):
    """A cached function's first (computed) and second (from the cache) answers."""
    return fn(*args), fn(*args)


def test_cached_random_network_is_core_init():
    from app.state import _random_params

    for seed, init in [(0, "xavier_uniform"), (7, "normal"), (123, "he_uniform")]:
        for got in twice(_random_params, seed, init):
            assert_same(got, MLP.create([2, 2, 1], init=init, seed=seed).to_dict())


def test_cached_plane_grids_are_core_features():
    from app.hidden_charts import net_key, plane_grids
    from core.features import plane_values

    net = MLP.create([2, 3, 1], "tanh", init="normal", seed=4)
    for got in twice(plane_grids, net_key(net), 40):
        assert_same(got, plane_values(net, 40))


def test_cached_flow_and_training_are_core_flow():
    from app import vanishing_charts as vc
    from core.flow import batch, deep_network, gradient_flow, train_deep

    for got in twice(vc.flow_report, 6, 8, "sigmoid", "xavier_uniform", "xor", 0):
        assert_same(got, gradient_flow(deep_network(6, 8, "sigmoid", "xavier_uniform", 0), *batch("xor", 0)))
    for got in twice(vc.train_result, 3, 4, "tanh", "xavier_uniform", 0.5, 200, 1):
        assert_same(got, train_deep(3, 4, "tanh", "xavier_uniform", 0.5, 200, 1))


def test_training_replay_plane_spec_from_template_equals_full_build():
    from app.training_charts import cached_spec, plane_spec
    from core.data import grid

    _, _, pts = grid(60)
    kw = {"title": "Decision boundary at epoch 1,000", "value_name": "a2", "height": 330}
    for seed in range(4):
        net = MLP.create([2, 2, 1], init="normal", seed=seed, sigma=3.0)
        values = net.predict(pts)[:, 0].reshape(60, 60)
        for got in twice(plane_spec, False, values, kw):
            assert got == cached_spec("plane", False, (values,), kw)
    flat = np.full((60, 60), 0.8)  # no 0.5 line: a layout without the contour layer
    assert plane_spec(False, flat, {**kw, "title": "x"}) == cached_spec("plane", False, (flat,), {**kw, "title": "x"})
    tanh = np.linspace(-1, 1, 3600).reshape(60, 60)  # vrange ≠ (0, 1): built in full
    assert plane_spec(False, tanh, {"vrange": (-1.0, 1.0)}) == cached_spec(
        "plane", False, (tanh,), {"vrange": (-1.0, 1.0)}
    )
