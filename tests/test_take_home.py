"""Take it home (issue 23): every number a downloaded file prints or shows equals core's.

The script runs in a subprocess with this Python, the notebook in a real kernel (nbclient +
ipykernel); their ``name[i,j] = value`` lines are compared with core's forward pass, loss, backward
pass and one gradient-descent step, computed here from core (not from app.take_home).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

import numpy as np
import pytest

from app import take_home as th
from core import backprop_ledger as bl
from core.data import X, notes_network, y
from core.mlp import MLP

LINE = re.compile(r"^(\w+)(?:\[(\d+),(\d+)\])? = (\S+)$")


def expected(net: MLP, loss: str, lr: float) -> dict[str, float]:
    """Every number the script prints, from core."""
    fwd = net.forward(X)
    g = net.backward(fwd, y, loss)
    _, new = bl.gd_step(net, X, y, lr, loss)
    arrays = {
        "z1": fwd.z[1],
        "a1": fwd.a[1],
        "z2": fwd.z[2],
        "a2": fwd.a[2],
        "dz2": g.dz[2],
        "dW2": g.dW[2],
        "db2": g.db[2],
        "dz1": g.dz[1],
        "dW1": g.dW[1],
        "db1": g.db[1],
        "W1_new": new.W[0],
        "b1_new": new.b[0],
        "W2_new": new.W[1],
        "b2_new": new.b[1],
    }
    out = {f"{n}[{i},{j}]": float(v) for n, a in arrays.items() for (i, j), v in np.ndenumerate(a)}
    out["L"] = net.loss(X, y, loss)
    out["L_new"] = new.loss(X, y, loss)
    return out


def printed(text: str) -> dict[str, float]:
    out = {}
    for line in text.splitlines():
        m = LINE.match(line.strip())
        if m:
            name = m[1] if m[2] is None else f"{m[1]}[{m[2]},{m[3]}]"
            out[name] = float(m[4])
    return out


def assert_same(got: dict, want: dict) -> None:
    assert got.keys() == want.keys()
    for k, v in want.items():
        assert np.isfinite(got[k]), k
        assert got[k] == pytest.approx(v, rel=1e-12, abs=1e-12), k


NETWORKS = {
    "notes": (notes_network(), "bce", 0.5),
    "random 2-3-1 tanh, MSE": (MLP.create([2, 3, 1], hidden="tanh", seed=4), "mse", 2.0),
    "relu": (MLP.create([2, 2, 1], hidden="relu", init="he_normal", seed=1), "bce", 0.1),
    "edge of the hand-edit range": (
        MLP.from_dict(
            {
                "W1": np.full((2, 2), 20.0),
                "b1": np.full((1, 2), -20.0),
                "W2": np.array([[20.0], [-20.0]]),
                "b2": [[20.0]],
            }
        ),
        "bce",
        1000.0,
    ),
}


@pytest.mark.parametrize("name", NETWORKS)
def test_script_prints_cores_numbers(tmp_path, name):
    net, loss, lr = NETWORKS[name]
    path = tmp_path / th.file_name("script", "backprop")
    path.write_text(th.script(net.key(), "backprop", loss, lr), encoding="utf-8")
    run = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""  # no overflow warnings, even at the edge of the range
    assert_same(printed(run.stdout), expected(net, loss, lr))


def test_script_weights_are_exact():
    """The weights are written with repr: the script's network is core's, bit for bit."""
    net = MLP.create([2, 2, 1], seed=7)
    code = th.script(net.key(), "forward_pass")
    env: dict = {}
    exec(code.split("def show")[0], env)  # only the data: X, y, W1, b1, W2, b2, lr
    for t, v in net.to_dict().items():
        assert np.array_equal(env[t], v), t


def _dev(name: str):
    """A requirements-dev.txt package: skipped where missing; CI (CI=true) installs it, so there it must import."""
    import importlib
    import os

    if os.environ.get("CI") == "true":
        return importlib.import_module(name)
    return pytest.importorskip(name, reason=f"{name} is not installed (pip install -r requirements-dev.txt)")


@pytest.mark.slow
@pytest.mark.parametrize("with_training", [False, True], ids=["network", "training run"])
def test_notebook_runs_and_prints_cores_numbers(with_training, monkeypatch):
    # importing streamlit sets MPLBACKEND=Agg for this process (and so the kernel); a student's Jupyter has none
    monkeypatch.delenv("MPLBACKEND", raising=False)
    nbformat, nbclient = _dev("nbformat"), _dev("nbclient")
    net, loss, lr = NETWORKS["random 2-3-1 tanh, MSE"]
    want = expected(net, loss, lr)
    spec = None
    if with_training:
        from core.train import train

        spec = (300, "constant", ())
        hist = train(net, X, y, lr, 300, loss)
        final = hist.final
        for n, a in {"W1": final.W[0], "b1": final.b[0], "W2": final.W[1], "b2": final.b[1]}.items():
            want |= {f"{n}_final[{i},{j}]": float(v) for (i, j), v in np.ndenumerate(a)}
        want |= {f"a2_final[{i},0]": float(v) for i, v in enumerate(final.predict(X)[:, 0])}
        want["L_final"] = float(hist.loss[-1])
    text = th.notebook(net.key(), "hidden_features", loss, lr, spec)
    nb = nbformat.reads(text, as_version=4)
    nbformat.validate(nb)
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    out = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert_same(printed(out), want)
    last = nb.cells[-1]
    assert "contour" in last.source and any(o.get("output_type") == "display_data" for o in last.outputs), last.outputs
    assert ("W1_t" in last.source) == with_training
    assert [c.cell_type for c in nb.cells[:2]] == ["markdown", "code"]


def test_notebook_is_plain_json_of_the_script_code():
    net = notes_network()
    nb = json.loads(th.notebook(net.key(), "backprop"))
    code = "\n".join(c["source"] for c in nb["cells"] if c["cell_type"] == "code")
    for _, part in th.sections(net.key(), "backprop"):
        assert part in code


@pytest.mark.parametrize(
    "net, words",
    [
        (MLP.create([2, 2, 2, 1], seed=0), "one hidden layer"),
        (MLP.create([2, 2, 1], hidden="linear", seed=0), "linear"),
        (
            MLP.from_dict({"W1": [[np.nan, 1.0], [1.0, 1.0]], "b1": [[0, 0]], "W2": [[1.0], [1.0]], "b2": [[0]]}),
            "diverged",
        ),
        (
            MLP.from_dict(
                {"W1": [[1e308, 1e308], [1e308, 1e308]], "b1": [[1e308, 0]], "W2": [[1e308], [1.0]], "b2": [[0]]}
            ),
            "too large",
        ),
    ],
)
def test_bad_networks_have_a_reason(net, words):
    reason = th.problem(net)
    assert reason and words in reason


def test_good_networks_have_no_reason():
    for net, loss, lr in NETWORKS.values():
        assert th.problem(net, loss, lr) is None


# ----- the LaTeX snippet, the worksheet, the PyTorch twin ----------------------------------------
def _tex_numbers(text: str) -> list[str]:
    return re.findall(r"-?\d+\.\d+", text)


@pytest.mark.parametrize("name", NETWORKS)
def test_tex_balances_and_every_number_is_cores(name):
    from app.ui import tval

    net, loss, lr = NETWORKS[name]
    row = 2
    text = th.tex(net.key(), "backprop", loss, lr, row)
    body = "\n".join(line for line in text.splitlines() if not line.startswith("%"))
    depth = 0
    for ch in body.replace(r"\{", "").replace(r"\}", ""):
        depth += {"{": 1, "}": -1}.get(ch, 0)
        assert depth >= 0
    assert depth == 0
    envs = re.findall(r"\\(begin|end)\{(\w+\*?)\}", body)
    stack = []
    for kind, env in envs:
        if kind == "begin":
            stack.append(env)
        else:
            assert stack.pop() == env
    assert not stack and ("begin", "align*") in envs
    # a1 appears in its own line and in z2's; x and y are written as whole numbers
    f1, fwd = net.forward(X[row : row + 1]), net.forward(X)
    g = net.gradients(X, y, loss)
    shown = [*net.W, *net.b, f1.z[1], f1.a[1], f1.a[1], f1.z[2], f1.a[2], fwd.a[2]]
    shown += [g.dz[2], g.dW[2], g.db[2], g.dz[1], g.dW[1], g.db[1]]
    want = [tval(float(v), th.DIGITS) for a in shown for v in np.ravel(a)]
    got = _tex_numbers(body)
    assert sorted(got) == sorted(want)
    assert "nan" not in text.lower() and "inf" not in text.lower()
    assert rf"x = \begin{{bmatrix}} {X[row, 0]:.0f} & {X[row, 1]:.0f} \end{{bmatrix}}" in text


@pytest.mark.parametrize("name", [*NETWORKS, "leaky"])
def test_tex_compiles_where_a_tex_engine_exists(tmp_path, name):
    import shutil

    engine = shutil.which("pdflatex")
    if engine is None:
        pytest.skip("no pdflatex on this machine")
    net, loss, lr = NETWORKS[name] if name in NETWORKS else (MLP.create([2, 2, 1], hidden="leaky_relu"), "mse", 0.5)
    doc = "\\documentclass{article}\n\\usepackage{amsmath}\n\\begin{document}\n%s\\end{document}\n"
    (tmp_path / "t.tex").write_text(doc % th.tex(net.key(), "backprop", loss, lr, 3), encoding="utf-8")
    run = subprocess.run(
        [engine, "-interaction=nonstopmode", "-halt-on-error", "t.tex"], cwd=tmp_path, capture_output=True, timeout=120
    )
    assert run.returncode == 0, run.stdout[-2000:]


@pytest.mark.parametrize("name", NETWORKS)
def test_worksheet_is_well_formed_and_its_key_is_cores(name):
    import xml.etree.ElementTree as ET

    from app.ui import fmt

    net, loss, lr = NETWORKS[name]
    row = 1
    text = th.worksheet(net.key(), "<forward & pass>", loss, lr, row)
    root = ET.fromstring(text.removeprefix("<!DOCTYPE html>\n"))  # raises if not well-formed
    key = root.find(".//section[@class='key']")
    sheet = [t for t in root.iter("table") if t.get("class") == "blanks"]
    answers = [t for t in key.iter("table") if t.get("class") == "answers"]
    assert len(sheet) == len(answers) == 7
    assert all(td.text is None for t in sheet for td in t.iter("td"))
    xr, yr = X[row : row + 1], y[row : row + 1]
    f = net.forward(xr)
    g = net.backward(f, yr, loss)
    _, new = bl.gd_step(net, xr, yr, lr, loss)
    want = [f.z[1], f.a[1], f.z[2], f.a[2], g.dz[2], g.dW[2], new.W[1]]
    for table, a in zip(answers, want):
        assert [td.text for td in table.iter("td")] == [fmt(float(v), th.DIGITS) for v in np.ravel(a)]
    assert "<forward" not in text  # escaped
    assert "nan" not in text.lower()


@pytest.mark.slow  # importing torch takes seconds (30-70 s on a busy 2-core machine): one process runs every twin
def test_torch_twin_prints_cores_numbers(tmp_path):
    """Run for real with torch 2.14.1 on the CPU (in a separate venv): every network here within 1e-12 of core."""
    pytest.importorskip("torch", reason="PyTorch is not installed here")
    paths = []
    for i, (net, loss, lr) in enumerate(NETWORKS.values()):
        paths.append(tmp_path / f"{i}_{th.file_name('torch', 'backprop')}")
        paths[-1].write_text(th.torch_twin(net.key(), "backprop", loss, lr), encoding="utf-8")
    # each file run as its own __main__, as `python file.py` would, with a line between their outputs
    driver = (
        "import runpy, sys\nfor p in sys.argv[1:]:\n    print('=== ' + p)\n    runpy.run_path(p, run_name='__main__')\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", driver, *map(str, paths)], capture_output=True, text=True, timeout=280, cwd=tmp_path
    )
    assert run.returncode == 0, run.stderr
    outputs = run.stdout.split("=== ")[1:]
    assert len(outputs) == len(NETWORKS)
    for name, out in zip(NETWORKS, outputs):
        net, loss, lr = NETWORKS[name]
        assert_same(printed(out), expected(net, loss, lr))


def test_every_builder_writes_for_every_good_network():
    import ast

    for net, loss, lr in NETWORKS.values():
        for kind, build in th.BUILDERS.items():
            text = build(net.key(), "backprop", loss, lr, 3)
            assert text and "nan" not in text.lower().replace("nanmean", ""), kind
            if th.KINDS[kind][1] == "py":
                ast.parse(text)


# ----- the Training page's run --------------------------------------------------------------------
RUNS = {
    "constant sigmoid bce": ([2, 2, 1], "sigmoid", "bce", 1.0, "constant", {}),
    "step tanh mse": ([2, 3, 1], "tanh", "mse", 0.5, "step", {"step_size": 100, "gamma": 0.5}),
    "exponential relu": ([2, 4, 1], "relu", "bce", 0.2, "exponential", {"gamma": 0.999}),
    "cosine leaky": ([2, 2, 1], "leaky_relu", "bce", 2.0, "cosine", {"T_max": 400, "eta_min": 0.0}),
    "warmup sigmoid": ([2, 2, 1], "sigmoid", "bce", 5.0, "warmup", {}),
}


@pytest.mark.parametrize("name", RUNS)
def test_training_script_ends_where_core_ends(tmp_path, name):
    from core.train import train

    sizes, act, loss, lr, sched, params = RUNS[name]
    net = MLP.create(sizes, hidden=act, init="normal", seed=3)
    epochs = 400
    hist = train(net, X, y, lr, epochs, loss, sched, params)
    spec = (epochs, sched, tuple(sorted(params.items())))
    assert th.problem(net, loss, lr, hist) is None
    path = tmp_path / "run.py"
    path.write_text(th.script(net.key(), "training", loss, lr, spec), encoding="utf-8")
    run = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    got = printed(run.stdout)
    final = hist.final
    want = expected(net, loss, lr)
    for n, a in {
        "W1": final.W[0],
        "b1": final.b[0],
        "W2": final.W[1],
        "b2": final.b[1],
        "a2": final.predict(X),
    }.items():
        want |= {f"{n}_final[{i},{j}]": float(v) for (i, j), v in np.ndenumerate(a)}
    want["L_final"] = float(hist.loss[-1])
    assert_same(got, want)


def test_a_diverged_run_is_not_exported():
    from core.train import train

    net = MLP.create([2, 2, 1], seed=0)
    hist = train(net, X, y, 1e6, 200)
    assert hist.diverged
    assert "diverged" in th.problem(net, "bce", 1e6, hist)
