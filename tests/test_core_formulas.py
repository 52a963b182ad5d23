"""core.formulas (the displayed formulas, evaluated by NumPy) and core.notes_audit (the notes'
backward pass checked against the code)."""

import numpy as np
import pytest

from core import backprop_ledger as bl
from core import formulas as F
from core import notes_audit as na
from core.activations import get_activation
from core.data import X, notes_network, y
from core.losses import single_example_losses
from core.mlp import MLP

NETS = [
    notes_network(),
    MLP.create([2, 2, 1], seed=3),
    MLP.create([2, 1, 1], hidden="tanh", seed=1),
    MLP.create([2, 3, 1], hidden="relu", init="he_normal", seed=2),
    MLP.create([2, 4, 1], hidden="leaky_relu", seed=5),
    MLP.create([2, 3, 1], hidden="linear", seed=6),
]


@pytest.mark.parametrize("net", NETS, ids=lambda n: f"{n.hidden}-{n.sizes[1]}")
@pytest.mark.parametrize("loss", ["bce", "mse"])
def test_every_backward_formula_evaluates_to_what_the_network_runs(net, loss):
    env = F.environment(net, X, y, loss)
    g = net.gradients(X, y, loss)
    want = {"dz2": g.dz[2], "dW2": g.dW[2], "db2": g.db[2], "dz1": g.dz[1], "dW1": g.dW[1], "db1": g.db[1]}
    formulas = dict(F.BACKWARD, dz2=F.BACKWARD["dz2"] if loss == "bce" else F.DZ2_MSE)
    for name, expr in formulas.items():
        got = F.evaluate(expr, env)
        assert got.shape == want[name].shape, name
        np.testing.assert_allclose(got, want[name], rtol=1e-12, atol=1e-15, err_msg=name)
        assert F.is_shape_valid(expr, env)
    # dW1 with dz1 written out, underbraces and all, is dW1
    np.testing.assert_allclose(F.evaluate(F.DW1_CHAIN, env), g.dW[1], rtol=1e-12, atol=1e-15)
    # the forward pass too
    fwd = net.forward(X)
    for name, expr in F.FORWARD.items():
        np.testing.assert_allclose(F.evaluate(expr, env), fwd.z[1] if name == "z1" else env[name], rtol=1e-12)


@pytest.mark.parametrize("width", [2, 3])
def test_grouping_the_chain_the_other_way_is_not_shape_valid(width):
    net = MLP.create([2, width, 1], seed=0)
    env = F.environment(net, X, y)
    assert not F.is_shape_valid(F.DW1_MISGROUPED, env)
    with pytest.raises(F.ShapeError) as err:
        F.evaluate(F.DW1_MISGROUPED, env)
    last = err.value.steps[-1]
    assert (last.text, last.left, last.right, last.result) == ("dz2 @ (W2ᵀ ⊙ f'(z1))", (4, 1), (4, width), None)
    assert "4×1 @ 4×" in str(err.value) and "undefined" in str(err.value)
    # the page's grouping, step by step, with the shapes NumPy meets
    steps = F.shape_steps(F.DW1_CHAIN, env)
    assert [(s.op, s.left, s.right, s.result) for s in steps] == [
        ("@", (4, 1), (1, width), (4, width)),
        ("⊙", (4, width), (4, width), (4, width)),
        ("@", (2, 4), (4, width), (2, width)),
        ("/", (2, width), (), (2, width)),
    ]
    assert F.shapes_line(F.DW1_CHAIN, env).startswith(f"dz2 @ W2ᵀ: 4×1 @ 1×{width} → 4×{width}; ")
    assert "undefined" in F.shapes_line(F.DW1_MISGROUPED, env)


def test_render_shows_every_grouping_that_matters():
    r = F.render
    assert r(F.BACKWARD["dz1"]) == "(dz2 @ W2ᵀ) ⊙ f'(z1)"
    assert r(F.DW1_CHAIN) == "Xᵀ @ ((dz2 @ W2ᵀ) ⊙ f'(z1)) / N"
    assert r(F.DW1_MISGROUPED) == "Xᵀ @ (dz2 @ (W2ᵀ ⊙ f'(z1))) / N"
    assert r(F.FORWARD["z1"]) == "X @ W1 + b1"  # products before sums: no brackets needed
    assert r("(a - b) * c") == "(a − b) ⊙ c" and r("a - (b - c)") == "a − (b − c)" and r("A @ (B @ C)") == "A @ (B @ C)"
    assert r("(A - B).T") == "(A − B)ᵀ" and r("rowsum(dz1) / N") == "Σₙ dz1[n] / N"
    tex = r(F.DW1_CHAIN, tex=True)
    assert tex.startswith(
        r"\underbrace{X^{\top}}_{\text{local}} \mathbin{@} \Big(\big(\underbrace{dz_2}_{\text{output}} \mathbin{@} "
    )
    assert tex.endswith(r"\big) \odot \underbrace{f'(z_1)}_{\text{hidden}}\Big) / N")
    assert r(F.BACKWARD["dz1"], tex=True) == r"\big(dz_2 \mathbin{@} W_2^{\top}\big) \odot f'(z_1)"


def test_the_evaluator_only_runs_formulas():
    env = F.environment(notes_network(), X, y)
    for bad in ("__import__('os')", "X.shape", "dz2[0]", "lambda: 1", "X ** 2", "open('x')", "brace(X)"):
        with pytest.raises(ValueError):
            F.evaluate(bad, env)
        with pytest.raises((ValueError, IndexError)):
            F.render(bad)
    with pytest.raises(ValueError, match="unknown name"):
        F.evaluate("unknown + 1", env)


def test_the_notes_backward_pass_audited_on_their_network():
    checks = na.audit(notes_network(), X, y)
    verdicts = {k: c.verdict for k, c in checks.items()}
    assert verdicts == {
        "dz2": "right",
        "dW2": "right",
        "db2": "right",
        "dz1": "right",
        "dW1": "right",
        "db1": "right",
        "dW2_full": "without 1/N",
        "dW1_step4": "transposed, without 1/N",
        "dW1_summary": "without 1/N",
        "dz1_summary": "right",
        "dW2_summary": "without 1/N",
    }
    # every shape comment of the notes' code holds for their 2-2-1 network on 4 inputs
    assert all(c.claimed_ok for c in checks.values() if c.claimed_ok is not None)
    assert [k for k, c in checks.items() if c.claimed_ok is not None] == ["dz2", "dW2", "dz1", "dW1"]
    # Step 4's slip has the right shape (no shape check catches it) and is dW1 transposed, N times
    step4 = checks["dW1_step4"]
    assert not step4.shape_differs and step4.transposed and step4.times_n
    np.testing.assert_allclose(step4.notes_value, 4 * step4.code_value.T, rtol=1e-12)
    assert not np.allclose(step4.notes_value / 4, step4.code_value)  # the notes' dW1 is not symmetric
    full = checks["dW2_full"]
    np.testing.assert_allclose(full.notes_value, full.N * full.code_value, rtol=1e-12)


@pytest.mark.parametrize("net", NETS[1:], ids=lambda n: f"{n.hidden}-{n.sizes[1]}")
def test_the_step4_slip_is_always_the_transpose(net):
    notes, code = na.transpose_slip(net, X, y)
    np.testing.assert_allclose(notes, code.T, rtol=1e-12, atol=1e-18)
    check = na.audit(net, X, y)["dW1_step4"]
    assert check.shape_differs == (net.sizes[1] != 2)  # with h ≠ 2 even the shapes disagree
    assert check.verdict in ("transposed, without 1/N", "right")
    assert ("dz1" in na.audit(net, X, y)) == (net.hidden == "sigmoid")  # the notes' σ' only for sigmoid


def test_a_zero_network_cannot_show_any_slip():
    checks = na.audit(bl.zero_network(), X, y)
    assert all(c.verdict == "right" for c in checks.values())
    assert checks["dW1_step4"].zero and checks["dW2_full"].zero


@pytest.mark.parametrize("net", NETS, ids=lambda n: f"{n.hidden}-{n.sizes[1]}")
def test_updating_w2_before_passing_the_error_back_changes_dw1(net):
    lr = 0.7
    o = na.update_order(net, X, y, lr)
    g = net.gradients(X, y)
    np.testing.assert_array_equal(o.dW1, g.dW[1])
    # independently: dz1 from the updated W2 is linear in W2, so the bug adds −lr·Xᵀ((dz2 dW2ᵀ) ⊙ f'(z1))/N
    fwd = net.forward(X)
    f1 = get_activation(net.hidden).df(fwd.z[1], fwd.a[1])
    shift = -lr * X.T @ ((g.dz[2] @ g.dW[2].T) * f1) / 4
    np.testing.assert_allclose(o.dW1_w2_first, g.dW[1] + shift, rtol=1e-9, atol=1e-15)
    assert o.gap == pytest.approx(float(np.max(np.abs(shift))), rel=1e-6, abs=1e-15)
    assert na.update_order(net, X, y, 0.0).gap == 0


def test_the_notes_untrained_start_read_two_ways():
    like = notes_network()
    small = na.check_start(na.small_random_network(like), X, y, **na.START_TRAINING)
    assert np.all(np.abs(small.a2 - 0.5) < 0.1)  # small random weights: outputs near 0.5
    assert small.largest_gradient > 0 and small.gradient_twin_gap > 0  # hidden neurons start different
    assert small.loss_after < small.loss_before and small.loss_after < 0.1  # and they train
    zero = na.check_start(bl.zero_network(like), X, y, **na.START_TRAINING)
    assert np.all(zero.a2 == 0.5) and zero.largest_gradient == 0  # exactly 0.5, and stuck
    assert zero.loss_after == zero.loss_before == pytest.approx(np.log(2), abs=1e-15)
    twin = na.check_start(na.twin_network(like), X, y, **na.START_TRAINING)
    assert twin.largest_gradient > 0 and twin.gradient_twin_gap < 1e-12  # moving, but as twins
    assert twin.twin_gap_after < 1e-9  # still twins after training
    assert twin.accuracy_after <= 0.75  # two identical hidden neurons are one neuron: never 4 of 4
    assert na.twin_gap(like.W[0], like.b[0], like.W[1]) > 1  # the notes' two hidden neurons differ


def test_single_example_losses_punish_confident_mistakes():
    a = np.array([0.99, 0.5, 0.01])
    got = single_example_losses(a, 1.0)
    np.testing.assert_allclose(got["bce"], -np.log(a), rtol=1e-12)
    np.testing.assert_allclose(got["mse"], 0.5 * (1 - a) ** 2, rtol=1e-12)
    assert got["bce"][1] == pytest.approx(np.log(2), abs=1e-15)
    assert got["bce"][2] > 9 * got["mse"][2]  # the confident mistake: BCE unbounded, MSE below ½
    zero = single_example_losses(np.array([0.2]), 0.0)
    np.testing.assert_allclose(zero["bce"], -np.log(0.8), rtol=1e-12)


def test_the_audit_follows_the_loss_the_page_uses():
    """Under MSE the notes' dz2 = a2 − y does not apply; every other line is checked with MSE's dz2."""
    net = notes_network()
    checks = na.audit(net, X, y, "mse")
    assert "dz2" not in checks and checks["dW2"].verdict == "right" and checks["dW2_full"].verdict == "without 1/N"
    np.testing.assert_allclose(checks["dW2"].code_value, net.gradients(X, y, "mse").dW[2], rtol=1e-12)
    notes, code = na.transpose_slip(net, X, y, "mse")
    np.testing.assert_allclose(code, net.gradients(X, y, "mse").dW[1], rtol=1e-12)
    np.testing.assert_allclose(notes, code.T, rtol=1e-12)
