"""Shared UI helpers: page headers, presenter mode, matrices as tables, messages."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyarrow as pa
import streamlit as st
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

# One colour-blind-safe palette everywhere (ColorBrewer RdBu ends): red = class 1 / positive
# weight, blue = class 0 / negative weight.
RED = "#b2182b"
BLUE = "#2166ac"
# GREY is also written as text (a zero bias on the diagram, notes on charts): #767676 is the lightest grey
# with 4.5:1 contrast on white (WCAG 2.1 AA for normal text; #777777 had 4.48:1).
GREY = "#767676"
CLASS_COLOURS = {0: BLUE, 1: RED}


def presenter() -> bool:
    """True when the presenter-mode toggle in the sidebar is on.

    False outside a script run (app.warmup's background thread fills the normal-mode caches and
    must not touch st.session_state, which only exists inside a session).
    """
    if get_script_run_ctx(suppress_warning=True) is None:
        return False
    return bool(st.session_state.get("presenter", False))


# Static CSS only (never user text): presenter mode scales every rem-based size (text, widgets,
# maths, tables) from the root font size and trims the chrome so a 1280×720 projector shows each
# page's main picture and key numbers without scrolling: no toolbar menu or decoration bar, a
# transparent header that keeps only the "expand sidebar" button (hiding the whole header would
# leave no way to reopen a collapsed sidebar), narrow page margins, headings with less padding (each
# still at least its normal-mode size), a narrower
# sidebar drawn at 85 % (the controls are for the presenter; the audience reads the page).
PRESENTER_CSS = """
<style>
html { font-size: 21px; }
header[data-testid="stHeader"] { background: transparent; height: 2.2rem; pointer-events: none; }
header[data-testid="stHeader"] button { pointer-events: auto; }
[data-testid="stMainMenu"], [data-testid="stAppDeployButton"], [data-testid="stDecoration"] { display: none; }
[data-testid="stMainBlockContainer"] { padding: 0.9rem 1.4rem 1rem 1.4rem; max-width: 100%; }
[data-testid="stAppViewContainer"]:has(section[data-testid="stSidebar"][data-collapsed="true"])
  [data-testid="stMainBlockContainer"] { padding-left: 3.6rem; }
section[data-testid="stSidebar"]:not([data-collapsed="true"]) { width: 250px !important; min-width: 250px !important; }
[data-testid="stSidebarContent"] { zoom: 0.85; }
[data-testid="stSidebarHeader"] { height: 2rem; margin-bottom: 0; }
.katex { font-size: 1.3em; }
[data-testid="stTable"] td, [data-testid="stTable"] th { font-size: 1.05rem; padding: 0.25rem 0.35rem; }
h1 { font-size: 2.2rem !important; padding-top: 0 !important; padding-bottom: 0.2rem !important; }
h2 { font-size: 1.75rem !important; padding-top: 0.5rem !important; padding-bottom: 0.2rem !important; }
h3 { font-size: 1.35rem !important; padding-top: 0.4rem !important; padding-bottom: 0.1rem !important; }
@media (max-width: 640px) {  /* presenter mode on a phone: the expand button sits above the page, not beside it */
  [data-testid="stAppViewContainer"]:has(section[data-testid="stSidebar"][data-collapsed="true"])
    [data-testid="stMainBlockContainer"] { padding: 2.4rem 0.8rem 1rem 0.8rem; }
  h1 { font-size: 1.6rem !important; }
  h2 { font-size: 1.3rem !important; }
  .katex { font-size: 1em; }  /* the page's text is already enlarged; wide formulas then fit a phone */
  /* tables at normal mode's size (13 px), tight, headers wrapping, row labels on one line: a
     nine-column table fits 390 px (!important: Streamlit's own cell styles win otherwise) */
  [data-testid="stTable"] td, [data-testid="stTable"] th { font-size: 0.62rem !important; padding: 0.1rem !important; }
  [data-testid="stTable"] thead th { overflow-wrap: anywhere; }
  [data-testid="stTable"] tbody th { white-space: nowrap; }
}
</style>
"""


# Static CSS for every session: on a touch screen Streamlit keeps each data grid's toolbar (search,
# download, full screen) visible, 44 px tall just above the grid, where it covered the formula, caption
# or table before it. A margin of the same height gives it a strip of its own.
BASE_CSS = """
<style>
@media (hover: none) { [data-testid="stDataFrame"] { margin-top: 2.75rem; } }
</style>
"""


# Keyboard access to formulas (WCAG 2.1.1; axe's rule scrollable-region-focusable). Streamlit draws
# display maths in a box that scrolls sideways (overflow-x: auto) and cannot be focused, so a keyboard
# could not scroll a formula wider than its column. KaTeX ends some formulas with a 2-px strut
# (.vlist-s), which made 2 px of scroll in boxes that fit: 2 px of padding holds it, so no box scrolls
# for nothing. A formula that really is wider (a narrow column on a phone) is made focusable with a
# role and a name, so Tab reaches it and the arrow keys scroll it. Static code, never user text.
A11Y_HTML = """
<style>.katex-display > .katex { padding-right: 2px; }</style>
<script>
(() => {
  if (window.xorlabFormulaKeys) return;
  window.xorlabFormulaKeys = true;
  const LABEL = "Formula wider than its column: scroll it sideways with the arrow keys";
  const mark = () => {
    window.xorlabFormulaKeysQueued = false;
    document.querySelectorAll(".katex-display").forEach(e => {
      const wide = e.scrollWidth > e.clientWidth;
      if (wide && !e.hasAttribute("tabindex")) {
        e.tabIndex = 0; e.setAttribute("role", "region"); e.setAttribute("aria-label", LABEL);
      } else if (!wide && e.getAttribute("aria-label") === LABEL) {
        e.removeAttribute("tabindex"); e.removeAttribute("role"); e.removeAttribute("aria-label");
      }
    });
  };
  const queue = () => {
    if (window.xorlabFormulaKeysQueued) return;
    window.xorlabFormulaKeysQueued = true;
    setTimeout(mark, 100);
  };
  new MutationObserver(queue).observe(document.body, {childList: true, subtree: true});
  window.addEventListener("resize", queue);
  queue();
})();
</script>
"""


def guard_integer_links() -> None:
    """Make ``?seed=inf`` fall back to the default instead of crashing the page.

    Streamlit 1.67 seeds a bound integer st.number_input from the link with int(float(value));
    int(inf) raises OverflowError, which Streamlit does not catch (it catches ValueError and
    returns the default for out-of-range values). This wraps that one deserializer so an
    infinite value is treated like any other out-of-range value. Idempotent; a no-op if
    Streamlit's internals change.
    """
    from streamlit.elements.widgets import number_input as ni

    serde = getattr(ni, "NumberInputSerde", None)
    original = getattr(serde, "deserialize", None)
    if original is None or getattr(original, "_xorlab_guard", False):
        return

    def deserialize(self, ui_value):
        try:
            return original(self, ui_value)
        except OverflowError:
            return self.value

    deserialize._xorlab_guard = True
    serde.deserialize = deserialize


LABELS = "_link_labels"  # session key: {a setting a link may carry: the label its control shows}


def name_setting(key: str, label: str) -> None:
    """Record the label of the control behind the link setting ``key``, for messages about links."""
    st.session_state.setdefault(LABELS, {})[key] = label


def linked(widget, label: str, *args, key: str, **kwargs):
    """``widget(label, *args, key=key, **kwargs)`` as a control that is part of the page's address:
    bound to the query string (a copied address reopens it) and kept for the session. Every such
    control is drawn through here, so link messages can name it by its label. A required choice
    (``required=True`` with a ``default``) that an empty URL parameter (``?key=``) cleared anyway gives
    its default."""
    name_setting(key, label)
    value = widget(label, *args, key=key, bind="query-params", persist_state="session", **kwargs)
    if value is None and kwargs.get("required") and "default" in kwargs:
        return kwargs["default"]
    return value


# The keys must match the pages' own (app/one_epoch/controls.py KEYS); a test checks they do.
PRESENTER_HELP = (
    "Larger text, maths, tables and charts, and less chrome, for projecting in a classroom.\n\n"
    "Keys in presenter mode: on *One epoch in slow motion*, **N** = next phase, **B** = back, **P** = play or pause; "
    "on *Training*, **N** / **B** = one epoch on / back and **P** = play or pause the replay (also on *Hidden "
    "features*); in a class, on every page, **1**, **2**, … = reveal the page's first, second, … question to the class."
)


def sidebar_common() -> None:
    """Controls every page shares, drawn in the sidebar by app/main.py before the page runs."""
    guard_integer_links()
    with st.sidebar:
        linked(
            st.toggle,
            "Presenter mode",
            key="presenter",
            help=PRESENTER_HELP,
        )
    st.html(BASE_CSS)
    st.html(A11Y_HTML, unsafe_allow_javascript=True)
    if presenter():
        st.html(PRESENTER_CSS)


def _same(url_value: str, value) -> bool:
    """Does a query-string value describe the widget value the page ended up with?"""
    if isinstance(value, bool):
        return url_value.strip().lower() == str(value).lower()
    if isinstance(value, (int, float)):
        try:
            return float(url_value) == float(value)
        except ValueError:
            return False
    return url_value == str(value)


OPENED = "_link_page"  # session key: the page whose opening address check_link last judged


def link_at_open(page: str) -> dict:
    """At the start of a run: the settings in the address if this run opens ``page`` (the session's
    first run, or a move from another page), else {}. Later reruns of the same page come from its own
    controls, which may drop a setting from the address themselves (a preset back to a default):
    that is not a bad link."""
    return st.query_params.to_dict() if st.session_state.get(OPENED) != page else {}


def check_link(page: str, initial: dict) -> list[str]:
    """After a page ran: which settings of the address it was opened with (``link_at_open``) were
    not used, and why, each named by its control's label.

    Unknown keys are removed from the address; values a widget refused (wrong type, out of
    range) have already been dropped by Streamlit, which fell back to the default.
    """
    ss = st.session_state
    ss[OPENED] = page
    labels = ss.get(LABELS, {})
    now = st.query_params.to_dict()
    problems = []
    for key, value in initial.items():
        if key not in ss:
            problems.append(f"unknown setting “{key[:40]}”")
            st.query_params.pop(key, None)
        elif key not in now and not _same(value, ss[key]):
            problems.append(f"“{labels.get(key, key)}” = “{value[:40]}” is not a valid value")
    return problems


# Static HTML and JavaScript only (never user text): the browser's own address, read when shown and
# when copied, so the box is right even after a control that redraws only part of the page (a
# fragment rerun) changed the address. The clipboard API needs a secure page (https or localhost);
# elsewhere (a classroom server on http) the copy falls back to selecting the box's text.
SHARE_HTML = """
<div class="xl-share">
  <input type="text" readonly aria-label="Link to this view"
         style="width:100%;box-sizing:border-box;font-family:monospace;font-size:0.8rem;padding:0.4rem;
                border:1px solid rgba(49,51,63,0.2);border-radius:0.5rem;background:rgba(240,242,246,0.6)">
  <button type="button" style="margin-top:0.5rem;width:100%;padding:0.4rem;font:inherit;cursor:pointer;
                 border:1px solid rgba(49,51,63,0.2);border-radius:0.5rem;background:white">Copy</button>
  <div role="status" style="font-size:0.85rem;min-height:1.2rem;margin-top:0.3rem"></div>
</div>
<script>
(() => {
  const box = document.currentScript.previousElementSibling;
  const field = box.querySelector("input"), status = box.querySelector("[role=status]");
  const show = () => { if (field.value !== window.location.href) field.value = window.location.href; };
  show();
  field.addEventListener("focus", () => field.select());
  const timer = setInterval(() => (box.isConnected ? show() : clearInterval(timer)), 400);
  box.querySelector("button").addEventListener("click", async () => {
    show();
    try {
      await navigator.clipboard.writeText(field.value);
    } catch (err) {
      field.select();
      document.execCommand("copy");
    }
    status.textContent = "Copied.";
  });
})();
</script>
"""


# Static JavaScript: on a screen where the side panel covers the page (Streamlit's "md" breakpoint,
# 768 px, and below), a tap on a chapter in the panel's page list closes the panel, so the chapter
# is what the reader sees. Streamlit does this itself only for a phone's user agent (a tablet asking
# for the desktop site, or a narrow window, kept the panel open over the page). Installed once per
# browser tab; it only clicks the panel's own close button, and only while the panel is open.
NAV_CLOSE_JS = """
<script>
(() => {
  if (window.xorlabNavClose) return;
  window.xorlabNavClose = true;
  const narrow = window.matchMedia("(max-width: 768px)");
  document.addEventListener("click", (event) => {
    if (!narrow.matches || !event.target.closest('[data-testid="stSidebarNav"] a')) return;
    setTimeout(() => {
      const panel = document.querySelector('[data-testid="stSidebar"]');
      const close = document.querySelector('[data-testid="stSidebarCollapseButton"] button');
      if (panel && close && panel.getAttribute("data-collapsed") === "false") close.click();
    }, 100);
  }, true);
})();
</script>
"""
SIDE_PANEL = "the side panel (» at the top left opens it)"  # where the settings are, on any screen


def share_link() -> None:
    """The end of the side panel: 'copy link to this view' (the browser's current address, every
    bound control in it, shown and copied by SHARE_HTML), and NAV_CLOSE_JS."""
    with st.sidebar.popover("Copy link to this view", icon=":material/link:", width="stretch"):
        st.caption("This address reopens the page with the current settings.")
        st.html(SHARE_HTML, unsafe_allow_javascript=True)
    st.sidebar.html(NAV_CLOSE_JS, unsafe_allow_javascript=True)


INTRO_FOLD = 200  # presenter mode: introductions longer than this (characters) fold into an expander


def page_header(title: str, intro: str | None = None) -> None:
    """The page title and its introduction. In presenter mode a long introduction (more than about
    two projected lines) folds into an expander, so the page's main picture and numbers move up
    onto a projector's first screen."""
    st.title(title)
    if intro:
        fold_intro(intro)


def fold_intro(intro: str, label: str = "About this page") -> None:
    """An introduction: in presenter mode, when longer than INTRO_FOLD, folded into an expander."""
    if presenter() and len(intro) > INTRO_FOLD:
        with st.expander(label):
            st.markdown(intro)
    else:
        st.markdown(intro)


def matrix_frame(a: np.ndarray, rows: list[str] | None = None, cols: list[str] | None = None) -> pd.DataFrame:
    """A 2-D array as a DataFrame with readable row and column labels."""
    a = np.atleast_2d(np.asarray(a, dtype=float))
    rows = rows if rows is not None else [str(i) for i in range(a.shape[0])]
    cols = cols if cols is not None else [str(j) for j in range(a.shape[1])]
    return pd.DataFrame(a, index=rows, columns=cols)


MARK = "▶ "  # prefix of a highlighted row's label (the Backprop ledger marks its rows the same way)
HIGHLIGHT_CSS = "background-color: #fde9c8; font-weight: bold"  # presenter mode's highlighted row


def mark_rows(labels: list[str], highlight_row: int | None) -> list[str]:
    """The row labels with ``MARK`` in front of row ``highlight_row`` (none when out of range)."""
    labels = list(labels)
    if highlight_row is not None and 0 <= highlight_row < len(labels):
        labels[highlight_row] = MARK + labels[highlight_row]
    return labels


def number_formats(columns, digits: int) -> dict:
    """st.dataframe column_config giving every column ``digits`` fixed decimals."""
    return {str(c): st.column_config.NumberColumn(format=f"%.{digits}f") for c in columns}


@st.cache_resource(max_entries=512, show_spinner=False)
def _matrix_parts(values: bytes, shape: tuple, rows: tuple, cols: tuple) -> tuple[pd.DataFrame, pa.Table, int]:
    """(matrix_frame, the same as an Arrow table, the table's row-label column) of the float64
    ``values``, built once per content: Streamlit ships a pyarrow Table as it is, so a rerun with the
    same numbers skips pandas. Shared between sessions: the Arrow table is immutable and show_matrix
    hands out copies of the frame."""
    df = matrix_frame(np.frombuffer(values, dtype=float).reshape(shape), list(rows), list(cols))
    table = pa.Table.from_pandas(df)
    return df, table, table.schema.get_field_index(json.loads(table.schema.metadata[b"pandas"])["index_columns"][0])


def _mark_table(table: pa.Table, label_col: int, highlight_row: int | None) -> pa.Table:
    """``table`` with ``MARK`` in front of row ``highlight_row``'s label (a new table; the labels
    column is swapped, everything else shared)."""
    labels = mark_rows(table.column(label_col).to_pylist(), highlight_row)
    field = table.schema.field(label_col)
    return table.set_column(label_col, field, pa.array(labels, type=field.type))


def show_matrix(
    a: np.ndarray,
    rows: list[str] | None = None,
    cols: list[str] | None = None,
    digits: int = 4,
    highlight_row: int | None = None,
    key: str | None = None,
) -> pd.DataFrame:
    """Show a matrix as a formatted table, optionally highlighting one row; returns the frame
    (unmarked labels, full-precision values).

    st.dataframe normally, its numbers formatted through column_config and the highlighted row's
    label marked "▶ " (no pandas Styler: a Styler costs several milliseconds per small table on
    every rerun); the table is built once per content. In presenter mode an st.table, whose text
    grows with the page, with the highlighted row also shaded and bold for the back of the room.
    """
    a = np.ascontiguousarray(np.atleast_2d(np.asarray(a, dtype=float)))
    rows = tuple(rows) if rows is not None else tuple(str(i) for i in range(a.shape[0]))
    cols = tuple(cols) if cols is not None else tuple(str(j) for j in range(a.shape[1]))
    if presenter():  # an HTML table scales with presenter mode's larger root font
        df = matrix_frame(a, list(rows), list(cols))
        marked = mark_rows(list(df.index), highlight_row)
        styler = df.set_axis(marked, axis=0).style.format(f"{{:.{digits}f}}")
        if marked != list(df.index):
            target = marked[highlight_row]
            styler = styler.apply(lambda r: [HIGHLIGHT_CSS if r.name == target else "" for _ in r], axis=1)
        st.table(styler)
        return df
    df, table, label_col = _matrix_parts(a.tobytes(), a.shape, rows, cols)
    if highlight_row is not None and 0 <= highlight_row < a.shape[0]:
        table = _mark_table(table, label_col, highlight_row)
    st.dataframe(table, key=key, width="content", column_config=number_formats(cols, digits))
    return df.copy()


def cell_text(v, fmt: str | None = None):
    """One cell as the data grid writes it under a NumberColumn ``fmt`` (printf such as "%.3f", or
    "percent"); floats without a format get 4 significant digits, NaN an empty cell, other values
    (integers, text, booleans) stay as they are."""
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, float, np.integer, np.floating)):
        return v
    if np.isnan(v):
        return ""
    if fmt == "percent":
        return f"{v * 100:.3g}%"
    if fmt:
        return fmt % v
    return f"{v:.4g}" if isinstance(v, (float, np.floating)) else v


def text_frame(data, column_config: dict | None = None, hide_index: bool | None = None) -> pd.DataFrame:
    """``data`` (DataFrame or Arrow table) with every number written as ``column_config`` formats it
    in the data grid, for st.table (which has no number formats of its own). hide_index: the first
    column becomes the row labels, as the grid's pinned first column."""
    df = data.to_pandas() if isinstance(data, pa.Table) else pd.DataFrame(data)
    formats = {str(c): (cfg.get("type_config") or {}).get("format") for c, cfg in (column_config or {}).items()}
    labels = {str(c): cfg["label"] for c, cfg in (column_config or {}).items() if cfg.get("label")}
    out = pd.DataFrame(
        {str(c): [cell_text(v, formats.get(str(c))) for v in df[c].tolist()] for c in df.columns}, index=df.index
    )
    if hide_index:
        out = out.set_index(out.columns[0])
    return out.rename(columns=labels)


def table(
    data,
    column_config: dict | None = None,
    *,
    hide_index: bool | None = None,
    key: str | None = None,
    width: str | int = "stretch",
    height: str | int = "auto",
) -> None:
    """Every table of the app (except show_matrix, which draws the same two ways itself).

    Normally Streamlit's data grid (st.dataframe: sorting, search, full screen). In presenter mode an
    HTML table (st.table) of the same numbers in the same formats: its text grows with presenter
    mode's larger root font, so a projected table is whole; the grid draws on a canvas at its own
    font size, and enlarging it (CSS zoom) cut its right-hand columns off. A pandas Styler is drawn
    as it is (its own formats and highlights)."""
    if not presenter():
        st.dataframe(data, key=key, width=width, height=height, column_config=column_config, hide_index=hide_index)
        return
    from pandas.io.formats.style import Styler  # loads jinja2: only when projecting

    if not isinstance(data, Styler):
        data = text_frame(data, column_config, hide_index)
    st.table(
        data, width="content" if width == "content" else "stretch", height=height if height != "auto" else "content"
    )


def columns(spec, present: bool, gap: str = "large") -> list:
    """Side by side normally; one under the other in presenter mode, where everything is larger."""
    n = spec if isinstance(spec, int) else len(spec)
    return [st.container() for _ in range(n)] if present else list(st.columns(spec, gap=gap))


def shape_str(a: np.ndarray) -> str:
    return "×".join(str(n) for n in np.shape(a))


def fmt(v: float, digits: int = 3) -> str:
    """A number for prose: fixed digits, a typographic minus, never 'nan'."""
    if not np.isfinite(v):
        return "∞" if v > 0 else ("−∞" if v < 0 else "undefined")
    return f"{v:.{digits}f}".replace("-", "−")


def tex(v: float, digits: int = 3) -> str:
    """A number for st.latex: fixed digits; inf/NaN become \\infty / \\text{undefined}."""
    if not np.isfinite(v):
        return r"\infty" if v > 0 else (r"-\infty" if v < 0 else r"\text{undefined}")
    return f"{v:.{digits}f}"


def tval(v: float, digits: int = 3) -> str:
    """A computed value for st.latex with fixed decimals (2.700, 0.937); never "-0.00"."""
    if not np.isfinite(v):
        return r"\infty" if v > 0 else (r"-\infty" if v < 0 else r"\text{NaN}")
    s = f"{v:.{digits}f}"
    return s[1:] if s.startswith("-") and float(s) == 0 else s


def paren(s: str) -> str:
    """A negative number in brackets, as the notes write it inside a sum: + (-2.5)."""
    return f"({s})" if s.startswith("-") else s


def sci(v: float) -> str:
    """A norm or ratio for prose: 3 significant digits, scientific when far from 1, never 'nan'."""
    if not np.isfinite(v):
        return fmt(v)
    return f"{v:.3g}" if v == 0 or 1e-3 <= abs(v) < 1e4 else f"{v:.2e}"


def sup(n: int) -> str:
    """n as superscript digits: 10 → ¹⁰."""
    return str(n).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))


def tex_sci(v: float) -> str:
    """sci() for st.latex: 9.54e-07 → 9.54 \\times 10^{-7}."""
    t = sci(v)
    if "e" not in t:
        return t
    mant, exp = t.split("e")
    return rf"{mant} \times 10^{{{int(exp)}}}"
