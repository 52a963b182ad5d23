"""Predict, then see, on the pages (AppTest): nothing of a checkpoint's truth is computed or shown before
the commit; a right and a wrong answer are judged against core's numbers; bad typed answers give a
plain message and reveal nothing; the page's progress counts; a new state asks again."""

from __future__ import annotations

import re

import numpy as np
import pytest
from conftest import open_page

from app import predict
from app.beyond_xor import run as bx_run
from app.gate_text import GATE_CHOICES
from app.one_epoch.run import LR_DEFAULT
from app.training import run as tr
from core import MLP, X, notes_network, y
from core.data import ROW_LABELS
from core.diagnose import first_solved_epoch
from core.flow import batch, deep_network, derivative_powers, gradient_flow
from core.gates import name_gate

REVEAL = "the page's answer is"
PAGES = {  # page → its checkpoint ids
    "architecture.py": ["ar_params", "ar_single"],
    "forward_pass.py": ["fp_z1_11", "fp_a2_11"],
    "hidden_features.py": ["hf_gate1", "hf_right"],
    "backprop.py": ["bp_dw2_sign", "bp_b2_push"],
    "one_epoch.py": ["oe_lower", "oe_most"],
    "loss_landscape.py": ["ll_bias_way", "ll_lr8"],
    "training.py": ["tr_solves", "tr_gate2"],
    "beyond_xor.py": ["bx_test", "bx_gap"],
    "vanishing_gradient.py": ["vg_peak", "vg_first"],
    "digits.py": ["dg_worst", "dg_grad"],
}


@pytest.fixture
def reveals(monkeypatch):
    """The ids of every checkpoint whose truth was computed, in order."""
    seen: list[str] = []
    original = predict.Checkpoint.reveal

    def spy(self):
        seen.append(self.id)
        return original(self)

    monkeypatch.setattr(predict.Checkpoint, "reveal", spy)
    return seen


def texts(at) -> str:
    parts = [el.value for kind in ("markdown", "caption", "success", "error", "warning", "info") for el in at.get(kind)]
    return "\n".join(str(p) for p in parts)


def answer(at, cp_id: str, value) -> None:
    """Type or pick ``value`` in the checkpoint's form and press its commit button."""
    radios = [r for r in at.radio if r.key == f"{cp_id}_ans"]
    if radios:
        radios[0].set_value(value)
    else:
        at.text_input(key=f"{cp_id}_ans").input(str(value))
    button = next(b for b in at.button if getattr(b, "form_id", None) == f"{cp_id}_form")
    button.click().run()
    assert not at.exception, at.exception


def verdict(at, cp_id: str) -> tuple[bool, str]:
    """(right?, the reveal's words) of the one checkpoint answered so far on the page (``cp_id``)."""
    hits = [(True, el.value) for el in at.success if REVEAL in el.value]
    hits += [(False, el.value) for el in at.error if REVEAL in el.value]
    assert len(hits) == 1, f"expected the reveal of {cp_id} alone: {hits}"
    assert cp_id not in forms(at)  # its form gave way to the reveal
    return hits[0]


def reveals_on_page(at) -> list[tuple[bool, str]]:
    return [(True, el.value) for el in at.success if REVEAL in el.value] + [
        (False, el.value) for el in at.error if REVEAL in el.value
    ]


def progress(at) -> str:
    return next(c.value for c in at.sidebar.caption if "predicted on this page" in c.value)


def forms(at) -> set[str]:
    return {b.form_id[: -len("_form")] for b in at.button if getattr(b, "form_id", "").endswith("_form")}


# ----- before the commit ---------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize("page", list(PAGES))
def test_nothing_is_revealed_before_the_commit(page, reveals):
    at = open_page(page, timeout=120)
    assert not at.exception, at.exception
    assert set(PAGES[page]) <= forms(at)  # every checkpoint asks, with its form
    assert reveals == []  # no truth was even computed, so none can reach the browser
    assert REVEAL not in texts(at)
    assert progress(at) == f"Before you look: 0 of {len(PAGES[page])} predicted on this page"


def test_forward_pass_right_and_wrong_answers(reveals):
    net = notes_network()
    fwd = net.forward(X)
    at = open_page("forward_pass.py")
    assert reveals == [] and REVEAL not in texts(at)
    z = float(fwd.z[1][3, 1])
    answer(at, "fp_z1_11", f"{z + 0.05:.4f}")  # within the tolerance 0.1
    ok, words = verdict(at, "fp_z1_11")
    assert ok and f"{z:.2f}".replace("-", "−") in words
    assert progress(at) == "Before you look: 1 of 2 predicted on this page (1 right)"
    assert "fp_a2_11" in forms(at) and "fp_z1_11" not in forms(at)
    wrong = "no" if fwd.a[2][3, 0] > 0.5 else "yes"
    answer(at, "fp_a2_11", wrong)
    errors = [el.value for el in at.error if REVEAL in el.value]
    assert len(errors) == 1 and f"You said **{wrong}**" in errors[0]
    assert progress(at) == "Before you look: 2 of 2 predicted on this page (1 right)"
    assert set(reveals) == {"fp_z1_11", "fp_a2_11"}


@pytest.mark.parametrize("bad", ["", "nan", "1e999", "seven", "-inf"])
def test_bad_typed_answers_reveal_nothing(bad, reveals):
    at = open_page("forward_pass.py")
    answer(at, "fp_z1_11", bad)
    assert reveals == [] and REVEAL not in texts(at)
    assert [w.value for w in at.warning if "number" in w.value.lower()]
    assert "fp_z1_11" in forms(at)
    assert progress(at).startswith("Before you look: 0 of 2")


def test_a_new_network_asks_again():
    at = open_page("forward_pass.py")
    answer(at, "fp_a2_11", "yes")
    assert "fp_a2_11" not in forms(at)
    at.button(key="fp_a2_11_retry").click().run()
    assert not at.exception
    assert at.session_state["net_source"] == "random"
    assert {"fp_a2_11", "fp_z1_11"} <= forms(at)
    assert progress(at) == "Before you look: 0 of 2 predicted on this page"


def test_presenter_mode_reveals_too():
    at = open_page("forward_pass.py", query={"presenter": "true"})
    net = notes_network()
    answer(at, "fp_a2_11", "yes" if net.forward(X).a[2][3, 0] > 0.5 else "no")
    assert verdict(at, "fp_a2_11")[0]


# ----- every other chapter: a right and a wrong answer, truths from core ------------------------------
def test_hidden_features_right_and_wrong():
    net = notes_network()
    at = open_page("hidden_features.py")
    name, _ = name_gate(net.forward(X).z[1][:, 0])
    answer(at, "hf_gate1", name if name in GATE_CHOICES else GATE_CHOICES[-1])
    assert verdict(at, "hf_gate1")[0]
    n = int(np.sum((net.forward(X).a[2][:, 0] > 0.5) == (y[:, 0] == 1)))
    answer(at, "hf_right", str(n - 1))
    assert [el.value for el in at.error if REVEAL in el.value]
    assert progress(at).endswith("2 of 2 predicted on this page (1 right)")


def test_backprop_right_and_wrong():
    net = notes_network()
    fwd = net.forward(X)
    dz2 = fwd.a[2] - y
    at = open_page("backprop.py")
    sign = predict.sign_of(float((fwd.a[1].T @ dz2 / 4)[1, 0]))
    answer(at, "bp_dw2_sign", sign)
    assert verdict(at, "bp_dw2_sign")[0]
    size = np.abs(dz2[:, 0])
    answer(at, "bp_b2_push", ROW_LABELS[int(np.argmin(size))])
    assert [el.value for el in at.error if REVEAL in el.value]
    assert progress(at).endswith("(1 right)")


def test_one_epoch_right_and_wrong():
    net = notes_network()
    after = net.copy()
    after.step(net.gradients(X, y), LR_DEFAULT)
    at = open_page("one_epoch.py")
    answer(at, "oe_lower", "yes" if after.loss(X, y) < net.loss(X, y) else "no")
    assert verdict(at, "oe_lower")[0]
    move = np.abs(after.flat() - net.flat())
    answer(at, "oe_most", net.param_names()[int(np.argmin(move))])
    assert [el.value for el in at.error if REVEAL in el.value]
    assert progress(at).endswith("2 of 2 predicted on this page (1 right)")


@pytest.mark.slow
def test_loss_landscape_right_and_wrong():
    net = notes_network()
    after = net.copy()
    after.step(net.gradients(X, y), 8.0)
    at = open_page("loss_landscape.py", timeout=120)
    answer(at, "ll_lr8", "yes" if after.loss(X, y) < net.loss(X, y) else "no")
    assert verdict(at, "ll_lr8")[0]
    g = float(np.mean(net.forward(X).a[2] - y))
    answer(at, "ll_bias_way", "increase" if g > 0 else "decrease")
    assert [el.value for el in at.error if REVEAL in el.value]


def test_architecture_right_and_wrong():
    at = open_page("architecture.py", timeout=120)
    answer(at, "ar_params", str(MLP.create([2, 5, 1]).n_params))
    assert verdict(at, "ar_params")[0]
    answer(at, "ar_single", "yes")  # the page's own point: one neuron never gets 4 of 4
    assert [el.value for el in at.error if REVEAL in el.value]
    assert progress(at).endswith("(1 right)")


def test_training_right_and_wrong():
    hist = tr.run_training(dict(tr.DEFAULT_CFG), tr.DEFAULT_LR)
    solved = first_solved_epoch(hist.loss, hist.acc, tr.SOLVED_LOSS) is not None
    name, _ = name_gate(hist.final.forward(X).z[1][:, 1])
    at = open_page("training.py", timeout=120)
    answer(at, "tr_solves", "yes" if solved else "no")
    assert verdict(at, "tr_solves")[0]
    right = name if name in GATE_CHOICES else GATE_CHOICES[-1]
    answer(at, "tr_gate2", next(g for g in GATE_CHOICES if g != right))
    assert [el.value for el in at.error if REVEAL in el.value]
    before = at.session_state["tr_seed"]
    at.button(key="tr_solves_retry").click().run()  # try again: the next seed, asked afresh
    assert at.session_state["tr_seed"] == before + 1 and {"tr_solves", "tr_gate2"} <= forms(at)


@pytest.mark.slow
def test_vanishing_gradient_right_and_wrong():
    peak = derivative_powers(0.0, 1, ("sigmoid",))[0].slope
    at = open_page("vanishing_gradient.py", timeout=120)
    answer(at, "vg_peak", f"{peak:.3f}")
    assert verdict(at, "vg_peak")[0]
    cfg = (20, 64, "sigmoid", "xavier_uniform", "xor", 0)  # the explorer's defaults
    r = gradient_flow(deep_network(*cfg[:4], cfg[5]), *batch(cfg[4], cfg[5]))
    assert r.ratio_dz < 10  # so "larger" is wrong
    answer(at, "vg_first", "larger than the output layer's")
    assert [el.value for el in at.error if REVEAL in el.value]


def test_beyond_xor_right_and_wrong():
    trained = bx_run.default_run()
    at = open_page("beyond_xor.py", timeout=120)
    pct = 100 * trained.test_acc[-1]
    answer(at, "bx_test", f"{pct - 2 if pct > 50 else pct + 2:.1f}")  # within 5 points
    assert verdict(at, "bx_test")[0]
    answer(at, "bx_gap", "no" if trained.train_acc[-1] > trained.test_acc[-1] else "yes")
    assert [el.value for el in at.error if REVEAL in el.value]


@pytest.mark.slow
def test_digits_verdicts_match_the_revealed_truth():
    """The digits run is the page's own: commit a guess, read the revealed answer, check the verdict
    agrees; then a right and a wrong answer to the second question, from that revealed answer."""
    at = open_page("digits.py", timeout=180)
    answer(at, "dg_worst", "0")
    ok, words = verdict(at, "dg_worst")
    truth = re.search(r"answer is \*\*(.+?)\*\*", words).group(1).split(" and ")
    assert ok == ("0" in truth)
    at.session_state["_predict_answers"] = {}  # forget it (as a new run of the page would)
    at.run()
    answer(at, "dg_worst", truth[0])
    assert verdict(at, "dg_worst")[0]
    options = [r.options for r in at.radio if r.key == "dg_grad_ans"][0]
    answer(at, "dg_grad", options[0])
    ok, words = next((o, w) for o, w in reveals_on_page(at) if options[0] in w)
    assert ok == (f"answer is **{options[0]}" in words)
