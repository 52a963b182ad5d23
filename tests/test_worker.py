"""app/worker.py: heavy computations in a lower-priority worker process give the numbers they give in
this process, bit for bit, report their progress here, and stop when told to."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from app import worker
from core.data import X, y
from core.mlp import MLP
from core.multiseed import train_many
from core.problems import sweep
from core.sgd import train_minibatch

pytestmark = pytest.mark.slow  # starts a worker process (~1 s)


def small_digits(seed: int = 0, n: int = 240):
    rng = np.random.default_rng(seed)
    Xd = rng.integers(0, 17, (n, 16)).astype(np.uint8)
    Yd = np.eye(10, dtype=np.uint8)[rng.integers(0, 10, n)]
    return Xd, Yd


def same_history(a, b) -> None:
    for name in ("train_loss", "test_loss", "train_acc", "test_acc", "running_loss", "lr", "grad_norms"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    for u, v in zip(a.final.W + a.final.b, b.final.W + b.final.b):
        np.testing.assert_array_equal(u, v)
    assert (a.epochs_run, a.steps, a.diverged) == (b.epochs_run, b.steps, b.diverged)


def test_the_worker_runs_at_the_lowest_priority_in_another_process():
    assert worker.call(os.getpid) != os.getpid()
    assert worker.call(os.nice, 0) == worker.NICE  # os.nice(0) reads the worker's niceness
    group = Path("/proc/self/autogroup")
    if group.exists():  # Linux autogroups: its own session, whose group is as nice as the worker
        assert worker.call(os.getsid, 0) != os.getsid(0)
        assert worker.call(Path.read_text, group).split()[1:] == ["nice", str(worker.NICE)]


def test_a_worker_ends_when_its_server_is_killed(tmp_path):
    """The worker has left the server's process group (which the launcher stops as a whole), so it must
    end by itself when the server dies."""
    script = tmp_path / "server.py"
    script.write_text(
        "import os, sys, time\n"
        f"sys.path.insert(0, {str(Path(__file__).resolve().parent.parent)!r})\n"
        "from app import worker\n"
        "if __name__ == '__main__':\n"
        "    print(worker.call(os.getpid), flush=True)\n"
        "    time.sleep(120)\n"
    )
    server = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    try:
        pid = int(server.stdout.readline())
    finally:
        server.kill()
        server.wait(10)
    deadline = time.monotonic() + 10
    while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text().split()[2]


def test_minibatch_training_in_the_worker_equals_training_here_and_reports_every_epoch_here():
    Xd, Yd = small_digits()
    net = MLP.create([16, 32, 10], "relu", "softmax", "he_normal", 3)
    args = (net, Xd, Yd, Xd[:60], Yd[:60])
    kw = dict(lr=0.1, epochs=4, batch_size=8, schedule="cosine", seed=3, x_max=16, batch_every=10)
    epochs, batches, threads = [], [], set()

    def on_epoch(e, h):
        epochs.append((e, h.epochs_run))
        threads.add(threading.get_ident())

    there = worker.call(train_minibatch, *args, **kw, on_epoch=on_epoch, on_batch=lambda *a: batches.append(a))
    here = train_minibatch(*args, **kw)
    same_history(there, here)
    assert there.stop is here.stop is None
    assert epochs == [(1, 1), (2, 2), (3, 3), (4, 4)] and threads == {threading.get_ident()}
    mine = []
    train_minibatch(*args, **kw, on_batch=lambda *a: mine.append(a))
    assert batches == mine  # the same reports, in the same order, with the same running losses


def _hook(on_step=None):
    return type(on_step).__name__


def test_a_polite_run_gets_the_per_step_hook_only_in_the_worker_and_gives_the_same_numbers(monkeypatch):
    assert worker.call(_hook, polite="on_step") == "Polite" and worker.call(_hook) == "NoneType"
    Xd, Yd = small_digits(1)
    net = MLP.create([16, 24, 10], "tanh", "softmax", "xavier_normal", 5)
    kw = dict(lr=0.2, epochs=3, batch_size=8, seed=5, x_max=16)
    same_history(worker.call(train_minibatch, net, Xd, Yd, Xd, Yd, polite="on_step", **kw),
                 train_minibatch(net, Xd, Yd, Xd, Yd, **kw))  # fmt: skip
    monkeypatch.setattr(worker, "pool", lambda: None)  # no worker: the run happens here, with no hook
    assert worker.call(_hook, polite="on_step") == "NoneType"


def test_polite_naps_while_the_others_would_fill_every_core_but_its_own():
    """On 4 cores a run naps while 3 or more other tasks are runnable, looks again after each nap, and
    gives up waiting after PATIENCE seconds; it looks at most every CHECK seconds."""
    t = [0.0]
    load = iter([4, 4, 2])  # runnable tasks, the run included: 3 others, 3 others, then 1
    naps = []
    p = worker.Polite(4, read=lambda: next(load), nap=lambda s: (naps.append(s), t.__setitem__(0, t[0] + s)),
                      clock=lambda: t[0])  # fmt: skip
    p()
    assert naps == [worker.NAP, worker.NAP] and p.napped == 2 * worker.NAP
    p()  # within CHECK of the last look: no look at all (the iterator is not read)
    t[0] += worker.CHECK
    looks = []
    busy = worker.Polite(4, read=lambda: looks.append(t[0]) or 9, nap=lambda s: t.__setitem__(0, t[0] + s),
                         clock=lambda: t[0])  # fmt: skip
    start = t[0]
    busy()
    assert worker.PATIENCE <= t[0] - start < worker.PATIENCE + 2 * worker.NAP  # it still moves on …
    n, gave_up_at = len(looks), t[0]
    t[0] += worker.MIN_RUN / 2
    busy()
    assert len(looks) == n  # … and computes MIN_RUN before it looks again
    t[0] = gave_up_at + worker.MIN_RUN
    busy()
    assert len(looks) > n
    idle = worker.Polite(2, read=lambda: 1, nap=lambda s: pytest.fail("napped on an idle machine"), clock=lambda: 0.0)
    idle()
    unknown = worker.Polite(2, read=lambda: None, nap=lambda s: pytest.fail("napped without /proc"), clock=lambda: 0.0)
    unknown()
    assert worker.Polite(2).room == 1 and worker.Polite(1).room == 1 and worker.Polite(8).room == 7
    n = worker.running_tasks()
    assert n is None or n >= 1  # this process is running


def test_many_seeds_and_the_sweep_in_the_worker_equal_the_same_calls_here():
    a = worker.call(train_many, [2, 3, 1], range(40), X, y, hidden="tanh", lr=0.5, epochs=600, polite="on_step")
    b = train_many([2, 3, 1], range(40), X, y, hidden="tanh", lr=0.5, epochs=600)
    for u, v in zip(a.W + a.b + [a.loss, a.loss_curves, a.output], b.W + b.b + [b.loss, b.loss_curves, b.output]):
        np.testing.assert_array_equal(u, v)
    np.testing.assert_array_equal(a.solved, b.solved)
    s = worker.call(sweep, X, y, X, y, (2,), (1, 2), range(5), "tanh", "xavier_uniform", 0.5, 300, polite="on_step")
    t = sweep(X, y, X, y, (2,), (1, 2), range(5), "tanh", "xavier_uniform", 0.5, 300)
    np.testing.assert_array_equal(s.train_acc, t.train_acc)
    np.testing.assert_array_equal(s.test_acc, t.test_acc)


def test_should_stop_is_asked_here_and_ends_the_run_in_the_worker_as_it_would_here():
    Xd, Yd = small_digits(1)
    net = MLP.create([16, 16, 10], "relu", "softmax", "he_normal", 1)
    args = (net, Xd, Yd, Xd[:40], Yd[:40])
    kw = dict(lr=0.1, epochs=20_000, batch_size=8, seed=1, x_max=16)  # minutes, unless it stops
    seen = []
    h = worker.call(train_minibatch, *args, **kw, on_epoch=lambda e, h: seen.append(e), should_stop=lambda: bool(seen))
    assert 1 <= h.epochs_run < 20_000 and h.stop in ("asked", "asked in epoch")
    done = []  # here, stopped after the same epoch
    here = train_minibatch(
        *args, **kw, on_epoch=lambda e, _: done.append(e), should_stop=lambda: len(done) >= h.epochs_run
    )
    same_history(h, here)
    # stopped before it starts: no epoch at all, as here
    before = worker.call(train_minibatch, *args, **kw, should_stop=lambda: True)
    assert before.epochs_run == 0 and before.stop == "asked"


def test_an_interrupted_wait_stops_the_run_and_frees_the_worker():
    """Streamlit's Stop raises in a callback (the progress bar's update): the exception reaches the
    caller, the worker's run ends at its next check, and the next run starts at once."""
    Xd, Yd = small_digits(2, 2000)
    net = MLP.create([16, 64, 10], "relu", "softmax", "he_normal", 2)

    class Stop(Exception):
        pass

    def on_epoch(e, h):
        raise Stop

    t0 = time.perf_counter()
    with pytest.raises(Stop):
        worker.call(train_minibatch, net, Xd, Yd, Xd[:10], Yd[:10], epochs=5000, batch_size=8, on_epoch=on_epoch,
                    should_stop=lambda: False)  # fmt: skip
    assert worker.call(os.getpid) > 0  # the one worker is free again: it did not train 500 epochs
    assert time.perf_counter() - t0 < 30  # 5,000 epochs would take minutes


def test_without_a_worker_process_the_run_happens_here_with_a_log_line(monkeypatch, caplog):
    def no_processes(*a, **k):
        raise OSError("no processes on this platform")

    monkeypatch.setattr(worker, "_pool", None)
    monkeypatch.setattr(worker, "_failed", False)
    monkeypatch.setattr(worker, "ProcessPoolExecutor", no_processes)
    seen = []
    with caplog.at_level(logging.WARNING, logger="app.worker"):
        assert worker.call(os.getpid) == os.getpid()
        r = worker.call(train_many, [2, 2, 1], range(3), X, y, epochs=50)
        worker.call(
            lambda should_stop, on_epoch: on_epoch(should_stop()), should_stop=lambda: True, on_epoch=seen.append
        )
    assert seen == [True]
    np.testing.assert_array_equal(r.loss, train_many([2, 2, 1], range(3), X, y, epochs=50).loss)
    assert sum("heavy computations run in the server process" in m for m in caplog.messages) == 1


def test_a_worker_does_not_run_the_page_script_streamlit_made_main(monkeypatch, tmp_path):
    """Streamlit makes each rerun's page script ``__main__``; a spawned worker would run that file again
    to rebuild its ``__main__`` (a whole page, in bare mode). It starts with a plain one instead."""
    import types

    marker = tmp_path / "ran"
    script = tmp_path / "page.py"
    script.write_text(f"open({str(marker)!r}, 'w').close()\n")
    page = types.ModuleType("__main__")
    page.__file__ = str(script)
    worker.shutdown()  # a fresh pool: its workers start now, with the page as __main__
    monkeypatch.setitem(sys.modules, "__main__", page)
    assert worker.call(os.getpid) != os.getpid()
    assert sys.modules["__main__"] is page
    assert not marker.exists()
    worker.shutdown()


def test_a_pool_shut_down_meanwhile_runs_the_computation_here_this_once(monkeypatch, caplog):
    from concurrent.futures import ProcessPoolExecutor

    closed = ProcessPoolExecutor(1)
    closed.shutdown()
    monkeypatch.setattr(worker, "pool", lambda: closed)
    with caplog.at_level(logging.WARNING, logger="app.worker"):
        r = worker.call(train_many, [2, 2, 1], range(3), X, y, epochs=50)
    np.testing.assert_array_equal(r.loss, train_many([2, 2, 1], range(3), X, y, epochs=50).loss)
    assert any("runs in the server process" in m for m in caplog.messages)
    assert not worker._failed
