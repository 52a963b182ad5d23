"""The Architecture page's charts, through app.chart and app.plane: the network diagram, the single
neuron's line over the XOR points, and the four points as the hidden layer sees them.

The diagram's builder is shared (app.diagram); this chapter uses it as it is.
"""

from __future__ import annotations

from app.diagram import diagram_spec, diagram_text
from app.plane import plane_spec

__all__ = ["diagram_spec", "diagram_text", "neuron_spec", "neuron_text", "hidden_spec", "hidden_text"]

NEURON_TIPS = (("z:Q", "z", ".3f"), ("output:Q", "output σ(z)", ".3f"), ("mark:N", "right?", None))
HIDDEN_TIPS = (("z:Q", "z2", ".3f"), ("output:Q", "output a2", ".3f"), ("mark:N", "right?", None))
HEAT_OPACITY = 0.55  # paler shading: a point on its own class's side stays visible
HIDDEN_AXES = (("a1[0]", "a1[0] — hidden neuron 1"), ("a1[1]", "a1[1] — hidden neuron 2"))


def _plane_height(present: bool) -> int:
    return 440 if present else 360


def neuron_spec(data: dict, present: bool, probe: dict | None = None) -> dict:
    """σ(u1·x1 + u2·x2 + c) shaded over the plane, its line z = 0 in black, the XOR points marked ✓/✗
    (``run.neuron``'s data); with ``probe`` (``app.probe.probe_columns``) the probed point is marked and
    the plane is clickable."""
    return plane_spec(
        data["values"],
        present,
        **({} if probe is None else {"probe": probe, "clickable": True}),
        title="",
        value_name="neuron output σ(z)",
        points=data["points"],
        line=data["line"],
        height=_plane_height(present),
        labels=False,
        heat_opacity=HEAT_OPACITY,
        marks=True,
        tips=NEURON_TIPS,
    )


def neuron_text(data: dict) -> str:
    right = data["points"]["mark"].count("✓")
    line = "its line z = 0 crosses the square" if len(data["line"]["x1"]) else "it has no line inside the square"
    return f"One neuron's output over the input square: {line}; it gets {right} of the 4 XOR points right."


def hidden_spec(data: dict, present: bool, probe: dict | None = None) -> dict:
    """The four inputs where the two hidden neurons put them, the output neuron's own line
    W2[0]·a1[0] + W2[1]·a1[1] + b2 = 0 and its output σ(z2) as shading (``run.hidden_space``'s data);
    ``probe``: the probed point at its hidden coordinates (columns x1 = a1[0], x2 = a1[1], text)."""
    lo, hi = data["box"]
    return plane_spec(
        data["values"],
        present,
        **({} if probe is None else {"probe": probe}),
        title="",
        value_name="output a2",
        points=data["points"],
        line=data["line"],
        lo=lo,
        hi=hi,
        height=_plane_height(present),
        labels=False,
        heat_opacity=HEAT_OPACITY,
        names=True,
        axes=HIDDEN_AXES,
        tips=HIDDEN_TIPS,
    )


def hidden_text(data: dict) -> str:
    p = data["points"]
    spots = "; ".join(f"{i} at ({a:.2f}, {b:.2f})" for i, a, b in zip(p["input"], p["x1"], p["x2"]))
    right = p["mark"].count("✓")
    return f"The four inputs in the hidden layer's space: {spots}; the output neuron's line gets {right} of 4 right."
