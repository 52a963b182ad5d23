"""The benchmark and the speed-ups it measures.

No timing is asserted (machines are noisy). What is checked:
- the benchmark's comparison implementations (core's readable loop, the per-sample loops, PyTorch)
  do the same job as core.train (that core's fast paths equal its readable code is
  tests/test_core_fast.py's job);
- ``python -m bench --quick`` runs end to end and writes its JSON;
- cached page computations return what calling core directly returns.
"""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from core.data import X, y
from core.mlp import MLP
from core.train import train

# ----- python -m bench runs end to end (tiny settings; no timing asserted) -----------------------


def test_quick_benchmark_core_and_payload(tmp_path, capsys):
    from bench.__main__ import main

    out = tmp_path / "r.json"
    r = main(["--quick", "--sections", "core,payload", "--out", str(out)])
    assert json.loads(out.read_text())["core"]["ratios"] == r["core"]["ratios"]
    single = r["core"]["single_seed"]
    assert {
        "core.train",
        "readable loop (fast=False)",
        "per-sample loop, NumPy",
        "per-sample loop, Python floats",
    } <= set(single)
    for name, v in single.items():  # every comparison does the same job as core.train
        assert v["max_abs_loss_difference_from_core"] < 1e-9, name
        assert 0 < v["min"] <= v["median"] <= v["max"]
    assert single["readable loop (fast=False)"]["max_abs_loss_difference_from_core"] == 0  # the same numbers
    for v in r["core"]["multi_seed"].values():
        assert v["seed_epochs_per_s"] > 0
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


def test_cached_hidden_features_grids_are_core_features():
    from app.hidden_features.run import GRID_N, SMALL_N, network_view
    from core.features import plane_values

    net = MLP.create([2, 3, 1], "tanh", init="normal", seed=4)
    for view in twice(network_view, net.key()):
        assert_same(view.a2, plane_values(net, GRID_N)[1])
        assert_same([m.values for m in view.neurons], list(plane_values(net, SMALL_N)[0]))


def test_cached_flow_and_training_are_core_flow():
    from app.vanishing_gradient import run
    from core.flow import batch, deep_network, gradient_flow, train_deep

    for got in twice(run.flow_report, 6, 8, "sigmoid", "xavier_uniform", "xor", 0):
        assert_same(got, gradient_flow(deep_network(6, 8, "sigmoid", "xavier_uniform", 0), *batch("xor", 0)))
    for got in twice(run.train_result, 3, 4, "tanh", "xavier_uniform", 0.5, 200, 1):
        assert_same(got, train_deep(3, 4, "tanh", "xavier_uniform", 0.5, 200, 1))


def test_the_heavy_run_ratio_pools_its_bursts():
    """bench/hall.py's rounds with and without heavy runs count as one class each: percentiles over
    every move of the bursts, throughput over their summed time, CPU per rerun weighted by reruns."""
    from bench.hall import ROUNDS, pooled, stored
    from bench.timing import percentile

    def b(times, seconds, cpu):
        return {"times_s": times, "burst_seconds": seconds, "servers_cpu_per_rerun_s": cpu, "reruns": len(times),
                "sessions_per_replica": {"r1": 1}, "heavy_first_answer_s": [], "failures": []}  # fmt: skip

    one, two = b([0.1] * 90 + [1.0] * 10, 10.0, 0.02), b([0.2] * 100, 30.0, 0.04)
    p = pooled([one, two])
    every = one["times_s"] + two["times_s"]
    assert p["reruns"] == 200 and p["bursts"] == 2 and p["p50_s"] == 0.2
    assert p["p95_s"] == percentile(every, 95) and 0.2 < p["p95_s"] < 1.0  # not either burst's own p95
    assert p["moves_per_s"] == 200 / 40 and abs(p["servers_cpu_per_rerun_s"] - 0.03) < 1e-12
    assert pooled([one])["p95_s"] == percentile(one["times_s"], 95) == 1.0 and pooled([two])["p95_s"] == 0.2
    assert "times_s" not in stored(one) and ROUNDS == (False, True, True, False)


def test_the_lecture_hall_section_reports_its_ratios_and_a_skip():
    """bench/hall.py's figures reach the table and the targets (a made-up result: no timing asserted)."""
    from bench.report import table, verdicts

    def one(p95, rate, share):
        return {"p50_s": p95 / 2, "p95_s": p95, "max_s": p95, "moves_per_s": rate, "servers_cpu_per_rerun_s": 0.03,
                "sessions_per_replica": share, "failures": []}  # fmt: skip

    hall = {
        "sessions": 60,
        "moves_per_session": 5,
        "cores": 2,
        "runs": {"1 replica(s)": one(2.0, 30.0, {"r1": 60}), "2 replica(s)": one(1.0, 50.0, {"r1": 30, "r2": 30})},
        "again": {"replicas": 2, "bursts": 2, **one(1.0, 50.0, {"r1": 30, "r2": 30})},
        "with_heavy": {"replicas": 2, "heavy_sessions": 3, "bursts": 2, **one(1.5, 40.0, {"r1": 30, "r2": 30})},
        "heavy_rounds": [{"heavy": h, "p95_s": p} for h, p in [(0, 0.9), (1, 1.4), (1, 1.6), (0, 1.1)]],
        "p95_one_over_two": 2.0,
        "throughput_two_over_one": 50 / 30,
        "heavy_p95_over_plain": 1.5,
    }
    rows = {v["target"]: v for v in verdicts({"hall": hall})}
    assert rows["hall: p95 with 1 replica / p95 with 2 replicas"]["met"] is True
    assert rows["hall: light p95 during 3 largest digits runs / without"]["met"] is False
    text = table({"hall": hall, "targets": list(rows.values())})
    assert "6. Lecture hall" in text and "2.00× / 1.67×" in text and "r1: 30, r2: 30" in text
    assert "the class again (baseline, 2 bursts pooled)" in text and "3 largest digits runs (2 bursts pooled)" in text
    assert "without 900 ms, with 1.40 s, with 1.60 s, without 1.10 s" in text
    skipped = {"hall": {"skipped": "HAProxy is not installed (Debian: apt-get install haproxy)"}}
    assert verdicts(skipped) == [] and "apt-get install haproxy" in table(skipped)
