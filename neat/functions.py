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
]

ArrayFn = Callable[[np.ndarray], np.ndarray]


def _as_float(z: np.ndarray) -> np.ndarray:
    """``z`` as an array of float32 or wider."""
    z = np.asarray(z)
    if z.dtype.kind != "f" or z.dtype.itemsize < 4:
        z = z.astype(np.result_type(z, np.float32))
    return z


def _logistic_of_negated(u: np.ndarray) -> np.ndarray:
    """``1 / (1 + exp(u))``, i.e. ``sigmoid(-u)``."""
    # Where exp(u) overflows (u > 709 in float64) the result is exactly 0, the
    # sigmoid rounded to a normal float; elsewhere it is within 3 ulp of the
    # exact value.  Few passes over the array matter: the sigmoid dominates
    # the cost of evaluating a network.
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(u))


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
