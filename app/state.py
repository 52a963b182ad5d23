"""The shared "network" control: where the current 2-2-1 network's weights come from.

Pages that show the notes' network call ``network_control()`` (drawn in the sidebar) and get back
an ``MLP``. The choice lives in ``st.session_state`` under the widgets' keys (``NETWORK_KEYS``).
A widget's identity includes the page that draws it, so the same control on another page is a new
widget; Streamlit 1.67's ``persist_state="session"`` hands the old page's value to it only after
that page's first run, which therefore showed the default (a linked network fell back to the notes'
weights on the first click, and flipped on alternate clicks). ``load_link`` instead writes each
key back to itself at the start of every run, before any widget, as Streamlit's docs suggest
("interrupting the widget clean-up process"): the new page's widget then starts from it.

Sources:
- "notes":   Example weights from the notes (core.data.NOTES_WEIGHTS)
- "random":  Random initialisation, seed and initialiser chosen by the user
- "manual":  each of the 9 numbers edited by hand (editing any number switches to this)
- "trained": a run from the Training page, at a chosen epoch (only once a run exists)

These widgets are deliberately not bound to the URL: a bound widget falls back to its default on
any page opened without its parameter (checked in Chromium: choosing a random network and then
clicking another page brought back the notes' weights), which would break "moving to another
page keeps the current network". Instead one query parameter, ``net``, carries the network in
shareable links (``link_value``/``load_link``): ``random-<seed>-<initialiser>`` or
``w:<the 9 numbers>``; the notes' weights need none. A trained run is too big for a link.

A trained run comes from the Training page through this module's small API, never through its
session keys: ``publish_run`` (Training's button), ``published_run`` (label and history, or None),
``epoch_control`` (the one epoch control of a trained network in use: in the side panel, or in a
page's body when the page asks). That network may have any hidden width and activation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

from app import initialisers
from app.names import INITIALISER_NAMES
from core.data import NOTES_LABEL, notes_weights
from core.init import INITIALISERS
from core.mlp import MLP
from core.weights_io import MAX_BYTES, WeightsError, export_weights, import_weights

SOURCES = {
    "notes": NOTES_LABEL,
    "random": "Random initialisation",
    "manual": "Edit the 9 numbers by hand",
    "trained": "Trained network (from the Training page)",
}
WEIGHT_LIMIT = 20.0  # hand-edited weights and biases stay within ±20
# session key -> (tensor, row, col): the 9 numbers of the 2-2-1 network, in the notes' names
WEIGHT_KEYS = {
    "w1_00": ("W1", 0, 0),
    "w1_01": ("W1", 0, 1),
    "w1_10": ("W1", 1, 0),
    "w1_11": ("W1", 1, 1),
    "b1_0": ("b1", 0, 0),
    "b1_1": ("b1", 0, 1),
    "w2_0": ("W2", 0, 0),
    "w2_1": ("W2", 1, 0),
    "b2": ("b2", 0, 0),
}
WEIGHT_LABELS = {
    "w1_00": "W1[0,0]  x1 → h1",
    "w1_01": "W1[0,1]  x1 → h2",
    "w1_10": "W1[1,0]  x2 → h1",
    "w1_11": "W1[1,1]  x2 → h2",
    "b1_0": "b1[0]  bias of h1",
    "b1_1": "b1[1]  bias of h2",
    "w2_0": "W2[0]  h1 → output",
    "w2_1": "W2[1]  h2 → output",
    "b2": "b2  bias of output",
}


def params_to_keys(params: dict) -> dict:
    """{"W1":..., ...} of a 2-2-1 network → {"w1_00": float, ...}."""
    return {k: float(np.clip(params[t][i, j], -WEIGHT_LIMIT, WEIGHT_LIMIT)) for k, (t, i, j) in WEIGHT_KEYS.items()}


def keys_to_params(values: dict) -> dict:
    params = {"W1": np.zeros((2, 2)), "b1": np.zeros((1, 2)), "W2": np.zeros((2, 1)), "b2": np.zeros((1, 1))}
    for k, (t, i, j) in WEIGHT_KEYS.items():
        params[t][i, j] = float(values[k])
    return params


@st.cache_data(max_entries=256, show_spinner=False)
def _random_params(seed: int, init: str) -> dict:
    return MLP.create([2, 2, 1], init=init, seed=seed).to_dict()


@dataclass(frozen=True)
class Run:
    """A training run another page can use: its one-line label and its core.train.History."""

    label: str
    history: object


_RUN = "_trained_run"  # session key of the published Run (only this module reads or writes it)


def publish_run(label: str, history, epoch: int) -> None:
    """Make this run, at ``epoch``, the shared network of every page (Training's button)."""
    ss = st.session_state
    ss[_RUN] = Run(label, history)
    ss["net_source"] = "trained"
    ss["net_epoch"] = _nearest_epoch(history, epoch)


def published_run() -> Run | None:
    """The run last published, or None."""
    run = st.session_state.get(_RUN)
    return run if isinstance(run, Run) else None


def trained_in_use() -> bool:
    """Is the shared network a published run (at the epoch of ``epoch_control``)?"""
    return st.session_state.get("net_source") == "trained" and published_run() is not None


def _nearest_epoch(history, epoch: int) -> int:
    epochs = history.snapshot_epochs
    return epoch if epoch in epochs else epochs[-1]


def epoch_control(label: str = "Epoch", help: str | None = None) -> int:
    """The one control that picks the epoch of the published run in use, where it is called (the side
    panel by default; a page that shows it in its body passes ``epoch_in_page=True`` to
    ``network_control``). Returns the epoch."""
    hist = published_run().history
    ss = st.session_state
    ss["net_epoch"] = _nearest_epoch(hist, ss.get("net_epoch", hist.snapshot_epochs[-1]))
    return st.select_slider(label, options=hist.snapshot_epochs, key="net_epoch", help=help)


LINK_KEY = "net"
# the session keys of the control's widgets: together they describe the current network
NETWORK_KEYS = ("net_source", "net_seed", "net_init", "net_epoch", *WEIGHT_KEYS)


def link_value() -> str | None:
    """The ``net`` query value describing the current network, or None (notes' weights, trained)."""
    ss = st.session_state
    src = ss.get("net_source", "notes")
    if src == "random":
        return f"random-{int(ss['net_seed'])}-{ss['net_init']}"
    if src == "manual":
        return "w:" + ",".join(f"{float(ss[k]):.6g}" for k in WEIGHT_KEYS)
    return None


def parse_link(value: str) -> dict:
    """Session-state values for a ``net`` query value; ValueError with a plain message when malformed."""
    value = value.strip()
    if value == "notes":
        return {"net_source": "notes"}
    if value.startswith("random-"):
        parts = value.split("-", 2)
        if len(parts) != 3 or not parts[1].isdigit() or parts[2] not in INITIALISERS:
            raise ValueError("expected random-<seed>-<initialiser>")
        seed = int(parts[1])
        if seed > 2**31 - 1:
            raise ValueError("the seed is too large")
        return {"net_source": "random", "net_seed": seed, "net_init": parts[2]}
    if value.startswith("w:"):
        try:
            numbers = [float(v) for v in value[2:].split(",")]
        except ValueError:
            raise ValueError("the weights are not numbers") from None
        if len(numbers) != len(WEIGHT_KEYS) or not all(np.isfinite(numbers)):
            raise ValueError(f"expected {len(WEIGHT_KEYS)} finite numbers")
        if any(abs(v) > WEIGHT_LIMIT for v in numbers):
            raise ValueError(f"weights must lie within ±{WEIGHT_LIMIT:g}")
        return {"net_source": "manual", **dict(zip(WEIGHT_KEYS, numbers))}
    raise ValueError("unknown network description")


def load_link() -> list[str]:
    """Before a page runs: keep the current network for this page's widgets, and take the network
    from a link's ``net`` parameter when it brings a new one. Returns what could not be used (for
    the page's link notice): nothing, or why the link's network was refused."""
    ss = st.session_state
    for k in NETWORK_KEYS:
        if k in ss:
            ss[k] = ss[k]
    value = st.query_params.get(LINK_KEY)
    ss[LINK_KEY] = value  # a known setting for app.ui.check_link
    if value is None or value == ss.get("_net_link_last"):
        return []
    ss["_net_link_last"] = value
    try:
        parsed = parse_link(value[:400])
    except ValueError as err:
        st.query_params.pop(LINK_KEY, None)
        return [f"“Network” = “{value[:40]}” is not a valid value ({err}; the notes' weights are shown)"]
    _ensure_defaults()
    ss.update(parsed)
    return []


def _write_link() -> None:
    value = link_value()
    ss = st.session_state
    if value is None:
        st.query_params.pop(LINK_KEY, None)
    else:
        st.query_params[LINK_KEY] = value
    ss["_net_link_last"] = value


def _ensure_defaults() -> None:
    ss = st.session_state
    ss.setdefault("net_source", "notes")
    ss.setdefault("net_seed", 0)
    ss.setdefault("net_init", "xavier_uniform")
    for k, v in params_to_keys(notes_weights()).items():
        ss.setdefault(k, v)
    if ss["net_source"] == "trained" and published_run() is None:
        ss["net_source"] = "notes"


def _network_from(source: str) -> MLP:
    ss = st.session_state
    if source == "random":
        return MLP.from_dict(_random_params(int(ss["net_seed"]), ss["net_init"]))
    if source == "manual":
        return MLP.from_dict(keys_to_params(ss))
    if source == "trained":
        hist = published_run().history
        return hist.network_at(int(ss.get("net_epoch", hist.snapshot_epochs[-1])))
    return MLP.from_dict(notes_weights())


def _sync_manual_from_current() -> None:
    """Before showing the number editors, make them show the network actually in use."""
    ss = st.session_state
    src = ss["net_source"]
    if src in ("notes", "random") or (src == "trained" and _network_from("trained").sizes == [2, 2, 1]):
        for k, v in params_to_keys(_network_from(src).to_dict()).items():
            ss[k] = v


def _switch_to_manual() -> None:
    st.session_state["net_source"] = "manual"


def current_network() -> MLP:
    """The network the shared control currently describes (no widgets drawn)."""
    _ensure_defaults()
    return _network_from(st.session_state["net_source"])


def _reset_to_notes() -> None:
    st.session_state["net_source"] = "notes"


def _number_input(where, k: str, label: str) -> None:
    where.number_input(
        label,
        min_value=-WEIGHT_LIMIT,
        max_value=WEIGHT_LIMIT,
        step=0.1,
        format="%.3f",
        key=k,
        on_change=_switch_to_manual,
        help=f"{WEIGHT_LABELS[k]}. Editing any number switches the source to 'Edit the 9 numbers by hand'.",
    )


def _draw_editor(layout: str) -> None:
    """The 9 number inputs. layout "sidebar": one column; "main": laid out as the matrices W1, b1, W2, b2."""
    _sync_manual_from_current()
    if layout == "sidebar":
        for k, label in WEIGHT_LABELS.items():
            _number_input(st, k, label)
        return
    c_w1, c_b1, c_w2 = st.columns([2, 1, 1], gap="medium")
    c_w1.markdown("**W1** (2×2) — rows x1, x2; columns h1, h2")
    for row in (("w1_00", "w1_01"), ("w1_10", "w1_11")):
        left, right = c_w1.columns(2)
        _number_input(left, row[0], WEIGHT_LABELS[row[0]])
        _number_input(right, row[1], WEIGHT_LABELS[row[1]])
    c_b1.markdown("**b1** (1×2)")
    for k in ("b1_0", "b1_1"):
        _number_input(c_b1, k, WEIGHT_LABELS[k])
    c_w2.markdown("**W2** (2×1), **b2** (1×1)")
    for k in ("w2_0", "w2_1", "b2"):
        _number_input(c_w2, k, WEIGHT_LABELS[k])


def _load_upload() -> None:
    """on_change of the weights uploader: a valid 2-2-1 sigmoid file becomes the hand-edited network."""
    ss = st.session_state
    upload = ss.get("net_upload")
    if upload is None:  # the file was removed: its message goes too
        ss.pop("_net_upload_msg", None)
        return
    try:
        net = import_weights(upload.getvalue(), sizes=[2, 2, 1])
        if net.hidden != "sigmoid" or net.output != "sigmoid":
            raise WeightsError(
                f"This file's network uses {net.hidden} hidden units and a {net.output} output; the shared "
                "network is the notes' sigmoid 2-2-1 network."
            )
        values = params_to_keys(net.to_dict())
        if any(abs(float(v)) > WEIGHT_LIMIT for v in np.concatenate([np.ravel(a) for a in net.to_dict().values()])):
            raise WeightsError(
                f"The hand-edited network keeps every number within ±{WEIGHT_LIMIT:g}; this file has larger ones."
            )
    except WeightsError as err:
        ss["_net_upload_msg"] = ("error", f"“{upload.name[:60]}” was not loaded: {err}")
        return
    ss.update(values)
    ss["net_source"] = "manual"
    ss["_net_upload_msg"] = ("success", f"Loaded the 9 numbers from “{upload.name[:60]}”.")


def _save_and_load(net: MLP) -> None:
    """Download the current network as JSON; load a 2-2-1 network from such a file."""
    with st.expander("Save or load weights"):
        try:
            saved = export_weights(net)
        except WeightsError as e:  # e.g. a trained run whose weights left the range a file may hold
            st.info(f"These weights cannot be saved: {e}", icon=":material/info:")
        else:
            st.download_button(
                "Download these weights (JSON)",
                saved,
                file_name="xor-lab-weights.json",
                mime="application/json",
                key="net_download",
                on_click="ignore",
                width="stretch",
            )
        st.file_uploader(
            f"Load a 2-2-1 weights file (JSON, at most {MAX_BYTES // 1024} KB)",
            type=["json"],
            key="net_upload",
            on_change=_load_upload,
            max_upload_size=1,  # MB, the uploader's smallest limit; import_weights then allows 64 KB
            help="A file this button saved, or one written by hand in the same format: W1, b1, W2, b2.",
        )
        if msg := st.session_state.get("_net_upload_msg"):
            (st.error if msg[0] == "error" else st.success)(msg[1])


def network_control(editor: bool = True, epoch_in_page: bool = False) -> MLP:
    """Draw the shared network control in the sidebar and return the current network.

    editor: also show the 9 number inputs in the sidebar (editing one switches the source to
    "manual"). Pages that show the editor in their own body call ``network_control(editor=False)``
    and then ``weight_editor()``. epoch_in_page: the page draws ``epoch_control`` in its body (a
    trained run's replay), so the side panel leaves it out.
    """
    _ensure_defaults()
    ss = st.session_state
    options = [s for s in SOURCES if s != "trained" or published_run() is not None]
    with st.sidebar:
        st.subheader("Network")
        st.selectbox(
            "Where the weights come from",
            options,
            format_func=SOURCES.get,
            key="net_source",
        )
        src = ss["net_source"]
        if src == "random":
            c1, c2 = st.columns(2)
            c1.number_input("Seed", 0, 2**31 - 1, step=1, key="net_seed")
            c2.selectbox("Initialiser", list(INITIALISERS), format_func=INITIALISER_NAMES.get, key="net_init")
            initialisers.explain(ss["net_init"])
        if src == "trained":
            st.caption(published_run().label)
            if not epoch_in_page:
                epoch_control()
        net = _network_from(src)
        if src != "notes":
            st.button(f"Back to: {SOURCES['notes']}", key="net_reset", on_click=_reset_to_notes, width="stretch")
        if net.sizes != [2, 2, 1]:
            sizes = "-".join(map(str, net.sizes))
            st.caption(f"Editing by hand is for the notes' 2-2-1 shape; this network is {sizes}.")
        elif editor:
            with st.expander("The 9 numbers", expanded=src == "manual"):
                _draw_editor("sidebar")
            net = _network_from(ss["net_source"])
        _save_and_load(net)
    _write_link()
    return net


def use_network(net: MLP) -> str | None:
    """Make ``net`` the shared network, as its 9 numbers edited by hand (for a button's on_click).
    Returns why it cannot (not a 2-2-1 sigmoid network, or a number beyond ±WEIGHT_LIMIT), else None."""
    if net.sizes != [2, 2, 1] or net.hidden != "sigmoid" or net.output != "sigmoid":
        return "the shared network is the notes' 2-2-1 network with sigmoid units"
    if not np.all(np.abs(net.flat()) <= WEIGHT_LIMIT):
        return f"the shared network keeps every number within ±{WEIGHT_LIMIT:g}"
    _ensure_defaults()
    st.session_state.update(params_to_keys(net.to_dict()))
    st.session_state["net_source"] = "manual"
    return None


def weight_editor(expanded: bool | None = None) -> MLP:
    """The 9 number inputs in the page body, laid out as W1, b1, W2, b2; returns the current network.

    Call after ``network_control(editor=False)``. For a network that is not 2-2-1 (a trained run
    with another width) it says so and draws nothing.
    """
    _ensure_defaults()
    net = _network_from(st.session_state["net_source"])
    if net.sizes != [2, 2, 1]:
        sizes = "-".join(map(str, net.sizes))
        st.caption(f"The 9 numbers can be edited for a 2-2-1 network; the current one is {sizes}.")
        return net
    src = st.session_state["net_source"]
    with st.expander("Edit the 9 numbers (W1, b1, W2, b2)", expanded=src == "manual" if expanded is None else expanded):
        _draw_editor("main")
    _write_link()
    return _network_from(st.session_state["net_source"])


def network_caption(net: MLP) -> str:
    """One line saying which network is shown, for the top of a page."""
    src = st.session_state.get("net_source", "notes")
    extra = ""
    if src == "random":
        extra = f" (seed {st.session_state['net_seed']}, {INITIALISER_NAMES[st.session_state['net_init']]})"
    if src == "trained" and published_run() is not None:
        extra = f" — {published_run().label}, epoch {st.session_state.get('net_epoch')}"
    sizes = "-".join(map(str, net.sizes))
    return f"Network: **{SOURCES[src]}**{extra} · {sizes} · {net.hidden} hidden units"


def try_new_network() -> None:
    """Make the shared network a new random one (the next seed, same initialiser): a checkpoint's
    "try again" (for a button's on_click)."""
    _ensure_defaults()
    ss = st.session_state
    ss["net_seed"] = int(ss["net_seed"]) + 1 if ss["net_source"] == "random" else int(ss["net_seed"])
    ss["net_source"] = "random"
