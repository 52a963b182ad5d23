"""Weights to and from JSON, for a download button and a strict upload.

The file format (what ``export_weights`` writes)::

    {
      "format": "xor-lab-weights",
      "version": 1,
      "sizes": [2, 2, 1],
      "hidden": "sigmoid",
      "output": "sigmoid",
      "W1": [[5.2, 4.8], [5.1, 4.9]],      W_l: (sizes[l-1], sizes[l]), one list per row
      "b1": [[-2.5, -7.3]],                b_l: (1, sizes[l]); a flat list [-2.5, -7.3] is accepted too
      "W2": [[7.2], [-7.1]],
      "b2": [[-3.2]]
    }

``import_weights`` reads an uploaded file strictly and raises ``WeightsError`` (a ``ValueError``) with one plain
sentence a student can act on: the file is at most ``MAX_BYTES``; it is UTF-8 JSON with one object
and no duplicate keys; the keys are exactly ``W1, b1, …, WL, bL`` (plus the optional
``format/version/sizes/hidden/output``); every entry is a rectangular list of plain numbers (no
strings, booleans, NaN or Infinity), finite and within ±``MAX_ABS``; the shapes chain
(W_l has as many rows as W_{l-1} has columns, b_l as many numbers as W_l has columns); and when
the caller says which layer sizes it needs (``sizes=[2, 2, 1]`` for the notes' network) they
match. NumPy + the standard library only.
"""

from __future__ import annotations

import json
import math

import numpy as np

from core.activations import ACTIVATIONS
from core.mlp import MLP, OUTPUTS

FORMAT = "xor-lab-weights"
VERSION = 1
MAX_BYTES = 64 * 1024  # a 2-2-1 network is ~300 bytes; 64 KB still fits a 2-64-64-1 network
MAX_ABS = 1e6  # larger weights only ever mean a corrupted file: σ saturates long before
MAX_LAYERS = 16
MAX_UNITS = 1024  # per layer
OPTIONAL_KEYS = ("format", "version", "sizes", "hidden", "output")


class WeightsError(ValueError):
    """A weights file was refused; ``str(e)`` is one sentence to show the student."""


def weights_dict(net: MLP) -> dict:
    """The JSON-ready dict of ``net`` (plain lists of floats)."""
    out = {
        "format": FORMAT,
        "version": VERSION,
        "sizes": [int(n) for n in net.sizes],
        "hidden": net.hidden,
        "output": net.output,
    }
    for l, (w, v) in enumerate(zip(net.W, net.b), start=1):
        out[f"W{l}"] = [[float(x) for x in row] for row in np.asarray(w, dtype=float)]
        out[f"b{l}"] = [[float(x) for x in np.asarray(v, dtype=float).ravel()]]
    return out


def export_weights(net: MLP) -> str:
    """``net`` as the JSON text above (floats written with repr precision, so a round trip is exact)."""
    if not net.is_finite():
        raise WeightsError("This network has weights that are not finite numbers (inf or NaN), so it cannot be saved.")
    if max(float(np.max(np.abs(t))) for t in net.W + net.b) > MAX_ABS:
        raise WeightsError(f"This network has weights beyond ±{MAX_ABS:g}, so it cannot be saved.")
    d = weights_dict(net)
    lines = []
    for k, v in d.items():  # one matrix row per line: readable, and diffs well
        if k[0] in "Wb":
            rows = ",\n    ".join(json.dumps(row, allow_nan=False) for row in v)
            lines.append(f'  "{k}": [\n    {rows}\n  ]')
        else:
            lines.append(f"  {json.dumps(k)}: {json.dumps(v)}")
    return "{\n" + ",\n".join(lines) + "\n}\n"


def _reject_constant(name: str):
    raise WeightsError(f"The file contains {name}; every weight must be an ordinary finite number.")


def _no_duplicates(pairs: list) -> dict:
    seen = {}
    for k, v in pairs:
        if k in seen:
            raise WeightsError(f"The key “{k[:40]}” appears twice in the file; each weight matrix must appear once.")
        seen[k] = v
    return seen


def _is_number(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _matrix(name: str, value, row_vector: bool) -> np.ndarray:
    """A rectangular list of lists of numbers → float array (2-D); clear errors otherwise."""
    if row_vector and isinstance(value, list) and value and all(_is_number(x) for x in value):
        value = [value]  # b as a flat list of numbers
    shape_hint = "a list of numbers" if row_vector else "a list of rows, each a list of numbers"
    if not isinstance(value, list) or not value:
        raise WeightsError(f"“{name}” must be {shape_hint}.")
    if not all(isinstance(row, list) and row for row in value):
        raise WeightsError(f"“{name}” must be {shape_hint}.")
    width = len(value[0])
    if any(len(row) != width for row in value):
        raise WeightsError(f"The rows of “{name}” have different lengths; it must be a rectangular matrix.")
    for i, row in enumerate(value):
        for j, x in enumerate(row):
            if not _is_number(x):
                raise WeightsError(f"“{name}” row {i + 1}, entry {j + 1} is {_describe(x)}, not a number.")
            if isinstance(x, int) and abs(x) > MAX_ABS:  # before float(): a 400-digit int would overflow
                raise WeightsError(f"“{name}” row {i + 1}, entry {j + 1} is larger than ±{MAX_ABS:g}.")
            if not math.isfinite(x):
                raise WeightsError(f"“{name}” row {i + 1}, entry {j + 1} is not a finite number.")
            if abs(x) > MAX_ABS:
                raise WeightsError(f"“{name}” row {i + 1}, entry {j + 1} is larger than ±{MAX_ABS:g}.")
    return np.array(value, dtype=float)


def _describe(x) -> str:
    if isinstance(x, bool):
        return "true/false"
    if isinstance(x, str):
        return "text"
    if x is None:
        return "null"
    if isinstance(x, list):
        return "a list"
    if isinstance(x, dict):
        return "an object"
    return type(x).__name__


def import_weights(data: bytes | str, sizes: list[int] | None = None) -> MLP:
    """Parse an uploaded weights file strictly; return the network or raise ``WeightsError`` (a ValueError).

    data: the file's bytes (or text). sizes: the layer sizes the caller requires, e.g. [2, 2, 1];
    None accepts any chain of shapes within the limits.
    """
    if isinstance(data, str):
        data = data.encode("utf-8")
    if not isinstance(data, (bytes, bytearray)):
        raise WeightsError("Expected the contents of a file.")
    if len(data) > MAX_BYTES:
        raise WeightsError(
            f"The file is {len(data) / 1024:.0f} KB; a weights file may be at most {MAX_BYTES // 1024} KB."
        )
    if not data.strip():
        raise WeightsError("The file is empty.")
    try:
        text = bytes(data).decode("utf-8-sig")
    except UnicodeDecodeError:
        raise WeightsError(
            "The file is not UTF-8 text; export the weights from XOR Lab and upload that file."
        ) from None
    try:
        obj = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_reject_constant)
    except RecursionError:
        raise WeightsError("The file's lists are nested far too deeply to be weight matrices.") from None
    except json.JSONDecodeError as e:
        raise WeightsError(f"The file is not valid JSON (line {e.lineno}, column {e.colno}: {e.msg}).") from None
    except WeightsError:
        raise
    except ValueError:  # e.g. an integer literal with thousands of digits
        raise WeightsError("The file is not valid JSON for weights (a number in it is far too long).") from None
    if not isinstance(obj, dict):
        raise WeightsError("The file must contain one JSON object with the keys W1, b1, W2, b2, ….")

    n_w = sum(1 for k in obj if isinstance(k, str) and k.startswith("W"))
    if n_w == 0:
        raise WeightsError("The file has no weight matrices: expected the keys W1, b1, W2, b2, ….")
    if n_w > MAX_LAYERS:
        raise WeightsError(f"The file describes {n_w} layers; at most {MAX_LAYERS} are supported.")
    expected = [f"{t}{l}" for l in range(1, n_w + 1) for t in ("W", "b")]
    missing = [k for k in expected if k not in obj]
    unknown = [k for k in obj if k not in expected and k not in OPTIONAL_KEYS]
    if unknown:
        shown = ", ".join(f"“{k[:20]}”" for k in unknown[:5])
        raise WeightsError(f"Unexpected key(s) {shown}; the file may only contain {', '.join(expected)} and metadata.")
    if missing:
        raise WeightsError(f"Missing key(s) {', '.join(missing)}: a {n_w}-layer network needs {', '.join(expected)}.")

    if "format" in obj and obj["format"] != FORMAT:
        raise WeightsError(f"“format” must be “{FORMAT}”.")
    if "version" in obj and (not _is_number(obj["version"]) or obj["version"] != VERSION):
        raise WeightsError(f"This file's version is not supported (expected {VERSION}).")
    hidden = obj.get("hidden", "sigmoid")
    if not isinstance(hidden, str) or hidden not in ACTIVATIONS:
        raise WeightsError(f"“hidden” must be one of {', '.join(ACTIVATIONS)}.")
    output = obj.get("output", "sigmoid")
    if not isinstance(output, str) or output not in OUTPUTS:
        raise WeightsError(f"“output” must be one of {', '.join(OUTPUTS)}.")

    Ws, bs = [], []
    for l in range(1, n_w + 1):
        w = _matrix(f"W{l}", obj[f"W{l}"], row_vector=False)
        b = _matrix(f"b{l}", obj[f"b{l}"], row_vector=True)
        if max(w.shape) > MAX_UNITS:
            raise WeightsError(f"“W{l}” is {w.shape[0]}×{w.shape[1]}; layers may have at most {MAX_UNITS} units.")
        if b.shape != (1, w.shape[1]):
            raise WeightsError(
                f"“b{l}” has {b.size} number(s) but W{l} has {w.shape[1]} column(s): they must match "
                f"(b{l} is 1×{w.shape[1]})."
            )
        if Ws and Ws[-1].shape[1] != w.shape[0]:
            raise WeightsError(
                f"The shapes do not chain: W{l - 1} has {Ws[-1].shape[1]} column(s), so W{l} needs "
                f"{Ws[-1].shape[1]} row(s), but it has {w.shape[0]}."
            )
        Ws.append(w)
        bs.append(b)

    found = [Ws[0].shape[0]] + [w.shape[1] for w in Ws]
    listed = obj.get("sizes", found)
    if (
        not isinstance(listed, list)
        or not all(isinstance(n, int) and not isinstance(n, bool) for n in listed)
        or (listed != found)
    ):
        raise WeightsError(f"“sizes” says {str(listed)[:40]} but the matrices are {'-'.join(map(str, found))}.")
    if sizes is not None and list(sizes) != found:
        want = "-".join(map(str, sizes))
        raise WeightsError(f"This file holds a {'-'.join(map(str, found))} network; this page needs a {want} network.")
    return MLP(Ws, bs, hidden=hidden, output=output)
