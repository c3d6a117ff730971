"""Node functions: activations and aggregations, vectorized over arrays.

An activation maps an array of pre-activations elementwise to outputs.  An
aggregation reduces the weighted inputs of a node to one value along the last
axis.  Both are looked up by name; a config naming an unknown one is a
``ConfigError``.  ``register_activation`` / ``register_aggregation`` add a
user function under a new name.  The registry is per process: register your
functions at import time of the module that defines them, so that worker
processes of a parallel evaluator see them too.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .errors import ConfigError

__all__ = [
    "ACTIVATIONS",
    "AGGREGATIONS",
    "activation_function",
    "aggregation_function",
    "register_activation",
    "register_aggregation",
    "is_builtin_sum",
    "activation_prescale",
    "activation_unguarded",
]

ArrayFn = Callable[[np.ndarray], np.ndarray]


def _as_float(z: np.ndarray) -> np.ndarray:
    """``z`` as an array of float32 or wider."""
    z = np.asarray(z)
    if z.dtype.kind != "f" or z.dtype.itemsize < 4:
        z = z.astype(np.result_type(z, np.float32))
    return z


def _logistic_of_negated_unguarded(u: np.ndarray) -> np.ndarray:
    """``1 / (1 + exp(u))``, i.e. ``sigmoid(-u)``; ``exp`` may overflow (warning unless silenced)."""
    # Where exp(u) overflows (u > 709 in float64) the result is exactly 0, the
    # sigmoid rounded to a normal float; elsewhere it is within 3 ulp of the
    # exact value.  Few passes over the array matter: the sigmoid dominates
    # the cost of evaluating a network.
    return 1.0 / (1.0 + np.exp(u))


def _logistic_of_negated(u: np.ndarray) -> np.ndarray:
    """``1 / (1 + exp(u))``, i.e. ``sigmoid(-u)``."""
    with np.errstate(over="ignore"):
        return _logistic_of_negated_unguarded(u)


# fn.unguarded = h declares fn(z) == h(z), where h leaves silencing overflow
# warnings to its caller: a network evaluating many layers enters
# np.errstate(over="ignore") once per call and calls h (np.errstate costs
# about 1 us, as much as the sigmoid of a small layer).
_logistic_of_negated.unguarded = _logistic_of_negated_unguarded  # type: ignore[attr-defined]


def _sigmoid(z: np.ndarray) -> np.ndarray:
    """The logistic function 1 / (1 + exp(-z))."""
    return _logistic_of_negated(np.negative(_as_float(z)))


def _neat_sigmoid(z: np.ndarray) -> np.ndarray:
    """The NEAT paper's steepened sigmoid, 1 / (1 + exp(-4.9 z))."""
    return _logistic_of_negated(-4.9 * _as_float(z))


# fn.prescale = (c, g) declares fn(z) == g(c * z) for arrays of pre-activations:
# the network compilers then fold c into the weights and call g, saving one
# pass over the array per layer.
_sigmoid.prescale = (-1.0, _logistic_of_negated)  # type: ignore[attr-defined]
_neat_sigmoid.prescale = (-4.9, _logistic_of_negated)  # type: ignore[attr-defined]


def _neat_python_sigmoid(z: np.ndarray) -> np.ndarray:
    """neat-python's sigmoid: 1 / (1 + exp(-5 z)) with 5 z clamped to [-60, 60]."""
    return _sigmoid(np.clip(5.0 * z, -60.0, 60.0))


def _elu(z: np.ndarray) -> np.ndarray:
    return np.where(z > 0, z, np.expm1(np.minimum(z, 0)))


def _gauss(z: np.ndarray) -> np.ndarray:
    return np.exp(-5.0 * np.clip(z, -3.4, 3.4) ** 2)


def _softplus(z: np.ndarray) -> np.ndarray:
    return np.logaddexp(0.0, z)


def _step(z: np.ndarray) -> np.ndarray:
    return (z > 0).astype(np.result_type(z, np.float32))


# --- neat-python's activations ------------------------------------------------
# neat-python (neat/activations.py) defines its functions on one Python float
# each; these are the same formulas, clamps included, over arrays.  Those
# whose definition equals one of ours (relu, elu, gauss, identity, clamped,
# abs, square, cube) are not repeated; neat.interop.neat_python maps names.


def _neat_python_tanh(z: np.ndarray) -> np.ndarray:
    """neat-python's tanh: ``tanh(2.5 z)`` with ``2.5 z`` clamped to [-60, 60]."""
    return np.tanh(np.clip(2.5 * _as_float(z), -60.0, 60.0))


def _neat_python_sin(z: np.ndarray) -> np.ndarray:
    """neat-python's sin: ``sin(5 z)`` with ``5 z`` clamped to [-60, 60]."""
    return np.sin(np.clip(5.0 * _as_float(z), -60.0, 60.0))


def _neat_python_softplus(z: np.ndarray) -> np.ndarray:
    """neat-python's softplus: ``0.2 log(1 + exp(5 z))`` with ``5 z`` clamped to [-60, 60].

    Computed as neat-python does, ``log(1 + exp(u))`` (so it is exactly 0
    where ``exp(u)`` is below half an ulp of 1), not with ``log1p``.
    """
    u = np.clip(5.0 * _as_float(z), -60.0, 60.0)
    return 0.2 * np.log(1.0 + np.exp(u))


def _neat_python_lelu(z: np.ndarray) -> np.ndarray:
    """neat-python's lelu (leaky ReLU): ``z`` if ``z > 0`` else ``0.005 z``; no clamp."""
    z = _as_float(z)
    return np.where(z > 0.0, z, 0.005 * z)


_SELU_LAMBDA = 1.0507009873554804934193349852946
_SELU_ALPHA = 1.6732632423543772848170429916717


def _selu(z: np.ndarray) -> np.ndarray:
    """SELU (Klambauer et al. 2017), as neat-python defines it.

    ``lambda z`` if ``z > 0`` else ``lambda alpha (exp(z) - 1)``, with
    lambda = 1.0507009873554804934193349852946 and alpha =
    1.6732632423543772848170429916717; no clamp.
    """
    z = _as_float(z)
    return np.where(z > 0.0, _SELU_LAMBDA * z, _SELU_LAMBDA * _SELU_ALPHA * np.expm1(np.minimum(z, 0.0)))


def _neat_python_inv(z: np.ndarray) -> np.ndarray:
    """neat-python's inv: ``1 / z``, and 0 where ``z == 0`` (neat-python catches the ZeroDivisionError).

    Like Python's float division, ``1 / z`` is +-inf where it overflows
    (``|z|`` below about 5.6e-309).
    """
    z = _as_float(z)
    with np.errstate(divide="ignore", over="ignore"):
        return np.where(z == 0.0, 0.0, 1.0 / np.where(z == 0.0, 1.0, z))


def _neat_python_log(z: np.ndarray) -> np.ndarray:
    """neat-python's log: ``log(z)`` with ``z`` clamped below at 1e-7 (so at most log(1e-7) ~ -16.1)."""
    return np.log(np.maximum(_as_float(z), 1e-7))


def _neat_python_exp(z: np.ndarray) -> np.ndarray:
    """neat-python's exp: ``exp(z)`` with ``z`` clamped to [-60, 60]."""
    return np.exp(np.clip(_as_float(z), -60.0, 60.0))


def _hat(z: np.ndarray) -> np.ndarray:
    """The hat (triangle) function, as neat-python defines it: ``max(0, 1 - |z|)``; no clamp."""
    return np.maximum(0.0, 1.0 - np.abs(_as_float(z)))


# --- CPPN functions -----------------------------------------------------------
# What a CPPN (compositional pattern-producing network, HyperNEAT's weight
# painter) composes besides sin, gauss, sigmoid, tanh, abs, step, identity,
# square and hat: cos for a shifted period, and the bipolar (signed) sigmoid
# whose range [-1, 1] is symmetric like a weight's.


def _bipolar_sigmoid(z: np.ndarray) -> np.ndarray:
    """The bipolar (signed) sigmoid ``2 / (1 + exp(-z)) - 1``, in [-1, 1], computed as its equal ``tanh(z / 2)``.

    ``tanh(z / 2)`` has no cancellation near 0 (where ``2 sigmoid(z) - 1``
    loses its relative accuracy) and saturates exactly at +-1.
    """
    return np.tanh(0.5 * _as_float(z))


# The 1/2 is a power of two: folded into the weights it changes no rounding.
_bipolar_sigmoid.prescale = (0.5, np.tanh)  # type: ignore[attr-defined]


ACTIVATIONS: dict[str, ArrayFn] = {
    "neat_sigmoid": _neat_sigmoid,
    "sigmoid": _sigmoid,
    "neat_python_sigmoid": _neat_python_sigmoid,
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(z, 0),
    "elu": _elu,
    "identity": lambda z: z,
    "sin": np.sin,
    "gauss": _gauss,
    "abs": np.abs,
    "clamped": lambda z: np.clip(z, -1.0, 1.0),
    "softplus": _softplus,
    "square": np.square,
    "cube": lambda z: z * z * z,
    "step": _step,
    "neat_python_tanh": _neat_python_tanh,
    "neat_python_sin": _neat_python_sin,
    "neat_python_softplus": _neat_python_softplus,
    "neat_python_lelu": _neat_python_lelu,
    "selu": _selu,
    "neat_python_inv": _neat_python_inv,
    "neat_python_log": _neat_python_log,
    "neat_python_exp": _neat_python_exp,
    "hat": _hat,
    "cos": np.cos,
    "bipolar_sigmoid": _bipolar_sigmoid,
}
"""Activation functions by name, each elementwise over an array."""


def _median(x: np.ndarray) -> np.ndarray:
    return np.median(x, axis=-1)


def _maxabs(x: np.ndarray) -> np.ndarray:
    idx = np.argmax(np.abs(x), axis=-1)
    return np.take_along_axis(x, idx[..., None], axis=-1)[..., 0]


def _sum(x: np.ndarray) -> np.ndarray:
    return np.sum(x, axis=-1)


AGGREGATIONS: dict[str, ArrayFn] = {
    "sum": _sum,
    "product": lambda x: np.prod(x, axis=-1),
    "max": lambda x: np.max(x, axis=-1),
    "min": lambda x: np.min(x, axis=-1),
    "mean": lambda x: np.mean(x, axis=-1),
    "maxabs": _maxabs,
    "median": _median,
}
"""Aggregation functions by name, each reducing the last axis."""


def _check_name(name: object, kind: str) -> str:
    if not isinstance(name, str) or not name.isidentifier():
        raise ConfigError(f"{kind} name must be an identifier string, got {name!r}")
    return name


def register_activation(name: str, function: ArrayFn) -> None:
    """Register ``function`` as the activation ``name``.

    ``function`` must be elementwise: an array of any shape in, an array of
    the same shape out.  Registering an existing name replaces it.
    """
    if not callable(function):
        raise ConfigError(f"activation {name!r}: {function!r} is not callable")
    ACTIVATIONS[_check_name(name, "activation")] = function


def register_aggregation(name: str, function: ArrayFn) -> None:
    """Register ``function`` as the aggregation ``name``.

    ``function`` reduces the last axis: ``(..., n_inputs) -> (...)``.
    """
    if not callable(function):
        raise ConfigError(f"aggregation {name!r}: {function!r} is not callable")
    AGGREGATIONS[_check_name(name, "aggregation")] = function


def is_builtin_sum(function: ArrayFn) -> bool:
    """True when ``function`` is the built-in ``sum`` aggregation.

    The network compilers evaluate every node aggregating with it as one
    dense matrix product; any other aggregation (including a user's
    replacement registered under the name ``"sum"``) is called on the
    node's weighted inputs.
    """
    return function is _sum


def activation_prescale(function: ArrayFn) -> tuple[float, ArrayFn]:
    """``(c, g)`` such that ``function(z) == g(c * z)`` (up to rounding); ``(1.0, function)`` if none is declared.

    A function declares one with the attribute ``prescale = (c, g)``; the
    network compilers multiply a node's weights and bias by ``c`` and call
    ``g``, which saves one pass over the node values (the sigmoids declare
    theirs).  ``g`` receives a fresh float array.
    """
    declared = getattr(function, "prescale", None)
    if declared is None:
        return 1.0, function
    scale, inner = declared
    return float(scale), inner


def activation_unguarded(function: ArrayFn) -> tuple[ArrayFn, bool]:
    """``(h, True)`` if ``function`` declares ``unguarded = h``, else ``(function, False)``.

    ``function(z) == h(z)`` exactly, but ``h`` does not silence its own
    overflow warnings: the caller evaluates it inside
    ``np.errstate(over="ignore")`` (a compiled network, once per call
    rather than once per layer).  The sigmoids' inner function declares one.
    """
    inner = getattr(function, "unguarded", None)
    return (function, False) if inner is None else (inner, True)


def activation_function(name: str) -> ArrayFn:
    """Return the activation registered as ``name`` (``ConfigError`` if none)."""
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise ConfigError(f"unknown activation {name!r}; known: {', '.join(sorted(ACTIVATIONS))}") from None


def aggregation_function(name: str) -> ArrayFn:
    """Return the aggregation registered as ``name`` (``ConfigError`` if none)."""
    try:
        return AGGREGATIONS[name]
    except KeyError:
        raise ConfigError(f"unknown aggregation {name!r}; known: {', '.join(sorted(AGGREGATIONS))}") from None
