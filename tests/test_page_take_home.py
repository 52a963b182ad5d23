"""The "Take it home" downloads on the chapter pages: five buttons in the side panel and in the page,
enabled for an exportable network, disabled with the reason for one that is not (issue 23)."""

from __future__ import annotations

import pytest
from conftest import give_trained_run, open_page

from app import take_home as th
from core.data import X, y
from core.mlp import MLP
from core.train import train

PAGES = ["architecture.py", "forward_pass.py", "hidden_features.py", "backprop.py"]


def buttons(at) -> dict:
    """The file downloads (not the page's charts as SVG, which are checked on their own)."""
    return {
        b.key: b
        for b in at.get("download_button")
        if b.key and b.key.startswith("th_") and not b.key.endswith("_figures")
    }


def figures(at) -> dict:
    return {b.key: b for b in at.get("download_button") if b.key and b.key.endswith("_figures")}


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES)
def test_five_downloads_in_the_side_panel_and_the_page(page):
    at = open_page(page)
    assert not at.exception
    got = buttons(at)
    assert set(got) == {f"th_{where}_{k}" for where in ("side", "page") for k in th.KINDS}
    assert not any(b.proto.disabled for b in got.values())
    names = {b.proto.label for b in got.values()}
    assert names == {v[0] for v in th.KINDS.values()}
    assert set(figures(at)) == {"th_side_figures", "th_page_figures"}


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES)
def test_a_deep_network_disables_the_downloads_with_the_reason(page):
    hist = train(MLP.create([2, 2, 2, 1], seed=0), X, y, lr=0.5, epochs=20, snapshots=3)
    at = open_page(page)
    give_trained_run(at, hist)
    at.run()
    at.selectbox(key="net_source").set_value("trained").run()
    assert not at.exception
    got = buttons(at)
    assert {k for k in got if k.startswith("th_side_")} == {f"th_side_{k}" for k in th.KINDS}
    assert all(b.proto.disabled for b in got.values())
    reason = th.problem(hist.network_at(hist.snapshot_epochs[-1]))
    assert "one hidden layer" in reason
    assert any(reason in c.value for c in at.caption)


@pytest.mark.slow
def test_presenter_mode_keeps_only_the_side_panel():
    at = open_page("backprop.py")
    at.toggle(key="presenter").set_value(True).run()
    assert not at.exception
    assert {k.split("_")[1] for k in buttons(at)} == {"side"}


@pytest.mark.slow
def test_training_offers_its_run_as_script_and_notebook():
    at = open_page("training.py")
    assert not at.exception
    got = buttons(at)
    assert set(got) == {f"th_{where}_{k}" for where in ("side", "page") for k in th.TRAINING_KINDS}
    assert not any(b.proto.disabled for b in got.values())


@pytest.mark.slow
def test_a_diverged_training_run_disables_its_downloads():
    at = open_page("training.py")
    at.select_slider(key="tr_lr").set_value(50.0).run()
    at.selectbox(key="tr_init").set_value("normal").run()
    at.number_input(key="tr_sigma").set_value(10.0).run()
    assert not at.exception
    got = buttons(at)
    # a rate of 50 from weights of spread 10 blows the loss up, far from any rounding question
    assert any("diverged" in c.value for c in at.caption)
    assert got and all(b.proto.disabled for b in got.values())


@pytest.mark.slow
@pytest.mark.parametrize("width", [1, 2, 3])
def test_architecture_says_which_network_its_files_hold(width):
    """The files hold the network drawn at the width slider's width; the note next to the buttons says so."""
    from app.architecture.text import export_note
    from core.data import notes_network
    from core.hidden_width import resize_hidden

    at = open_page("architecture.py")
    at.slider(key="ar_width").set_value(width).run()
    assert not at.exception
    note = export_note(resize_hidden(notes_network(), width, seed=0), width, 2)
    assert f"2-{width}-1 network drawn on this page" in note
    assert [c.value for c in at.caption].count(note) == 2  # in the side panel and in the page
    # the page's charts as last drawn, for the SVG download: the three keyed charts of this page
    assert {"ar_diagram", "ar_neuron", "ar_hidden"} <= set(at.session_state["_chart_drawn"])


@pytest.mark.slow
@pytest.mark.parametrize("page", [*PAGES, "training.py"])
def test_every_chart_of_a_take_home_page_is_in_its_svg_download(page):
    """The SVG download holds every chart the page draws (each needs a key to be remembered), each one an
    SVG document, and the README says in words what each shows (its text alternative)."""
    import io
    import zipfile
    from xml.etree import ElementTree

    from conftest import chart_specs

    from app.chart import svg_zip

    at = open_page(page)
    assert not at.exception
    drawn = dict(at.session_state["_chart_drawn"])
    shown = chart_specs(at)
    assert len(drawn) == len(shown) > 0
    assert sorted(d for _, d in drawn.values()) == sorted(s["description"] for s in shown)
    with zipfile.ZipFile(io.BytesIO(svg_zip(drawn))) as z:
        assert set(z.namelist()) == {f"{k}.svg" for k in drawn} | {"README.txt"}
        for k in drawn:
            assert ElementTree.fromstring(z.read(f"{k}.svg")).tag == "{http://www.w3.org/2000/svg}svg", k
        readme = z.read("README.txt").decode()
    assert all(f"{k}.svg: {d}" in readme for k, (_, d) in drawn.items())
