"""Issue 16 §4: the four places that offer an initialiser all show the one explanation (app.initialisers),
with the chosen initialiser marked and the formulas core.init draws with; every stated formula is the one
the code draws with."""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import open_page

from app.initialisers import INIT_INFO, guide, sigmoid_ceiling, zero_init_effect
from app.names import ACTIVATION_NAMES, INITIALISER_NAMES
from core.activations import ACTIVATIONS
from core.flow import INIT_CHOICES
from core.init import INITIALISERS, init_std, init_weight, zero_init_starves


def shown_guide(at) -> str:
    return next(m.value for m in at.markdown if m.value.startswith(guide([])[:40]))


@pytest.mark.parametrize(
    "page, query, chosen, offered",
    [
        # the sidebar's random network (here on Forward pass), from a shared link
        ("forward_pass.py", {"net": "random-7-he_normal"}, "he_normal", list(INITIALISERS)),
        ("training.py", {"tr_epochs": "100", "tr_init": INITIALISER_NAMES["lecun_normal"]}, "lecun_normal", None),
        (
            "vanishing_gradient.py",
            {"vg_tr_epochs": "500", "vg_init": INITIALISER_NAMES["he_uniform"]},
            "he_uniform",
            sorted({name for name, _ in INIT_CHOICES.values()}),
        ),
        ("digits.py", {"dg_epochs": "1", "dg_init": INITIALISER_NAMES["xavier_normal"]}, "xavier_normal", None),
    ],
)
def test_every_initialiser_control_has_the_one_explanation(page, query, chosen, offered):
    at = open_page(page, timeout=180, query=query)
    assert not at.exception
    text = shown_guide(at)
    assert text == guide(offered, chosen)  # the same words everywhere, from one helper
    assert (
        f"**{INITIALISER_NAMES[chosen]}** (chosen): {INIT_INFO[chosen].draw}; Var(W) = {INIT_INFO[chosen].variance}"
        in text
    )
    assert "No initialiser lifts the sigmoid's ceiling: σ'(z) ≤ 0.25" in text
    assert sum(m.value == text for m in at.markdown) == 1  # one explanation per page, not one per control


def test_the_guide_states_pytorchs_formulas():
    text = guide()
    for formula in ("Var(W) = 2/(fan_in + fan_out)", "Var(W) = 2/fan_in", "Var(W) = 1/fan_in", "Var(W) = σ²"):
        assert formula in text
    assert "√(6/(fan_in + fan_out))" in text and "√(6/fan_in)" in text
    assert "Glorot & Bengio 2010" in text and "He et al. 2015" in text


# ----- the words say what core.init draws ------------------------------------------------------------
# the variance formulas as the page writes them, evaluated independently of core.init
FORMULAS = {
    "0": lambda fi, fo, sigma, limit: 0.0,
    "σ²": lambda fi, fo, sigma, limit: sigma**2,
    "limit²/3": lambda fi, fo, sigma, limit: limit**2 / 3,
    "2/(fan_in + fan_out)": lambda fi, fo, sigma, limit: 2 / (fi + fo),
    "2/fan_in": lambda fi, fo, sigma, limit: 2 / fi,
    "1/fan_in": lambda fi, fo, sigma, limit: 1 / fi,
}


def test_every_initialiser_is_named_and_explained():
    assert list(INIT_INFO) == list(INITIALISER_NAMES) == list(INITIALISERS)
    for info in INIT_INFO.values():
        assert info.draw and info.aim and info.variance in FORMULAS


@pytest.mark.parametrize("name", list(INITIALISERS))
def test_the_stated_variance_is_what_the_code_draws(name):
    formula = FORMULAS[INIT_INFO[name].variance]
    for fi, fo, sigma, limit in ((2, 2, 1.0, 1.0), (64, 32, 0.3, 2.5), (300, 500, 2.0, 0.1)):
        assert init_std(name, fi, fo, sigma=sigma, limit=limit) ** 2 == pytest.approx(formula(fi, fo, sigma, limit))
    W = init_weight(name, 400, 300, np.random.default_rng(0), sigma=0.5, limit=0.7)
    assert np.var(W) == pytest.approx(formula(400, 300, 0.5, 0.7), rel=0.02, abs=1e-12)


@pytest.mark.parametrize(
    "name, bound",
    [("xavier_uniform", lambda fi, fo: math.sqrt(6 / (fi + fo))), ("he_uniform", lambda fi, fo: math.sqrt(6 / fi))],
)
def test_the_stated_uniform_limits(name, bound):
    W = init_weight(name, 400, 300, np.random.default_rng(1))
    b = bound(400, 300)
    assert np.max(np.abs(W)) <= b and np.max(np.abs(W)) > 0.99 * b
    assert f"√(6/{'(fan_in + fan_out)' if name == 'xavier_uniform' else 'fan_in'})" in INIT_INFO[name].draw


def test_the_sigmoid_ceiling_is_computed_from_the_activation():
    peak = ACTIVATIONS["sigmoid"].peak
    text = sigmoid_ceiling()
    assert f"σ'(z) ≤ {peak:g}" in text and f"gain would have to be {1 / peak:g} or more" in text


@pytest.mark.parametrize("hidden", list(ACTIVATIONS))
def test_the_zero_init_words_follow_cores_rule(hidden):
    kind, words = zero_init_effect(hidden)
    if zero_init_starves(hidden):
        assert kind == "starved" and f"{ACTIVATION_NAMES[hidden]}(0) = 0" in words
        assert ACTIVATION_NAMES[hidden] in INIT_INFO["zeros"].aim
    else:
        assert kind == "symmetric" and "symmetry" in words
        assert ACTIVATION_NAMES[hidden] not in INIT_INFO["zeros"].aim
