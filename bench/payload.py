"""Section 3: what each page sends per rerun.

Streamlit sends every element of the page on every rerun, each as a protobuf message; a chart
carries its Vega-Lite spec and its data (Arrow), a table its Arrow bytes. The page is rendered
with AppTest (the real entry point, default settings) and each element's serialised size is
read from its protobuf, so the figures are the bytes that leave the server, before compression.
"""

from __future__ import annotations

import json

from bench.server import ROOT

CHART_TYPES = ("vega_lite_chart", "arrow_vega_lite_chart", "plotly_chart", "deck_gl_json_chart", "graphviz_chart")
TABLE_TYPES = ("dataframe", "arrow_data_frame", "table", "arrow_table", "data_editor")


def _elements(node, out: list) -> list:
    children = getattr(node, "children", None)
    if children:
        for child in children.values():
            _elements(child, out)
    else:
        proto = getattr(node, "proto", None)
        if proto is not None and hasattr(proto, "ByteSize"):
            out.append((getattr(node, "type", type(node).__name__), proto))
    return out


def _chart_sizes(proto) -> dict:
    size = {"bytes": proto.ByteSize()}
    spec = getattr(proto, "spec", "")
    if spec:
        size["spec_bytes"] = len(spec.encode())
        try:
            size["title"] = str(json.loads(spec).get("title", ""))[:60]
        except ValueError:
            pass
    datasets = getattr(proto, "datasets", None)
    if datasets is not None:
        size["data_bytes"] = sum(d.ByteSize() for d in datasets)
    return size


def page_payload(page_file: str, timeout: float = 180) -> dict:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app" / "main.py"), default_timeout=timeout)
    at.run()
    if page_file != "home.py":
        at.switch_page(f"../pages/{page_file}")
        at.run()
    if at.exception:
        return {"error": "the page raised: " + "; ".join(str(e.message)[:200] for e in at.exception)}
    charts, tables, other = [], [], 0
    for kind, proto in _elements(at._tree, []):
        if kind in CHART_TYPES:
            charts.append(_chart_sizes(proto))
        elif kind in TABLE_TYPES:
            tables.append(proto.ByteSize())
        else:
            other += proto.ByteSize()
    return {
        "total_bytes": sum(c["bytes"] for c in charts) + sum(tables) + other,
        "charts": len(charts),
        "chart_bytes": sum(c["bytes"] for c in charts),
        "largest_chart_bytes": max((c["bytes"] for c in charts), default=0),
        "tables": len(tables),
        "table_bytes": sum(tables),
        "largest_table_bytes": max(tables, default=0),
        "other_bytes": other,
        "chart_detail": sorted(charts, key=lambda c: -c["bytes"]),
    }


def run(page_files: dict[str, str], log=print) -> dict:
    """page_files: url path -> file in pages/."""
    out = {}
    for path, file in page_files.items():
        log(f"payload: {path or 'home'} …")
        try:
            out[path] = page_payload(file)
        except Exception as e:  # noqa: BLE001 — a broken page is a result, not a crash of the benchmark
            out[path] = {"error": f"{type(e).__name__}: {e}"}
    return out
