"""The Handwritten digits page's own widgets (keys dg_…): the settings, the MNIST loader, and training
with a progress bar and a Stop button.

Stopping
--------
Streamlit cannot deliver a click while the script is busy: clicking *Stop* asks for a rerun, and
Streamlit interrupts the running script at its next Streamlit call (the next progress-bar update,
once per epoch or every few dozen mini-batches) and starts the script again, in which the Stop
button reads True. So after every epoch the training loop saves what it has into
``st.session_state["dg_partial"]``; the rerun that sees Stop pressed adopts that partial run as
``st.session_state["dg_stopped"]`` and shows it (“stopped after 7 of 20 epochs”) on every later
rerun with the same settings, until the user presses *Continue training* or changes a setting.
Training also stops by itself after ``run.TIME_LIMIT`` seconds; that partial run is kept the same
way. *Continue training* carries on from the stopped run's last finished epoch
(``core.sgd.train_minibatch(resume=...)``): the finished run equals one trained straight through,
so it is cached like one.
"""

from __future__ import annotations

import time

import streamlit as st

from app import heavy_ui, initialisers, ui
from app.digits import run, text
from app.names import ACTIVATION_NAMES, INITIALISER_NAMES, SCHEDULE_NAMES
from core.activations import ACTIVATIONS
from core.digits import IDX_MAX_FILE_BYTES, DigitsDataError, default_download_dir
from core.init import INITIALISERS
from core.schedules import SCHEDULES
from core.sgd import SGDHistory

ss = st.session_state
DATA = {"digits": "8×8 digits", "mnist": "MNIST 28×28"}  # the labels are what a shared link carries
WIDTHS = [4, 8, 16, 32, 64, 128, 256]
RATES = [0.001, 0.003, 0.01, 0.03, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0]
BATCHES = [8, 16, 32, 64, 128, 256, 512]
D = run.DEFAULTS  # the defaults warm() pre-trains: one place for both


# ----- callbacks ----------------------------------------------------------------------------------
def use_mnist_settings() -> None:
    ss.update({f"dg_{k}": v for k, v in run.MNIST_SUGGESTED.items()})


def pick_digit(i: int) -> None:
    ss["dg_digit"] = int(i)


def ask_download() -> None:
    # downloads only ever go to the app's temporary folder; read the files from there afterwards
    ss["dg_mnist_dir"] = str(default_download_dir())
    ss["dg_download_now"] = True


def resume() -> None:
    """Continue the stopped run: the next rerun trains its remaining epochs (not from epoch 0)."""
    stopped = ss.pop("dg_stopped", None)
    ss.pop("dg_partial", None)
    if stopped and not stopped["hist"].diverged:
        ss["dg_continue"] = stopped


# ----- settings -----------------------------------------------------------------------------------
def settings_controls(present: bool) -> dict:
    """The data source and the nine training settings, as {name: value} (plus "source")."""
    source = ui.linked(
        st.segmented_control,
        "Data",
        list(DATA),
        format_func=DATA.get,
        default="digits",
        key="dg_data",
        help="8×8 digits: 1,797 images bundled with the app. MNIST: 70,000 images of 28×28 from a folder you name.",
    )
    with st.container(border=True):
        # nine controls: two rows on a laptop; three rows of three in the (narrower) presenter popover
        c = [col for n in ((3, 3, 3) if present else (4, 5)) for col in st.columns(n)]

        def choose(col, label: str, options, key: str, names: dict):
            return ui.linked(
                col.selectbox, label, list(options), list(options).index(D[key]), format_func=names.get, key=f"dg_{key}"
            )

        values = {
            "layers": ui.linked(c[0].slider, "Hidden layers", 1, 3, D["layers"], key="dg_layers"),
            "width": ui.linked(c[1].select_slider, "Neurons per hidden layer", WIDTHS, D["width"], key="dg_width"),
            "act": choose(c[2], "Hidden activation", ACTIVATIONS, "act", ACTIVATION_NAMES),
            "init": choose(c[3], "Initialiser", INITIALISERS, "init", INITIALISER_NAMES),
            "lr": float(ui.linked(c[4].select_slider, "Learning rate", RATES, D["lr"], key="dg_lr")),
            "sched": choose(c[5], "Schedule", SCHEDULES, "sched", SCHEDULE_NAMES),
            "batch": ui.linked(c[6].select_slider, "Mini-batch size", BATCHES, D["batch"], key="dg_batch"),
            "epochs": ui.linked(c[7].slider, "Epochs", 1, 60, D["epochs"], key="dg_epochs"),
            "seed": int(
                ui.linked(
                    c[8].number_input,
                    "Seed",
                    0,
                    9999,
                    D["seed"],
                    key="dg_seed",
                    help="Initial weights and batch order.",
                )
            ),
        }
    initialisers.explain(values["init"])
    return {"source": source or "digits", **values}


# ----- data ---------------------------------------------------------------------------------------
def _download() -> None:
    bar = st.progress(0.0, text="Connecting …")

    def progress(i: int, n: int, name: str, done: int, total: int) -> None:
        frac = (i + (done / total if total else 0.0)) / n
        size = f"{done / 1e6:.1f} of {total / 1e6:.1f} MB" if total else f"{done / 1e6:.1f} MB"
        bar.progress(min(frac, 1.0), text=f"File {i + 1} of {n}: {name} · {size}")

    try:
        where = run.download(progress)
        bar.empty()
        st.success(f"Downloaded the four MNIST files into the app's temporary folder {where}.")
    except DigitsDataError as e:
        bar.empty()
        st.error(f"Download failed. {e}")


def mnist_loader() -> run.Data | None:
    """The MNIST box: the folder to read, a download into the app's temporary folder, the suggested
    settings; the loaded data, or None (with a message saying why)."""
    data = None
    with st.container(border=True):
        st.markdown(text.MNIST_ABOUT)
        if not run.mnist_enabled():  # no folder field, no download: the server reads nothing a visitor names
            st.info(run.MNIST_OFF, icon=":material/lock:")
            st.caption(run.MNIST_HOW)
            return None
        ss.setdefault("dg_mnist_dir", str(default_download_dir()))  # via state: the download button sets it too
        folder = st.text_input(
            "Folder to read the MNIST files from",
            max_chars=1000,
            key="dg_mnist_dir",
            help=(
                "A full path on the machine running this app. The app only reads the four MNIST files there "
                f"(at most {IDX_MAX_FILE_BYTES // 1_000_000} MB each) and never writes to it."
            ),
            persist_state="session",
        )
        c1, c2 = st.columns([1, 1])
        c1.button(
            "Download MNIST into the app's temporary folder",
            key="dg_mnist_download",
            icon=":material/download:",
            on_click=ask_download,
            help=f"About 11 MB from a public mirror, always into {default_download_dir()} (never into a folder "
            "typed above); the folder above then points there.",
        )
        if ss.pop("dg_download_now", False):
            _download()
        c2.button(
            "Use settings suited to MNIST",
            key="dg_mnist_settings",
            on_click=use_mnist_settings,
            help="{width} neurons, learning rate {lr:g}, mini-batches of {batch}, {epochs} epochs.".format(
                **run.MNIST_SUGGESTED
            ),
        )
        try:
            data = run.mnist_data(folder)
            st.success(f"Loaded {data.name}.")
        except DigitsDataError as e:
            st.warning(f"MNIST is not available yet: {e}")
    return data


# ----- training -----------------------------------------------------------------------------------
def get_history(settings: run.Settings, data: run.Data) -> tuple[SGDHistory, str, str | None]:
    """The run for these settings: from the cache, a stopped partial run, or trained now with a
    progress bar and a Stop button. Returns (history, how, why it stopped in words) with how in
    {"cache", "stopped", "trained"}."""
    hist = run.cached_history(settings, data)
    if hist is not None:
        return hist, "cache", None
    stopped = ss.get("dg_stopped")
    if stopped and stopped["key"] == settings:
        return (
            stopped["hist"],
            "stopped",
            text.stopped(stopped["hist"], stopped.get("why", "click"), run.time_limit(settings)),
        )
    going_on = ss.get("dg_continue")
    going_on = going_on["hist"] if going_on and going_on["key"] == settings else None

    first = going_on.epochs_run if going_on else 0
    slot, bar, stop = heavy_ui.progress_box(  # one placeholder: the whole box disappears when training ends
        first / max(settings.epochs, 1),
        f"Training epochs {first + 1}–{settings.epochs} …" if first else f"Training {settings.epochs} epochs …",
        key="dg_stop",
        help="Keep what has been learned so far.",
    )
    limit = run.time_limit(settings)
    if stop:  # this rerun was caused by the click: keep what the interrupted run saved
        partial = ss.get("dg_partial")
        if partial and partial["key"] == settings:
            h = partial["hist"]
        else:  # stopped before the first epoch (of this part) ended
            h = going_on or run.train(settings, data, should_stop=lambda: True)
        return _keep(settings, h, "click", limit, slot)

    lock = run.flight(settings) if going_on is None else None
    if lock is not None and not lock.acquire(blocking=False):
        # another session is training these very settings: wait for its run rather than train it twice
        t0 = time.perf_counter()
        wait = f"Training {settings.epochs} epochs … (this network is already being trained for another visitor)"
        while not lock.acquire(timeout=0.25):
            if time.perf_counter() - t0 > limit:
                lock = None  # it is taking too long: train here as well
                break
            bar.progress(0.0, text=wait)
        hist = run.cached_history(settings, data)
        if hist is not None:
            if lock is not None:
                run.land(settings, lock)
            slot.empty()
            return hist, "cache", None
    try:
        return _train_here(settings, data, going_on, slot, bar, limit)
    finally:
        if lock is not None:
            run.land(settings, lock)


def _train_here(settings: run.Settings, data: run.Data, going_on, slot, bar, limit: float):
    """Train with the progress bar, once the server has a free place for a heavy run (app/heavy.py):
    until then the bar says how many runs are ahead; Stop meanwhile cancels the wait (app/heavy_ui.py)."""
    with heavy_ui.turn(bar):
        return _train_now(settings, data, going_on, slot, bar, limit)


def _train_now(settings: run.Settings, data: run.Data, going_on, slot, bar, limit: float):
    E = max(settings.epochs, 1)
    t0 = time.perf_counter()  # the time limit counts from the start of training, not of the wait

    def on_epoch(e: int, h: SGDHistory) -> None:
        ss["dg_partial"] = {"key": settings, "hist": h}
        bar.progress(
            min(e / E, 1.0),
            text=f"Epoch {e} of {E} · running loss {h.running_loss[-1]:.4f} · test accuracy {h.test_acc[-1]:.1%}",
        )

    def on_batch(e: int, b: int, n: int, running: float) -> None:
        bar.progress(
            min((e - 1 + b / n) / E, 1.0), text=f"Epoch {e} of {E} · batch {b} of {n} · running loss {running:.4f}"
        )

    hist = run.train(settings, data, on_epoch, on_batch, lambda: time.perf_counter() - t0 > limit, resume=going_on)
    if hist.complete or hist.diverged:  # both are what these settings always give: cache them
        slot.empty()
        ss.pop("dg_partial", None)
        ss.pop("dg_continue", None)
        run.store_history(settings, data, hist)
        return hist, "trained", None
    return _keep(settings, hist, "limit", limit, slot)


def _keep(settings: run.Settings, hist: SGDHistory, why: str, limit: float, slot) -> tuple[SGDHistory, str, str]:
    """Keep a run stopped part-way for this session's later reruns with the same settings."""
    ss["dg_stopped"] = {"key": settings, "hist": hist, "why": why}
    ss.pop("dg_partial", None)
    ss.pop("dg_continue", None)
    slot.empty()
    return hist, "stopped", text.stopped(hist, why, limit)
