"""Gradient flow through deep networks: why deep sigmoid networks stop learning.

One forward and one backward pass of ``MLP`` (the notes' ``dz = (dz_next @ W.T) * σ'(z)`` at every
layer) give everything the Vanishing-gradient page shows:

- ‖∂L/∂W_l‖ (``dW_norm``) and ‖∂L/∂z_l‖ (``dz_norm``) for l = 1..L (L = hidden layers + 1, the
  output layer last), both Frobenius norms of exactly the arrays ``MLP.backward`` returns;
- first-to-last ratios ‖·_1‖ / ‖·_L‖ and the average per-layer factor, the geometric mean of the
  L − 1 consecutive ratios ‖dz_l‖ / ‖dz_{l+1}‖ (they telescope, so it is (‖dz_1‖/‖dz_L‖)^(1/(L−1)));
- per hidden layer: histograms of the activations a_l, of the weights W_l and of the derivative
  f'(z_l) (pre-binned, so a page ships a few dozen numbers, not the raw values); the fraction of
  saturated entries (f'(z) below 1 % of the activation's peak, e.g. σ' < 0.0025) and of dead units
  (a unit whose activation is exactly 0 for every example of *this* batch — only 4 on XOR — a dead ReLU);
- a one-line diagnosis (vanishing, exploding, dead, saturated or healthy) and why;
- ``mean_field``: the per-layer factor a random network of this kind is expected to have, derived with
  the mean-field recipe of Poole et al. 2016 and Schoenholz et al. 2017 (an estimate, not a measurement).

Nothing overflows silently: with N(0, 1) weights a 30-layer, 128-wide ReLU network reaches values
near 1e27, still fine in float64; anything that does become inf/NaN is counted, kept out of the
norms' logs and histograms, and reported in ``overflow``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from core.activations import ACTIVATIONS, get_activation
from core.data import X as XOR_X
from core.data import gaussian_batch
from core.data import y as XOR_Y
from core.mlp import MLP

VANISH_RATIO = 1e-2  # layer 1 gets under 1 % of the output layer's ‖∂L/∂z‖ → vanishing
EXPLODE_RATIO = 1e2  # layer 1 gets over 100× the output layer's ‖∂L/∂z‖ → exploding
TINY_GRAD = 1e-6  # every ‖∂L/∂W_l‖ below this: nothing moves, even if the ratios look fine
HUGE_GRAD = 1e6  # some ‖∂L/∂W_l‖ above this: one step of plain gradient descent throws it far away
DEAD_SHARE = 0.5  # at least half the hidden ReLU units dead → "dead"
SATURATED_SHARE = 0.5  # at least half the hidden (example, unit) entries saturated → "saturated"
GAUSS_N = 128  # examples in the random Gaussian batch
SATURATING = ("sigmoid", "tanh")  # flat at both ends; ReLU's flat side is "inactive", judged by dead units
BINS = 30

# The page's initialiser choices: key -> (core.init name, σ for "normal"); app.names says what each is called.
INIT_CHOICES: dict[str, tuple[str, float]] = {
    "normal_1": ("normal", 1.0),
    "normal_001": ("normal", 0.01),
    **{name: (name, 1.0) for name in ("xavier_uniform", "xavier_normal", "he_normal", "he_uniform", "lecun_normal")},
}
# The hidden activations the page offers (the output stays a sigmoid, as in the notes).
FLOW_ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu")
DERIVATIVE = {
    "sigmoid": "σ'(z)",
    "tanh": "tanh'(z)",
    "relu": "ReLU'(z)",
    "leaky_relu": "leaky ReLU'(z)",
    "linear": "1 (linear)",
}
DATASETS = ("xor", "gauss")  # the 4 XOR examples; GAUSS_N random N(0, 1) inputs with random 0/1 labels


# ----- building the experiment ----------------------------------------------------------------
def deep_network(depth: int, width: int, hidden: str, init: str, seed: int, n_in: int = 2) -> MLP:
    """sizes [n_in, width × depth, 1]; ``init`` is a key of INIT_CHOICES. Every layer uses it."""
    if init not in INIT_CHOICES:
        raise ValueError(f"unknown initialiser {init!r}; choose from {sorted(INIT_CHOICES)}")
    name, sigma = INIT_CHOICES[init]
    sizes = [n_in] + [int(width)] * int(depth) + [1]
    return MLP.create(sizes, hidden=hidden, init=name, seed=int(seed), sigma=sigma)


def batch(data: str, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """X (N, 2), y (N, 1): the XOR batch (N = 4) or GAUSS_N random N(0, 1) inputs with random labels."""
    if data == "xor":
        return XOR_X.copy(), XOR_Y.copy()
    if data == "gauss":
        return gaussian_batch(GAUSS_N, 2, int(seed))
    raise ValueError(f"unknown data {data!r}; choose from {sorted(DATASETS)}")


# ----- safe numerics --------------------------------------------------------------------------
def safe_norm(a: np.ndarray) -> float:
    """Frobenius norm that cannot overflow on its way (scaled by max|a|); inf if a holds inf/NaN."""
    a = np.asarray(a, dtype=float)
    if a.size == 0:
        return 0.0
    if not np.all(np.isfinite(a)):
        return math.inf
    m = float(np.max(np.abs(a)))
    if m == 0.0:
        return 0.0
    return m * float(np.sqrt(np.sum((a / m) ** 2)))


def log10_safe(v: np.ndarray) -> np.ndarray:
    """log10 of positive finite entries; NaN where the value is 0, negative, inf or NaN (for filtering)."""
    v = np.asarray(v, dtype=float)
    ok = np.isfinite(v) & (v > 0)
    out = np.full(v.shape, np.nan)
    out[ok] = np.log10(v[ok])
    return out


@dataclass
class Histogram:
    """counts[i] values fell in [edges[i], edges[i+1]); ``dropped`` non-finite values were left out."""

    edges: np.ndarray  # (B + 1,)
    counts: np.ndarray  # (B,) int
    dropped: int = 0

    @property
    def total(self) -> int:
        return int(self.counts.sum())


def histogram(values: np.ndarray, lo: float | None = None, hi: float | None = None, bins: int = BINS) -> Histogram:
    """Pre-bin ``values`` over [lo, hi] (default: their finite min and max). Non-finite values are dropped."""
    v = np.asarray(values, dtype=float).ravel()
    finite = v[np.isfinite(v)]
    if lo is None or hi is None:
        lo_, hi_ = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        lo = lo_ if lo is None else lo
        hi = hi_ if hi is None else hi
    if not hi > lo:  # every value equal: give them one visible bin around the value
        half = max(abs(lo) * 1e-3, 0.5)
        lo, hi = lo - half, hi + half
    span = hi - lo
    if not np.isfinite(span):  # ±1e308-sized ranges: keep the bins finite
        lo, hi = lo / 2, hi / 2
        finite = finite / 2
        counts, edges = np.histogram(np.clip(finite, lo, hi), bins=bins, range=(lo, hi))
        return Histogram(edges * 2, counts, int(v.size - finite.size))
    counts, edges = np.histogram(np.clip(finite, lo, hi), bins=bins, range=(lo, hi))
    return Histogram(edges, counts, int(v.size - finite.size))


# ----- the activation derivatives, on their own -----------------------------------------------
def saturation_intervals(name: str, lo: float = -8.0, hi: float = 8.0, n: int = 1601) -> list[tuple[float, float]]:
    """Where f'(z) < 1 % of its peak on [lo, hi], as (start, end) runs, edges refined by bisection.

    Sigmoid: |z| > 5.99 (σ' < 0.0025); tanh: |z| > 2.99; ReLU: z ≤ 0 (derivative exactly 0);
    leaky ReLU: nowhere (its 0.01 is exactly 1 % of the peak, not below it). Computed, not typed in.
    """
    act = get_activation(name)

    def sat(z):
        return act.saturated(act.df(np.asarray(z, dtype=float)))

    z = np.linspace(lo, hi, n)
    mask = sat(z)
    runs = []
    i = 0
    while i < n:
        if not mask[i]:
            i += 1
            continue
        j = i
        while j + 1 < n and mask[j + 1]:
            j += 1
        start = lo if i == 0 else _boundary(sat, z[i - 1], z[i])
        end = hi if j == n - 1 else _boundary(sat, z[j + 1], z[j])
        runs.append((float(start), float(end)))
        i = j + 1
    return runs


def _boundary(sat, outside: float, inside: float, steps: int = 50) -> float:
    """Bisect between a non-saturated point and a saturated one; returns the saturated side's end."""
    for _ in range(steps):
        mid = (outside + inside) / 2
        if bool(sat(mid)):
            inside = mid
        else:
            outside = mid
    return inside


def curves(names: tuple[str, ...] = FLOW_ACTIVATIONS, lo: float = -8.0, hi: float = 8.0, n: int = 161) -> dict:
    """{"z": (n,), name: (f (n,), f' (n,))} for plotting each activation beside its derivative."""
    z = np.linspace(lo, hi, n)
    out = {"z": z}
    for name in names:
        act = get_activation(name)
        a = act.f(z)
        out[name] = (a, act.df(z, a))
    return out


@dataclass
class DerivativeAt:
    name: str
    z: float
    value: float  # f(z)
    slope: float  # f'(z)
    peak: float
    saturated: bool
    power: np.ndarray  # f'(z)^k for k = 1..n  (n,)

    @property
    def through_n(self) -> float:
        return float(self.power[-1])


def derivative_powers(z: float, n: int, names: tuple[str, ...] = FLOW_ACTIVATIONS) -> list[DerivativeAt]:
    """f(z), f'(z) and f'(z)^k for k = 1..n: what n layers sitting at the same z multiply a gradient by.

    The best case for the sigmoid is z = 0, where σ'(0) = 0.25 exactly, so 0.25^n.
    """
    z = float(z)
    k = np.arange(1, int(n) + 1)
    out = []
    for name in names:
        act = get_activation(name)
        a = float(act.f(np.array(z)))
        d = float(act.df(np.array(z), np.array(a)))
        with np.errstate(under="ignore"):
            powers = d ** k.astype(float)  # underflows quietly to 0 below ~1e-308
        out.append(DerivativeAt(name, z, a, d, act.peak, bool(act.saturated(d)), powers))
    return out


# ----- gradient flow through a network --------------------------------------------------------
@dataclass(frozen=True)
class Overflow:
    """Where a gradient-flow computation first left the float range."""

    direction: str  # "forward" or "backward"
    layer: int  # 1..L
    quantity: str  # "z", "dz" or "dW"


@dataclass
class FlowDiagnosis:
    """The verdict and the numbers behind it (no words: the page writes them)."""

    kind: str  # "vanishing", "exploding", "dead", "saturated" or "healthy"
    reason: str = ""  # which rule decided it: overflow, grows(_saturated), dead_layer, dead_share, tiny,
    # shrinks, saturated, some_dead, healthy
    saturated: float = 0.0  # share of hidden-unit values whose derivative is below SATURATED of its peak
    dead: float = 0.0  # share of hidden units that are 0 for every example of the batch (ReLU)
    max_dW: float = 0.0  # largest ‖∂L/∂W_l‖
    gain: float = 0.0  # typical √n·std(W) per layer (geometric mean)
    dact_rms: float = 0.0  # typical rms f'(z) per layer (geometric mean)
    dead_layer: int | None = None  # the first layer all of whose units are dead


@dataclass
class FlowReport:
    """Per-layer arrays have length L (weight layers 1..L) or L − 1 (hidden layers 1..L−1)."""

    sizes: list
    hidden: str
    loss: float
    dW_norm: np.ndarray  # (L,) ‖∂L/∂W_l‖, Frobenius
    dz_norm: np.ndarray  # (L,) ‖∂L/∂z_l‖ over the batch, per example (not divided by N, as MLP.dz)
    dz_factors: np.ndarray  # (L − 1,) ‖dz_l‖ / ‖dz_{l+1}‖ for l = 1..L−1
    ratio_dW: float  # ‖dW_1‖ / ‖dW_L‖
    ratio_dz: float  # ‖dz_1‖ / ‖dz_L‖
    factor: float  # geometric mean of dz_factors: the average per-layer factor
    act_hist: list  # (L − 1) Histogram of a_l, l = 1..L−1
    weight_hist: list  # (L) Histogram of W_l, l = 1..L
    dact_hist: list  # (L − 1) Histogram of f'(z_l)
    saturated: np.ndarray  # (L − 1,) fraction of (example, unit) entries with f'(z) < 1 % of the peak
    dead: np.ndarray  # (L − 1,) fraction of units with a_l = 0 for every example of the batch
    mean_dact: np.ndarray  # (L − 1,) mean f'(z_l) over the batch and the units
    act_std: np.ndarray  # (L − 1,) standard deviation of a_l (inf if it overflowed)
    weight_std: np.ndarray  # (L,) standard deviation of W_l
    weight_gain: np.ndarray  # (L − 1,) √n_in·std(W_l) for l = 2..L: roughly what dz @ W_l.T scales ‖dz‖ by
    dact_rms: np.ndarray  # (L − 1,) root-mean-square f'(z_l), l = 1..L−1
    overflow: Overflow | None  # None, or where values first stopped being finite
    n_examples: int  # N, the batch the report was measured on ("dead" means 0 on all N of them)
    diagnosis: FlowDiagnosis = field(default_factory=lambda: FlowDiagnosis("healthy"))

    @property
    def n_layers(self) -> int:
        return len(self.dW_norm)


def _range_for(hidden: str, values: np.ndarray, kind: str) -> tuple[float | None, float | None]:
    """Fixed histogram ranges where the activation bounds them, so layers compare at a glance."""
    act = ACTIVATIONS[hidden]
    if kind == "dact":
        return 0.0, act.peak
    if kind == "act" and hidden == "sigmoid":
        return 0.0, 1.0
    if kind == "act" and hidden == "tanh":
        return -1.0, 1.0
    if kind == "weight":
        v = np.asarray(values, dtype=float)
        v = v[np.isfinite(v)]
        m = float(np.max(np.abs(v))) if v.size else 1.0
        return (-m, m) if m > 0 else (None, None)
    return None, None


def gradient_flow(net: MLP, X: np.ndarray, y: np.ndarray, loss: str = "bce", bins: int = BINS) -> FlowReport:
    """One forward + backward pass of ``net`` on X (N, d), y (N, 1) and everything the page shows."""
    act = get_activation(net.hidden)
    fwd = net.forward(X)
    grads = net.backward(fwd, y, loss)
    L = net.n_layers
    with np.errstate(all="ignore"):
        dW_norm = np.array([safe_norm(grads.dW[l]) for l in range(1, L + 1)])
        dz_norm = np.array([safe_norm(grads.dz[l]) for l in range(1, L + 1)])
        lossv = net.loss(X, y, loss, fwd)
        dact = [act.df(fwd.z[l], fwd.a[l]) for l in range(1, L)]

    overflow = _first_overflow(fwd, grads, L)
    ratio_dW = _ratio(dW_norm[0], dW_norm[-1])
    ratio_dz = _ratio(dz_norm[0], dz_norm[-1])
    dz_factors = np.array([_ratio(dz_norm[l], dz_norm[l + 1]) for l in range(L - 1)])
    factor = _per_layer_factor(dz_factors, ratio_dz)

    act_hist, dact_hist, saturated, dead, mean_dact, act_std, dact_rms = [], [], [], [], [], [], []
    for l in range(1, L):
        a, d = fwd.a[l], dact[l - 1]
        act_hist.append(histogram(a, *_range_for(net.hidden, a, "act"), bins=bins))
        dact_hist.append(histogram(d, *_range_for(net.hidden, d, "dact"), bins=bins))
        fin = np.isfinite(d)
        saturated.append(float(np.mean(act.saturated(d[fin]))) if fin.any() else 1.0)
        dead.append(float(np.mean(np.all(a == 0.0, axis=0))))
        mean_dact.append(float(np.mean(d[fin])) if fin.any() else 0.0)
        dact_rms.append(float(np.sqrt(np.mean(d[fin] ** 2))) if fin.any() else 0.0)
        act_std.append(_std(a))
    weight_hist = [histogram(w, *_range_for(net.hidden, w, "weight"), bins=bins) for w in net.W]
    report = FlowReport(
        sizes=net.sizes,
        hidden=net.hidden,
        loss=float(lossv),
        dW_norm=dW_norm,
        dz_norm=dz_norm,
        dz_factors=dz_factors,
        ratio_dW=ratio_dW,
        ratio_dz=ratio_dz,
        factor=factor,
        act_hist=act_hist,
        weight_hist=weight_hist,
        dact_hist=dact_hist,
        saturated=np.array(saturated),
        dead=np.array(dead),
        mean_dact=np.array(mean_dact),
        act_std=np.array(act_std),
        weight_std=np.array([_std(w) for w in net.W]),
        weight_gain=np.array([math.sqrt(w.shape[0]) * _std(w) for w in net.W[1:]]),
        dact_rms=np.array(dact_rms),
        overflow=overflow,
        n_examples=int(X.shape[0]),
    )
    report.diagnosis = diagnose_flow(report)
    return report


def _std(a: np.ndarray) -> float:
    a = np.asarray(a, dtype=float)
    if not np.all(np.isfinite(a)):
        return math.inf
    m = float(np.max(np.abs(a))) if a.size else 0.0
    return m * float(np.std(a / m)) if m > 0 else 0.0


def _ratio(num: float, den: float) -> float:
    """num / den for norms; NaN when undefined (0/0, inf/inf), inf when only den is 0."""
    if not (np.isfinite(num) and np.isfinite(den)):
        return math.nan if not np.isfinite(den) else math.inf
    if den == 0.0:
        return math.nan if num == 0.0 else math.inf
    return float(num) / float(den)


def _per_layer_factor(r: np.ndarray, total: float) -> float:
    """Geometric mean of the consecutive ratios r (L − 1,), in log space so 1e±27 never overflows.

    When a dead layer makes some ratio 0/0, the product still telescopes to ``total``
    (‖dz_1‖/‖dz_L‖), so the factor is total^(1/(L−1)): 0 when nothing reaches layer 1.
    """
    if r.size == 0:
        return math.nan
    if np.all(np.isfinite(r) & (r > 0)):
        return float(np.exp(np.mean(np.log(r))))
    if total == 0.0:
        return 0.0
    if np.isfinite(total) and total > 0:
        return float(np.exp(np.log(total) / r.size))
    return math.nan


def _first_overflow(fwd, grads, L: int) -> Overflow | None:
    for l in range(1, L + 1):
        if not np.all(np.isfinite(fwd.z[l])):
            return Overflow("forward", l, "z")
    for l in range(L, 0, -1):
        if not np.all(np.isfinite(grads.dz[l])):
            return Overflow("backward", l, "dz")
        if not np.all(np.isfinite(grads.dW[l])):
            return Overflow("backward", l, "dW")
    return None


def diagnose_flow(r: FlowReport) -> FlowDiagnosis:
    """The verdict, checked in this order: exploding (or overflowed), dead, vanishing, saturated, healthy.

    The "why" comes from the two things each layer multiplies the gradient by on its way back,
    ‖dz_l‖ ≈ ‖dz_{l+1}‖ · √n_l·std(W_{l+1}) · rms f'(z_l): the weights' gain and the derivative
    (dz_{l+1} @ W.T sums n_{l+1} terms into each of n_l entries). Only the kind, the reason and the
    numbers are decided here; the page words them (app/vanishing_gradient/text.py).
    """
    hidden = r.n_layers - 1
    sat = float(np.mean(r.saturated)) if hidden else 0.0
    dead = float(np.mean(r.dead)) if hidden else 0.0
    max_dW = float(np.max(r.dW_norm))
    saturating = r.hidden in SATURATING

    def verdict(kind: str, reason: str, dead_layer: int | None = None) -> FlowDiagnosis:
        return FlowDiagnosis(
            kind,
            reason,
            saturated=sat,
            dead=dead,
            max_dW=max_dW,
            gain=_typical(r.weight_gain),
            dact_rms=_typical(r.dact_rms),
            dead_layer=dead_layer,
        )

    if r.overflow is not None:
        return verdict("exploding", "overflow")
    if (np.isfinite(r.ratio_dz) and r.ratio_dz > EXPLODE_RATIO) or max_dW > HUGE_GRAD:
        return verdict("exploding", "grows_saturated" if saturating and sat >= 0.1 else "grows")
    full = [l + 1 for l in range(hidden) if r.dead[l] == 1.0]
    if full or (hidden and dead >= DEAD_SHARE):
        return verdict("dead", "dead_layer" if full else "dead_share", full[0] if full else None)
    small_ratio = bool(np.isfinite(r.ratio_dz) and r.ratio_dz < VANISH_RATIO)
    if small_ratio or max_dW < TINY_GRAD:
        if not small_ratio:
            return verdict("vanishing", "tiny")
        return verdict("vanishing", "saturated" if saturating and sat >= SATURATED_SHARE else "shrinks")
    if saturating and sat >= SATURATED_SHARE:
        return verdict("saturated", "saturated")
    return verdict("healthy", "some_dead" if r.hidden == "relu" and dead > 0 else "healthy")


def _typical(v: np.ndarray) -> float:
    """Geometric mean of the positive finite entries (the typical per-layer multiplier)."""
    v = np.asarray(v, dtype=float)
    v = v[np.isfinite(v) & (v > 0)]
    return float(np.exp(np.mean(np.log(v)))) if v.size else 0.0


# ----- presets: classic pairs of activation and initialiser ------------------------------------
# key -> explorer settings (app.names.PRESET_NAMES names them). The outcomes are computed by the page,
# never typed in; the expected factor beside them is mean_field's estimate, derived below, not a number
# from a paper.
PRESETS: dict[str, dict] = {
    "sigmoid_xavier": {"depth": 20, "width": 64, "act": "sigmoid", "init": "xavier_uniform"},
    "relu_he": {"depth": 20, "width": 64, "act": "relu", "init": "he_normal"},
    "tanh_normal": {"depth": 20, "width": 64, "act": "tanh", "init": "normal_1"},
    "tanh_small": {"depth": 20, "width": 64, "act": "tanh", "init": "normal_001"},
    "relu_normal_big": {"depth": 30, "width": 128, "act": "relu", "init": "normal_1"},
}


def matching_preset(depth: int, width: int, act: str, init: str) -> str | None:
    """The preset these settings are, if any."""
    cur = {"depth": int(depth), "width": int(width), "act": act, "init": init}
    return next((k for k, v in PRESETS.items() if v == cur), None)


# ----- the mean-field estimate of the per-layer factor ----------------------------------------
# u ~ N(0, 1) on a fine grid: f'(√q·u)² can be a spike ~0.1 wide (tanh with q ≈ 57), too narrow for a
# few dozen Gauss–Hermite nodes. The trapezoid rule on 24,000 points is accurate to ~1e-9 here.
_U = np.linspace(-12.0, 12.0, 24_000)  # even: u = 0, where ReLU' jumps, falls between two nodes
_PHI = np.exp(-0.5 * _U**2) / math.sqrt(2.0 * math.pi) * (_U[1] - _U[0])
_PHI[[0, -1]] /= 2.0


def _gauss_mean(values: np.ndarray) -> float:
    """E[g(u)] for u ~ N(0, 1), given g on the grid _U."""
    return float(np.sum(values * _PHI))  # not np.dot: BLAS threads cost milliseconds on a busy server


@dataclass
class MeanField:
    """The mean-field estimate for a deep random network with equal hidden widths and zero biases.

    sigma_w2 = fan_in·Var(W) of a hidden-to-hidden layer; q = the variance z settles at (its fixed
    point q*, or where 500 layers of the recursion left it when it has none, as for ReLU); chi1 =
    sigma_w2·E[f'(√q·u)²], u ~ N(0, 1): what one layer multiplies the squared size of the
    back-propagated gradient by; factor = √chi1, the same for its size (‖∂L/∂z‖).
    """

    hidden: str
    sigma_w2: float
    q: float
    chi1: float

    @property
    def factor(self) -> float:
        return math.sqrt(self.chi1)


def weight_scale(init: str, width: int) -> float:
    """σ_w² = fan_in·Var(W) between two hidden layers of ``width`` units (init: a key of INIT_CHOICES)."""
    from core.init import init_std  # local: only the estimate needs it

    name, sigma = INIT_CHOICES[init]
    return int(width) * init_std(name, int(width), int(width), sigma=sigma) ** 2


def mean_field(hidden: str, sigma_w2: float, q0: float = 1.0, layers: int = 500) -> MeanField:
    """Poole et al. 2016 / Schoenholz et al. 2017: q_{l+1} = σ_w²·E[f(√q_l·u)²] (σ_b = 0: biases start at 0)
    iterated to its fixed point q*, then χ₁ = σ_w²·E[f'(√q*·u)²]. Schoenholz et al. show the squared size
    of the back-propagated gradient changes by χ₁ per layer, so ‖∂L/∂z‖ changes by about √χ₁.

    ReLU-like activations have no finite fixed point unless σ_w² = 2, but their χ₁ does not depend on q;
    the recursion stops before q overflows or underflows.
    """
    act = get_activation(hidden)
    q = float(q0)
    for _ in range(int(layers)):
        nxt = sigma_w2 * _gauss_mean(act.f(math.sqrt(q) * _U) ** 2)
        if not (1e-250 < nxt < 1e250):  # heading to 0 or ∞: χ₁ no longer changes with q
            q = max(min(nxt, 1e250), 0.0)
            break
        done = abs(nxt - q) <= 1e-10 * q  # far below the 3 digits shown; ReLU at σ_w² = 2 stops at once
        q = nxt
        if done:
            break
    z = math.sqrt(q) * _U
    return MeanField(hidden, float(sigma_w2), q, float(sigma_w2) * _gauss_mean(act.df(z, act.f(z)) ** 2))


def zero_input_factor(hidden: str, sigma_w2: float) -> float | None:
    """The per-layer factor of an input that is exactly 0, such as XOR's (0, 0), when f(0) = 0: with zero
    biases its z stays 0 in every layer, so its gradient is multiplied by √σ_w²·|f'(0)| each time.
    None when f(0) ≠ 0 (the sigmoid: σ(0) = 0.5, so the next layer's z is not 0)."""
    act = get_activation(hidden)
    zero = np.zeros(1)
    if float(act.f(zero)[0]) != 0.0:
        return None
    return math.sqrt(sigma_w2) * abs(float(act.df(zero, act.f(zero))[0]))


# ----- does it train? -------------------------------------------------------------------------
@dataclass
class TrainResult:
    """A run of core.train.train on the XOR batch, thinned for plotting."""

    epochs: np.ndarray  # (K,) epochs at which the loss is kept, finite only
    loss: np.ndarray  # (K,) loss after that many updates
    final_loss: float
    accuracy: float  # on the 4 XOR examples, at the last finite weights
    solved: bool  # every prediction on the right side of 0.5 and loss < SOLVED_LOSS
    epochs_run: int
    divergence: str | None  # core.train's explanation, or None
    start: FlowReport  # the gradient flow at the initial weights (its .diagnosis: the verdict)


def train_deep(
    depth: int,
    width: int,
    hidden: str,
    init: str,
    lr: float,
    epochs: int,
    seed: int,
    points: int = 400,
) -> TrainResult:
    """Train [2, width × depth, 1] on XOR with full-batch gradient descent (core.train: same divergence
    rules)."""
    from core.train import is_solved, train  # local: keeps core.flow importable without the training stack

    net = deep_network(depth, width, hidden, init, seed)
    X, y = batch("xor")
    start = gradient_flow(net, X, y)
    h = train(net, X, y, lr=float(lr), epochs=int(epochs), snapshots=2)
    keep = np.unique(np.linspace(0, h.epochs_run, min(points, h.epochs_run + 1)).round().astype(int))
    keep = keep[np.isfinite(h.loss[keep])]
    fwd = h.final.forward(X)
    final = float(h.loss[-1])
    return TrainResult(
        epochs=keep,
        loss=h.loss[keep],
        final_loss=final,
        accuracy=h.final.accuracy(X, y, fwd),
        solved=is_solved(fwd.output, y, final) and not h.diverged,
        epochs_run=h.epochs_run,
        divergence=None if h.divergence is None else h.divergence.detail,
        start=start,
    )
