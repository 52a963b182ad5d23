"""What each of core's keys is called on screen: activations, initialisers, losses, schedules, and the
Vanishing-gradient page's initialiser choices, batches and presets.

core/ keeps the keys and the maths (``core.activations.ACTIVATIONS``, ``core.init.INITIALISERS``,
``core.flow.PRESETS``, …); the words a student reads live here, once, for every page. A bound
selectbox stores the name it shows in the page's link, so a name changed here changes old links too.
(The initialisers' explanations are ``app.initialisers``.)
"""

from __future__ import annotations

from core.flow import GAUSS_N

ACTIVATION_NAMES = {
    "sigmoid": "Sigmoid",
    "tanh": "Tanh",
    "relu": "ReLU",
    "leaky_relu": "Leaky ReLU",
    "linear": "Linear",
}

INITIALISER_NAMES = {
    "zeros": "Zeros",
    "normal": "Normal N(0, σ²)",
    "uniform": "Uniform(−limit, +limit)",
    "xavier_uniform": "Xavier/Glorot uniform",
    "xavier_normal": "Xavier/Glorot normal",
    "he_normal": "He/Kaiming normal",
    "he_uniform": "He/Kaiming uniform",
    "lecun_normal": "LeCun normal",
}

LOSS_NAMES = {"bce": "Binary cross-entropy", "mse": "Mean squared error", "cce": "Categorical cross-entropy"}

SCHEDULE_NAMES = {
    "constant": "Constant",
    "step": "Step decay",
    "exponential": "Exponential decay",
    "cosine": "Cosine annealing",
    "warmup": "Linear warm-up",
}

# ----- Vanishing gradient (keys of core.flow.INIT_CHOICES, DATASETS and PRESETS) --------------------
FLOW_INIT_NAMES = {
    "normal_1": "N(0, 1)",
    "normal_001": "N(0, 0.01²)",
    **{k: INITIALISER_NAMES[k] for k in ("xavier_uniform", "xavier_normal", "he_normal", "he_uniform", "lecun_normal")},
}
DATASET_NAMES = {"xor": "XOR batch", "gauss": "Gaussian batch"}  # short: a bound selectbox puts the name in the URL
DATASET_HELP = (
    f"XOR batch: the 4 XOR examples. Gaussian batch: {GAUSS_N} random N(0, 1) inputs with random 0/1 labels "
    "(closer to what the mean-field estimate assumes: many inputs that differ)."
)
PRESET_NAMES = {
    "sigmoid_xavier": "Sigmoid + Xavier uniform · 64 wide · 20 layers",
    "relu_he": "ReLU + He normal · 64 wide · 20 layers",
    "tanh_normal": "Tanh + N(0, 1) · 64 wide · 20 layers",
    "tanh_small": "Tanh + N(0, 0.01²) · 64 wide · 20 layers",
    "relu_normal_big": "ReLU + N(0, 1) · 128 wide · 30 layers",
}
