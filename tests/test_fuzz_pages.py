"""Page fuzzer: every page, every widget at its extremes and at random values, and hostile links.

For every page in ``app.nav.available()`` (so a new page is covered as soon as its file exists):

- ``test_widgets``: open the page through app/main.py (AppTest), then, step by step, pick a widget
  that is on the page *now* (sliders, select sliders, number inputs, selectboxes, radios, toggles,
  checkboxes, multiselects, pills/segmented controls, text inputs, buttons, keyed tabs…) and set it to its
  minimum, its maximum or a seeded random value in between (or click it), rerunning each time.
  The first steps take each widget's minimum and maximum (in a seeded random order); the rest are
  random. Settings accumulate, so combinations of extremes come up too.
- ``test_hostile_links``: open the page with ~15 hostile query strings: unknown keys,
  out-of-range and wrong-type values for the page's own keys, huge numbers, nan/inf, empty
  strings, unicode, 20 KB strings, repeated keys, and malformed ``?net=`` network links. The notice
  names each refused setting by its control's label, never by its key.

After every run the page must have: no exception (a NumPy warning raised in the script thread is
an exception too, because pytest turns RuntimeWarning into an error — see
``test_harness_sees_numpy_warnings_as_exceptions``); no NaN or ±inf in any chart's data (the
Vega-Lite spec and the Arrow datasets Streamlit ships beside it) or in any table; no "nan"/"inf"
printed as a result in the page's text; and a visible st.warning/st.error/st.info wherever a chart
came out empty, or wherever a link had settings that could not be used.

Budget: about 3–4 minutes for all 8 pages on a 2-core machine (fewer steps on the pages that
train). For a long run (10× the steps, more link variants, and a fresh random seed printed at the
start), set XORLAB_LONG_FUZZ=1; XORLAB_FUZZ_SEED=<n> replays a given seed:

    XORLAB_LONG_FUZZ=1 .venv/bin/pytest tests/test_fuzz_pages.py -s

Each failure message names the page, the step, every widget value set so far and the traceback.
"""

from __future__ import annotations

import json
import math
import os
import random
import re
import time
import zlib

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT, open_page

from app import nav

LONG = os.environ.get("XORLAB_LONG_FUZZ", "") not in ("", "0")
BASE_SEED = int(os.environ.get("XORLAB_FUZZ_SEED", random.randrange(2**31) if LONG else 20261128))
PAGES = [p[0] for p in nav.available()]  # pages that exist at collection time
# Steps per page in CI. Pages that train or load data do real work on each rerun: fewer steps.
STEPS = {
    "training.py": 14,  # 12 and the probe's two inputs
    "two_runs.py": 14,  # 12 and the probe's two inputs
    "vanishing_gradient.py": 12,
    "digits.py": 16,
    "hidden_features.py": 16,
    "beyond_xor.py": 12,
    "loss_landscape.py": 18,  # 16 and the probe's two inputs
    "challenges.py": 12,
    "architecture.py": 30,  # 22, the three controls of "Click any of the nine numbers" and the probe's two
    "backprop.py": 26,  # 22 and its two
}
DEFAULT_STEPS = 22
# A page that is still slow after this many seconds stops early (the steps done are reported).
PAGE_BUDGET_S = 600 if LONG else 35
RUN_TIMEOUT_S = 120

HOSTILE_STRINGS = [
    "",
    " ",
    "abc",
    "-1",
    "0",
    "1e309",
    "-1e309",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "Infinity",
    "1e308",
    "-1e308",
    "99999999999999999999999999",
    "0x10",
    "1,5",
    "true",
    "None",
    "null",
    "[]",
    "{}",
    "∞",
    "ü😀‮",
    "<script>alert(1)</script>",
    "'; DROP TABLE x; --",
    "%00",
    "\x00",
    "9" * 5000,
]


def _seed(*parts) -> int:
    return zlib.crc32(repr((BASE_SEED, *parts)).encode())


# ----- walking the page ---------------------------------------------------------------------
def _walk(node, out: list) -> list:
    for child in getattr(node, "children", {}).values():
        out.append(child)
        _walk(child, out)
    return out


def elements(at) -> list:
    return _walk(at._tree, [])


class Tabs:
    """A keyed st.tabs(..., on_change="rerun") as a widget: AppTest lists it only as a block, but the
    open tab is state (pages draw only the open tab), so the fuzzer must open each one."""

    type = "tabs"

    def __init__(self, block):
        from streamlit.runtime.state.common import user_key_from_element_id

        self.block = block
        self.id = block.proto.tab_container.id
        self.key = user_key_from_element_id(self.id) or block.proto.tab_container.query_param_key
        self.options = [t.label for t in block.children.values()]

    def open(self, label: str) -> None:
        self.block.root._runner.session_state[self.key] = label


def widgets(at) -> list:
    from streamlit.testing.v1.element_tree import Widget

    out = []
    for e in elements(at):
        if isinstance(e, Widget) and not getattr(e.proto, "disabled", False) and e.type not in ("chat_input",):
            out.append(e)
        proto = getattr(e, "proto", None)
        if (
            proto is not None
            and "tab_container" in getattr(proto.DESCRIPTOR, "fields_by_name", {})
            and (proto.HasField("tab_container"))
        ):
            if proto.tab_container.id and len(e.children) > 1:
                out.append(Tabs(e))
    return out


def _label(w) -> str:
    return w.key or f"{w.type}:{getattr(w.proto, 'label', '')[:30]}"


# ----- setting a widget ---------------------------------------------------------------------
def _force(w, ws) -> None:
    """Send exactly this WidgetState for w on the next run (the browser's formatted option strings:
    AppTest's own select_index() formats an already formatted string again and breaks)."""

    class Forced(type(w)):
        @property
        def _widget_state(self):
            return ws

    w.__class__ = Forced
    w._value = "forced"  # not InitialValue: the runner sends _widget_state


def _state(w):
    from streamlit.proto.WidgetStates_pb2 import WidgetState

    ws = WidgetState()
    ws.id = w.id
    return ws


def _numeric_choices(lo, hi, step, is_int, rng) -> list:
    if is_int:
        lo, hi = int(lo), int(hi)
        step = max(int(step or 1), 1)
        span = (hi - lo) // step
        mid = lo + step * rng.randint(0, span) if span > 0 else lo
        return [lo, hi, mid]
    lo, hi = float(lo), float(hi)
    step = float(step or 0)
    if step > 0 and (hi - lo) / step < 1e7:
        mid = lo + step * rng.randint(0, int((hi - lo) / step))
        mid = min(max(round(mid, 12), lo), hi)
    else:
        mid = rng.uniform(lo, hi)
    return [lo, hi, mid]


def choices(w, rng) -> list[tuple[str, object]]:
    """[(description, action)] for this widget: its minimum, its maximum, then random values.

    action is a callable that applies the value to w (before at.run()).
    """
    t = w.type
    out = []
    if t in ("button", "download_button"):
        return [("click", lambda: w.click())]
    if t in ("toggle", "checkbox"):
        return [("False", lambda: w.set_value(False)), ("True", lambda: w.set_value(True))]
    if t == "slider":
        dt = w.proto.data_type  # 0 INT, 1 FLOAT, 2 DATETIME, 3 DATE, 4 TIME
        if dt not in (0, 1):
            return []
        is_int = dt == 0
        lo, hi = w.proto.min, w.proto.max
        vals = _numeric_choices(lo, hi, w.proto.step, is_int, rng)
        ranged = isinstance(w.value, (list, tuple))
        for name, v in zip(("min", "max", "random"), vals):
            v = int(v) if is_int else float(v)
            if ranged:
                other = vals[1] if name == "min" else vals[0]
                pair = sorted([v, int(other) if is_int else float(other)])
                out.append((f"{name} range {pair}", lambda p=pair: w.set_range(*p)))
            else:
                out.append((f"{name} {v!r}", lambda v=v: w.set_value(v)))
        return out
    if t == "number_input":
        is_int = w.proto.data_type == 1  # NumberInput.DataType: 0 FLOAT, 1 INT
        big = 2**53 - 1 if is_int else 1e308  # what a student can type into an unbounded box
        lo = w.min if w.min is not None else -big
        hi = w.max if w.max is not None else big
        vals = _numeric_choices(lo, hi, w.proto.step, is_int, rng)
        return [(f"{n} {v!r}", lambda v=v: w.set_value(v)) for n, v in zip(("min", "max", "random"), vals)]
    if t in ("selectbox", "radio"):
        opts = list(w.options)
        if not opts:
            return []
        idx = [0, len(opts) - 1, rng.randrange(len(opts))]

        def pick(i):
            ws = _state(w)
            ws.string_value = opts[i]
            _force(w, ws)

        return [(f"{n} option {opts[i]!r}", lambda i=i: pick(i)) for n, i in zip(("first", "last", "random"), idx)]
    if t in ("select_slider", "multiselect", "button_group"):
        opts = list(w.options) if t != "button_group" else list(w.options)
        if not opts:
            return []
        ranged = t == "select_slider" and isinstance(w.value, (list, tuple))

        def pick(sel):
            ws = _state(w)
            ws.string_array_value.data[:] = sel
            _force(w, ws)

        if t == "select_slider":
            i = rng.randrange(len(opts))
            if ranged:
                j = rng.randrange(len(opts))
                sels = [[opts[0], opts[0]], [opts[-1], opts[-1]], sorted([opts[i], opts[j]], key=opts.index)]
            else:
                sels = [[opts[0]], [opts[-1]], [opts[i]]]
        else:
            single = t == "button_group" and w._is_single_select
            k = rng.randrange(len(opts))
            subset = [opts[k]] if single else rng.sample(opts, rng.randint(0, len(opts)))
            sels = [[], [opts[-1]] if single else opts, subset]
        return [(f"{n} {s!r}", lambda s=s: pick(s)) for n, s in zip(("first", "last", "random"), sels)]
    if t == "tabs":
        opts = w.options
        idx = [0, len(opts) - 1, rng.randrange(len(opts))]
        return [(f"{n} tab {opts[i]!r}", lambda i=i: w.open(opts[i])) for n, i in zip(("first", "last", "random"), idx)]
    if t in ("text_input", "text_area"):
        picks = ["", "9" * 2000, rng.choice(HOSTILE_STRINGS)]
        return [(f"{n} {s[:20]!r}", lambda s=s: w.set_value(s)) for n, s in zip(("empty", "long", "random"), picks)]
    return []  # date/time/colour pickers, file uploads…: none on the pages yet (reported as skipped)


# ----- what every run must satisfy ------------------------------------------------------------
NAN_WORD = re.compile(r"(?<![\w.\\])(nan|NaN|-?inf|-?Infinity)(?![\w])")


def _bad_numbers_in_json(obj, path="spec") -> list[str]:
    bad = []
    if isinstance(obj, float) and not math.isfinite(obj):
        bad.append(f"{path} = {obj}")
    elif isinstance(obj, dict):
        for k, v in obj.items():
            bad += _bad_numbers_in_json(v, f"{path}.{k}")
    elif isinstance(obj, list):
        for i, v in enumerate(obj[:100_000]):
            bad += _bad_numbers_in_json(v, f"{path}[{i}]")
    return bad


def _bad_numbers_in_frame(df: pd.DataFrame, name: str) -> list[str]:
    bad = []
    for col in df.columns:
        s = df[col]
        if pd.api.types.is_bool_dtype(s):
            continue
        if pd.api.types.is_numeric_dtype(s):
            v = s.to_numpy(dtype=float, na_value=np.nan)
        elif s.dtype == object:
            v = np.array([x for x in s if isinstance(x, float)], dtype=float)
        else:
            continue
        n = int(np.sum(~np.isfinite(v)))
        if n:
            bad.append(f"{name} column {col!r}: {n} non-finite value(s), e.g. {v[~np.isfinite(v)][0]}")
    return bad


def chart_frames(at) -> list[tuple[str, pd.DataFrame | None, dict]]:
    """(name, data, spec) for every chart: Arrow datasets (st.altair_chart / st.vega_lite_chart)
    decoded to DataFrames, plus inline data values in the spec."""
    from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

    out = []
    for i, el in enumerate(at.get("vega_lite_chart")):
        spec = json.loads(el.proto.spec) if el.proto.spec else {}
        title = spec.get("title", "") if isinstance(spec.get("title", ""), str) else str(spec.get("title"))
        name = f"chart {i} {title[:40]!r}"
        frames = [convert_arrow_bytes_to_pandas_df(d.data.data) for d in el.proto.datasets]
        if el.proto.HasField("data") and el.proto.data.data:
            frames.append(convert_arrow_bytes_to_pandas_df(el.proto.data.data))
        for j, df in enumerate(frames):
            out.append((f"{name} dataset {j}", df, spec))
        if not frames:
            out.append((name, None, spec))
    return out


def problems(at) -> list[str]:
    """Everything wrong with the page as it stands after a run (empty list = all good)."""
    found = []
    for e in at.exception:
        found.append("EXCEPTION: " + e.message + "\n" + "\n".join(e.stack_trace[-12:]))
    if found:
        return found
    messages = len(at.warning) + len(at.error) + len(at.info)
    specs_seen = set()
    for name, df, spec in chart_frames(at):
        if id(spec) not in specs_seen:
            specs_seen.add(id(spec))
            found += _bad_numbers_in_json(spec, name.split(" dataset")[0] + " spec")
        if df is not None:
            found += _bad_numbers_in_frame(df, name)
    frames_of = chart_frames(at)
    for i, el in enumerate(at.get("vega_lite_chart")):
        frames = [d for n, d, _ in frames_of if n.startswith(f"chart {i} ") and d is not None]
        inline = json.loads(el.proto.spec).get("data", {}) if el.proto.spec else {}
        if frames and all(len(d) == 0 for d in frames) and not inline.get("values") and not messages:
            title = json.loads(el.proto.spec).get("title", "") if el.proto.spec else ""
            found.append(f"chart {i} {str(title)[:50]!r} has no data and no warning/error/info on the page says why")
    for i, t in enumerate(at.dataframe):
        found += _bad_numbers_in_frame(t.value, f"table {i}")
    for i, t in enumerate(at.table):
        found += _bad_numbers_in_frame(t.value, f"st.table {i}")
    texts = [("metric", m.value) for m in at.metric]
    texts += [(el.type, el.value) for el in elements(at) if el.type in ("markdown", "text", "latex", "caption")]
    for kind, text in texts:
        m = NAN_WORD.search(str(text))
        if m:
            found.append(f"{kind} shows {m.group(0)!r} as a result: {str(text)[:160]!r}")
    return found


# Bugs the fuzzer found in pages whose authors are still at work: reported to the lead (see
# /tmp/fuzz-findings.md), tolerated here only in exactly this form so every other check still
# runs on those pages. Delete an entry when its page is fixed. (page, regex on the problem, finding)
KNOWN: list[tuple[str, str, str]] = []


def _unknown(page: str, errs: list[str]) -> list[str]:
    """The problems not covered by KNOWN (known ones are printed, not failed)."""
    left = []
    for e in errs:
        hit = next((f for p, rx, f in KNOWN if p == page and re.search(rx, e)), None)
        if hit:
            print(f"\n{page}: known finding {hit}: {e.splitlines()[0][:120]}")
        else:
            left.append(e)
    return left


COLLECT = os.environ.get("XORLAB_FUZZ_COLLECT", "") not in ("", "0")  # report every problem, then fail once
_collected: dict[str, list[str]] = {}


def _fail(page: str, what: str, log: list[str], errs: list[str]) -> None:
    errs = _unknown(page, errs)
    if not errs:
        return
    if COLLECT:
        _collected.setdefault(page, []).append(f"{what}: {log[-1]}\n  " + "\n  ".join(errs))
        return
    pytest.fail(
        f"{page}: {what}\n  settings so far:\n    "
        + "\n    ".join(log[-40:])
        + "\n  problems:\n  "
        + "\n  ".join(errs),
        pytrace=False,
    )


# ----- the tests ------------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES)
def test_widgets(page):
    rng = random.Random(_seed(page, "widgets"))
    steps = (STEPS.get(page, DEFAULT_STEPS)) * (10 if LONG else 1)
    start = time.monotonic()
    at = open_page(page, timeout=RUN_TIMEOUT_S)
    log = [f"seed {BASE_SEED}: opened {page}"]
    if errs := problems(at):
        _fail(page, "the page as first opened", log, errs)
    # extremes first: (widget label, 'min' or 'max'), in a seeded random order
    first = [(_label(w), k) for w in widgets(at) for k in (0, 1) if choices(w, rng)]
    rng.shuffle(first)
    skipped = sorted({f"{w.type} {_label(w)}" for w in widgets(at) if not choices(w, rng)})
    done = 0
    for step in range(steps):
        if time.monotonic() - start > PAGE_BUDGET_S:
            print(f"\n{page}: stopped after {done} steps ({PAGE_BUDGET_S} s budget)")
            break
        present = {_label(w): w for w in widgets(at)}
        while first and first[0][0] not in present:
            first.pop(0)  # that widget is hidden by the current settings
        if first:
            label, k = first.pop(0)
            w = present[label]
        else:
            w = rng.choice(list(present.values()))
            k = rng.randrange(3)
        opts = choices(w, rng)
        if not opts:
            continue
        desc, action = opts[min(k, len(opts) - 1)]
        log.append(f"step {step}: {_label(w)} ← {desc}")
        action()
        t0 = time.monotonic()
        at.run()
        log[-1] += f"  ({time.monotonic() - t0:.2f} s)"
        done += 1
        if errs := problems(at):
            _fail(page, f"after step {step}", log, errs)
            if at.exception:  # (only reached in COLLECT mode) start again from a fresh page
                at = open_page(page, timeout=RUN_TIMEOUT_S)
    took = time.monotonic() - start
    print(f"\n{page}: {done} widget settings tried in {took:.1f} s; not fuzzed: {skipped or 'none'}")
    _report_collected(page)


def _report_collected(page: str) -> None:
    if COLLECT and _collected.get(page):
        pytest.fail(f"{page}: " + "\n\n".join(_collected.pop(page)), pytrace=False)


NET_HOSTILE = [
    "",
    "random",
    "random-",
    "random--1-zeros",
    "random-99999999999999999999-xavier_uniform",
    "random-1e3-normal",
    "random-²-normal",
    "random-5-<script>",
    "w:",
    "w:1,2,3",
    "w:" + ",".join(["1e309"] * 9),
    "w:" + ",".join(["nan"] * 9),
    "w:" + ",".join(["21"] * 9),
    "w:" + ",".join(["0x1"] * 9),
    "w:" + "1," * 5000,
    "w:1,2,3,4,5,6,7,8,9,10",
    "trained",
    "∞😀",
    "9" * 5000,
]


def _hostile_queries(keys: list[str], rng: random.Random) -> list[tuple[str, dict, bool | str]]:
    """(name, query, notice expected: True, False or "net" = where the page shows the network) —
    about fifteen links per page."""
    keys = keys or ["presenter"]

    def each(value):
        return {k: value for k in keys}

    qs = [
        ("unknown key", {"zzz_not_a_setting": "1"}, True),
        ("hostile key names", {"<script>": "1", "a" * 300: "2", "ключ": "ü"}, True),
        ("wrong type", each("abc"), True),
        ("empty values", each(""), False),
        ("overflow", each("1e309"), True),
        ("nan", each("nan"), True),
        ("-inf", each("-inf"), True),
        ("huge", each("9" * 400), True),
        ("out of range", each("-99999999"), True),
        ("unicode", each("∞😀ü"), True),
        ("20 KB", {keys[0]: "7" * 20_000, "zzz": "x" * 20_000}, True),
        ("repeated keys", {k: ["1", "2", "abc"] for k in keys}, False),
    ]
    # the shared network's own link parameter (app/state.py: ?net=random-<seed>-<init> or w:<9 numbers>)
    net = rng.sample(NET_HOSTILE, 8 if LONG else 2)
    qs += [(f"net={v[:20]!r}", {"net": v}, "net") for v in net]
    rounds = 8 if LONG else 1
    for r in range(rounds):
        q = {k: rng.choice(HOSTILE_STRINGS) for k in rng.sample(keys, max(1, len(keys) // 2))}
        q["zzz_random"] = rng.choice(HOSTILE_STRINGS)
        qs.append((f"random mix {r}", q, True))
    return qs


def _page_keys(page: str) -> list[str]:
    at = open_page(page, timeout=RUN_TIMEOUT_S)
    return sorted({w.key for w in widgets(at) if w.key})


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES)
def test_hostile_links(page):
    from streamlit.testing.v1 import AppTest

    rng = random.Random(_seed(page, "links"))
    start = time.monotonic()
    keys = _page_keys(page)
    tried = 0
    for name, query, unusable in _hostile_queries(keys, rng):
        at = AppTest.from_file(str(ROOT / "app" / "main.py"), default_timeout=RUN_TIMEOUT_S)
        if page != "home.py":  # a link is judged on the run that opens its page (a load or a move to it)
            at.run()  # home page first: AppTest needs one run before switch_page
            at.switch_page(f"../pages/{page}")
        for k, v in query.items():
            at.query_params[k] = v
        at.run()
        tried += 1
        shown = {k: (v[:30] + "…" if isinstance(v, str) and len(v) > 30 else v) for k, v in query.items()}
        log = [f"seed {BASE_SEED}: opened {page} with {name}: {shown}"]
        if errs := problems(at):
            _fail(page, f"link “{name}”", log, errs)
        if unusable == "net":  # only pages that use the shared network need to say its link was refused
            unusable = any(w.key == "net_source" for w in widgets(at))
        if unusable and not any("could not be used" in w.value for w in at.warning):
            _fail(page, f"link “{name}”", log, ["no visible notice that the link's settings could not be used"])
        if named := [k for k in keys if any(f"“{k}”" in w.value for w in at.warning)]:  # labels, not keys
            _fail(page, f"link “{name}”", log, [f"the notice names controls by their keys: {named}"])
    print(f"\n{page}: {tried} hostile links in {time.monotonic() - start:.1f} s ({len(keys)} keys)")
    _report_collected(page)


# ----- the harness catches what it claims to catch ---------------------------------------------
def test_harness_sees_numpy_warnings_as_exceptions():
    """pytest's filterwarnings=error::RuntimeWarning reaches AppTest's script thread: a NumPy
    overflow inside a page becomes a page exception, so `problems()` reports it."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_string("import numpy as np\nnp.exp(np.array([1000.0]))\n").run()
    assert at.exception and "overflow" in at.exception[0].message


def test_harness_sees_nan_in_chart_data_and_tables():
    from streamlit.testing.v1 import AppTest

    script = (
        "import altair as alt, numpy as np, pandas as pd, streamlit as st\n"
        "df = pd.DataFrame({'x': [0.0, 1.0], 'y': [1.0, np.nan]})\n"
        "st.altair_chart(alt.Chart(df).mark_line().encode(x='x', y='y'))\n"
        "st.dataframe(pd.DataFrame({'a': [1.0, np.inf]}))\n"
        "st.markdown('loss = nan')\n"
    )
    at = AppTest.from_string(script).run()
    found = problems(at)
    assert any("'y'" in p for p in found), found
    assert any("table 0" in p for p in found), found
    assert any("markdown shows 'nan'" in p for p in found), found
