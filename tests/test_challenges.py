"""Challenges (issue 21 §2): every checker against a solved and an unsolved state, judged by core's own
numbers; the page counts and links what is solved, and its links reopen the solved settings."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import open_page

from app.challenges import run
from core import MLP, X, notes_network, y
from core.diagnose import diagnose_run, first_solved_epoch, symmetry_gap
from core.gates import name_gate
from core.train import SOLVED_LOSS, train

# Hidden1 NAND (on except [1 1]), Hidden2 OR, output ≈ NAND AND OR = XOR
NAND_OR = {
    "W1": np.array([[-5.0, 5.0], [-5.0, 5.0]]),
    "b1": np.array([[7.5, -2.5]]),
    "W2": np.array([[7.0], [7.0]]),
    "b2": np.array([[-10.5]]),
}
ZERO = {"W1": np.zeros((2, 2)), "b1": np.zeros((1, 2)), "W2": np.zeros((2, 1)), "b2": np.zeros((1, 1))}


def test_gate():
    net = MLP.from_dict(NAND_OR)
    assert name_gate(net.forward(X).z[1][:, 0])[0] == "NAND" and net.accuracy(X, y) == 1.0
    assert run.gate_verdict(net).solved
    assert not run.gate_verdict(notes_network()).solved  # its Hidden1 is OR
    broken = MLP.from_dict({**NAND_OR, "W2": -NAND_OR["W2"]})  # NAND still, but XOR no longer right
    v = run.gate_verdict(broken)
    assert not v.solved and "NAND" in v.words


def test_diverge():
    """The verdict is "diverges at r and not at 0.9 r", each run computed here by core.train."""
    seen = set()
    for r in (5.0, 20.0, 24.0, 26.0, 28.0, 30.0, 60.0):
        at = train(notes_network(), X, y, r, run.DIVERGE_EPOCHS)
        below = train(notes_network(), X, y, run.BELOW * r, run.DIVERGE_EPOCHS)
        v = run.diverge_verdict(r, run.notes_run(r), run.notes_run(run.BELOW * r))
        assert v.solved == (at.diverged and not below.diverged), (r, v)
        seen.add(v.solved)
    assert seen == {True, False}  # the grid holds a solved and an unsolved rate


def test_stuck():
    zeros = run.xor_run(2, "zeros", 1.0, 0, 1.0)
    assert symmetry_gap(zeros.final) == 0.0 and first_solved_epoch(zeros.loss, zeros.acc, SOLVED_LOSS) is None
    assert run.stuck_verdict(zeros, run.WHY[0]).solved
    assert not run.stuck_verdict(zeros, run.WHY[1]).solved  # stuck, but not saturated
    wide = run.xor_run(2, "normal", 5.0, 2, 1.0)
    assert diagnose_run(wide.final, X, y).fraction_saturated >= run.SATURATED_SHARE
    assert run.stuck_verdict(wide, run.WHY[1]).solved
    good = run.xor_run(2, "xavier_uniform", 1.0, 0, 1.0)
    assert first_solved_epoch(good.loss, good.acc, SOLVED_LOSS) is not None
    assert not run.stuck_verdict(good, run.WHY[0]).solved and "solved XOR" in run.stuck_verdict(good, run.WHY[0]).words


def test_fewest():
    two = run.xor_run(2, "xavier_uniform", 1.0, 0, 1.0)
    assert run.fewest_verdict(two, 2).solved
    four = run.xor_run(4, "xavier_uniform", 1.0, 0, 1.0)
    assert first_solved_epoch(four.loss, four.acc, SOLVED_LOSS) is not None and not run.fewest_verdict(four, 4).solved
    one = run.xor_run(1, "xavier_uniform", 1.0, 0, 1.0)  # one line cannot split XOR
    assert first_solved_epoch(one.loss, one.acc, SOLVED_LOSS) is None and not run.fewest_verdict(one, 1).solved


def test_flat():
    zero = MLP.from_dict(ZERO)
    g = zero.gradients(X, y)
    assert all(np.all(d == 0) for d in g.dW[1:] + g.db[1:]) and zero.accuracy(X, y) < 1
    assert run.flat_verdict(zero).solved
    assert not run.flat_verdict(notes_network()).solved  # it solves XOR
    assert not run.flat_verdict(MLP.create([2, 2, 1], seed=1)).solved  # a random start is not flat


def test_digits_verdict_and_count():
    assert run.digits_verdict(0.96, 910).solved
    assert not run.digits_verdict(0.96, 2410).solved and not run.digits_verdict(0.90, 610).solved
    assert [run.digits_params(h) for h in (1, 12, 32)] == [75 * h + 10 for h in (1, 12, 32)]


@pytest.mark.slow
def test_digits_live_unsolved():
    acc, n = run.digits_run(2, "relu", 0.1, 5, 0)  # two hidden neurons cannot tell ten digits apart
    assert n == run.digits_params(2) and acc < run.DIGITS_TARGET and not run.digits_verdict(acc, n).solved


# ----- the page ------------------------------------------------------------------------------------------------
def status(at) -> str:
    return next(c.value for c in at.sidebar.caption if c.value.startswith("Challenges solved"))


@pytest.mark.slow
def test_page_counts_and_links_solved_challenges():
    at = open_page("challenges.py", timeout=120)
    assert not at.exception, at.exception
    assert status(at) == "Challenges solved on this page: 0 of 6"
    assert not at.success
    for k, (t, i, j) in {"w1_00": ("W1", 0, 0), "w1_01": ("W1", 0, 1), "w1_10": ("W1", 1, 0), "w1_11": ("W1", 1, 1),
                         "b1_0": ("b1", 0, 0), "b1_1": ("b1", 0, 1), "w2_0": ("W2", 0, 0), "w2_1": ("W2", 1, 0),
                         "b2": ("b2", 0, 0)}.items():  # fmt: skip
        at.session_state[k] = float(ZERO[t][i, j])
    at.session_state["net_source"] = "manual"
    at.slider(key="ch_fw_w").set_value(2).run()
    assert not at.exception, at.exception
    assert status(at) == "Challenges solved on this page: 2 of 6"
    words = "\n".join(m.value for m in at.markdown)
    assert "/challenges?net=w%3A0%2C0%2C0%2C0%2C0%2C0%2C0%2C0%2C0" in words  # the flat spot, as a link
    assert "/challenges?ch_fw_w=2&ch_fw_lr=1.0&ch_fw_seed=0" in words


@pytest.mark.slow
def test_a_solved_link_reopens_solved():
    at = open_page("challenges.py", timeout=120, query={"ch_fw_w": "2", "ch_st_init": "Zeros"})
    assert not at.exception, at.exception
    assert at.slider(key="ch_fw_w").value == 2
    assert status(at) == "Challenges solved on this page: 2 of 6"  # fewest neurons, and stuck by symmetry
