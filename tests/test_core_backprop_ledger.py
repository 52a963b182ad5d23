"""core.backprop_ledger: the notes' backward pass as a ledger, per-example terms, words, one step."""

import numpy as np
import pytest

from core import backprop_ledger as bl
from core.activations import sigmoid
from core.data import X, notes_network, y
from core.gradcheck import flat_grads
from core.mlp import MLP

pytestmark = pytest.mark.filterwarnings("error")


@pytest.fixture(scope="module")
def notes():
    return notes_network()


def test_ledger_is_the_notes_backward_pass(notes):
    led = bl.ledger(notes, X, y, "bce")
    W1, b1, W2, b2 = notes.W[0], notes.b[0], notes.W[1], notes.b[1]
    # the notes' code, line by line
    a1 = sigmoid(X @ W1 + b1)
    a2 = sigmoid(a1 @ W2 + b2)
    dz2 = a2 - y
    dW2 = (a1.T @ dz2) / len(X)
    db2 = np.sum(dz2, axis=0, keepdims=True) / len(X)
    dz1 = (dz2 @ W2.T) * a1 * (1 - a1)
    dW1 = (X.T @ dz1) / len(X)
    db1 = np.sum(dz1, axis=0, keepdims=True) / len(X)
    for got, want in [
        (led.a1, a1),
        (led.a2, a2),
        (led.dz2, dz2),
        (led.dW2, dW2),
        (led.db2, db2),
        (led.dz1, dz1),
        (led.dW1, dW1),
        (led.db1, db1),
    ]:
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)
    # and it is literally MLP.backward's output
    g = notes.gradients(X, y, "bce")
    for got, want in [(led.dz2, g.dz[2]), (led.dW2, g.dW[2]), (led.dz1, g.dz[1]), (led.dW1, g.dW[1])]:
        np.testing.assert_array_equal(got, want)
    assert led.dz2.shape == (4, 1) and led.dW2.shape == (2, 1) and led.db2.shape == (1, 1)
    assert led.dz1.shape == (4, 2) and led.dW1.shape == (2, 2) and led.db1.shape == (1, 2)
    np.testing.assert_allclose(led.back * led.fp1, led.dz1, rtol=1e-12)
    np.testing.assert_allclose(led.fp1, a1 * (1 - a1), rtol=1e-12)
    assert led.is_finite()


def test_per_example_terms_sum_to_the_gradients(notes):
    for loss in ("bce", "mse"):
        led = bl.ledger(notes, X, y, loss)
        np.testing.assert_allclose(led.dW2_terms.sum(axis=0), led.dW2[:, 0], rtol=1e-12)
        np.testing.assert_allclose(led.db2_terms.sum(axis=0), led.db2[0], rtol=1e-12)
        np.testing.assert_allclose(led.dW1_terms.sum(axis=0), led.dW1, rtol=1e-12)
        np.testing.assert_allclose(led.db1_terms.sum(axis=0), led.db1[0], rtol=1e-12)
        # row n is input n's share: a1[n]ᵀ dz2[n] / N
        n = 2
        np.testing.assert_allclose(led.dW2_terms[n], led.a1[n] * led.dz2[n, 0] / 4, rtol=1e-12)
        np.testing.assert_allclose(led.dW1_terms[n], np.outer(X[n], led.dz1[n]) / 4, rtol=1e-12)
    # an input of 0 adds nothing to its row of dW1: [0 0] adds nothing at all
    assert np.all(bl.ledger(notes, X, y).dW1_terms[0] == 0)


def test_mse_multiplies_dz2_by_sigma_prime(notes):
    c = bl.compare_losses(notes, X, y)
    a2 = notes.predict(X)
    np.testing.assert_allclose(c.dz2_bce, a2 - y, rtol=1e-12)
    np.testing.assert_allclose(c.sp2, a2 * (1 - a2), rtol=1e-12)
    np.testing.assert_allclose(c.dz2_mse, c.dz2_bce * c.sp2, rtol=1e-12)
    np.testing.assert_allclose(c.ratio, c.sp2, rtol=1e-12)
    assert np.all(c.sp2 <= 0.25)
    np.testing.assert_allclose(bl.ledger(notes, X, y, "mse").dz2, c.dz2_mse, rtol=1e-12)


def test_no_off_neuron_example_when_every_neuron_is_half_on():
    assert bl.off_neuron_example(bl.ledger(bl.zero_network(), X, y)) is None


def test_ratio_is_nan_only_where_the_error_is_exactly_zero():
    net = MLP([np.zeros((2, 2)), np.zeros((2, 1))], [np.zeros((1, 2)), np.zeros((1, 1))])
    yy = np.array([[0.5], [1.0], [0.0], [0.5]])  # output 0.5 everywhere: rows 0 and 3 are exact
    c = bl.compare_losses(net, X, yy)
    assert np.isnan(c.ratio[[0, 3], 0]).all() and np.isfinite(c.ratio[[1, 2], 0]).all()


def test_misclassified_reads_the_output_as_core_decision_does():
    assert bl.misclassified(0.7, 0.0) and not bl.misclassified(0.3, 0.0)


def test_notes_one_iteration_example_is_the_all_zero_network():
    z = bl.ledger(bl.zero_network(), X, y)
    np.testing.assert_array_equal(z.a2, np.full((4, 1), 0.5))
    assert z.dz2[2, 0] == -0.5  # input [1 0]: 0.5 − 1.0
    # W2 = 0 passes no error back, and XOR's four errors cancel: every gradient is exactly 0
    for g in (z.dW2, z.db2, z.dz1, z.dW1, z.db1):
        assert np.all(g == 0)


def test_off_neuron_and_saturation_facts_for_the_notes_weights(notes):
    led = bl.ledger(notes, X, y)
    o = bl.off_neuron_example(led)
    assert o is not None
    assert abs(o.a_off) < bl.OFF and abs(o.a_on) >= bl.ON
    assert o.n == 1 and (o.on, o.off) == (0, 1)  # [0 1]: h1 on (0.93), h2 off (0.08), the larger |dz2|
    assert abs(o.share_off) < abs(o.share_on)
    assert o.share_off == led.dW2_terms[o.n, o.off]
    sat = bl.saturated_hidden(led)
    assert sat and all(v < 0.01 * 0.25 for _, _, v in sat)
    assert {(n, j) for n, j, _ in sat} == {tuple(ix) for ix in np.argwhere(led.fp1 < 0.0025)}
    assert bl.biggest_push(led) == int(np.argmax(np.abs(led.dz2)))


def test_gd_step_is_w_minus_lr_times_dw_and_lowers_the_loss_for_a_small_step(notes):
    before = notes.flat()
    rec, new = bl.gd_step(notes, X, y, 0.1)
    np.testing.assert_array_equal(notes.flat(), before)  # the starting network is untouched
    np.testing.assert_allclose(rec.grad, flat_grads(notes, X, y), rtol=1e-12)
    np.testing.assert_allclose(rec.after, before - 0.1 * rec.grad, rtol=1e-12)
    np.testing.assert_array_equal(new.flat(), rec.after)
    assert rec.names == notes.param_names() and len(rec.names) == 9
    assert rec.finite and rec.improved and rec.loss_after < rec.loss_before
    assert rec.loss_after == pytest.approx(new.loss(X, y))


def test_a_huge_step_makes_the_loss_worse(notes):
    rec, _ = bl.gd_step(notes, X, y, 500.0)
    assert rec.finite and not rec.improved and rec.loss_after > rec.loss_before


def test_any_width_and_activation():
    net = MLP.create([2, 3, 1], hidden="relu", seed=3)
    led = bl.ledger(net, X, y, "mse")
    g = net.gradients(X, y, "mse")
    np.testing.assert_array_equal(led.dz1, g.dz[1])
    np.testing.assert_array_equal(led.dW1, g.dW[1])
    np.testing.assert_array_equal(led.fp1, (led.z1 > 0).astype(float))
    assert led.width == 3 and led.dW1_terms.shape == (4, 2, 3)
    np.testing.assert_allclose(led.dW1_terms.sum(axis=0), led.dW1, rtol=1e-12, atol=1e-18)


def test_networks_the_ledger_does_not_explain():
    with pytest.raises(ValueError):
        bl.ledger(MLP.create([2, 2, 2, 1]), X, y)
    with pytest.raises(ValueError):
        bl.ledger(MLP.create([2, 2, 2], output="softmax"), X, np.eye(2)[[0, 1, 1, 0]])
    with pytest.raises(ValueError):
        bl.ledger(notes_network(), X, y, "cce")


def test_helpers_the_page_quotes(notes):
    led = bl.ledger(notes, X, y)
    assert bl.silent_inputs(led) == [0]  # [0 0] adds nothing to dW1
    assert bl.silent_inputs(bl.ledger(bl.zero_network(), X, y)) == [0, 1, 2, 3]
    k = np.argmax(np.abs(led.dW1))
    assert bl.largest_entry(led.dW1) == led.dW1.flat[k] and bl.largest_entry(np.array([-3.0, 2.0])) == -3.0
    assert bl.largest_gradient(led) == max(np.abs(g).max() for g in (led.dW2, led.db2, led.dW1, led.db1))
    assert bl.largest_gradient(bl.ledger(bl.zero_network(), X, y)) == 0
    for step in bl.STEPS:
        assert bl.step_value(led, step) is getattr(led, step)
    with pytest.raises(ValueError):
        bl.step_value(led, "dW9")


def test_comparison_factor_is_the_ratio_or_sigma_prime_where_the_ratio_is_undefined():
    net = MLP([np.zeros((2, 2)), np.zeros((2, 1))], [np.zeros((1, 2)), np.zeros((1, 1))])
    yy = np.array([[0.5], [1.0], [0.0], [0.5]])
    c = bl.compare_losses(net, X, yy)
    assert c.exact == [0, 3]
    np.testing.assert_array_equal(c.factor[[0, 3]], c.sp2[[0, 3]])
    np.testing.assert_array_equal(c.factor[[1, 2]], c.ratio[[1, 2]])
    notes = notes_network()
    c = bl.compare_losses(notes, X, y)
    assert c.exact == [] and c.most_saturated == int(np.argmin(c.sp2[:, 0]))


CHAIN_NETS = {
    "notes": notes_network(),
    "random 2-3-1 tanh": MLP.create([2, 3, 1], hidden="tanh", seed=4),
    "random 2-2-1": MLP.create([2, 2, 1], init="normal", seed=7),
}


@pytest.mark.parametrize("name", list(CHAIN_NETS))
@pytest.mark.parametrize("loss", ["bce", "mse"])
def test_each_parameters_chain_rule_averaged_over_the_inputs_is_cores_gradient(name, loss):
    net = CHAIN_NETS[name]
    led = bl.ledger(net, X, y, loss)
    g = flat_grads(net, X, y, loss)  # MLP.backward, in flat() order
    names = net.param_names()
    for index in range(net.n_params):
        c = bl.parameter_chain(led, index)
        assert c.name == names[index]
        assert c.mean == pytest.approx(g[index], rel=1e-12, abs=1e-15)
        # each input's product is that input's term of the ledger (which sum to the gradient)
        per_input = {"dW1": led.dW1_terms, "db1": led.db1_terms, "dW2": led.dW2_terms, "db2": led.db2_terms}[c.grad]
        terms = per_input[:, c.at[0], c.at[1]] if c.grad == "dW1" else per_input[:, c.at[1 if c.grad == "db1" else 0]]
        np.testing.assert_allclose(c.product / led.N, terms, rtol=1e-12, atol=1e-16)
        # the product is the factors multiplied, and dz2 its parts multiplied
        np.testing.assert_array_equal(c.product, np.prod([c.values[k] for k in c.factors], axis=0))
        np.testing.assert_allclose(np.prod([c.values[k] for k in c.dz2_parts], axis=0), led.dz2[:, 0], rtol=1e-15)
        assert c.factors[0] == ("dz2", None)


def test_a_chain_index_out_of_range_is_refused(notes):
    led = bl.ledger(notes, X, y)
    with pytest.raises(ValueError):
        bl.parameter_chain(led, 9)
