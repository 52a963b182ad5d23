"""app/heavy.py: the server-wide limit on heavy computations, driven by real threads."""

from __future__ import annotations

import threading
import time

import pytest

from app import heavy


def test_slots_default_to_one_core_less_than_the_machine_and_at_least_one():
    assert heavy.slots({}, cores=8) == 7
    assert heavy.slots({}, cores=2) == 1
    assert heavy.slots({}, cores=1) == 1
    assert heavy.slots({heavy.ENV: "3"}, cores=2) == 3
    for bad in ("0", "-1", "two", "", "1.5"):
        assert heavy.slots({heavy.ENV: bad}, cores=4) == 3


def test_never_more_than_n_run_at_once():
    gate, n = heavy.Gate(2), 8
    now = peak = 0
    lock = threading.Lock()

    def work():
        nonlocal now, peak
        with gate.turn(poll=0.01):
            with lock:
                now += 1
                peak = max(peak, now)
            time.sleep(0.02)
            with lock:
                now -= 1

    threads = [threading.Thread(target=work) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert peak == 2 and now == 0 and gate.running == 0 and gate.waiting() == 0


def test_first_come_first_served_and_each_waiter_sees_the_runs_ahead_of_it():
    gate = heavy.Gate(1)
    first = gate.enter()
    assert gate.start(first, 0)
    tickets = [gate.enter() for _ in range(3)]
    assert [gate.ahead(t) for t in tickets] == [1, 2, 3]  # the running one, plus those queued in front
    assert not gate.start(tickets[1], 0.01), "the second in the queue may not overtake the first"
    gate.leave(first)
    order = []

    def run(i):
        assert gate.start(tickets[i], 5)
        order.append(i)
        time.sleep(0.01)
        gate.leave(tickets[i])

    threads = [threading.Thread(target=run, args=(i,)) for i in (2, 1, 0)]  # started in reverse
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert order == [0, 1, 2]


def test_a_waiter_that_cancels_leaves_the_queue_and_the_next_one_moves_up():
    gate = heavy.Gate(1)
    holder = gate.enter()
    gate.start(holder, 0)
    seen: list[int] = []

    class Cancelled(Exception):
        pass

    def impatient(ahead: int):
        seen.append(ahead)
        raise Cancelled  # what a Streamlit interruption (the Stop button) does inside on_wait

    with pytest.raises(Cancelled):
        with gate.turn(on_wait=impatient, poll=0.01):
            pytest.fail("a cancelled waiter must not run")
    assert seen == [1]
    assert gate.waiting() == 0
    patient = gate.enter()
    assert gate.ahead(patient) == 1
    gate.leave(holder)
    assert gate.start(patient, 1) and gate.ahead(patient) == 0
    gate.leave(patient)
    gate.leave(patient)  # idempotent
    assert gate.running == 0


def test_an_error_in_the_work_gives_the_slot_back():
    gate = heavy.Gate(1)
    with pytest.raises(ZeroDivisionError):
        with gate.turn():
            raise ZeroDivisionError("a run that fails")
    assert gate.running == 0
    with gate.turn() as t:
        assert t.started


def test_the_server_has_one_gate():
    assert heavy.gate() is heavy.gate()
    assert heavy.gate().n == heavy.slots()


def test_the_beyond_xor_sweep_counts_its_untrained_shapes_without_training_them():
    """The sweep takes one place for the shapes not trained yet (app/beyond_xor/controls.py; its page
    tests show the queue): ``sweep_todo`` counts them without computing any, and a trained shape is
    cached (the same arrays again, and one fewer to do)."""
    import numpy as np

    from app.beyond_xor import run

    run.sweep_cell.clear()
    X = np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 1.0], [1.0, 0.0]])
    y = np.array([[0.0], [0.0], [1.0], [1.0]])
    data = run.Data(X, y, np.zeros(4, dtype=bool), False)
    shapes = len(run.SWEEP_DEPTHS) * len(run.SWEEP_WIDTHS)
    assert run.sweep_todo(data, "tanh", 0.5) == shapes
    assert run.sweep_todo(data, "tanh", 0.5) == shapes  # counting computed nothing
    first = run.sweep_cell(X, y, X, y, run.SWEEP_DEPTHS[0], run.SWEEP_WIDTHS[0], "tanh", 0.5)
    assert run.sweep_todo(data, "tanh", 0.5) == shapes - 1
    again = run.sweep_cell(X, y, X, y, run.SWEEP_DEPTHS[0], run.SWEEP_WIDTHS[0], "tanh", 0.5)
    assert np.array_equal(first[0], again[0])
