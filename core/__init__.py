"""XOR Lab's core: a small pure-NumPy neural-network library named after the notes.

Modules: activations, losses, init (initialisers), mlp (the network class: the readable forward,
backward and step every trainer is checked against), gradcheck, schedules, train (one run with
history; its readable loop), multiseed (many seeds), fast (the same numbers, faster), gates (the one
gate rule), decision (the one a2 > 0.5 rule), data. Keys and maths only: what things are called on
screen is app/. Imports only numpy and the standard library.
"""

from core.activations import ACTIVATIONS, get_activation, sigmoid, sigmoid_prime
from core.data import NOTES_LABEL, NOTES_WEIGHTS, X, grid, notes_network, notes_weights, y
from core.gates import GATES, name_gate
from core.gradcheck import gradient_check
from core.init import INITIALISERS, init_params, init_std
from core.losses import LOSSES
from core.mlp import MLP, Forward, Grads
from core.multiseed import MultiResult, train_many
from core.schedules import SCHEDULES, lr_schedule
from core.train import History, is_solved, train

__all__ = [
    "ACTIVATIONS",
    "GATES",
    "INITIALISERS",
    "LOSSES",
    "MLP",
    "NOTES_LABEL",
    "NOTES_WEIGHTS",
    "SCHEDULES",
    "X",
    "Forward",
    "Grads",
    "History",
    "MultiResult",
    "get_activation",
    "gradient_check",
    "grid",
    "init_params",
    "init_std",
    "is_solved",
    "lr_schedule",
    "name_gate",
    "notes_network",
    "notes_weights",
    "sigmoid",
    "sigmoid_prime",
    "train",
    "train_many",
    "y",
]
