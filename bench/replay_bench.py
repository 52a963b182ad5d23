"""Section ``replay``: the training replay played in Chromium (issue 20).

A real server and Debian's Chromium (Playwright) open the Training page at epoch 0 (a link's epoch,
so the replay does not start by itself), press the replay's Play button and let it play for 5 s;
then the same on Hidden features with that run published. Figures:

- frames per second while playing: the replay's own count of its redraws (one per
  ``requestAnimationFrame`` while playing, each a full forward pass over the plane and a repaint of
  the three panels): (frames − 1) ÷ the time from the first to the last; and the snapshots it
  moved through per second, and the time one redraw takes (JavaScript, not counting the paint);
- server reruns during play: script runs the page started (``data-test-script-state`` turning to
  "running", watched with a MutationObserver) and messages the browser sent on Streamlit's
  websocket (every rerun request is one), both counted from Play to the end of the 5 s;
- the bytes the animated chart costs per rerun (its element's protobuf: the script and every
  snapshot's weights), from an AppTest render of the default Training page;
- for scale, the frames per second of an empty page repainting one canvas per animation frame in
  the same browser just before: on a shared, busy machine that ceiling falls, and the replay's
  figure with it.

The helpers below are also what tests/test_browser_replay.py uses, so the benchmark and the tests
measure the same way.
"""

from __future__ import annotations

import time

from bench.server import ROOT, Server

REPLAY = ".rp"  # the replay's root element (app/replay.js), inside the component's shadow root
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DONE = '[data-testid="stApp"][data-test-script-state="notRunning"]'

COUNT_RUNS = """() => {
  window.__scriptRuns = 0;
  const app = document.querySelector('[data-testid="stApp"]');
  new MutationObserver(() => { if (app.dataset.testScriptState === 'running') window.__scriptRuns++; })
    .observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}"""
STATE = """e => ({epoch: e.replay.epoch, playing: e.replay.playing, reduce: e.replay.reduce,
  frames: e.replay.stats.frames, snapshots: e.replay.stats.snapshots, ms: e.replay.stats.ms,
  drawMs: e.replay.stats.drawMs})"""


class Watch:
    """Counts what the browser sends on Streamlit's websocket and the script runs the page starts.
    Create it before ``page.goto`` (the websocket opens with the page)."""

    def __init__(self, page) -> None:
        self.page = page
        self.sent = 0
        page.on("websocket", lambda ws: ws.on("framesent", self._sent))

    def _sent(self, _frame) -> None:
        self.sent += 1

    def start(self) -> None:
        """From now on, count script runs (call after the page finished loading)."""
        self.page.evaluate(COUNT_RUNS)

    def runs(self) -> int:
        return int(self.page.evaluate("() => window.__scriptRuns ?? 0"))


def wait_done(page, timeout: float = 90_000) -> None:
    page.wait_for_timeout(300)
    page.wait_for_selector(DONE, timeout=timeout)
    page.wait_for_timeout(300)
    page.wait_for_selector(DONE, timeout=timeout)


def replay(page):
    """The replay's root element, scrolled into view, once its script has drawn it."""
    root = page.locator(REPLAY).first
    root.wait_for(state="attached", timeout=90_000)  # a busy machine loads the component slowly
    root.scroll_into_view_if_needed()
    return root


def state(root) -> dict:
    """Where the replay is: its epoch, whether it plays, and its frame counts since Play."""
    return root.evaluate(STATE)


def scrub_to(root, index: int) -> None:
    """Move the replay's own slider to snapshot ``index``, as a drag does (it stops playing)."""
    root.locator("input.scrub").evaluate(
        "(el, i) => { el.value = String(i); el.dispatchEvent(new Event('input', {bubbles: true})); }", index
    )


def play_for(page, watch: Watch, seconds: float) -> dict:
    """Press Play on the page's replay (from where it stands), let it play, and measure."""
    root = replay(page)
    before = state(root)
    sent, runs = watch.sent, watch.runs()
    root.locator("button.play").click()
    page.wait_for_timeout(int(seconds * 1000))
    after = state(root)
    secs = max(after["ms"], 1.0) / 1000
    return {
        "epoch_before": before["epoch"],
        "epoch_after": after["epoch"],
        "still_playing": after["playing"],
        "frames": after["frames"],
        "seconds": round(secs, 3),
        "fps": round(max(after["frames"] - 1, 0) / secs, 1),
        "snapshots_per_second": round(after["snapshots"] / secs, 1),
        "draw_ms_per_frame": round(after["drawMs"] / max(after["frames"], 1), 2),
        "script_runs_during_play": watch.runs() - runs,
        "websocket_messages_during_play": watch.sent - sent,
    }


RAF_FLOOR = """() => new Promise(done => {
  const c = document.createElement('canvas'); c.width = c.height = 300; document.body.append(c);
  const ctx = c.getContext('2d'); let n = 0, t0 = null;
  function frame(t) {
    if (t0 === null) t0 = t;
    ctx.fillStyle = n++ % 2 ? '#b2182b' : '#2166ac'; ctx.fillRect(0, 0, 300, 300);
    if (t - t0 < SECONDS) requestAnimationFrame(frame); else done((n - 1) / ((t - t0) / 1000));
  }
  requestAnimationFrame(frame);
})"""


def raf_floor(browser, seconds: float) -> float:
    """Frames per second of an empty page that repaints one small canvas per animation frame: what
    this browser on this machine, as loaded as it is now, can give any animation."""
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    try:
        page.set_content("<!doctype html><title>floor</title>")
        return round(page.evaluate(RAF_FLOOR.replace("SECONDS", str(int(seconds * 1000)))), 1)
    finally:
        page.close()


def payload_bytes() -> int:
    """The animated chart's element on the default Training page, as protobuf bytes."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app" / "main.py"), default_timeout=180)
    at.run()
    at.switch_page("../pages/training.py")
    at.run()
    (el,) = at.get("bidi_component")
    return el.proto.ByteSize()


def run(seconds: float = 5.0, log=print) -> dict:
    from playwright.sync_api import sync_playwright

    out: dict = {"seconds": seconds}
    with Server() as srv, sync_playwright() as pw:
        srv.wait_warm()
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            out["raf_floor_fps"] = raf_floor(browser, seconds)
            log(f"replay: an empty requestAnimationFrame loop runs at {out['raf_floor_fps']} frames/s")
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            watch = Watch(page)
            log("replay: Training at epoch 0, Play for 5 s")
            page.goto(f"{srv.base}/training?tr_epoch=0", timeout=120_000)
            wait_done(page, 180_000)
            watch.start()
            out["training"] = play_for(page, watch, seconds)
            log(f"replay: training {out['training']}")
            # publish the run, then open Hidden features in the same session (the sidebar's link)
            page.locator('[data-testid="stButton"] button').filter(has_text="Use this network").first.click()
            wait_done(page)
            page.locator('[data-testid="stSidebarNav"] a').filter(has_text="Hidden features").first.click()
            wait_done(page)
            page.wait_for_timeout(500)
            scrub_to(replay(page), 0)  # it may have started by itself as it came into view: back to epoch 0
            watch.start()
            out["hidden-features"] = play_for(page, watch, seconds)
            log(f"replay: hidden-features {out['hidden-features']}")
        finally:
            browser.close()
    t = time.perf_counter()
    out["payload_bytes"] = payload_bytes()
    log(f"replay: payload {out['payload_bytes']:,} bytes ({time.perf_counter() - t:.1f} s)")
    return out
