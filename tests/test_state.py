"""The shared network control (app/state.py): every source, all 9 numbers editable, and the
network remembered across pages."""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import ROOT, open_page

from app.state import SOURCES, Run
from core import MLP, X, notes_network, train, y
from core.data import NOTES_LABEL, NOTES_WEIGHTS

# A tiny page that draws the control and prints the network it returns.
SCRIPT = f"""
import sys
sys.path.insert(0, {str(ROOT)!r})
import json
import streamlit as st
from app import state
where = st.session_state.get("editor_where", "sidebar")
net = state.network_control(editor=where == "sidebar")
if where == "main":
    net = state.weight_editor()
st.code(json.dumps({{"params": {{k: v.tolist() for k, v in net.to_dict().items()}}, "hidden": net.hidden}}))
st.markdown(state.network_caption(net))
cur = state.current_network()
st.text(json.dumps(cur.flat().tolist()))
"""

KEYS = ["w1_00", "w1_01", "w1_10", "w1_11", "b1_0", "b1_1", "w2_0", "w2_1", "b2"]
NOTES_FLAT = notes_network().flat()  # W1 row-major, b1, W2, b2: the same order as KEYS


def _app(**session):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_string(SCRIPT, default_timeout=30)
    for k, v in session.items():
        at.session_state[k] = v
    at.run()
    assert not at.exception, at.exception
    return at


def _net(at) -> MLP:
    d = json.loads(at.code[0].value)
    return MLP.from_dict({k: np.array(v) for k, v in d["params"].items()}, hidden=d["hidden"])


def _run(hidden="tanh", width=3):
    hist = train(MLP.create([2, width, 1], hidden=hidden, seed=1), X, y, lr=0.5, epochs=200, snapshots=5)
    return Run(f"test run 2-{width}-1 {hidden}", hist)


def test_default_is_the_notes_example_with_nine_editable_numbers():
    at = _app()
    assert at.selectbox(key="net_source").value == "notes"
    assert NOTES_LABEL in at.markdown[0].value
    np.testing.assert_array_equal(_net(at).flat(), NOTES_FLAT)
    np.testing.assert_array_equal(json.loads(at.text[0].value), NOTES_FLAT)  # current_network() agrees
    assert [at.number_input(key=k).value for k in KEYS] == pytest.approx(list(NOTES_FLAT))


@pytest.mark.parametrize("i", range(9))
def test_each_of_the_nine_numbers_is_editable(i):
    at = _app()
    at.number_input(key=KEYS[i]).set_value(1.25).run()
    assert not at.exception
    assert at.selectbox(key="net_source").value == "manual"  # editing switches to "by hand"
    expected = NOTES_FLAT.copy()
    expected[i] = 1.25
    np.testing.assert_allclose(_net(at).flat(), expected)
    np.testing.assert_allclose(json.loads(at.text[0].value), expected)


def test_random_source_follows_seed_and_initialiser_and_edits_start_from_it():
    at = _app()
    at.selectbox(key="net_source").set_value("random").run()
    at.number_input(key="net_seed").set_value(7).run()
    at.selectbox(key="net_init").set_value("he_normal").run()
    expected = MLP.create([2, 2, 1], init="he_normal", seed=7).flat()
    np.testing.assert_allclose(_net(at).flat(), expected)
    assert "seed 7" in at.markdown[0].value
    # the editors show the random network, and editing one number keeps the other eight
    assert [at.number_input(key=k).value for k in KEYS] == pytest.approx(list(expected))
    at.number_input(key="b2").set_value(-1.0).run()
    assert at.selectbox(key="net_source").value == "manual"
    expected[-1] = -1.0
    np.testing.assert_allclose(_net(at).flat(), expected)


def test_back_to_notes_button():
    at = _app()
    at.number_input(key="w2_1").set_value(0.0).run()
    at.button(key="net_reset").click().run()
    assert at.selectbox(key="net_source").value == "notes"
    np.testing.assert_array_equal(_net(at).flat(), NOTES_FLAT)


def test_editor_in_the_page_body():
    at = _app(editor_where="main")
    assert not at.sidebar.number_input  # no sidebar editor on such pages
    assert len(at.main.number_input) == 9
    at.number_input(key="w1_11").set_value(-3.0).run()
    assert at.selectbox(key="net_source").value == "manual"
    assert _net(at).W[0][1, 1] == -3.0


def test_trained_source_any_width_and_activation():
    at = _app(_trained_run=_run("tanh", 3))
    assert SOURCES["trained"] in at.selectbox(key="net_source").options
    at.selectbox(key="net_source").set_value("trained").run()
    net = _net(at)
    hist = at.session_state["_trained_run"].history
    assert net.sizes == [2, 3, 1] and net.hidden == "tanh"
    np.testing.assert_allclose(net.flat(), hist.network_at(hist.snapshot_epochs[-1]).flat())
    assert not at.number_input  # 9 numbers only for 2-2-1; it says so instead
    assert any("2-3-1" in c.value for c in at.caption)
    at.select_slider(key="net_epoch").set_value(0).run()
    np.testing.assert_allclose(_net(at).flat(), hist.network_at(0).flat())
    assert "epoch 0" in at.markdown[0].value


def test_trained_2_2_1_run_is_editable():
    at = _app(_trained_run=_run("sigmoid", 2))
    at.selectbox(key="net_source").set_value("trained").run()
    trained = _net(at).flat()
    assert [at.number_input(key=k).value for k in KEYS] == pytest.approx(list(np.clip(trained, -20, 20)))
    at.number_input(key="w1_00").set_value(2.0).run()
    assert at.selectbox(key="net_source").value == "manual"
    np.testing.assert_allclose(_net(at).flat()[1:], trained[1:])


def test_a_vanished_run_falls_back_to_the_notes():
    at = _app(net_source="trained")  # no published run in the session
    assert at.selectbox(key="net_source").value == "notes"
    np.testing.assert_array_equal(_net(at).flat(), NOTES_FLAT)


def test_network_is_remembered_across_pages():
    """Edit on Forward pass, visit Home (no network control), then Architecture: same network."""
    at = open_page("forward_pass.py")
    at.number_input(key="w1_00").set_value(3.0).run()
    at.number_input(key="b2").set_value(-1.5).run()
    assert not at.exception
    at.switch_page("../pages/home.py").run()
    assert not at.exception
    at.switch_page("../pages/architecture.py").run()
    assert not at.exception
    assert at.selectbox(key="net_source").value == "manual"
    # the diagram's table of weights shows the edited network
    weights = next(df.value for df in at.dataframe if "weight" in df.value.columns)
    W1 = NOTES_WEIGHTS["W1"].copy()
    W1[0, 0] = 3.0
    np.testing.assert_allclose(weights["value"].to_numpy()[:4], W1.ravel())
    biases = next(df.value for df in at.dataframe if "bias" in df.value.columns and "neuron" in df.value.columns)
    assert biases["value"].to_numpy()[-1] == -1.5
    assert at.number_input(key="w1_00").value == 3.0
    # and back on Forward pass the editors still hold the edits
    at.switch_page("../pages/forward_pass.py").run()
    assert at.number_input(key="w1_00").value == 3.0 and at.number_input(key="b2").value == -1.5


def test_random_choice_is_remembered_across_pages():
    at = open_page("architecture.py")
    at.selectbox(key="net_source").set_value("random").run()
    at.number_input(key="net_seed").set_value(11).run()
    at.switch_page("../pages/home.py").run()
    at.switch_page("../pages/forward_pass.py").run()
    assert not at.exception
    assert at.selectbox(key="net_source").value == "random" and at.number_input(key="net_seed").value == 11
    expected = MLP.create([2, 2, 1], init="xavier_uniform", seed=11).flat()
    assert [at.number_input(key=k).value for k in KEYS] == pytest.approx(list(expected))


# ----- the network in shareable links (?net=...) -------------------------------------------------


def test_link_with_a_random_network_restores_it():
    at = open_page("forward_pass.py", query={"net": "random-7-he_normal"})
    assert not at.exception
    assert at.selectbox(key="net_source").value == "random"
    assert at.number_input(key="net_seed").value == 7
    assert at.query_params.get("net") == "random-7-he_normal"


def test_link_with_nine_numbers_restores_them_and_editing_updates_the_link():
    at = open_page("hidden_features.py", query={"net": "w:1,2,3,4,5,6,7,8,9"})
    assert not at.exception
    assert at.selectbox(key="net_source").value == "manual"
    assert [at.number_input(key=k).value for k in ("w1_00", "w1_11", "b2")] == [1.0, 4.0, 9.0]
    at.number_input(key="b2").set_value(-1.5).run()
    assert at.query_params.get("net") == "w:1,2,3,4,5,6,7,8,-1.5"


@pytest.mark.parametrize("bad", ["w:1,2", "random-x-y", "w:1,2,3,4,5,6,7,8,99", "w:1,2,3,4,5,6,7,8,nan", "💥", ""])
def test_malformed_network_link_falls_back_with_a_notice(bad):
    at = open_page("forward_pass.py", query={"net": bad})
    assert not at.exception
    assert at.selectbox(key="net_source").value == "notes"
    assert any("could not be used" in w.value for w in at.warning)


# ----- save and load weights (core.weights_io behind a download button and an uploader) ----------


def _download_text(at) -> str:
    """The JSON the download button would hand over (AppTest keeps it in the media file manager)."""
    from streamlit.runtime import Runtime

    url = at.get("download_button")[0].proto.url
    file_id = url.rsplit("/", 1)[-1].split(".")[0]
    return Runtime.instance().media_file_mgr._storage.get_file(file_id).content.decode()


def test_download_gives_the_current_network_and_loading_it_restores_it():
    from core.weights_io import import_weights

    at = _app(net_source="random", net_seed=3, net_init="he_normal")
    expected = MLP.create([2, 2, 1], init="he_normal", seed=3)
    saved = at.get("download_button")[0].proto
    assert saved.label.startswith("Download these weights")
    assert saved.disabled is False
    # load the notes' weights, then the random network's file back
    at.button(key="net_reset").click().run()
    np.testing.assert_array_equal(_net(at).flat(), NOTES_FLAT)
    from core.weights_io import export_weights

    at.file_uploader(key="net_upload").set_value(("mine.json", export_weights(expected).encode(), "application/json"))
    at.run()
    assert not at.exception
    assert at.selectbox(key="net_source").value == "manual"
    np.testing.assert_allclose(_net(at).flat(), expected.flat(), rtol=0, atol=1e-15)
    assert [at.number_input(key=k).value for k in KEYS] == pytest.approx(list(expected.flat()))
    assert any("Loaded the 9 numbers from “mine.json”" in s.value for s in at.success)
    np.testing.assert_allclose(import_weights(export_weights(expected)).flat(), expected.flat())


@pytest.mark.parametrize(
    "content, says",
    [
        (b"", "empty"),
        (b"\xff\xfe\x00", "not UTF-8"),
        (b"{not json", "not valid JSON"),
        (b'{"W1": [[1, 2], [3, 4]], "b1": [0, 0], "W2": [[1], [1]], "b2": [NaN]}', "contains NaN"),
        (b'{"W1": [[1, 2, 3], [3, 4, 5]], "b1": [0, 0, 0], "W2": [[1], [1], [1]], "b2": [0]}', "2-3-1 network"),
        (b'{"W1": [[1, 2], [3, 4]], "b1": [0, 0], "W2": [[1], [1]], "b2": [0], "hidden": "relu"}', "relu hidden"),
        (b'{"W1": [[100, 2], [3, 4]], "b1": [0, 0], "W2": [[1], [1]], "b2": [0]}', "±20"),
        (b'{"W1": [[1, 2], [3, 4]], "b1": [0, 0], "W2": [[1], [1]]}', "Missing key"),
        (b"[" * 60_000, "nested"),
        (b" " * (70 * 1024) + b"{}", "at most 64 KB"),
    ],
)
def test_a_bad_weights_file_is_refused_with_a_reason_and_changes_nothing(content, says):
    at = _app()
    at.file_uploader(key="net_upload").set_value(("bad.json", content, "application/json"))
    at.run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert any("“bad.json” was not loaded" in e and says in e for e in errors), errors
    assert at.selectbox(key="net_source").value == "notes"
    np.testing.assert_array_equal(_net(at).flat(), NOTES_FLAT)
    # removing the file removes the message
    at.file_uploader(key="net_upload").set_value(None)
    at.run()
    assert not [e for e in at.error if "was not loaded" in e.value]


def test_a_run_whose_weights_cannot_be_saved_says_so_instead_of_breaking_the_page():
    """A published run may hold weights beyond what a weights file allows (|w| > 1e6): the side panel
    says why it cannot save them; the page, the network and the rest of the control keep working."""
    run = _run("tanh", 3)
    run.history.snapshots[-1]["W1"] = run.history.snapshots[-1]["W1"] * 1e7
    at = _app(_trained_run=run)
    at.selectbox(key="net_source").set_value("trained").run()
    assert not at.exception
    assert _net(at).W[0].max() > 1e6
    said = [i.value for i in at.info]
    assert any(s.startswith("These weights cannot be saved:") for s in said), said
    assert not [b for b in at.get("download_button") if b.proto.label.startswith("Download these weights")]
