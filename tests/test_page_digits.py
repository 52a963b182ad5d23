"""The Handwritten digits page through AppTest: what it shows equals what core computes."""

from __future__ import annotations

import gzip
import hashlib
import socket
import tempfile
import threading
import time

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from conftest import ROOT, chart_specs, open_page
from test_core_digits import FakeResponse, make_mnist

from app import warmup
from app.digits import charts as dc
from app.digits import run as dr
from app.digits.charts import GRAD_FLOW_TITLE
from app.initialisers import INIT_INFO, zero_init_effect
from app.names import INITIALISER_NAMES
from app.ui import fmt as ui_fmt
from core import MLP
from core.diagnose import symmetry_gap
from core.digits import confusion_matrix, load_bundled, one_hot, stratified_split
from core.sgd import DIVERGE_FACTOR, train_minibatch

PAGE = "digits.py"


@pytest.fixture(autouse=True)
def mnist_switched_on(monkeypatch):
    """These tests play the operator who has switched MNIST on (XORLAB_MNIST=on); the tests of the switch
    itself set it as they need."""
    monkeypatch.setenv(dr.MNIST_ENV, "on")


def chart_data(at, title: str):
    """The data frame of the chart whose title is ``title`` (datasets travel as Arrow)."""
    import json

    for el in at.get("vega_lite_chart"):
        if json.loads(el.proto.spec).get("title") == title:
            return pa.ipc.open_stream(el.proto.datasets[0].data.data).read_pandas()
    raise AssertionError(f"no chart titled {title!r}")


def page_settings(at) -> dict:
    return {
        "layers": at.slider(key="dg_layers").value,
        "width": at.select_slider(key="dg_width").value,
        "act": at.selectbox(key="dg_act").value,
        "init": at.selectbox(key="dg_init").value,
        "lr": at.select_slider(key="dg_lr").value,
        "sched": at.selectbox(key="dg_sched").value,
        "batch": at.select_slider(key="dg_batch").value,
        "epochs": at.slider(key="dg_epochs").value,
        "seed": at.number_input(key="dg_seed").value,
    }


def core_run(s: dict):
    """The same run, computed by core directly (not through the page or its caches)."""
    ds = load_bundled()
    tr, te = stratified_split(ds.labels, 0.25, seed=0)
    X, Y = ds.X(), one_hot(ds.labels)
    net = MLP.create([64] + [s["width"]] * s["layers"] + [10], s["act"], "softmax", s["init"], s["seed"])
    hist = train_minibatch(
        net, X[tr], Y[tr], X[te], Y[te], s["lr"], s["epochs"], s["batch"], s["sched"], seed=s["seed"], eval_max=10_000
    )
    return hist, X[te], ds.labels[te]


def gz_mnist_files(folder) -> dict[str, bytes]:
    """The four small MNIST files gzipped, as a mirror would serve them (30 training, 12 test images)."""
    make_mnist(folder, gz=(False,) * 4)
    return {p.name + ".gz": gzip.compress(p.read_bytes(), mtime=0) for p in folder.iterdir()}


def metrics(at) -> dict:
    return {m.label: m.value for m in at.metric}


@pytest.mark.slow
def test_page_renders_defaults_and_its_numbers_are_cores():
    at = open_page(PAGE, timeout=120)
    assert not at.exception
    assert at.title[0].value == "Handwritten digits"
    s = page_settings(at)
    assert s["layers"] == 1  # the target is for one hidden layer
    hist, X_test, labels = core_run(s)
    m = metrics(at)
    assert m["Test accuracy"] == f"{hist.test_acc[-1]:.1%}"
    assert hist.test_acc[-1] >= 0.95  # the target, with the page's default settings
    assert m["Training accuracy"] == f"{hist.train_acc[-1]:.1%}"
    assert m["Epochs"] == f"{s['epochs']} of {s['epochs']}"
    # tabs run lazily: only the open one draws (here the default, the learning curves)
    titles = [c.get("title") for c in chart_specs(at)]
    assert titles == ["Loss per epoch", "Accuracy per epoch"]
    curves = chart_data(at, "Accuracy per epoch")
    np.testing.assert_allclose(curves.loc[curves["set"] == "test", "value"], hist.test_acc, atol=1e-12)
    # the confusion matrix chart holds core's counts
    at.session_state["dg_tab"] = "Confusion and mistakes"
    at.run()
    pred = np.argmax(hist.final.forward(X_test).output, axis=1)
    C = confusion_matrix(labels, pred)
    df = chart_data(at, "Confusion matrix (test images)")
    got = np.zeros((10, 10), dtype=int)
    got[df["true"], df["predicted"]] = df["count"]
    np.testing.assert_array_equal(got, C)
    gallery = at.get("image")
    assert gallery and len(gallery[0].proto.imgs) == min(24, int(np.sum(pred != labels)))
    # the selected digit (0): probabilities from core's forward pass, summing to 1, and the a − y table
    at.session_state["dg_tab"] = "One digit, forward"
    at.run()
    probs = chart_data(at, "The ten output probabilities")
    a2 = hist.final.forward(X_test[:1]).output[0]
    np.testing.assert_allclose(probs["probability"], a2, atol=1e-12)
    assert probs["probability"].sum() == pytest.approx(1.0, abs=1e-12)
    table = next(d.value for d in at.dataframe if "dz2 = a2 − y" in d.value.columns)
    y = np.eye(10)[labels[0]]
    np.testing.assert_allclose(table["dz2 = a2 − y"], a2 - y, atol=1e-12)
    assert any("dz2 = a2 − y" in md.value and "ten dimensions" in md.value for md in at.markdown)


@pytest.mark.slow
def test_changing_the_hidden_width_retrains_and_old_runs_are_remembered():
    at = open_page(PAGE, timeout=120, query={"dg_epochs": "3"})
    assert not at.exception
    before = metrics(at)
    at.select_slider(key="dg_width").set_value(16).run()
    assert not at.exception
    after = metrics(at)
    assert after != before
    hist, _, _ = core_run(page_settings(at))
    assert after["Test accuracy"] == f"{hist.test_acc[-1]:.1%}"
    assert after["Test loss (cross-entropy)"] == f"{hist.test_loss[-1]:.4f}".replace("-", "−")
    assert not any("remembered" in c.value for c in at.caption)
    at.select_slider(key="dg_width").set_value(32).run()  # back: the cached run, no retraining
    assert metrics(at) == before
    assert any("remembered from an earlier run" in c.value for c in at.caption)


def test_digit_from_the_link_and_its_probabilities_sum_to_one():
    at = open_page(PAGE, timeout=120, query={"dg_epochs": "2", "dg_digit": "7"})
    assert not at.exception
    assert at.number_input(key="dg_digit").value == 7
    assert any("Test image #7" in md.value for md in at.markdown)
    hist, X_test, labels = core_run(page_settings(at))
    probs = chart_data(at, "The ten output probabilities")
    assert probs["probability"].sum() == pytest.approx(1.0, abs=1e-12)
    np.testing.assert_allclose(probs["probability"], hist.final.forward(X_test[7:8]).output[0], atol=1e-12)
    assert probs.loc[probs["y"] == 1, "digit"].item() == labels[7]
    at.number_input(key="dg_digit").set_value(123).run()
    probs = chart_data(at, "The ten output probabilities")
    assert probs["probability"].sum() == pytest.approx(1.0, abs=1e-12)
    np.testing.assert_allclose(probs["probability"], hist.final.forward(X_test[123:124]).output[0], atol=1e-12)


@pytest.mark.slow
def test_a_link_can_open_the_gradient_flow_tab_and_its_numbers_are_cores():
    at = open_page(PAGE, timeout=120, query={"dg_epochs": "3", "dg_layers": "2", "dg_tab": "Gradient flow"})
    assert not at.exception and not at.warning
    hist, _, _ = core_run(page_settings(at))
    df = chart_data(at, GRAD_FLOW_TITLE)
    for l in range(3):
        got = df.loc[df["layer"] == f"‖dW{l + 1}‖"].sort_values("epoch")["norm"]
        np.testing.assert_allclose(got, hist.grad_norms[:, l], rtol=1e-12)
    # a link with a digit and another tab keeps the digit for later, without a "bad link" notice
    at = open_page(PAGE, timeout=120, query={"dg_epochs": "3", "dg_digit": "7", "dg_tab": "Gradient flow"})
    assert not at.warning and at.session_state["dg_digit"] == 7


def test_garbage_in_the_link_does_not_break_the_page():
    query = {
        "dg_epochs": "2",
        "dg_width": "banana",
        "dg_digit": "-5",
        "dg_lr": "NaN",
        "dg_layers": "9",
        "dg_act": "<script>",
        "dg_sched": "",
        "dg_batch": "1e9",
        "dg_data": "zzz",
        "dg_tab": "nonsense",
    }
    at = open_page(PAGE, timeout=120, query=query)
    assert not at.exception
    s = page_settings(at)
    assert s["width"] == 32 and s["layers"] == 1 and s["act"] == "relu" and s["batch"] == 16
    assert 0 <= at.number_input(key="dg_digit").value < 450  # the digit tab opened: the link names a digit
    assert metrics(at)["Epochs"] == "2 of 2"
    assert any("could not be used" in w.value for w in at.warning)  # the app says which settings it ignored


def test_mnist_from_a_folder_of_small_idx_files(tmp_path):
    folder = tmp_path / "mnist"
    make_mnist(folder, n_train=120, n_test=40)
    at = open_page(PAGE, timeout=120, query={"dg_data": "MNIST 28×28", "dg_epochs": "2"})
    assert not at.exception
    at.text_input(key="dg_mnist_dir").set_value(str(folder)).run()
    assert not at.exception
    assert any("Loaded MNIST 28×28: 120 training and 40 test images" in s.value for s in at.success)
    assert metrics(at)["Epochs"] == "2 of 2"
    assert any("784 → 32 → 10" in md.value for md in at.markdown)
    at.session_state["dg_tab"] = "One digit, forward"
    at.run()
    assert not at.exception
    assert at.number_input(key="dg_digit").label == "Test image (0–39)"
    probs = chart_data(at, "The ten output probabilities")
    assert probs["probability"].sum() == pytest.approx(1.0, abs=1e-12)
    at.session_state["dg_tab"] = "What the neurons look for"
    at.run()
    assert not at.exception and any("28×28 picture" in md.value for md in at.markdown)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def temp_dir(tmp_path, monkeypatch):
    """The system's temporary folder for this test, so a download's target is known and disposable."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    return tmp / "xor-lab-mnist"


def test_mnist_problems_and_an_offline_download_show_messages_not_tracebacks(tmp_path, temp_dir, monkeypatch):
    import core.digits

    at = open_page(PAGE, timeout=120, query={"dg_data": "MNIST 28×28"})
    assert at.text_input(key="dg_mnist_dir").value == str(temp_dir)  # the app's temporary folder
    at.text_input(key="dg_mnist_dir").set_value(str(tmp_path)).run()
    assert not at.exception
    assert any("missing 4 of the 4 MNIST files" in w.value for w in at.warning)
    assert not at.metric  # nothing trained
    at.text_input(key="dg_mnist_dir").set_value("relative/path").run()
    assert any("not a full path" in w.value for w in at.warning)
    # the download: nothing answers (this machine is offline; a closed local port stands in for it)
    monkeypatch.setattr(core.digits, "MNIST_MIRRORS", (f"http://127.0.0.1:{closed_port()}/",))
    at.button(key="dg_mnist_download").click().run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert errors and errors[0].startswith("Download failed. Could not download train-images-idx3-ubyte.gz.")
    assert temp_dir.is_dir() and list(temp_dir.iterdir()) == []  # tried there, left nothing behind
    assert at.text_input(key="dg_mnist_dir").value == str(temp_dir)  # and the field points there now


@pytest.mark.slow
def test_a_download_never_targets_a_folder_the_user_typed(tmp_path, temp_dir, monkeypatch):
    """Whatever folder is typed (an empty one, a new one, the app's own), the download goes to the
    temporary folder and nothing is written anywhere else."""
    import core.digits

    files = gz_mnist_files(tmp_path / "src")
    served = []

    def opener(url, timeout=None):
        served.append(url)
        return FakeResponse(files[url.rsplit("/", 1)[1]])

    monkeypatch.setattr(core.digits.urllib.request, "urlopen", opener)
    monkeypatch.setattr(core.digits, "MNIST_MD5", {k: hashlib.md5(v).hexdigest() for k, v in files.items()})
    typed = tmp_path / "typed"
    typed.mkdir()
    for folder in (typed, typed / "new", ROOT / "data" / "mnist"):
        at = open_page(PAGE, timeout=120, query={"dg_data": "MNIST 28×28", "dg_epochs": "1"})
        at.text_input(key="dg_mnist_dir").set_value(str(folder)).run()
        at.button(key="dg_mnist_download").click().run()
        assert not at.exception
        assert any(f"into the app's temporary folder {temp_dir}" in x.value for x in at.success)
        assert any("Loaded MNIST 28×28: 30 training and 12 test images" in x.value for x in at.success)
        assert at.text_input(key="dg_mnist_dir").value == str(temp_dir)
        assert sorted(p.name for p in temp_dir.iterdir()) == sorted(files)
        assert list(typed.iterdir()) == [] and not (ROOT / "data" / "mnist").exists()
    assert len(served) == 4  # the second and third clicks found verified files and fetched nothing


def test_loaded_mnist_is_kept_as_bytes(tmp_path):
    """Memory: MNIST stays one byte per pixel (70,000 images: 55 MB, not 440 MB as float64)."""
    make_mnist(tmp_path / "m", n_train=120, n_test=40)
    data = dr.mnist_data(str(tmp_path / "m"))
    assert data.X_train.dtype == data.X_test.dtype == np.uint8
    assert data.X_train.shape == (120, 784) and data.X_test.shape == (40, 784)
    assert data.Y_train.dtype == np.uint8 and data.test_images.dtype == np.uint8
    # every array together: the pixels once (plus the IDX headers), one-hot and labels
    pixels = (120 + 40) * 784
    assert pixels <= data.nbytes <= pixels + 2 * 16 + (120 + 40) * 10 + 40 * 8 + 2 * 8 + 64
    assert np.shares_memory(data.X_test, data.test_images)  # the test pixels are not copied
    x = data.inputs(slice(3, 5))  # the network's input: scaled per use
    assert x.dtype == np.float64 and x.min() >= 0 and x.max() <= 1
    np.testing.assert_array_equal(x * 255, data.test_images[3:5].reshape(2, -1))


def test_a_stopped_run_continues_from_where_it_stopped(monkeypatch):
    """Stop is a click during training; its rerun adopts the partial run saved after each epoch.
    "Continue training" then trains only the remaining epochs, and the result is the straight run."""
    from streamlit.testing.v1 import AppTest

    from app import worker

    data = dr.digits_data()
    settings = dr.Settings(data.key, 1, 32, "relu", "he_normal", 0.1, "cosine", 16, 4, 0)
    done = []
    with monkeypatch.context() as m:  # in this process, so that it stops after exactly two epochs
        m.setattr(worker, "pool", lambda: None)
        partial = dr.train(settings, data, on_epoch=lambda e, h: done.append(e), should_stop=lambda: len(done) >= 2)
    assert partial.epochs_run == 2
    at = AppTest.from_file(str(ROOT / "app" / "main.py"), default_timeout=120)
    at.run()
    at.session_state["dg_stopped"] = {"key": settings, "hist": partial}
    at.query_params["dg_epochs"] = "4"  # after the home page ran (as conftest.open_page does)
    at.switch_page(f"../pages/{PAGE}")
    at.run()
    assert not at.exception
    assert metrics(at)["Epochs"] == "2 of 4"
    assert any("stopped after 2 of 4 epochs" in w.value for w in at.warning)
    at.session_state["dg_tab"] = "Gradient flow"  # other reruns keep the stopped run
    at.run()
    assert chart_data(at, GRAD_FLOW_TITLE)["epoch"].max() == 2
    assert metrics(at)["Epochs"] == "2 of 4"
    assert at.button(key="dg_resume").label == "Continue training: epochs 3–4"
    at.button(key="dg_resume").click().run()
    assert not at.exception
    assert metrics(at)["Epochs"] == "4 of 4"
    assert not at.warning
    assert any("continued after epoch 2" in c.value for c in at.caption)  # it did not start again
    straight, _, _ = core_run(page_settings(at))
    assert metrics(at)["Test loss (cross-entropy)"] == f"{straight.test_loss[-1]:.4f}"
    G = chart_data(at, GRAD_FLOW_TITLE)
    np.testing.assert_array_equal(G.loc[G["layer"] == "‖dW1‖"].sort_values("epoch")["norm"], straight.grad_norms[:, 0])


@pytest.mark.slow
def test_warm_then_render_shows_what_an_unwarmed_render_shows():
    """warm() fills the page's own caches; the page then shows exactly what it computes without it."""
    import streamlit as st

    def shown(at) -> dict:
        specs = {c.get("title"): c for c in chart_specs(at)}
        return {
            "metrics": metrics(at),
            "curves": [chart_data(at, t) for t in ("Loss per epoch", "Accuracy per epoch")],
            "specs": {t: {k: v for k, v in c.items() if k not in ("datasets", "data")} for t, c in specs.items()},
            "table": at.dataframe[0].value,
            "markdown": [m.value for m in at.markdown],
        }

    cold = shown(open_page(PAGE, timeout=120))
    st.cache_data.clear()
    st.cache_resource.clear()
    data = dr.digits_data()
    assert dr.cached_history(dr.default_settings(data), data) is None  # cleared: nothing to find
    warmup.complete(dr.warm())
    assert dr.cached_history(dr.default_settings(data), data) is not None  # the default run is there
    at = open_page(PAGE, timeout=120)
    assert any("remembered from an earlier run" in c.value for c in at.caption)  # it did not train again
    warmed = shown(at)
    assert warmed["metrics"].keys() == cold["metrics"].keys()
    for k in ("Test accuracy", "Training accuracy", "Test loss (cross-entropy)", "Epochs"):
        assert warmed["metrics"][k] == cold["metrics"][k]
    for a, b in zip(warmed["curves"], cold["curves"]):
        pd.testing.assert_frame_equal(a, b)
    assert warmed["specs"] == cold["specs"]
    pd.testing.assert_frame_equal(warmed["table"], cold["table"])
    assert warmed["markdown"] == cold["markdown"]


def test_warm_imports_no_warm_up_machinery_and_swallows_failures(monkeypatch):
    """warm() is plain calls of the page's cached functions: it never imports app.warmup, and a
    failure inside it is left for the page to meet (app.warmup runs it in a thread)."""
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(dr))
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert not any(m and m.startswith("app.warmup") for m in imported), imported
    assert not any(m and m.startswith(("subprocess", "multiprocessing")) for m in imported), imported

    def broken(*a, **k):
        raise RuntimeError("no data")

    monkeypatch.setattr(dr, "digits_data", broken)
    warmup.complete(dr.warm())  # raises nothing


@pytest.mark.slow
def test_a_visitor_during_warming_waits_for_it_instead_of_training_again(monkeypatch):
    """The page asks for the network warm() is training in the cache: Streamlit's cache lets it wait
    for that run (every wait here has a timeout, so a broken hand-over fails instead of hanging)."""
    import streamlit as st

    st.cache_data.clear()
    calls = []
    started = threading.Event()
    real_train = dr.train

    def slow_train(*a, **k):
        calls.append(1)
        started.set()
        time.sleep(2.0)  # the page surely arrives while this run is in progress
        return real_train(*a, **k)

    monkeypatch.setattr(dr, "train", slow_train)
    thread = threading.Thread(target=lambda: warmup.complete(dr.warm()), daemon=True)
    thread.start()
    assert started.wait(30), "warm() never started training"
    at = open_page(PAGE, timeout=120)
    thread.join(60)
    assert not thread.is_alive(), "warm() did not finish"
    assert not at.exception
    assert len(calls) == 1  # warm() trained; the page waited for it
    assert any("remembered from an earlier run" in c.value for c in at.caption)
    hist, _, _ = core_run(page_settings(at))
    assert metrics(at)["Test accuracy"] == f"{hist.test_acc[-1]:.1%}"


@pytest.mark.slow
@pytest.mark.parametrize("present", [False, True])
def test_every_chart_of_the_page_is_valid_vega_lite_and_holds_the_live_numbers(present):
    """Each chart function's filled spec validates against the Vega-Lite schema, for every layout
    the page uses (one to three hidden layers, 8×8 and 28×28 images), with the numbers it was given."""
    from test_chart import valid

    data = dr.digits_data()
    hist = dr.train(dr.Settings(data.key, 1, 8, "relu", "he_normal", 0.1, "cosine", 64, 2, 0), data)
    for sizes, shape in (([64, 16, 10], (8, 8)), ([64, 16, 8, 12, 10], (8, 8)), ([784, 32, 10], (28, 28))):
        net = MLP.create(sizes, "tanh", "softmax", "xavier_normal", 0)
        img = data.test_images[5] if shape == (8, 8) else (np.arange(784) % 256).astype(np.uint8).reshape(28, 28)
        x = img.reshape(1, -1) / 255.0
        fwd = net.forward(x)
        a, L = fwd.output[0], net.n_layers
        acts = [fwd.a[l][0] for l in range(1, L)]
        C = confusion_matrix(data.test_labels, np.roll(data.test_labels, 1))
        G = np.abs(np.random.default_rng(0).normal(size=(3, L))) + 1e-3
        specs = {
            "loss": dc.curves(hist, "loss", present),
            "accuracy": dc.curves(hist, "accuracy", present),
            "confusion": dc.confusion(C, present),
            "digit": dc.digit(img, 255 if shape == (28, 28) else data.max_value, present),
            "probabilities": dc.probabilities(a, 3, f"a{L}", present),
            "activations": dc.activations(acts, present),
            "weights": dc.weights(net.W[0], shape, present),
            "grad_flow": dc.grad_flow(G, present),
        }
        for spec in specs.values():
            valid(spec)
        cells = specs["confusion"]["datasets"]["cells"].to_pandas()
        got = np.zeros((10, 10), dtype=int)
        got[cells["true"], cells["predicted"]] = cells["count"]
        np.testing.assert_array_equal(got, C)
        np.testing.assert_allclose(specs["probabilities"]["datasets"]["probs"]["probability"].to_numpy(), a)
        np.testing.assert_allclose(
            specs["activations"]["datasets"]["acts"]["value"].to_numpy(), np.concatenate(acts), atol=0
        )
        norms = specs["grad_flow"]["datasets"]["norms"].to_pandas()
        np.testing.assert_allclose(norms.loc[norms["layer"] == "‖dW1‖", "norm"], G[:, 0])
        q = specs["weights"]["datasets"]["pixels"]["q"].to_numpy()
        assert q.size == dc.neurons_shown(shape[0], sizes[1]) * shape[0] * shape[1]
        for name, spec in specs.items():  # every chart's data well under 100 KB per rerun
            assert sum(t.nbytes for t in spec["datasets"].values()) < 100_000, name


def test_presenter_mode_puts_the_network_its_numbers_and_its_picture_first():
    """Projected: the settings move into a popover, one summary line names the network, and the
    numbers and charts are core's, as in normal mode."""
    at = open_page(PAGE, timeout=120, query={"dg_epochs": "3"})
    at.session_state["presenter"] = True
    at.run()
    assert not at.exception
    hist, _, _ = core_run(page_settings(at))
    assert any(m.value.startswith("**64 → 32 → 10** · ReLU · 2,410 parameters") for m in at.markdown)
    assert metrics(at)["Test accuracy"] == f"{hist.test_acc[-1]:.1%}"
    assert "Settings" in [p.proto.popover.label for p in at.get("popover")]
    assert [c.get("title") for c in chart_specs(at)] == ["Loss per epoch", "Accuracy per epoch"]
    at.session_state["dg_tab"] = "Confusion and mistakes"
    at.run()
    conf = next(c for c in chart_specs(at) if c.get("title") == "Confusion matrix (test images)")
    assert conf["height"] <= 400  # all ten rows on a 720-pixel projector under the key numbers


def test_the_mnist_settings_button_sets_what_its_help_says():
    at = open_page(PAGE, timeout=120, query={"dg_data": "MNIST 28×28"})
    button = at.button(key="dg_mnist_settings")
    assert button.help == "128 neurons, learning rate 0.1, mini-batches of 64, 10 epochs."
    button.click().run()
    assert not at.exception
    assert at.select_slider(key="dg_width").value == dr.MNIST_SUGGESTED["width"] == 128
    assert at.select_slider(key="dg_lr").value == 0.1
    assert at.select_slider(key="dg_batch").value == 64
    assert at.slider(key="dg_epochs").value == 10


# ----- issue 16: the page's words are true ---------------------------------------------------------
@pytest.mark.parametrize("act, label", [("relu", "ReLU"), ("tanh", "Tanh"), ("sigmoid", "Sigmoid")])
def test_zero_initialisation_says_what_it_does_with_the_chosen_activation(act, label):
    """f(0) = 0 starves every activation (not only ReLU): no weight moves. The sigmoid (σ(0) = 0.5) moves its
    weights but keeps the hidden neurons identical. The page says which, with this run's numbers."""
    at = open_page(PAGE, timeout=120, query={"dg_epochs": "2", "dg_init": "Zeros", "dg_act": label})
    assert not at.exception
    hist, _, _ = core_run(page_settings(at))
    kind, why = zero_init_effect(act)
    largest = max(float(np.max(np.abs(W))) for W in hist.final.W)
    note = next(i.value for i in at.info if i.value.startswith("**Zero initial weights.**"))
    assert why in note and f"the largest |weight| is {largest:.3g}" in note
    if kind == "starved":
        assert act != "sigmoid" and largest == 0.0
        assert "with ReLU they receive no update" not in note
    else:
        assert act == "sigmoid" and largest > 0
        gap = symmetry_gap(hist.final)
        assert gap <= 1e-12 and f"still differ by at most {gap:.3g}" in note


def test_softmax_caption_names_the_real_output_layer():
    at = open_page(PAGE, timeout=120, query={"dg_epochs": "2", "dg_layers": "2", "dg_tab": "One digit, forward"})
    assert not at.exception
    L = at.slider(key="dg_layers").value + 1  # weight layers: the hidden ones and the output
    assert L == 3
    caption = next(c.value for c in at.caption if "softmax turns" in c.value)
    assert f"ten numbers z{L} into shares of 1" in caption and "z2" not in caption


def test_gradient_chart_is_titled_for_what_it_plots_and_the_words_are_true():
    at = open_page(PAGE, timeout=120, query={"dg_epochs": "2", "dg_tab": "Gradient flow"})
    assert not at.exception
    assert "updates" not in GRAD_FLOW_TITLE and "‖dW‖" in GRAD_FLOW_TITLE
    assert any("It is the gradient, not the step: a step changes W by lr·dW" in m.value for m in at.markdown)
    assert not any("barely learns" in m.value for m in at.markdown)


def test_curves_speak_of_a_generalisation_gap_and_the_test_set_is_not_clean():
    at = open_page(PAGE, timeout=120, query={"dg_epochs": "5"})
    assert not at.exception
    hist, _, _ = core_run(page_settings(at))
    gap = hist.train_acc[-1] - hist.test_acc[-1]
    assert gap >= 0.01  # the default run has a gap: the case the words are for
    text = "\n".join(m.value for m in at.markdown)
    assert f"The difference, {gap:.1%}, is the *generalisation gap*" in text
    assert "memorised" not in text and "these curves show the gap, not its cause" in text
    caption = next(c.value for c in at.caption if "never used for a gradient step" in c.value)
    assert "the test set is acting as a validation set" in caption and "no longer a clean estimate" in caption
    assert "never used for training: their accuracy is how well" not in caption


def test_the_initialisers_are_explained_beside_the_control_and_no_code_names_show():
    at = open_page(PAGE, timeout=120, query={"dg_epochs": "2"})
    assert not at.exception
    guide = next(m.value for m in at.markdown if "fan_in rows" in m.value)
    for name, info in INIT_INFO.items():
        assert f"**{INITIALISER_NAMES[name]}**" in guide and f"Var(W) = {info.variance}" in guide
    assert f"**{INITIALISER_NAMES[page_settings(at)['init']]}** (chosen)" in guide
    assert "No initialiser lifts the sigmoid's ceiling" in guide
    assert not any("`MLP`" in m.value for m in at.markdown)


# ----- how a run ended: core.sgd gives the kind and the numbers, the page the words ----------------
def test_a_diverged_run_says_in_which_epoch_and_by_how_much():
    at = open_page(PAGE, timeout=120, query={"dg_epochs": "3", "dg_lr": "5.0", "dg_act": "Tanh"})
    assert not at.exception
    s = page_settings(at)
    assert (s["lr"], s["act"]) == (5.0, "tanh")
    hist, _, _ = core_run(s)
    assert hist.diverged and hist.stop == "loss blew up"  # the case the words are for
    err = next(e.value for e in at.error if e.value.startswith("Training ended early:"))
    assert (
        f"the training loss blew up in epoch {hist.stop_epoch}: {hist.train_loss[-1]:.3g}, more than "
        f"{DIVERGE_FACTOR:g}× its starting {hist.train_loss[0]:.3g}" in err
    )
    assert metrics(at)["Epochs"] == f"{hist.epochs_run} of 3"


def test_a_run_that_reaches_the_time_limit_is_kept_and_can_continue(monkeypatch):
    monkeypatch.setitem(dr.TIME_LIMIT, "digits8", 0.0)  # every run stops before its first epoch
    at = open_page(PAGE, timeout=120, query={"dg_epochs": "2", "dg_seed": "7"})
    assert not at.exception
    assert any(
        "Training reached the time limit of 0 s and stopped after 0 of 2 epochs." in w.value for w in at.warning
    ), [w.value for w in at.warning]
    assert metrics(at)["Epochs"] == "0 of 2"
    monkeypatch.setitem(dr.TIME_LIMIT, "digits8", 60.0)
    at.button(key="dg_resume").click().run()
    assert not at.exception and metrics(at)["Epochs"] == "2 of 2"
    straight, _, _ = core_run(page_settings(at))
    assert metrics(at)["Test loss (cross-entropy)"] == ui_fmt(straight.test_loss[-1], 4)


@pytest.mark.slow
def test_a_second_visitor_waits_for_the_run_another_is_training(monkeypatch):
    """Single flight between sessions: while one session trains some settings (with its progress
    bar), another asking for the same settings waits for that run and shows it, not a second one."""
    import streamlit as st

    st.cache_data.clear()
    data = dr.digits_data()
    settings = dr.Settings(data.key, **{**dr.DEFAULTS, "epochs": 2})
    lock = dr.flight(settings)
    assert lock.acquire(timeout=5)
    real_train, calls = dr.train, []
    monkeypatch.setattr(dr, "train", lambda *a, **k: (calls.append(1), real_train(*a, **k))[1])
    real_cached, asked = dr.cached_history, threading.Event()
    monkeypatch.setattr(dr, "cached_history", lambda *a: (asked.set(), real_cached(*a))[1])

    def first_visitor() -> None:
        try:
            assert asked.wait(60)  # the page has looked in the cache and found nothing ...
            time.sleep(0.5)  # ... and is now at the point of training: this run is still in progress
            dr.store_history(settings, data, real_train(settings, data))
        finally:
            dr.land(settings, lock)

    thread = threading.Thread(target=first_visitor, daemon=True)
    thread.start()
    at = open_page(PAGE, timeout=120, query={"dg_epochs": "2"})
    thread.join(60)
    assert not thread.is_alive()
    assert not at.exception and calls == []  # the page trained nothing itself
    assert any("remembered from an earlier run" in c.value for c in at.caption)
    assert not dr._flights  # nothing left in flight


@pytest.mark.slow
def test_a_run_waits_for_a_free_heavy_slot_and_a_remembered_run_does_not(monkeypatch):
    """app/heavy.py: with the server's one slot taken by another run, the page's training waits (its
    bar counts the runs ahead), then trains when the slot is given back; a cached run never asks."""
    import streamlit as st

    from app import heavy, heavy_ui

    st.cache_data.clear()
    gate = heavy.Gate(1)
    monkeypatch.setattr(heavy, "_shared", gate)
    said: list[str] = []
    real_waiting = heavy_ui.waiting
    monkeypatch.setattr(heavy_ui, "waiting", lambda ahead: (said.append(real_waiting(ahead)), said[-1])[1])
    other = gate.enter()
    assert gate.start(other, 0)  # another student's run holds the one slot
    queued = threading.Event()

    def other_run_ends() -> None:  # once the page's run is queued behind it (or after 60 s at most)
        deadline = time.monotonic() + 60
        while gate.waiting() == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        if gate.waiting():
            queued.set()
            time.sleep(1.0)  # the page's bar is updated every 0.25 s meanwhile
        gate.leave(other)

    threading.Thread(target=other_run_ends, daemon=True).start()
    at = open_page(PAGE, timeout=120, query={"dg_epochs": "2"})
    assert not at.exception
    assert queued.is_set(), "the page trained while the only slot was taken"
    assert "Waiting for the server: 1 run is ahead of yours (Stop cancels it) …" in said
    assert gate.running == 0 and gate.waiting() == 0
    hist, _, _ = core_run(page_settings(at))
    assert metrics(at)["Test accuracy"] == f"{hist.test_acc[-1]:.1%}"
    # the same settings again, slot taken again: remembered, so no waiting at all
    assert gate.start(other := gate.enter(), 0)
    said.clear()
    at2 = open_page(PAGE, timeout=30, query={"dg_epochs": "2"})
    assert not at2.exception and said == []
    assert any("remembered from an earlier run" in c.value for c in at2.caption)
    gate.leave(other)


@pytest.mark.parametrize(
    "env, secret, address, enabled",
    [
        ("", "", None, False),  # a plain public server: off
        ("", "", "0.0.0.0", False),
        ("", "", "localhost", True),  # a laptop's own server: on
        ("", "", "127.0.0.1", True),
        ("off", "", "localhost", False),  # the operator's word wins
        ("on", "", "0.0.0.0", True),
        ("", "true", None, True),
        ("no", "true", None, False),
    ],
)
def test_mnist_is_an_operator_setting(monkeypatch, env, secret, address, enabled):
    import streamlit as st

    monkeypatch.setenv(dr.MNIST_ENV, env)
    monkeypatch.setattr(st, "secrets", {"xorlab_mnist": secret} if secret else {})
    real = st.get_option
    monkeypatch.setattr(st, "get_option", lambda name: address if name == "server.address" else real(name))
    assert dr.mnist_enabled() is enabled


def test_with_mnist_off_no_folder_is_read_no_download_offered_and_8x8_digits_still_work(monkeypatch, tmp_path):
    monkeypatch.setenv(dr.MNIST_ENV, "off")
    make_mnist(tmp_path / "m", n_train=120, n_test=40)
    with pytest.raises(dr.DigitsDataError):
        dr.mnist_data(str(tmp_path / "m"))  # not even a direct call reads the folder
    with pytest.raises(dr.DigitsDataError):
        dr.download(lambda *a: None)
    at = open_page(PAGE, timeout=120, query={"dg_data": "MNIST 28×28"})
    assert not at.exception
    keys = {w.key for w in at.text_input} | {b.key for b in at.button}
    assert "dg_mnist_dir" not in keys and "dg_mnist_download" not in keys
    assert any(dr.MNIST_OFF in i.value for i in at.info)
    assert not any("make the MNIST files available" in i.value for i in at.info)  # a student cannot
    at.segmented_control(key="dg_data").set_value("digits").run()
    assert not at.exception
    hist, _, _ = core_run(page_settings(at))
    assert metrics(at)["Test accuracy"] == f"{hist.test_acc[-1]:.1%}"
