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


@pytest.mark.slow
def test_notebook_runs_and_prints_cores_numbers():
    nbformat = pytest.importorskip("nbformat", reason="nbformat is not installed (requirements-dev.txt)")
    nbclient = pytest.importorskip("nbclient", reason="nbclient is not installed (requirements-dev.txt)")
    net, loss, lr = NETWORKS["random 2-3-1 tanh, MSE"]
    text = th.notebook(net.key(), "hidden_features", loss, lr)
    nb = nbformat.reads(text, as_version=4)
    nbformat.validate(nb)
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    out = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert_same(printed(out), expected(net, loss, lr))
    last = nb.cells[-1]
    assert "contour" in last.source and any(o.get("output_type") == "display_data" for o in last.outputs), last.outputs
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
        (MLP.create([2, 2, 1], hidden="leaky_relu", seed=0), "leaky_relu"),
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
