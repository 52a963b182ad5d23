"""Issue 11's MNIST target, on real MNIST when it is on this machine (opt-in: it trains for minutes).

    XORLAB_MNIST_DIR=/path/to/mnist .venv/bin/python -m pytest tests/test_mnist_target.py

The folder holds the four standard IDX files (gzipped or not). Without that variable the test skips:
MNIST is 55 MB and is not in the repository. It trains exactly what the Digits page's "Use the
suggested MNIST settings" button sets (app.digits.run.MNIST_SUGGESTED), through the page's own
code path (app.digits.run), and requires at least 97 % test accuracy.
"""

from __future__ import annotations

import os

import pytest

from app.digits import run as digits_run

FOLDER = os.environ.get("XORLAB_MNIST_DIR")


def test_the_suggested_settings_are_known():
    assert set(digits_run.MNIST_SUGGESTED) <= {"layers", "width", "act", "init", "lr", "sched", "batch", "epochs"}


@pytest.mark.skipif(not FOLDER, reason="set XORLAB_MNIST_DIR to a folder with the four MNIST IDX files")
def test_suggested_settings_reach_97_percent_on_mnist(monkeypatch):
    monkeypatch.setenv(digits_run.MNIST_ENV, "on")  # the operator's switch (off by default on a shared server)
    data = digits_run.mnist_data(FOLDER)
    assert data.X_train.shape == (60000, 784) and data.X_test.shape == (10000, 784)
    values = {**digits_run.DEFAULTS, **digits_run.MNIST_SUGGESTED}
    hist = digits_run.train(digits_run.Settings(data.key, **values), data)
    print(f"MNIST, {values}: test accuracy {hist.test_acc[-1]:.4f} after {len(hist.test_acc) - 1} epochs")
    assert hist.test_acc[-1] >= 0.97
