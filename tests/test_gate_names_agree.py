"""One gate rule on every page: Training's replay, Hidden features and Architecture name the same
networks' hidden neurons alike, and flag the same ones as not clean gates (core.gates).

Each case trains a run on the Training page (AppTest), reads the replay's names, publishes the run
to the shared Network control and reads the names the two other pages show — for the trained
network (last epoch) and for the random one it started from (epoch 0). The expected names come from
core, for the same weights the page used (the same run on the same machine)."""

from __future__ import annotations

import re
from functools import partial

import conftest
import pytest

from app.names import INITIALISER_NAMES
from core.gates import read_hidden

open_page = partial(conftest.open_page, timeout=180)

CASES = [  # (activation label, width, initialiser, learning rate, epochs)
    ("Sigmoid", 2, "normal", "1", "1000"),
    ("Tanh", 3, "xavier_uniform", "0.5", "500"),
    ("Leaky ReLU", 3, "he_normal", "0.5", "500"),
    ("ReLU", 4, "he_normal", "0.5", "500"),
    ("ReLU", 3, "he_normal", "0.5", "2000"),  # the example: it read "AND, constant 0, AND" once
]


def training_names(at) -> tuple[list[str], set[int]]:
    cap = next(c.value for c in at.caption if c.value.startswith("Read as gates"))
    names = re.findall(r"h\d+ ≈ ([^,.(]+?)(?: \(|,|\.)", cap)
    shaky = {int(k) for k in re.findall(r"h(\d+) ≈ [^,.(]+ \(not a clean gate", cap)}
    return names, shaky


def hidden_features_names(at) -> tuple[list[str], set[int]]:
    names, shaky = [], set()
    for m in at.markdown:
        hit = re.match(r"\*\*Hidden(\d+) = (.+?)\*\*", m.value)
        if hit:
            names.append(hit.group(2))
            if "Not a clean gate" in m.value:
                shaky.add(int(hit.group(1)))
    return names, shaky


def architecture_names(at) -> tuple[list[str], set[int]]:
    text = next(m.value for m in at.markdown if m.value.startswith("With the current network"))
    names = re.findall(r"hidden neuron \d+ acts like \*\*(.+?)\*\*", text)
    shaky = {int(k) for k in re.findall(r"hidden neuron (\d+) acts like \*\*[^*]+\*\*, but is not a clean gate", text)}
    return names, shaky


def expected(net) -> tuple[list[str], set[int]]:
    g = read_hidden(net)
    return [r.name for r in g], {k + 1 for k, r in enumerate(g) if not r.gate_like}


@pytest.mark.parametrize(("act", "width", "init", "lr", "epochs"), CASES)
def test_every_page_names_the_same_gates(act, width, init, lr, epochs):
    query = {
        "tr_act": act,
        "tr_width": str(width),
        "tr_init": INITIALISER_NAMES[init],
        "tr_lr": lr,
        "tr_epochs": epochs,
    }
    at = open_page("training.py", query=query)
    assert not at.exception
    seen = []
    for epoch in (int(epochs), 0):  # the trained network, then the random one it started from
        at.select_slider(key="tr_epoch").set_value(epoch).run()
        at.button(key="tr_publish").click().run()
        assert not at.exception
        hist = at.session_state["_trained_run"].history
        net = hist.network_at(epoch)
        assert net.sizes == [2, width, 1]
        want = expected(net)
        assert training_names(at) == want
        at.switch_page("../pages/hidden_features.py").run()
        assert not at.exception
        assert hidden_features_names(at) == want
        at.switch_page("../pages/architecture.py").run()
        assert not at.exception
        assert architecture_names(at) == want
        seen.append(want)
        at.switch_page("../pages/training.py").run()
    assert len(seen) == 2
