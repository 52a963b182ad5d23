"""Colour never carries meaning alone (issue 25 §2): the palette's pairs that must differ stay apart for
people with a colour-vision deficiency.

Each colour is passed through colorspacious's model of protanopia, deuteranopia and tritanopia (Machado,
Oliveira & Fernandes 2009, at severity 100: the full dichromacy) and the pair's distance is measured in
CAM02-UCS (ΔE, where about 1 is a just-noticeable difference for large patches). The bar, ΔE ≥ 20, is
far above that: the colours are thin edges, small points and 12-px text, seen on a projector.
"""

from __future__ import annotations

import numpy as np
import pytest

colorspacious = pytest.importorskip("colorspacious")

from app.diagram import SIGN_SCALE  # noqa: E402
from app.ui import BLUE, CLASS_COLOURS, GREY, RED  # noqa: E402

MIN_DELTA_E = 20.0
DEFICIENCIES = ["protanomaly", "deuteranomaly", "tritanomaly"]  # severity 100: protanopia, deuteranopia, tritanopia

# The pairs a reader must tell apart: class 1 / class 0 (every XOR point, every decision boundary),
# positive / negative (weights on the diagram, gradients, the ledger), and each sign against the
# diagram's "zero".
PAIRS = {
    "class 1 / class 0": (CLASS_COLOURS[1], CLASS_COLOURS[0]),
    "positive / negative": (RED, BLUE),
    "positive / zero": (RED, GREY),
    "negative / zero": (BLUE, GREY),
}


def _rgb(hex_colour: str) -> np.ndarray:
    return np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)]) / 255


def seen_distance(a: str, b: str, deficiency: str | None) -> float:
    """ΔE (CAM02-UCS) between two colours as seen with ``deficiency`` (None: typical colour vision)."""
    pa, pb = _rgb(a), _rgb(b)
    if deficiency:
        space = {"name": "sRGB1+CVD", "cvd_type": deficiency, "severity": 100}
        pa, pb = (np.clip(colorspacious.cspace_convert(p, space, "sRGB1"), 0, 1) for p in (pa, pb))
    return float(colorspacious.deltaE(pa, pb, input_space="sRGB1"))


def test_the_model_can_fail():
    """The check can fail: the classic red/green pair collapses for a deuteranope (and not for others)."""
    red, green = "#d62728", "#2ca02c"
    assert seen_distance(red, green, None) > 40
    assert seen_distance(red, green, "deuteranomaly") < MIN_DELTA_E


def test_the_diagram_uses_the_palette():
    assert SIGN_SCALE.range == [RED, BLUE, GREY]


@pytest.mark.parametrize("deficiency", [None, *DEFICIENCIES])
@pytest.mark.parametrize("pair", list(PAIRS))
def test_pairs_stay_apart(pair, deficiency):
    a, b = PAIRS[pair]
    d = seen_distance(a, b, deficiency)
    assert d >= MIN_DELTA_E, f"{pair} ({a} vs {b}) under {deficiency or 'typical vision'}: ΔE {d:.1f} < {MIN_DELTA_E}"
