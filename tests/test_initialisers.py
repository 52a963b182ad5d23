"""Issue 16 §4: the four places that offer an initialiser all show the one explanation (app.initialisers),
with the chosen initialiser marked and the formulas core.init draws with."""

from __future__ import annotations

import pytest
from conftest import open_page

from app.initialisers import guide
from core.flow import INIT_CHOICES
from core.init import INIT_INFO, INITIALISERS


def shown_guide(at) -> str:
    return next(m.value for m in at.markdown if m.value.startswith(guide([])[:40]))


@pytest.mark.parametrize(
    "page, query, chosen, offered",
    [
        # the sidebar's random network (here on Forward pass), from a shared link
        ("forward_pass.py", {"net": "random-7-he_normal"}, "he_normal", list(INITIALISERS)),
        ("training.py", {"tr_epochs": "100", "tr_init": INITIALISERS["lecun_normal"]}, "lecun_normal", None),
        (
            "vanishing_gradient.py",
            {"vg_tr_epochs": "500", "vg_init": INITIALISERS["he_uniform"]},
            "he_uniform",
            sorted({name for _, name, _ in INIT_CHOICES.values()}),
        ),
        ("digits.py", {"dg_epochs": "1", "dg_init": INITIALISERS["xavier_normal"]}, "xavier_normal", None),
    ],
)
def test_every_initialiser_control_has_the_one_explanation(page, query, chosen, offered):
    at = open_page(page, timeout=180, query=query)
    assert not at.exception
    text = shown_guide(at)
    assert text == guide(offered, chosen)  # the same words everywhere, from one helper
    assert (
        f"**{INITIALISERS[chosen]}** (chosen): {INIT_INFO[chosen].draw}; Var(W) = {INIT_INFO[chosen].variance}" in text
    )
    assert "No initialiser lifts the sigmoid's ceiling: σ'(z) ≤ 0.25" in text
    assert sum(m.value == text for m in at.markdown) == 1  # one explanation per page, not one per control


def test_the_guide_states_pytorchs_formulas():
    text = guide()
    for formula in ("Var(W) = 2/(fan_in + fan_out)", "Var(W) = 2/fan_in", "Var(W) = 1/fan_in", "Var(W) = σ²"):
        assert formula in text
    assert "√(6/(fan_in + fan_out))" in text and "√(6/fan_in)" in text
    assert "Glorot & Bengio 2010" in text and "He et al. 2015" in text
