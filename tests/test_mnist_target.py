"""Issue 11's MNIST target, on real MNIST when it is on this machine (opt-in: it trains for minutes).

    XORLAB_MNIST_DIR=/path/to/mnist .venv/bin/python -m pytest tests/test_mnist_target.py

The folder holds the four standard IDX files (gzipped or not). Without that variable the test skips:
MNIST is 55 MB and is not in the repository. It trains exactly what the Digits page's "Use the
suggested MNIST settings" button sets (read from pages/digits.py), through the page's own code
path (app.digits_run), and requires at least 97 % test accuracy.
"""

from __future__ import annotations

import ast
import os

import pytest
from conftest import ROOT

FOLDER = os.environ.get("XORLAB_MNIST_DIR")


def suggested() -> dict:
    """MNIST_SUGGESTED from pages/digits.py, without running the page."""
    tree = ast.parse((ROOT / "pages" / "digits.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "MNIST_SUGGESTED" for t in node.targets):
            return ast.literal_eval(node.value)
    raise AssertionError("pages/digits.py has no MNIST_SUGGESTED")


def test_the_suggested_settings_are_known():
    s = suggested()
    assert set(s) <= {"dg_layers", "dg_width", "dg_act", "dg_init", "dg_lr", "dg_sched", "dg_batch", "dg_epochs"}


@pytest.mark.skipif(not FOLDER, reason="set XORLAB_MNIST_DIR to a folder with the four MNIST IDX files")
def test_suggested_settings_reach_97_percent_on_mnist():
    from app import digits_run

    data = digits_run.mnist_data(FOLDER)
    assert data.X_train.shape == (60000, 784) and data.X_test.shape == (10000, 784)
    values = {**digits_run.DEFAULTS, **{k.removeprefix("dg_"): v for k, v in suggested().items()}}
    hist = digits_run.train(digits_run.Settings(data.key, **values), data)
    print(f"MNIST, {values}: test accuracy {hist.test_acc[-1]:.4f} after {len(hist.test_acc) - 1} epochs")
    assert hist.test_acc[-1] >= 0.97
