"""The chart engine (app/chart.py) and the one input-plane heatmap (app/plane.py)."""

from __future__ import annotations

import json

import altair as alt
import numpy as np
import pytest
from altair.utils.schemapi import validate_jsonschema
from altair.vegalite.v6.schema import load_schema

from app.chart import Layout, fill, hole, layout, sizes, source, table
from app.plane import grid_columns, level_lines, plane, plane_spec, quantise
from core.data import notes_network
from core.features import plane_values

SCHEMA = load_schema()


def valid(spec: dict) -> None:
    """The filled spec against the Vega-Lite schema, its Arrow datasets as inline rows."""
    inline = {**spec, "datasets": {k: v.to_pylist() for k, v in spec["datasets"].items()}}
    validate_jsonschema(json.loads(json.dumps(inline)), SCHEMA)


def loss_chart(present: bool, log: bool) -> alt.Chart:
    s = sizes(present)
    y = alt.Y("loss:Q", scale=alt.Scale(type="log" if log else "linear", domain=hole("ydom")), title=hole("name"))
    return (
        alt.Chart(source("loss"))
        .mark_line(strokeWidth=s["line"])
        .encode(x="epoch:Q", y=y, tooltip=[alt.Tooltip("loss:Q", title=hole("name"))])
        .properties(title=hole("title"))
    )


def test_layout_records_every_hole_and_dataset_once_per_shape():
    lay = layout(loss_chart, False, log=True)
    assert isinstance(lay, Layout) and lay.datasets == {"loss"}
    assert set(lay.holes) == {"ydom", "name", "title"} and len(lay.holes["name"]) == 2
    assert layout(loss_chart, False, log=True) is lay  # Altair ran once
    assert layout(loss_chart, True, log=True) is not lay and layout(loss_chart, False, log=False) is not lay


def test_fill_puts_values_in_and_leaves_the_layout_alone():
    lay = layout(loss_chart, True, log=False)
    before = json.dumps(lay.spec, sort_keys=True)
    data = {"loss": {"epoch": np.arange(3), "loss": np.array([0.7, 0.3, 0.1])}}
    spec = fill(lay, data, ydom=[0, 1], name="BCE", title="Loss")
    assert spec["title"] == "Loss" and spec["encoding"]["y"]["scale"]["domain"] == [0, 1]
    assert spec["encoding"]["y"]["title"] == "BCE" and spec["encoding"]["tooltip"][0]["title"] == "BCE"
    assert spec["datasets"]["loss"].column("loss").to_pylist() == [0.7, 0.3, 0.1]
    assert json.dumps(lay.spec, sort_keys=True) == before
    assert spec["mark"]["strokeWidth"] == sizes(True)["line"]
    valid(spec)


def test_fill_refuses_a_missing_or_unknown_dataset_or_hole():
    lay = layout(loss_chart, False, log=False)
    ok = {"loss": {"epoch": [0], "loss": [1.0]}}
    with pytest.raises(KeyError, match="missing.*title"):
        fill(lay, ok, ydom=[0, 1], name="x")
    with pytest.raises(KeyError, match="unknown.*colour"):
        fill(lay, ok, ydom=[0, 1], name="x", title="t", colour="red")
    with pytest.raises(KeyError, match="missing.*loss"):
        fill(lay, {}, ydom=[0, 1], name="x", title="t")


def test_no_chart_receives_nan_or_inf():
    t = table({"epoch": np.arange(5), "loss": np.array([1.0, np.nan, 0.5, np.inf, -np.inf])})
    assert t.column("epoch").to_pylist() == [0, 2]
    assert table({"a": np.arange(3)}).num_rows == 3  # integers are always finite


@pytest.mark.parametrize("present", [False, True])
def test_plane_of_the_notes_network_is_valid_and_exact(present):
    net = notes_network()
    _, a2 = plane_values(net, 41)
    spec = plane_spec(a2, present, title="Decision boundary")
    valid(spec)
    heat = spec["datasets"]["heat"]
    assert heat.num_rows == 41 * 41 and heat.schema.field("q").type == "uint8"
    q = np.array(heat.column("q").to_pylist()).reshape(41, 41)
    np.testing.assert_allclose(q / 255, a2, atol=0.5 / 255)
    assert {p["name"]: p["value"] for p in spec["params"]} == {"qlo": 0.0, "qspan": 1.0}
    line = spec["datasets"]["line"]
    assert line.num_rows > 0  # the notes' network crosses 0.5
    assert spec["datasets"]["points"].column("label").to_pylist() == [0, 1, 1, 0]


def test_plane_without_a_boundary_keeps_its_layout_with_an_empty_line():
    flat = np.full((20, 20), 0.2)
    spec = plane_spec(flat, False, title="Everything is class 0")
    assert spec["datasets"]["line"].num_rows == 0
    assert len(spec["layer"]) == len(layout(plane, False, n=20).spec["layer"])
    valid(spec)


def test_values_outside_0_1_keep_every_code_and_their_tooltip_value():
    v = np.linspace(-3.0, 5.0, 16).reshape(4, 4)
    q, qlo, span = quantise(v, (-1.0, 1.0))
    assert (qlo, span) == (-3.0, 8.0) and q.min() == 0.0 and q.max() == 1.0
    codes = grid_columns(q)["q"].astype(float)
    np.testing.assert_allclose(qlo + codes / 255 * span, v.ravel(), atol=0.5 / 255 * span)
    spec = plane_spec(v, False, title="ReLU unit", value_name="Hidden1", vrange=(-1.0, 1.0), level=0.0)
    assert spec["layer"][0]["encoding"]["color"]["scale"]["domain"] == [-1.0, 1.0]
    valid(spec)


def test_level_line_lies_on_the_level():
    axis = np.linspace(0, 1, 30)
    xx, yy = np.meshgrid(axis, axis)
    line = level_lines(xx + yy, 0.0, 1.0, 1.0)  # the diagonal x1 + x2 = 1
    np.testing.assert_allclose(line["x1"] + line["x2"], 1.0, atol=2e-4)
    assert level_lines(xx * 0, 0.0, 1.0, 0.5)["x1"].size == 0


def _line(present: bool) -> alt.Chart:
    return alt.Chart(source("pts")).mark_line().encode(x="x:Q", y="y:Q").properties(title=hole("title"))


def test_svg_renders_a_filled_spec_with_its_data_and_holes():
    """The server-side SVG (Streamlit 1.67 has no SVG save action): the filled spec as drawn, finite rows only."""
    from xml.etree import ElementTree

    from app.chart import SVG_WIDTH, svg, svg_zip

    spec = fill(layout(_line, False), {"pts": {"x": [0.0, 1.0, 2.0], "y": [1.0, np.nan, 3.0]}}, title="A title here")
    text = svg(spec)
    root = ElementTree.fromstring(text)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert float(root.get("width")) >= SVG_WIDTH  # "stretch" charts are written at a known width
    assert "A title here" in text and "NaN" not in text
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(svg_zip({"one": (spec, "A line over three points")}, "Header"))) as z:
        assert sorted(z.namelist()) == ["README.txt", "one.svg"]
        assert z.read("one.svg").decode() == text
        assert z.read("README.txt").decode() == "Header\none.svg: A line over three points\n"
