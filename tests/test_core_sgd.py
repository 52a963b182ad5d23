"""The softmax network and core.sgd: stable numerics, gradient check, mini-batch SGD, and the
accuracy target on the bundled 8×8 digits."""

import time

import numpy as np
import pytest

from core import MLP, gradient_check
from core.digits import load_bundled, one_hot, stratified_split
from core.losses import cce_from_logits, log_softmax, output_delta, softmax
from core.schedules import lr_schedule
from core.sgd import evaluate, schedule_params_for, train_minibatch

pytestmark = pytest.mark.filterwarnings("error")

# the page's default settings (pages/digits.py): one hidden layer
DEFAULTS = {"width": 32, "act": "relu", "init": "he_normal", "lr": 0.1, "sched": "cosine", "batch": 16, "epochs": 30}


@pytest.fixture(scope="module")
def digits():
    ds = load_bundled()
    tr, te = stratified_split(ds.labels, 0.25, seed=0)
    X, Y = ds.X(), one_hot(ds.labels)
    return X[tr], Y[tr], X[te], Y[te]


@pytest.fixture(scope="module")
def default_run(digits):
    Xtr, Ytr, Xte, Yte = digits
    d = DEFAULTS
    net = MLP.create([64, d["width"], 10], d["act"], "softmax", d["init"], seed=0)
    t0 = time.perf_counter()
    hist = train_minibatch(net, Xtr, Ytr, Xte, Yte, d["lr"], d["epochs"], d["batch"], d["sched"], seed=0)
    return net, hist, time.perf_counter() - t0


# ----- numerics -------------------------------------------------------------------------------------
def test_softmax_and_cross_entropy_stable_for_huge_logits():
    z = np.array([[1000.0, -1000.0, 0.0], [-1000.0, -1000.0, -1000.0], [1e308, -1e308, 0.0]])
    a = softmax(z)
    assert np.all(np.isfinite(a))
    np.testing.assert_allclose(a.sum(axis=1), 1.0)
    np.testing.assert_allclose(a[0], [1.0, 0.0, 0.0])
    np.testing.assert_allclose(a[1], [1 / 3] * 3)
    ls = log_softmax(z[:2])
    assert np.all(np.isfinite(ls))
    assert ls[0, 1] == pytest.approx(-2000.0)  # exact, not −inf
    y_right = np.array([[1.0, 0.0, 0.0]])
    y_wrong = np.array([[0.0, 1.0, 0.0]])
    assert cce_from_logits(z[:1], y_right) == pytest.approx(0.0, abs=1e-12)
    assert cce_from_logits(z[:1], y_wrong) == pytest.approx(2000.0)  # finite, exact
    delta = output_delta("cce", a[:1], y_wrong)
    np.testing.assert_allclose(delta, [[1.0, -1.0, 0.0]])


def test_softmax_network_forward_on_huge_inputs_stays_finite():
    net = MLP.create([4, 3, 10], "relu", "softmax", "normal", seed=0, sigma=100.0)
    X = np.full((2, 4), 1000.0)
    out = net.forward(X).output
    assert np.all(np.isfinite(out))
    np.testing.assert_allclose(out.sum(axis=1), 1.0)
    assert np.isfinite(net.loss(X, one_hot(np.array([1, 2])), "cce"))


def test_cce_delta_is_a_minus_y_numerically():
    """dL/dz of the mean cross-entropy over N rows is (a − y)/N: the notes' dz2 = a2 − y in 10-D."""
    rng = np.random.default_rng(1)
    z = rng.normal(size=(3, 10))
    y = one_hot(np.array([2, 7, 0]))
    analytic = output_delta("cce", softmax(z), y) / 3
    eps = 1e-6
    numeric = np.zeros_like(z)
    for i in range(3):
        for j in range(10):
            zp, zm = z.copy(), z.copy()
            zp[i, j] += eps
            zm[i, j] -= eps
            numeric[i, j] = (cce_from_logits(zp, y) - cce_from_logits(zm, y)) / (2 * eps)
    np.testing.assert_allclose(analytic, numeric, atol=1e-8)


@pytest.mark.parametrize(
    "hidden, sizes", [("tanh", [6, 5, 10]), ("sigmoid", [5, 4, 3, 10]), ("leaky_relu", [4, 6, 10])]
)
def test_gradient_check_of_the_softmax_network(hidden, sizes):
    rng = np.random.default_rng(2)
    net = MLP.create(sizes, hidden, "softmax", "xavier_normal", seed=3)
    X = rng.normal(size=(7, sizes[0]))
    Y = one_hot(rng.integers(0, 10, 7))
    gc = gradient_check(net, X, Y, loss="cce")
    assert gc.max_rel_error < 1e-6, gc.max_rel_error
    assert len(gc.names) == net.n_params


# ----- mini-batch SGD -------------------------------------------------------------------------------
def test_default_settings_reach_95_percent_on_held_out_digits(default_run):
    net, hist, seconds = default_run
    assert hist.test_acc[-1] >= 0.95, hist.test_acc[-1]
    assert hist.complete and not hist.diverged
    assert hist.test_acc[0] < 0.3  # the untrained network is near chance
    # generous bound: the target is < 10 s on the development machine, which other jobs share
    assert seconds < 30, seconds


def test_history_shapes_schedule_and_gradient_norms(default_run, digits):
    net, hist, _ = default_run
    E = DEFAULTS["epochs"]
    for curve in (hist.train_loss, hist.test_loss, hist.train_acc, hist.test_acc):
        assert curve.shape == (E + 1,) and np.all(np.isfinite(curve))
    assert hist.running_loss.shape == (E,) and hist.grad_norms.shape == (E, 2)
    assert np.all(hist.grad_norms > 0)
    np.testing.assert_allclose(hist.lr, lr_schedule("cosine", 0.1, E, **schedule_params_for("cosine", E)))
    assert hist.steps == E * -(-digits[0].shape[0] // DEFAULTS["batch"])
    assert hist.train_loss[-1] < hist.train_loss[0] / 5
    # the history's final network is what the curves describe, and the input net is untouched
    loss, acc = evaluate(hist.final, digits[2], digits[3])
    assert loss == pytest.approx(hist.test_loss[-1]) and acc == pytest.approx(hist.test_acc[-1])
    assert not np.allclose(net.W[0], hist.final.W[0])


def test_same_seed_same_run_other_seed_other_run(digits):
    Xtr, Ytr, Xte, Yte = (a[:300] for a in digits)
    net = MLP.create([64, 8, 10], "tanh", "softmax", "xavier_uniform", seed=0)
    h1 = train_minibatch(net, Xtr, Ytr, Xte, Yte, 0.2, 3, 32, seed=5)
    h2 = train_minibatch(net, Xtr, Ytr, Xte, Yte, 0.2, 3, 32, seed=5)
    h3 = train_minibatch(net, Xtr, Ytr, Xte, Yte, 0.2, 3, 32, seed=6)
    np.testing.assert_array_equal(h1.final.W[0], h2.final.W[0])
    assert not np.array_equal(h1.final.W[0], h3.final.W[0])  # a different batch order


def test_full_batch_equals_plain_gradient_descent(digits):
    """batch_size = N: one step per epoch on the whole set, exactly MLP.step of the full gradient."""
    X, Y = digits[0][:200], digits[1][:200]
    net = MLP.create([64, 6, 10], "sigmoid", "softmax", "xavier_uniform", seed=1)
    hist = train_minibatch(net, X, Y, X[:0], Y[:0], lr=0.5, epochs=4, batch_size=10_000)
    ref = net.copy()
    for _ in range(4):
        ref.step(ref.gradients(X, Y, "cce"), 0.5)
    np.testing.assert_allclose(hist.final.W[0], ref.W[0], rtol=1e-10, atol=1e-12)
    assert hist.batch_size == 200 and hist.steps == 4
    assert np.all(np.isnan(hist.test_acc))  # no test set: recorded as NaN, never invented


def test_on_step_is_called_after_every_update_and_changes_no_number(digits):
    Xtr, Ytr, Xte, Yte = digits
    net = MLP.create([64, 16, 10], "relu", "softmax", "he_normal", seed=0)
    calls = []
    plain = train_minibatch(net, Xtr, Ytr, Xte, Yte, 0.1, 3, 32)
    hooked = train_minibatch(net, Xtr, Ytr, Xte, Yte, 0.1, 3, 32, on_step=lambda: calls.append(1))
    assert len(calls) == hooked.steps == 3 * -(-len(Xtr) // 32)
    for a, b in zip(plain.final.W + plain.final.b, hooked.final.W + hooked.final.b):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(plain.test_loss, hooked.test_loss)


def test_callbacks_and_stopping_keep_finished_epochs(digits):
    Xtr, Ytr, Xte, Yte = digits
    net = MLP.create([64, 16, 10], "relu", "softmax", "he_normal", seed=0)
    seen = []

    def on_epoch(e, h):
        seen.append((e, h.epochs_run, h.test_acc[-1]))

    hist = train_minibatch(net, Xtr, Ytr, Xte, Yte, 0.1, 10, 32, on_epoch=on_epoch, should_stop=lambda: len(seen) >= 3)
    assert [s[:2] for s in seen] == [(1, 1), (2, 2), (3, 3)]
    assert hist.epochs_run == 3 and not hist.complete and (hist.stop, hist.stop_epoch) == ("asked", 4)
    assert hist.test_acc[-1] == seen[-1][2]
    # stopping inside an epoch rolls back to the last finished epoch
    batches = []

    def on_batch(e, b, n, running):
        batches.append((e, b, n, running))

    hist2 = train_minibatch(
        net,
        Xtr,
        Ytr,
        Xte,
        Yte,
        0.1,
        10,
        32,
        on_batch=on_batch,
        batch_every=10,
        should_stop=lambda: len(batches) >= 6,
    )
    assert batches[0][:3] == (1, 10, 43) and all(np.isfinite(b[3]) for b in batches)
    assert hist2.epochs_run == 1 and (hist2.stop, hist2.stop_epoch) == ("asked in epoch", 2)
    full = train_minibatch(net, Xtr, Ytr, Xte, Yte, 0.1, 1, 32)
    np.testing.assert_array_equal(hist2.final.W[0], full.final.W[0])  # exactly epoch 1's weights


@pytest.mark.parametrize("hidden, lr, why", [("relu", 1e6, ("loss blew up", 1)), ("sigmoid", 1e308, ("non-finite", 1))])
def test_divergence_stops_with_finite_history(digits, hidden, lr, why):
    Xtr, Ytr, Xte, Yte = (a[:200] for a in digits)
    net = MLP.create([64, 16, 10], hidden, "softmax", "he_normal", seed=0)
    hist = train_minibatch(net, Xtr, Ytr, Xte, Yte, lr=lr, epochs=5, batch_size=16)
    assert hist.diverged and (hist.stop, hist.stop_epoch) == why
    assert hist.epochs_run == (1 if hist.stop == "loss blew up" else 0)  # a blown-up epoch is kept, not an overflow
    assert hist.final.is_finite()
    for curve in (hist.train_loss, hist.train_acc, hist.running_loss, hist.grad_norms):
        assert np.all(np.isfinite(curve))
    assert hist.train_loss.shape == (hist.epochs_run + 1,) and hist.grad_norms.shape == (hist.epochs_run, 2)


def test_schedule_params_scale_to_the_run():
    E = 30
    r = lr_schedule("exponential", 1.0, E + 1, **schedule_params_for("exponential", E))
    assert r[E] == pytest.approx(0.1)
    r = lr_schedule("step", 1.0, E, **schedule_params_for("step", E))
    assert r[0] == 1.0 and r[10] == 0.5 and r[29] == 0.25
    r = lr_schedule("warmup", 1.0, E, **schedule_params_for("warmup", E))
    assert r[0] == pytest.approx(0.1) and r[6] == 1.0
    assert schedule_params_for("constant", E) == {}


def test_evaluate_in_chunks_matches_one_pass(digits):
    net = MLP.create([64, 8, 10], "tanh", "softmax", seed=0)
    a = evaluate(net, digits[2], digits[3], chunk=7)
    b = evaluate(net, digits[2], digits[3], chunk=100_000)
    assert a[0] == pytest.approx(b[0]) and a[1] == b[1]
    assert b[0] == pytest.approx(net.loss(digits[2], digits[3], "cce"))


def test_bad_inputs_raise():
    net = MLP.create([2, 2, 10], output="softmax")
    with pytest.raises(ValueError):
        train_minibatch(net, np.zeros((0, 2)), np.zeros((0, 10)), np.zeros((0, 2)), np.zeros((0, 10)))


# ----- compact storage and continuing a stopped run -------------------------------------------------
def test_uint8_pixels_scaled_per_batch_give_exactly_the_float_run():
    """Images stored as bytes (x_max) train bit for bit like the same images stored as X / x_max."""
    ds = load_bundled()
    tr, te = stratified_split(ds.labels, 0.25, seed=0)
    P = ds.images.reshape(len(ds.labels), -1)  # uint8 pixel counts 0..16
    Y = one_hot(ds.labels)
    assert P.dtype == np.uint8
    net = MLP.create([64, 12, 10], "relu", "softmax", "he_normal", seed=0)
    args = (0.1, 3, 32, "cosine")
    a = train_minibatch(net, ds.X()[tr], Y[tr], ds.X()[te], Y[te], *args, seed=0, eval_max=500)
    b = train_minibatch(
        net, P[tr], Y[tr].astype(np.uint8), P[te], Y[te].astype(np.uint8), *args, seed=0, eval_max=500, x_max=16
    )
    for name in ("train_loss", "test_loss", "train_acc", "test_acc", "running_loss", "grad_norms"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    np.testing.assert_array_equal(a.final.W[0], b.final.W[0])
    assert evaluate(a.final, P[te], Y[te], x_max=16) == evaluate(a.final, ds.X()[te], Y[te])


@pytest.mark.parametrize("stop_inside_an_epoch", [False, True])
def test_continuing_a_stopped_run_gives_the_straight_run(digits, stop_inside_an_epoch):
    Xtr, Ytr, Xte, Yte = digits
    net = MLP.create([64, 16, 10], "relu", "softmax", "he_normal", seed=0)
    args = dict(lr=0.1, epochs=5, batch_size=32, schedule="cosine", seed=3)
    straight = train_minibatch(net, Xtr, Ytr, Xte, Yte, **args)
    seen = []
    if stop_inside_an_epoch:  # rolled back to the end of epoch 2, then continued
        kw = dict(on_batch=lambda *a: seen.append(a), batch_every=10, should_stop=lambda: len(seen) >= 10)
    else:
        kw = dict(on_epoch=lambda e, h: seen.append(e), should_stop=lambda: len(seen) >= 2)
    part = train_minibatch(net, Xtr, Ytr, Xte, Yte, **args, **kw)
    assert part.epochs_run == 2 and not part.complete
    steps_before = part.steps
    after = []
    done = train_minibatch(net, Xtr, Ytr, Xte, Yte, **args, resume=part, on_epoch=lambda e, h: after.append(e))
    assert after == [3, 4, 5]  # only the remaining epochs were trained
    assert done.complete and done.meta["resumed_after"] == [2]
    assert done.steps == straight.steps and done.steps > steps_before
    for name in ("train_loss", "test_loss", "train_acc", "test_acc", "running_loss", "lr", "grad_norms"):
        np.testing.assert_array_equal(getattr(done, name), getattr(straight, name), err_msg=name)
    for l in range(2):
        np.testing.assert_array_equal(done.final.W[l], straight.final.W[l])
        np.testing.assert_array_equal(done.final.b[l], straight.final.b[l])
    with pytest.raises(ValueError):  # a history of another run cannot be continued
        train_minibatch(net, Xtr, Ytr, Xte, Yte, **{**args, "epochs": 6}, resume=part)


def test_batch_loss_shortcut_matches_the_loss_from_logits(digits):
    """The running loss is read off the softmax output; it equals the loss from the logits."""
    from core.sgd import _batch_loss

    net = MLP.create([64, 16, 10], "tanh", "softmax", "xavier_normal", seed=0)
    X, Y = digits[0][:40], digits[1][:40]
    fwd = net.forward(X)
    fast = _batch_loss("cce", fwd, Y, np.argmax(Y, axis=1))
    assert fast == pytest.approx(cce_from_logits(fwd.z[-1], Y), rel=1e-13)
    # a true class whose probability underflowed to 0: the logits give the finite loss
    z = np.array([[800.0, -800.0, 0.0]])
    Fwd = type(fwd)
    big = Fwd([None, z], [None, softmax(z)])
    y = np.array([[0.0, 1.0, 0.0]])
    assert _batch_loss("cce", big, y, np.array([1])) == pytest.approx(1600.0)


def test_snapshot_at_keeps_the_weights_on_epoch_sees():
    """snapshot_at's frames are the very weights an on_epoch hook reads at those epochs (and the start)."""
    from core.problems import generate

    X, y = generate("moons", 40, 0.1, 0)
    net = MLP.create([2, 3, 1], "tanh", "sigmoid", "xavier_uniform", 1)
    seen = {0: net.to_dict()}
    empty = np.empty((0, 2)), np.empty((0, 1))
    h = train_minibatch(
        net,
        X,
        y,
        *empty,
        0.5,
        12,
        8,
        seed=2,
        loss="bce",
        snapshot_at={0, 3, 12},
        on_epoch=lambda e, hist: seen.__setitem__(e, hist.final.to_dict()),
    )
    assert [e for e, _ in h.meta["snapshots"]] == [0, 3, 12]
    for e, params in h.meta["snapshots"]:
        for k in params:
            np.testing.assert_array_equal(params[k], seen[e][k])
