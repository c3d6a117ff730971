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
]

ArrayFn = Callable[[np.ndarray], np.ndarray]


def _sigmoid(z: np.ndarray) -> np.ndarray:
    # Split by sign so exp never overflows: both branches are exact.
    out = np.empty_like(z, dtype=np.result_type(z, np.float32))
    pos = z >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
    ez = np.exp(z[~pos])
    out[~pos] = ez / (1.0 + ez)
    return out


def _neat_sigmoid(z: np.ndarray) -> np.ndarray:
    """The NEAT paper's steepened sigmoid, 1 / (1 + exp(-4.9 z))."""
    return _sigmoid(4.9 * z)


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


AGGREGATIONS: dict[str, ArrayFn] = {
    "sum": lambda x: np.sum(x, axis=-1),
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
