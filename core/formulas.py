"""The matrix formulas the pages display, as expressions NumPy evaluates: what a student reads is
what is checked, grouping included.

A formula is a short Python expression over the notes' names (X, y, W1, b1, z1, a1, W2, b2, z2,
a2, dz2, dz1, N) and a few functions::

    f(z)        the hidden activation            sigma(z)       the output's sigmoid σ
    fprime(z)   its derivative f'                sigmaprime(z)  σ'(z) = σ(z)(1 − σ(z))
    rowsum(A)   Σ over the rows (the examples) of A, kept as a row: (N, k) → (1, k)
    brace(A, "label")  A itself; drawn with an underbrace labelled "label"

``evaluate`` runs one on the live arrays of a network (a small walker over Python's ``ast``: names,
numbers, + − @ * /, ``.T`` and those calls; nothing else is accepted), so a grouping that is not
shape-valid fails exactly as NumPy fails. ``shape_steps`` lists every operation with the shapes it
meets, and ``render`` writes the expression as text or LaTeX with its grouping made explicit:
a product inside a different product is always bracketed (@ is the matrix product, ⊙ the notes'
``*``, entry by entry), a sum inside a product too, and "/ N" needs no brackets (a number).
NumPy and the standard library only.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

import numpy as np

from core.activations import get_activation, sigmoid, sigmoid_prime
from core.mlp import MLP

# The forward pass and the notes' backward pass (core/mlp.py runs exactly these).
FORWARD = {"z1": "X @ W1 + b1", "a1": "f(z1)", "z2": "a1 @ W2 + b2", "a2": "sigma(z2)"}
BACKWARD = {
    "dz2": "a2 - y",
    "dW2": "a1.T @ dz2 / N",
    "db2": "rowsum(dz2) / N",
    "dz1": "(dz2 @ W2.T) * fprime(z1)",
    "dW1": "X.T @ dz1 / N",
    "db1": "rowsum(dz1) / N",
}
DZ2_MSE = "(a2 - y) * sigmaprime(z2)"  # dz2 under mean squared error
# dW1 with dz1 written out, each factor labelled with the notes' chain-rule names
DW1_CHAIN = 'brace(X.T, "local") @ ((brace(dz2, "output") @ brace(W2.T, "hidden")) * brace(fprime(z1), "hidden")) / N'
DW1_MISGROUPED = "X.T @ (dz2 @ (W2.T * fprime(z1))) / N"  # the grouping a chain-rule underbrace can suggest
# DW1_CHAIN in two lines, as the page shows it: dW1 from dz1, and dz1 from the output and hidden gradients
DW1_FROM_DZ1 = 'brace(X.T, "local") @ dz1 / N'
DZ1_CHAIN = '(brace(dz2, "output") @ brace(W2.T, "hidden")) * brace(fprime(z1), "hidden")'

# ----- rendering ------------------------------------------------------------------------------------
_TEX_NAMES = {
    "W1": "W_1",
    "W2": "W_2",
    "b1": "b_1",
    "b2": "b_2",
    "z1": "z_1",
    "z2": "z_2",
    "a1": "a_1",
    "a2": "a_2",
    "dz1": "dz_1",
    "dz2": "dz_2",
    "dW1": "dW_1",
    "dW2": "dW_2",
    "db1": "db_1",
    "db2": "db_2",
}
_OPS = {  # ast operator -> (text, LaTeX, level: sums 1, products 2)
    ast.Add: ("+", "+", 1),
    ast.Sub: ("−", "-", 1),
    ast.MatMult: ("@", r"\mathbin{@}", 2),
    ast.Mult: ("⊙", r"\odot", 2),
    ast.Div: ("/", "/", 2),
}
_CALLS = {  # function -> (text, LaTeX) templates around the argument
    "f": ("f({})", "f({})"),
    "fprime": ("f'({})", "f'({})"),
    "sigma": ("σ({})", r"\sigma({})"),
    "sigmaprime": ("σ'({})", r"\sigma'({})"),
    "rowsum": ("Σₙ {}[n]", r"\textstyle\sum_n {}[n]"),
}


def _parse(expr: str) -> ast.expr:
    return ast.parse(expr, mode="eval").body


def _is_over_n(node: ast.expr) -> bool:
    return isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div) and _name(node.right) == "N"


def _name(node: ast.expr) -> str | None:
    return node.id if isinstance(node, ast.Name) else None


def _is_brace(node: ast.expr) -> bool:
    """brace(A, "label"): exactly a factor and a text label."""
    return (
        isinstance(node, ast.Call)
        and _name(node.func) == "brace"
        and len(node.args) == 2
        and not node.keywords
        and isinstance(node.args[1], ast.Constant)
        and isinstance(node.args[1].value, str)
    )


def _inner(node: ast.expr) -> ast.expr:
    """A braced factor brackets like what it holds."""
    while _is_brace(node):
        node = node.args[0]
    return node


def _needs_brackets(child: ast.expr, parent: ast.BinOp, right: bool) -> bool:
    """Brackets that show the grouping: a sum inside a product; a product inside a different
    product; any operation as the right operand of the same one (a − (b − c), A @ (B @ C))."""
    child = _inner(child)
    if not isinstance(child, ast.BinOp):
        return False
    if _is_over_n(parent):  # "… / N": dividing by a number needs no brackets around a product
        return not right and _OPS[type(child.op)][2] == 1
    c_level, p_level = _OPS[type(child.op)][2], _OPS[type(parent.op)][2]
    if c_level < p_level:
        return True
    if c_level == p_level == 2 and type(child.op) is not type(parent.op):
        return True
    return right and c_level == p_level


_SIZES = (r"\big", r"\Big", r"\bigg", r"\Bigg")  # LaTeX brackets grow outwards: ( ) inside, then larger


def render(expr: str, tex: bool = False) -> str:
    """``expr`` as text ("(dz2 @ W2ᵀ) ⊙ f'(z1)") or LaTeX, brackets wherever grouping matters (in
    LaTeX an outer bracket is drawn larger than the brackets inside it)."""
    k = 1 if tex else 0

    def wrap(s: str, depth: int) -> str:
        if not tex:
            return f"({s})"
        size = _SIZES[min(depth, len(_SIZES) - 1)]
        return f"{size}({s}{size})"

    def go(node: ast.expr) -> tuple[str, int]:
        """(text, how many brackets deep it already is)."""
        if isinstance(node, ast.Name):
            return (_TEX_NAMES.get(node.id, node.id) if tex else node.id), 0
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return f"{node.value:g}", 0
        if isinstance(node, ast.Attribute) and node.attr == "T":
            base, depth = go(node.value)
            if not isinstance(_inner(node.value), (ast.Name, ast.Call)):
                base, depth = wrap(base, depth), depth + 1
            return base + (r"^{\top}" if tex else "ᵀ"), depth
        if _is_brace(node):
            inner, depth = go(node.args[0])
            return (rf"\underbrace{{{inner}}}_{{\text{{{node.args[1].value}}}}}" if tex else inner), depth
        if isinstance(node, ast.Call) and _name(node.func) in _CALLS and len(node.args) == 1:
            inner, depth = go(node.args[0])
            return _CALLS[node.func.id][k].format(inner), depth
        if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
            parts, deepest = [], 0
            for side, right in ((node.left, False), (node.right, True)):
                s, depth = go(side)
                if _needs_brackets(side, node, right):
                    s, depth = wrap(s, depth), depth + 1
                parts.append(s)
                deepest = max(deepest, depth)
            return f"{parts[0]} {_OPS[type(node.op)][k]} {parts[1]}", deepest
        raise ValueError(f"not a formula this module draws: {ast.unparse(node)!r}")

    return go(_parse(expr))[0]


# ----- evaluating -------------------------------------------------------------------------------------
def environment(net: MLP, X: np.ndarray, y: np.ndarray, loss: str = "bce") -> dict:
    """The live arrays of a one-hidden-layer ``net`` on X (N, d), y (N, 1), by the notes' names,
    and the hidden activation's name (for f and f'). Plain data, so it can be cached and copied."""
    fwd = net.forward(X)
    g = net.backward(fwd, y, loss)
    return {
        "hidden": net.hidden,
        "X": np.asarray(X, dtype=float),
        "y": np.asarray(y, dtype=float),
        "N": X.shape[0],
        "W1": net.W[0],
        "b1": net.b[0],
        "W2": net.W[1],
        "b2": net.b[1],
        "z1": fwd.z[1],
        "a1": fwd.a[1],
        "z2": fwd.z[2],
        "a2": fwd.a[2],
        "dz2": g.dz[2],
        "dz1": g.dz[1],
        "dW2": g.dW[2],
        "db2": g.db[2],
        "dW1": g.dW[1],
        "db1": g.db[1],
    }


def _call(name: str, arg: np.ndarray, env: dict) -> np.ndarray:
    """The formulas' functions: the hidden activation f and f' (``env["hidden"]``), σ, σ', rowsum."""
    if name == "rowsum":
        return np.sum(arg, axis=0, keepdims=True)
    if name == "sigma":
        return sigmoid(arg)
    if name == "sigmaprime":
        return sigmoid_prime(arg)
    act = get_activation(env.get("hidden", "sigmoid"))
    return act.f(arg) if name == "f" else act.df(arg)


@dataclass
class ShapeStep:
    """One operation of a formula: what it computes, the shapes it meets and the shape it gives
    (``result`` is None where the shapes do not fit: NumPy refuses it)."""

    text: str  # the operation as text, e.g. "dz2 @ W2ᵀ"
    short: str  # the same with earlier results as "(…)", e.g. "Xᵀ @ (…)"
    op: str  # "@", "⊙", "+", "−" or "/"
    left: tuple
    right: tuple
    result: tuple | None


class ShapeError(ValueError):
    """A formula whose grouping NumPy refuses; ``steps`` ends with the failing operation."""

    def __init__(self, expr: str, steps: list[ShapeStep]) -> None:
        last = steps[-1]
        super().__init__(
            f"{render(expr)}: {last.text} is {shape_text(last.left)} {last.op} {shape_text(last.right)}, undefined"
        )
        self.steps = steps


def shape_text(shape: tuple) -> str:
    """(4, 2) → "4×2"; a number (shape ()) → "number"."""
    return "×".join(map(str, shape)) if shape else "number"


def _run(node: ast.expr, env: dict, steps: list[ShapeStep]):
    if isinstance(node, ast.Name):
        if node.id not in env:
            raise ValueError(f"unknown name {node.id!r}")
        return env[node.id]
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        return node.value
    if isinstance(node, ast.Attribute) and node.attr == "T":
        return np.asarray(_run(node.value, env, steps)).T
    if _is_brace(node):
        return _run(node.args[0], env, steps)
    if isinstance(node, ast.Call) and _name(node.func) in _CALLS and len(node.args) == 1:
        return _call(node.func.id, _run(node.args[0], env, steps), env)
    if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
        left, right = _run(node.left, env, steps), _run(node.right, env, steps)
        op = _OPS[type(node.op)][0]
        sides = [
            "(…)" if isinstance(_inner(side), ast.BinOp) else render(ast.unparse(side))
            for side in (node.left, node.right)
        ]
        short = f"{sides[0]} {op} {sides[1]}"
        step = ShapeStep(render(ast.unparse(node)), short, op, np.shape(left), np.shape(right), None)
        steps.append(step)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            out = {
                "+": np.add,
                "−": np.subtract,
                "@": np.matmul,
                "⊙": np.multiply,
                "/": np.divide,
            }[op](left, right)  # a shape mismatch raises ValueError here, as in any NumPy code
        step.result = np.shape(out)
        return out
    raise ValueError(f"not a formula this module evaluates: {ast.unparse(node)!r}")


def shape_steps(expr: str, env: dict) -> list[ShapeStep]:
    """Every operation of ``expr`` in the order NumPy does them, with its shapes; the last one has
    ``result`` None when the grouping is not shape-valid (and nothing after it runs)."""
    steps: list[ShapeStep] = []
    try:
        _run(_parse(expr), env, steps)
    except ValueError:
        if not steps or steps[-1].result is not None:
            raise
    return steps


def evaluate(expr: str, env: dict) -> np.ndarray:
    """The value of ``expr`` on ``env`` (see ``environment``); ShapeError when NumPy refuses a step."""
    steps: list[ShapeStep] = []
    try:
        return np.asarray(_run(_parse(expr), env, steps), dtype=float)
    except ValueError:
        if steps and steps[-1].result is None:
            raise ShapeError(expr, steps) from None
        raise


def is_shape_valid(expr: str, env: dict) -> bool:
    steps = shape_steps(expr, env)
    return not steps or steps[-1].result is not None


def shapes_line(expr: str, env: dict) -> str:
    """The operations of ``expr`` in order with their shapes, each earlier result written "(…)":
    "dz2 @ W2ᵀ: 4×1 @ 1×2 → 4×2; (…) ⊙ f'(z1): 4×2 ⊙ 4×2 → 4×2; …"; a refused step reads "undefined"."""
    out = []
    for s in shape_steps(expr, env):
        got = shape_text(s.result) if s.result is not None else "undefined"
        out.append(f"{s.short}: {shape_text(s.left)} {s.op} {shape_text(s.right)} → {got}")
    return "; ".join(out)
