"""core.weights_io: export → import is exact; every malformed upload is refused with a clear message."""

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.data import notes_network, notes_weights
from core.mlp import MLP
from core.weights_io import MAX_ABS, MAX_BYTES, WeightsError, export_weights, import_weights, weights_dict


def _notes_obj() -> dict:
    return json.loads(export_weights(notes_network()))


def test_round_trip_of_the_notes_network_is_exact():
    text = export_weights(notes_network())
    net = import_weights(text, sizes=[2, 2, 1])
    for k, v in notes_weights().items():
        np.testing.assert_array_equal(net.to_dict()[k], v)
    assert (net.hidden, net.output) == ("sigmoid", "sigmoid")
    assert import_weights(text.encode("utf-8")).sizes == [2, 2, 1]  # bytes, as st.file_uploader gives them


def test_a_hand_written_minimal_file_is_accepted():
    text = '{"W1": [[1, 2], [3, 4]], "b1": [0.5, -0.5], "W2": [[1], [-1]], "b2": [0]}'
    net = import_weights(text, sizes=[2, 2, 1])
    np.testing.assert_array_equal(net.b[0], [[0.5, -0.5]])
    assert import_weights(("\ufeff" + text).encode("utf-8")).sizes == [2, 2, 1]  # BOM


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(
    sizes=st.lists(st.integers(1, 6), min_size=2, max_size=5),
    seed=st.integers(0, 2**32 - 1),
    scale=st.sampled_from([1e-300, 1e-6, 1.0, 1e3, MAX_ABS]),
    hidden=st.sampled_from(["sigmoid", "tanh", "relu", "leaky_relu", "linear"]),
)
def test_round_trip_is_exact_for_any_mlp(sizes, seed, scale, hidden):
    rng = np.random.default_rng(seed)
    Ws = [np.clip(rng.standard_normal((a, b)) * scale, -MAX_ABS, MAX_ABS) for a, b in zip(sizes[:-1], sizes[1:])]
    bs = [np.clip(rng.standard_normal((1, b)) * scale, -MAX_ABS, MAX_ABS) for b in sizes[1:]]
    net = MLP(Ws, bs, hidden=hidden)
    back = import_weights(export_weights(net), sizes=sizes)
    assert back.hidden == hidden
    for a, b in zip(net.W + net.b, back.W + back.b):
        np.testing.assert_array_equal(a, b)


def _bad(obj_or_text, match, sizes=None):
    text = obj_or_text if isinstance(obj_or_text, (str, bytes)) else json.dumps(obj_or_text)
    with pytest.raises(WeightsError, match=match):
        import_weights(text, sizes=sizes)


def test_size_limit():
    big = json.dumps(_notes_obj()) + " " * MAX_BYTES
    _bad(big, "at most 64 KB")


@pytest.mark.parametrize(
    "text, match",
    [
        ("", "empty"),
        ("   \n", "empty"),
        (b"\xff\xfe\x00W", "not UTF-8"),
        ("{W1: 1}", "not valid JSON"),
        ('{"W1": [[1]], "b1": [1]', "not valid JSON"),
        ("[1, 2, 3]", "one JSON object"),
        ('"W1"', "one JSON object"),
        ("null", "one JSON object"),
        ("{}", "no weight matrices"),
        ('{"W1": [[NaN]], "b1": [0]}', "NaN"),
        ('{"W1": [[Infinity]], "b1": [0]}', "Infinity"),
        ('{"W1": [[-Infinity]], "b1": [0]}', "Infinity"),
        ('{"W1": [[1e400]], "b1": [0]}', "not a finite number"),
        ('{"W1": [[1' + "0" * 6000 + "]], " + '"b1": [0]}', "far too long"),
        ('{"W1": [[1' + "0" * 30 + "]], " + '"b1": [0]}', "larger than"),
        ("[" * 50_000 + "]" * 50_000, "nested far too deeply|64 KB"),
        ('{"W1": [[1]], "W1": [[2]], "b1": [0]}', "appears twice"),
    ],
)
def test_malformed_text_is_refused(text, match):
    _bad(text, match)


def _with(**changes):
    obj = _notes_obj()
    for k, v in changes.items():
        if v is None:
            obj.pop(k)
        else:
            obj[k] = v
    return obj


@pytest.mark.parametrize(
    "obj, match",
    [
        (_with(b2=None), "Missing key.*b2"),
        (_with(W3=[[1.0]]), "Missing key.*b3"),
        (_with(extra=1), "Unexpected key"),
        (_with(w1=[[1.0]]), "Unexpected key"),
        (_with(W1=[[1.0, 2.0], [3.0]]), "different lengths"),
        (_with(W1=[[1.0, "2"], [3.0, 4.0]]), "text, not a number"),
        (_with(W1=[[1.0, True], [3.0, 4.0]]), "true/false"),
        (_with(W1=[[1.0, None], [3.0, 4.0]]), "null"),
        (_with(W1=[[1.0, [2.0]], [3.0, 4.0]]), "a list, not a number"),
        (_with(W1=[[1.0, {"a": 1}], [3.0, 4.0]]), "an object"),
        (_with(W1=[]), "must be a list of rows"),
        (_with(W1=[[]]), "must be a list of rows"),
        (_with(W1=5), "must be a list of rows"),
        (_with(W1=[1.0, 2.0]), "must be a list of rows"),
        (_with(W1=[[1.0, 2.0], [3.0, MAX_ABS * 10]]), "larger than"),
        (_with(W1=[[1.0, 2.0], [3.0, -MAX_ABS * 10]]), "larger than"),
        (_with(b1=[[1.0, 2.0, 3.0]]), "b1.*must match"),
        (_with(b1=[1.0]), "b1.*must match"),
        (_with(b1="abc"), "must be a list of numbers"),
        (_with(W2=[[1.0], [2.0], [3.0]]), "do not chain"),
        (_with(hidden="softplus"), "hidden"),
        (_with(hidden=3), "hidden"),
        (_with(output="tanh"), "output"),
        (_with(format="pytorch"), "format"),
        (_with(version=2), "version"),
        (_with(version="1"), "version"),
        (_with(sizes=[2, 3, 1]), "sizes"),
        (_with(sizes=[2.0, 2, 1]), "sizes"),
        (_with(sizes="2-2-1"), "sizes"),
    ],
)
def test_malformed_content_is_refused(obj, match):
    _bad(obj, match)


def test_wrong_network_size_for_the_page():
    net = MLP.create([2, 3, 1])
    _bad(export_weights(net), "2-3-1 network; this page needs a 2-2-1", sizes=[2, 2, 1])


def test_too_many_layers_and_units():
    obj = {}
    for l in range(1, 18):
        obj[f"W{l}"], obj[f"b{l}"] = [[1.0]], [0.0]
    _bad(obj, "at most 16")
    _bad({"W1": [[0] * 1025], "b1": [0] * 1025}, "at most 1024 units")


def test_export_refuses_non_finite_or_huge_networks():
    net = notes_network()
    net.W[0][0, 0] = np.inf
    with pytest.raises(WeightsError, match="not finite"):
        export_weights(net)
    net.W[0][0, 0] = 2 * MAX_ABS
    with pytest.raises(WeightsError, match="beyond"):
        export_weights(net)


def test_weights_dict_is_plain_json():
    d = weights_dict(notes_network())
    assert json.loads(json.dumps(d, allow_nan=False)) == d


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(st.one_of(st.binary(max_size=400), st.text(max_size=400)))
def test_random_bytes_never_raise_anything_but_weights_error(data):
    try:
        net = import_weights(data)
    except WeightsError as e:
        assert str(e) and "Traceback" not in str(e)
    else:
        assert net.is_finite()


json_values = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=False) | st.integers() | st.text(max_size=5),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=3), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(st.dictionaries(st.sampled_from(["W1", "b1", "W2", "b2", "hidden", "sizes", "format"]), json_values))
def test_random_json_objects_never_raise_anything_but_weights_error(obj):
    try:
        net = import_weights(json.dumps(obj))
    except WeightsError as e:
        assert str(e)
    else:
        assert net.is_finite()
        assert all(np.max(np.abs(t)) <= MAX_ABS for t in net.W + net.b)
