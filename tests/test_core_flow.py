"""core.flow: gradient-flow numbers against a direct backward pass, initialiser variances, diagnoses."""

from __future__ import annotations

import math

import numpy as np
import pytest

from core.activations import ACTIVATIONS, SATURATED
from core.flow import (
    FLOW_ACTIVATIONS,
    INIT_CHOICES,
    PRESETS,
    batch,
    deep_network,
    derivative_powers,
    gradient_flow,
    histogram,
    log10_safe,
    matching_preset,
    safe_norm,
    saturation_intervals,
    train_deep,
)
from core.init import init_weight
from core.mlp import MLP

pytestmark = pytest.mark.filterwarnings("error")


@pytest.mark.parametrize("hidden", FLOW_ACTIVATIONS)
@pytest.mark.parametrize("data", ["xor", "gauss"])
def test_flow_numbers_equal_a_direct_backward_pass(hidden, data):
    net = deep_network(6, 16, hidden, "xavier_normal", seed=3)
    X, y = batch(data, seed=3)
    r = gradient_flow(net, X, y)

    fwd = net.forward(X)
    g = net.backward(fwd, y)
    L = net.n_layers
    dW = np.array([np.linalg.norm(g.dW[l]) for l in range(1, L + 1)])
    dz = np.array([np.linalg.norm(g.dz[l]) for l in range(1, L + 1)])
    np.testing.assert_allclose(r.dW_norm, dW, rtol=1e-12)
    np.testing.assert_allclose(r.dz_norm, dz, rtol=1e-12)
    assert r.ratio_dW == pytest.approx(dW[0] / dW[-1], rel=1e-12)
    assert r.ratio_dz == pytest.approx(dz[0] / dz[-1], rel=1e-12)
    consecutive = dz[:-1] / dz[1:]
    np.testing.assert_allclose(r.dz_factors, consecutive, rtol=1e-12)
    # the geometric mean of consecutive ratios telescopes to the first-to-last ratio
    assert r.factor == pytest.approx(math.prod(consecutive) ** (1 / (L - 1)), rel=1e-10)
    assert r.factor == pytest.approx((dz[0] / dz[-1]) ** (1 / (L - 1)), rel=1e-10)
    assert r.loss == pytest.approx(net.loss(X, y), rel=1e-12)

    act = ACTIVATIONS[hidden]
    for l in range(1, L):
        d = act.df(fwd.z[l], fwd.a[l])
        assert r.saturated[l - 1] == pytest.approx(np.mean(d < SATURATED * act.peak))
        assert r.dead[l - 1] == pytest.approx(np.mean(np.all(fwd.a[l] == 0, axis=0)))
        assert r.mean_dact[l - 1] == pytest.approx(np.mean(d))
        assert r.act_hist[l - 1].total == fwd.a[l].size
        assert r.dact_hist[l - 1].total == d.size
        assert r.act_std[l - 1] == pytest.approx(np.std(fwd.a[l]), rel=1e-9)
    for l in range(1, L + 1):
        assert r.weight_hist[l - 1].total == net.W[l - 1].size
        assert r.weight_std[l - 1] == pytest.approx(np.std(net.W[l - 1]), rel=1e-9)


def _expected_std(key: str, fan_in: int, fan_out: int) -> tuple[float, float | None]:
    """PyTorch's torch.nn.init formulas, written out independently: (std, uniform bound or None)."""
    if key == "normal_1":
        return 1.0, None
    if key == "normal_001":
        return 0.01, None
    if key == "xavier_uniform":
        a = math.sqrt(6.0 / (fan_in + fan_out))  # gain 1
        return a / math.sqrt(3.0), a
    if key == "xavier_normal":
        return math.sqrt(2.0 / (fan_in + fan_out)), None
    if key == "he_normal":  # kaiming_normal_(mode="fan_in", nonlinearity="relu")
        return math.sqrt(2.0) / math.sqrt(fan_in), None
    if key == "he_uniform":  # kaiming_uniform_(mode="fan_in", nonlinearity="relu"): bound √(6/fan_in)
        b = math.sqrt(6.0 / fan_in)
        return b / math.sqrt(3.0), b
    if key == "lecun_normal":
        return 1.0 / math.sqrt(fan_in), None
    raise AssertionError(key)


@pytest.mark.parametrize("key", list(INIT_CHOICES))
def test_initialiser_variances_match_pytorch_formulas(key):
    # fan_in ≠ fan_out, so mixing up the two would show. Our W is (n_in, n_out); PyTorch's is (out, in).
    fan_in, fan_out = 300, 700
    name, sigma = INIT_CHOICES[key]
    w = init_weight(name, fan_in, fan_out, np.random.default_rng(0), sigma=sigma)
    std, bound = _expected_std(key, fan_in, fan_out)
    assert w.shape == (fan_in, fan_out)
    assert np.std(w) == pytest.approx(std, rel=0.02)
    assert abs(np.mean(w)) < 0.01 * std
    if bound is not None:
        assert np.max(np.abs(w)) <= bound
        assert np.max(np.abs(w)) > 0.99 * bound


def test_deep_network_uses_the_chosen_initialiser_for_every_layer():
    net = deep_network(3, 200, "relu", "he_normal", seed=1)
    assert net.sizes == [2, 200, 200, 200, 1]
    assert np.std(net.W[1]) == pytest.approx(math.sqrt(2 / 200), rel=0.02)
    small = deep_network(2, 200, "tanh", "normal_001", seed=1)
    assert np.std(small.W[1]) == pytest.approx(0.01, rel=0.02)
    with pytest.raises(ValueError):
        deep_network(2, 4, "relu", "nope", 0)
    with pytest.raises(ValueError):
        batch("nope")


def _flow(depth, width, act, init, data="xor", seed=0):
    return gradient_flow(deep_network(depth, width, act, init, seed), *batch(data, seed))


@pytest.mark.parametrize("data", ["xor", "gauss"])
@pytest.mark.parametrize("seed", [0, 1])
def test_literature_numbers(data, seed):
    sig = _flow(20, 64, "sigmoid", "xavier_uniform", data, seed)
    assert 0.1 < sig.factor < 0.4
    assert sig.diagnosis.kind == "vanishing"
    relu = _flow(20, 64, "relu", "he_normal", data, seed)
    assert 0.7 < relu.factor < 1.4
    assert relu.diagnosis.kind == "healthy"
    tanh = _flow(20, 64, "tanh", "normal_1", data, seed)
    assert tanh.factor > 1.5
    assert tanh.diagnosis.kind == "exploding"


def test_tiny_weights_vanish_even_where_the_weight_gradient_ratio_is_near_one():
    r = _flow(20, 64, "tanh", "normal_001")
    assert r.diagnosis.kind == "vanishing"
    assert 0.01 < r.ratio_dW < 100  # the ratio alone would look harmless ...
    assert np.max(r.dW_norm) < 1e-20  # ... the absolute norms are not


def test_30_by_128_relu_normal_is_huge_but_finite_and_exploding():
    r = _flow(30, 128, "relu", "normal_1")
    assert r.overflow is None
    assert np.all(np.isfinite(r.dW_norm)) and np.all(np.isfinite(r.dz_norm))
    assert np.max(r.dz_norm) > 1e14
    assert r.diagnosis.kind == "exploding"
    assert r.diagnosis.reason == "grows"
    assert np.all(np.isfinite(log10_safe(r.dz_norm)))


def test_overflow_is_reported_not_raised():
    net = deep_network(3, 8, "relu", "normal_1", seed=0)
    net.W[1] *= 1e200
    net.W[2] *= 1e200
    r = gradient_flow(net, *batch("xor"))
    assert r.overflow is not None and r.overflow.direction in ("forward", "backward")
    assert r.diagnosis.reason == "overflow"
    assert r.diagnosis.kind == "exploding"
    assert not np.all(np.isfinite(r.dW_norm))
    assert np.all(np.isnan(log10_safe(r.dW_norm)) | np.isfinite(log10_safe(r.dW_norm)))
    for h in r.act_hist + r.dact_hist + r.weight_hist:
        assert np.all(np.isfinite(h.edges))
    assert sum(h.dropped for h in r.act_hist) > 0


def test_dead_relu_layer_is_diagnosed_dead():
    net = deep_network(4, 16, "relu", "he_normal", seed=0)
    net.b[1][:] = -100.0  # layer 2 is 0 for every example
    r = gradient_flow(net, *batch("xor"))
    assert r.dead[1] == 1.0
    assert r.diagnosis.kind == "dead"
    assert r.dz_norm[0] == 0.0 and r.factor == 0.0


def test_saturated_sigmoid():
    net = deep_network(2, 32, "sigmoid", "normal_1", seed=0)
    for l in range(2):
        net.W[l] *= 30.0  # |z| in the tens: σ'(z) tiny for almost every unit
    r = gradient_flow(net, *batch("gauss"))
    assert np.mean(r.saturated) > 0.5
    assert r.diagnosis.kind in ("saturated", "vanishing")
    assert r.diagnosis.reason == "saturated" and r.diagnosis.saturated > 0.5


def test_one_hidden_layer_has_one_ratio():
    r = _flow(1, 4, "sigmoid", "xavier_uniform")
    assert r.n_layers == 2 and r.dz_factors.shape == (1,)
    assert r.factor == pytest.approx(r.ratio_dz)


def test_helpers():
    assert safe_norm(np.array([3e200, 4e200])) == pytest.approx(5e200)
    assert safe_norm(np.zeros(3)) == 0.0
    assert safe_norm(np.array([1.0, np.inf])) == math.inf
    h = histogram(np.array([1.0, 1.0, np.nan, np.inf]))
    assert h.total == 2 and h.dropped == 2 and np.all(np.isfinite(h.edges))
    h = histogram(np.array([0.0, 0.25, 0.1]), 0.0, 0.25, bins=5)
    assert list(h.counts) == [1, 0, 1, 0, 1]
    np.testing.assert_array_equal(np.isnan(log10_safe(np.array([0.0, -1.0, 10.0, np.inf]))), [1, 1, 0, 1])


def test_saturation_intervals_and_powers():
    sig = saturation_intervals("sigmoid")
    # σ'(z) = 0.0025 ⇔ σ(z) = (1 + √0.99)/2, z = log(σ / (1 − σ))
    s = (1 + math.sqrt(1 - 4 * 0.0025)) / 2
    edge = math.log(s / (1 - s))
    assert len(sig) == 2
    assert sig[0][1] == pytest.approx(-edge, abs=1e-9) and sig[1][0] == pytest.approx(edge, abs=1e-9)
    t = (1 - 0.01) ** 0.5  # tanh'(z) = 0.01 ⇔ tanh z = √0.99
    assert saturation_intervals("tanh")[1][0] == pytest.approx(math.atanh(t), abs=1e-9)
    assert saturation_intervals("relu") == [(-8.0, pytest.approx(0.0, abs=1e-9))]
    assert saturation_intervals("leaky_relu") == []

    rows = {d.name: d for d in derivative_powers(0.0, 10)}
    assert rows["sigmoid"].slope == 0.25 and rows["sigmoid"].through_n == 0.25**10
    assert rows["tanh"].through_n == 1.0
    neg = {d.name: d for d in derivative_powers(-3.0, 200)}
    assert neg["relu"].through_n == 0.0 and neg["relu"].saturated
    assert neg["leaky_relu"].through_n == 0.0  # 0.01^200 underflows quietly, no warning
    assert not neg["leaky_relu"].saturated


def test_presets_match_themselves():
    for key, cfg in PRESETS.items():
        assert matching_preset(**cfg) == key
        assert cfg["init"] in INIT_CHOICES and cfg["act"] in FLOW_ACTIVATIONS
    assert matching_preset(3, 3, "relu", "he_normal") is None


def test_train_deep_matches_core_train_and_keeps_curves_finite():
    from core.train import train

    r = train_deep(4, 8, "tanh", "xavier_normal", lr=0.1, epochs=300, seed=0)
    h = train(deep_network(4, 8, "tanh", "xavier_normal", 0), *batch("xor"), lr=0.1, epochs=300)
    assert r.final_loss == pytest.approx(h.loss[-1])
    assert r.epochs[0] == 0 and r.epochs[-1] == 300
    np.testing.assert_allclose(r.loss, h.loss[r.epochs])
    blown = train_deep(6, 64, "relu", "normal_1", lr=1.0, epochs=200, seed=0)
    assert blown.divergence is not None
    assert np.all(np.isfinite(blown.loss)) and blown.epochs[-1] <= blown.epochs_run
    assert not blown.solved


def test_flow_works_for_any_mlp():
    net = MLP.create([2, 5, 5, 1], hidden="linear", init="xavier_uniform", seed=0)
    r = gradient_flow(net, *batch("xor"))
    assert r.diagnosis.kind in ("healthy", "vanishing", "exploding")


# ----- the mean-field estimate (issue 16: derived on the page, not quoted from a paper) -------------
def test_mean_field_matches_closed_forms():
    from core.flow import mean_field

    # ReLU: E[ReLU'(z)²] = 1/2 for any Gaussian z, so χ₁ = σ_w²/2 — He's 2/fan_in gives exactly 1
    for s2 in (0.5, 2.0, 128.0):
        assert mean_field("relu", s2).chi1 == pytest.approx(s2 / 2, rel=1e-9)
    assert mean_field("linear", 3.0).chi1 == pytest.approx(3.0, rel=1e-12)
    # tanh with σ_w² < 1: z shrinks to 0 (q* = 0), where tanh' = 1, so χ₁ = σ_w²
    assert mean_field("tanh", 0.0064).chi1 == pytest.approx(0.0064, rel=1e-9)


def test_mean_field_matches_monte_carlo_for_sigmoid_and_tanh():
    """An independent check: iterate q with plain Monte Carlo samples, then average f'² the same way."""
    from core.activations import get_activation
    from core.flow import mean_field

    u = np.random.default_rng(0).standard_normal(400_000)
    for hidden, s2 in (("sigmoid", 1.0), ("tanh", 64.0), ("sigmoid", 16.0)):
        act = get_activation(hidden)
        q = 1.0
        for _ in range(40):  # both fixed points attract fast: 40 layers settle q to far below the tolerance
            q = s2 * np.mean(act.f(np.sqrt(q) * u) ** 2)
        z = np.sqrt(q) * u
        chi1 = s2 * np.mean(act.df(z, act.f(z)) ** 2)
        m = mean_field(hidden, s2)
        assert m.q == pytest.approx(q, rel=1e-2) and m.chi1 == pytest.approx(chi1, rel=2e-2), hidden


@pytest.mark.parametrize("key", list(PRESETS))
def test_mean_field_estimate_is_close_to_the_measured_factor_on_random_inputs(key):
    from core.flow import mean_field, weight_scale

    p = PRESETS[key]
    est = mean_field(p["act"], weight_scale(p["init"], p["width"]))
    for seed in (0, 1):
        r = _flow(p["depth"], p["width"], p["act"], p["init"], "gauss", seed)
        assert r.factor == pytest.approx(est.factor, rel=0.15)


def test_weight_scale_is_fan_in_times_the_variance_init_draws_with():
    from core.flow import deep_network, weight_scale

    net = deep_network(3, 400, "relu", "he_normal", seed=0)
    assert weight_scale("he_normal", 400) == pytest.approx(2.0)
    assert 400 * np.var(net.W[1]) == pytest.approx(weight_scale("he_normal", 400), rel=0.02)
    assert weight_scale("xavier_uniform", 64) == pytest.approx(1.0)
    assert weight_scale("normal_1", 64) == pytest.approx(64.0)


def test_zero_input_factor_only_when_f_of_zero_is_zero():
    from core.flow import zero_input_factor

    assert zero_input_factor("sigmoid", 1.0) is None  # σ(0) = 0.5: the next layer's z is not 0
    assert zero_input_factor("tanh", 64.0) == pytest.approx(8.0)  # tanh'(0) = 1
    assert zero_input_factor("relu", 2.0) == 0.0  # ReLU'(0) = 0: the (0, 0) example passes nothing back
    # the XOR input (0, 0) really does keep z = 0 in every tanh layer, and its gradient grows by √σ_w² per layer
    net = deep_network(6, 64, "tanh", "normal_1", 0)
    X, y = batch("xor")
    fwd = net.forward(X)
    assert all(np.all(fwd.z[l][0] == 0) for l in range(1, 7))


def test_healthy_verdict_with_dead_units_says_how_many():
    from core.flow import DEAD_SHARE

    r = _flow(20, 64, "relu", "he_normal")
    dead = float(np.mean(r.dead))
    assert r.diagnosis.kind == "healthy" and r.diagnosis.reason == "some_dead" and 0 < dead < DEAD_SHARE
    assert r.diagnosis.dead == dead and r.n_examples == 4
    tanh = _flow(20, 64, "tanh", "xavier_uniform", "gauss")
    assert tanh.diagnosis.reason != "some_dead" and tanh.diagnosis.dead == 0
    dead_net = deep_network(4, 16, "relu", "he_normal", seed=0)
    dead_net.b[1][:] = -100.0
    d = gradient_flow(dead_net, *batch("gauss"))
    assert d.diagnosis.kind == "dead" and d.diagnosis.reason == "dead_layer" and d.diagnosis.dead_layer == 2
