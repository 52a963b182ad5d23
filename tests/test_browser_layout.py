"""Real-browser layout checks (issue 17): whole tables on a projector, charts with room for their plot
and visible titles, toolbars that cover nothing on a phone, the replay's numbers beside the replay,
presenter mode's first screens, and the digits charts' colours.

Every page is looked at in every view (each tab, every expander open, the convergence lab run), in
presenter mode at 1280×720 (a projector) and 390×844, and in normal mode at both sizes; the diverged
training run (learning rate 50, ReLU, 3 neurons) is one of the pages.
"""

from __future__ import annotations

import re

import pytest
from browser import (
    chart_marks,
    chart_problems,
    chart_titles,
    covered_by_toolbars,
    cut_tables,
    main_text,
    metric_value,
    slider,
    views,
    wait_done,
    wait_for_text,
)

from app.nav import available

pytestmark = pytest.mark.browser
# {test id: url path} of every page, and the diverged training run
PATHS = {p[3] or "home": p[3] for p in available()} | {"training-diverged": "training?tr_lr=50&tr_act=ReLU&tr_width=3"}
SIZES = {"1280x720": (1280, 720), "390x844": (390, 844)}


def open_page(browser, server, path: str, size: str, presenter: bool, touch: bool = False):
    """A fresh browser context at ``size`` (a phone's touch screen when ``touch``) with ``path`` open."""
    w, h = SIZES[size]
    ctx = browser.new_context(viewport={"width": w, "height": h}, has_touch=touch, is_mobile=touch)
    page = ctx.new_page()
    if presenter:
        path += ("&" if "?" in path else "?") + "presenter=true"
    page.goto(f"{server}/{path}", timeout=60_000)
    wait_done(page)
    page.wait_for_timeout(800)  # charts finish drawing
    return page


# ----- 2: presenter mode shows every table whole ------------------------------------------------------
@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("path", PATHS)
def test_presenter_mode_shows_every_table_whole(browser, server, path, size):
    page = open_page(browser, server, PATHS[path], size, presenter=True)
    try:
        cut = [f"{view}: {c}" for view in views(page) for c in cut_tables(page)]
        assert not cut, "\n".join(cut)
    finally:
        page.context.close()


# ----- 3 and 10: every chart has room for its plot, and its titles and labels show ---------------------
@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("presenter", [False, True], ids=["normal", "presenter"])
@pytest.mark.parametrize("path", PATHS)
def test_every_chart_has_a_readable_plot_and_uncovered_titles(browser, server, path, presenter, size):
    page = open_page(browser, server, PATHS[path], size, presenter)
    try:
        bad = [f"{view}: {p}" for view in views(page) for p in chart_problems(page)]
        assert not bad, "\n".join(bad)
    finally:
        page.context.close()


# ----- 5: on a phone, the data grids' toolbars cover nothing -------------------------------------------
@pytest.mark.parametrize("path", PATHS)
def test_on_a_phone_table_toolbars_cover_no_formula_or_number(browser, server, path):
    page = open_page(browser, server, PATHS[path], "390x844", presenter=False, touch=True)
    try:
        assert page.evaluate("matchMedia('(hover: none)').matches")  # a touch screen, as a phone's
        covered = [f"{view}: {c}" for view in views(page, run_lab=False) for c in covered_by_toolbars(page)]
        assert not covered, "\n".join(covered)
    finally:
        page.context.close()


# ----- 6: the replay's numbers are the shown epoch's, beside the picture, and follow it ---------------
def box(page, selector: str, text: str) -> dict:
    return page.locator(selector).filter(has_text=text).first.bounding_box()


def test_the_replay_shows_its_epochs_numbers_beside_the_picture_and_follows_the_run(browser, server):
    from app.ui import fmt
    from core.data import X, y
    from core.mlp import MLP
    from core.train import train

    hist = train(MLP.create([2, 2, 1], "sigmoid", "sigmoid", "normal", 0), X, y, 1.0, 1000)  # the page's defaults
    page = open_page(browser, server, "training?tr_epochs=1000&tr_epoch=500", "1280x720", presenter=True)
    try:
        # the shown epoch's loss and accuracy, beside the decision boundary, on the projector's first screen
        wait_for_text(page, "At epoch 500")
        assert metric_value(page, "Loss") == fmt(hist.loss[500], 4)
        assert metric_value(page, "Accuracy") == f"{hist.acc[500]:.0%}"
        chart = page.locator('[data-testid="stVegaLiteChart"]').nth(1).bounding_box()
        for label in ("At epoch 500", "Loss", "Accuracy"):
            m = page.locator('[data-testid="stMain"]').get_by_text(label, exact=True).first.bounding_box()
            assert m["y"] + m["height"] <= 720 and m["y"] < chart["y"] + chart["height"], (label, m, chart)
            assert m["x"] >= chart["x"] + chart["width"]  # beside the picture
        # scrubbing moves them with the picture
        epoch = slider(page, "Epoch")
        epoch.focus()
        page.keyboard.press("ArrowLeft")
        wait_for_text(page, "At epoch 495")
        assert metric_value(page, "Loss") == fmt(hist.loss[495], 4)
        assert "Decision boundary at epoch 495" in chart_titles(page)
        # playing happens in the browser (app.replay): its chart moves, the server's numbers stay put
        from bench.replay_bench import Watch, replay, state

        root = replay(page)
        watch = Watch(page)
        watch.start()
        assert state(root)["epoch"] == 495  # it starts at the server slider's epoch
        root.locator("button.play").click()
        page.wait_for_timeout(1500)
        moved = state(root)
        assert moved["playing"] and moved["epoch"] > 495, moved
        root.locator("button.play").click()
        assert watch.runs() == 0 and metric_value(page, "Loss") == fmt(hist.loss[495], 4)
        # a slider left at the end follows the end when the run gets longer
        epoch = slider(page, "Epoch")
        epoch.focus()
        page.keyboard.press("End")
        wait_for_text(page, "At epoch 1,000")
        epochs = slider(page, "Epochs")
        epochs.focus()
        page.keyboard.press("End")  # 20,000 epochs
        wait_for_text(page, "End of the run, epoch 20,000")
        wait_done(page)
        assert slider(page, "Epoch").get_attribute("aria-valuetext") == "20000"
        assert page.locator('[data-testid="stMain"]').get_by_text("At epoch 20,000", exact=True).count() == 1
        assert "Decision boundary at epoch 20,000" in chart_titles(page)
    finally:
        page.context.close()


# ----- 9: presenter mode's first screens --------------------------------------------------------------
def test_presenter_forward_pass_shows_the_result_on_the_first_screen_after_a_weight_edit(browser, server):
    """Weights typed by hand (here from a link) used to open the page with its 9-number editor
    spread out, pushing the result off a 1280×720 projector."""
    path = "forward-pass?net=w:5,5,5,5,-2.5,-7.5,7,-7,-3"
    page = open_page(browser, server, path, "1280x720", presenter=True)
    try:
        assert "Network: Edit the 9 numbers by hand" in main_text(page)
        for label in ("Output a2", "Prediction"):
            m = box(page, '[data-testid="stMetric"]', label)
            assert m["y"] + m["height"] <= 720, (label, m)
        assert page.locator('[data-testid="stMain"] [data-testid="stNumberInput"]').first.is_hidden()
        page.get_by_text("Edit the 9 numbers (W1, b1, W2, b2)").click()  # one click away
        page.locator('[data-testid="stMain"] [data-testid="stNumberInput"]').first.wait_for(state="visible")
    finally:
        page.context.close()


def test_presenter_convergence_lab_shows_its_results_on_the_first_screen(browser, server):
    page = open_page(browser, server, "training", "1280x720", presenter=True)
    try:
        page.get_by_role("tab", name="Convergence lab").click()
        wait_done(page)
        page.get_by_role("button", name="Run the lab").click()
        wait_done(page, 240_000)
        solved = page.locator('[data-testid="stMetric"]').filter(has_text="Solved XOR")
        assert solved.count() == 2
        for i in range(2):
            m = solved.nth(i).bounding_box()
            assert m["y"] + m["height"] <= 720, m
    finally:
        page.context.close()


# ----- 10: the digits page's colours ------------------------------------------------------------------
def hue(colour: str) -> tuple[float, float]:
    """(hue in degrees, saturation) of a CSS colour '#rrggbb' or 'rgb(r, g, b)'."""
    import colorsys

    if colour.startswith("#"):
        r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    else:
        r, g, b = (int(v) / 255 for v in re.findall(r"\d+", colour)[:3])
    h, _, s = colorsys.rgb_to_hls(r, g, b)
    return h * 360, s


def test_digits_curves_and_confusion_matrix_are_told_apart_without_the_class_colours(browser, server):
    from app.ui import BLUE, RED

    page = open_page(browser, server, "digits", "1280x720", presenter=True)
    try:
        for title in ("Loss per epoch", "Accuracy per epoch"):
            marks = chart_marks(page, title)
            lines = {m["datum"]["set"]: m for m in marks if m["type"] == "line"}
            assert set(lines) == {"train", "test"}
            assert lines["train"]["dash"] != lines["test"]["dash"]
            dotted = {m["datum"]["set"] for m in marks if m["type"] == "symbol"}
            assert len(dotted) == 1, "dots on both curves hide the dashes: a second channel is needed"
            assert {hue(lines[k]["stroke"])[1] > 0.3 for k in lines} == {True, False}  # one colourful, one not
        page.get_by_role("tab", name="Confusion and mistakes").click()
        wait_done(page)
        page.wait_for_timeout(800)
        cells = [m for m in chart_marks(page, "Confusion matrix (test images)") if m["type"] == "rect"]
        class_hues = [hue(RED)[0], hue(BLUE)[0]]
        for c in cells:
            h, s = hue(c["fill"]) if c["fill"] and c["fill"] != "white" else (0, 0)
            near = [abs((h - ch + 180) % 360 - 180) < 25 for ch in class_hues]
            assert not (s > 0.25 and any(near)), f"a cell drawn in a class colour: {c['fill']}"
        outlined = [c for c in cells if c["stroke"] == "black" and c["datum"].get("kind") == "correct"]
        assert len(outlined) == 10  # the diagonal, the right answers, is marked
    finally:
        page.context.close()
