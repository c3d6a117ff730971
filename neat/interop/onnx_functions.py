"""The ONNX form of every node function, and ``OnnxGraph``, what such a form is written with.

Used by ``neat.interop.onnx``; needs neither ``onnx`` nor ``onnxruntime``
(the graph is plain Python data until ``neat.interop.onnx`` turns it into a
model).  Each built-in activation and aggregation of ``neat.functions`` has
an ONNX form here that computes what the NumPy function computes, by the same
formula and in the same order of operations (to 1e-6 in float32, relative and
absolute; the tests check each).  Functions ONNX lacks are composed from ONNX
operators: ``expm1`` and ``log1p`` with Kahan's accurate formulas, the median
with ``TopK``, ``maxabs`` with ``ArgMax`` and ``GatherElements``.

A function a user registers (``neat.register_activation``) has no ONNX form
until the user gives one with ``register_onnx_activation`` /
``register_onnx_aggregation``; exporting a network that uses it otherwise is
a ``ConfigError`` naming the function.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..errors import ConfigError
from ..functions import ACTIVATIONS, AGGREGATIONS, activation_prescale, is_builtin_sum

__all__ = [
    "OnnxGraph",
    "ActivationForm",
    "AggregationForm",
    "register_onnx_activation",
    "register_onnx_aggregation",
    "exportable_activations",
    "exportable_aggregations",
    "onnx_activation",
    "onnx_aggregation",
    "is_matrix_product",
]

_TENSOR_TYPES = {np.dtype(np.float32): 1, np.dtype(np.float64): 11, np.dtype(np.int64): 7, np.dtype(np.bool_): 9}
"""NumPy dtype -> ONNX ``TensorProto`` element type (FLOAT, DOUBLE, INT64, BOOL)."""


class OnnxGraph:
    """An ONNX graph under construction, as plain data: operator nodes and constant tensors.

    An activation's or aggregation's ONNX form receives one and adds the
    operators that compute the function.  Names of tensors are strings;
    ``op`` returns the name of the new node's output.

    Parameters
    ----------
    dtype : float32 or float64
        The type of the network's values, and of every constant given as a
        Python or NumPy float.

    Attributes
    ----------
    dtype : numpy.dtype
    float_type : int
        ONNX's ``TensorProto`` code of ``dtype`` (for ``Cast``'s ``to``).
    nodes : list of (op_type, inputs, outputs, attributes)
    initializers : dict of name -> numpy.ndarray
        The constant tensors.

    Examples
    --------
    The ONNX form of ``f(z) = tanh(2 z)``::

        def tanh2(graph, z):
            return graph.op("Tanh", graph.op("Mul", z, 2.0))
    """

    def __init__(self, dtype: Any = np.float32) -> None:
        self.dtype = np.dtype(dtype)
        self.float_type = _TENSOR_TYPES[self.dtype]
        self.nodes: list[tuple[str, list[str], list[str], dict[str, Any]]] = []
        self.initializers: dict[str, np.ndarray] = {}
        self._constants: dict[tuple[str, tuple[int, ...], bytes], str] = {}
        self._count = 0

    def const(self, value: Any, dtype: Any = None) -> str:
        """A constant tensor (one per distinct value): ``dtype``, else int64 for integer arrays, else ``self.dtype``."""
        if dtype is None:
            integer = isinstance(value, np.ndarray) and value.dtype.kind in "iu"
            dtype = np.int64 if integer else self.dtype
        array = np.array(value, dtype=dtype, order="C")
        key = (array.dtype.str, array.shape, array.tobytes())
        name = self._constants.get(key)
        if name is None:
            name = self._constants[key] = f"c{len(self._constants)}"
            self.initializers[name] = array
        return name

    def op(self, op_type: str, *inputs: Any, **attributes: Any) -> str:
        """Add the operator ``op_type`` with one output, and return that output's name.

        An input that is not a string (a float, a NumPy array) becomes a
        constant (``const``); ``attributes`` are the operator's attributes.
        """
        return self.op_outputs(op_type, inputs, 1, **attributes)[0]

    def op_outputs(self, op_type: str, inputs: Any, n_outputs: int, **attributes: Any) -> list[str]:
        """Add the operator ``op_type`` with ``n_outputs`` outputs (e.g. ``TopK``), and return their names."""
        names = [x if isinstance(x, str) else self.const(x) for x in inputs]
        outputs = [f"t{self._count + k}" for k in range(n_outputs)]
        self._count += n_outputs
        self.nodes.append((op_type, names, outputs, attributes))
        return outputs

    def axes(self, *axes: int) -> str:
        """An int64 constant listing ``axes`` (the ``axes`` input of ``Squeeze``, ``Unsqueeze``, ``ReduceSum``)."""
        return self.const(np.array(axes, dtype=np.int64))


ActivationForm = Callable[[OnnxGraph, str], str]
"""``form(graph, z) -> name``: adds the operators computing an activation of the tensor ``z`` (elementwise)."""

AggregationForm = Callable[[OnnxGraph, str, int], str]
"""``form(graph, x, fan) -> name``: reduces ``x`` of shape ``(batch, nodes, fan)`` over its last axis
(``fan >= 1``, a known number) to ``(batch, nodes)``."""


# --- compositions of what ONNX lacks ----------------------------------------
def _expm1_nonpositive(g: OnnxGraph, x: str) -> str:
    """``exp(x) - 1`` for ``x <= 0``, accurate near 0 (Kahan: ``(u - 1) x / log(u)`` with ``u = exp(x)``)."""
    u = g.op("Exp", x)
    d = g.op("Sub", u, 1.0)
    kahan = g.op("Div", g.op("Mul", d, x), g.op("Log", u))
    # u == 1: x itself (|x| below half an ulp of 1); u - 1 == -1 (x below about -17 in
    # float32, where log(u) of a tiny or subnormal u would be inexact): -1.
    return g.op("Where", g.op("Equal", u, 1.0), x, g.op("Where", g.op("Equal", d, -1.0), -1.0, kahan))


def _log1p_nonnegative(g: OnnxGraph, e: str) -> str:
    """``log(1 + e)`` for finite ``e >= 0``, accurate near 0 (Kahan: ``log(w) e / (w - 1)`` with ``w = 1 + e``)."""
    w = g.op("Add", e, 1.0)
    kahan = g.op("Div", g.op("Mul", g.op("Log", w), e), g.op("Sub", w, 1.0))
    return g.op("Where", g.op("Equal", w, 1.0), e, kahan)


def _logistic_of_negated(g: OnnxGraph, u: str) -> str:
    """``1 / (1 + exp(u))``: what the sigmoids compute after folding their scale into the weights."""
    return g.op("Div", 1.0, g.op("Add", 1.0, g.op("Exp", u)))


def _clipped_scale(g: OnnxGraph, z: str, scale: float) -> str:
    """``clip(scale * z, -60, 60)``, neat-python's guard against overflow."""
    return g.op("Clip", g.op("Mul", z, scale), -60.0, 60.0)


def _positive_or(g: OnnxGraph, z: str, otherwise: str) -> str:
    """``z`` where ``z > 0``, else ``otherwise`` (NaN goes to ``otherwise``, as in ``np.where(z > 0, ...)``)."""
    return g.op("Where", g.op("Greater", z, 0.0), z, otherwise)


_SELU_LAMBDA = 1.0507009873554804934193349852946
_SELU_ALPHA = 1.6732632423543772848170429916717


def _softplus(g: OnnxGraph, z: str) -> str:
    # np.logaddexp(0, z) = max(z, 0) + log1p(exp(-|z|)); ln 2 at 0.
    return g.op("Add", g.op("Max", z, 0.0), _log1p_nonnegative(g, g.op("Exp", g.op("Neg", g.op("Abs", z)))))


def _gauss(g: OnnxGraph, z: str) -> str:
    c = g.op("Clip", z, -3.4, 3.4)
    return g.op("Exp", g.op("Mul", -5.0, g.op("Mul", c, c)))


def _selu(g: OnnxGraph, z: str) -> str:
    negative = g.op("Mul", _SELU_LAMBDA * _SELU_ALPHA, _expm1_nonpositive(g, g.op("Min", z, 0.0)))
    return g.op("Where", g.op("Greater", z, 0.0), g.op("Mul", z, _SELU_LAMBDA), negative)


def _inv(g: OnnxGraph, z: str) -> str:
    zero = g.op("Equal", z, 0.0)
    return g.op("Where", zero, 0.0, g.op("Div", 1.0, g.op("Where", zero, 1.0, z)))


# A function declaring ``prescale = (c, g)`` (the sigmoids) is evaluated as
# g(c * z) with c folded into the weights; its form here is g's.
_BUILTIN_ACTIVATIONS: dict[str, ActivationForm] = {
    "neat_sigmoid": _logistic_of_negated,
    "sigmoid": _logistic_of_negated,
    "neat_python_sigmoid": lambda g, z: _logistic_of_negated(g, g.op("Neg", _clipped_scale(g, z, 5.0))),
    "tanh": lambda g, z: g.op("Tanh", z),
    "relu": lambda g, z: g.op("Relu", z),
    "elu": lambda g, z: _positive_or(g, z, _expm1_nonpositive(g, g.op("Min", z, 0.0))),
    "identity": lambda g, z: g.op("Identity", z),
    "sin": lambda g, z: g.op("Sin", z),
    "gauss": _gauss,
    "abs": lambda g, z: g.op("Abs", z),
    "clamped": lambda g, z: g.op("Clip", z, -1.0, 1.0),
    "softplus": _softplus,
    "square": lambda g, z: g.op("Mul", z, z),
    "cube": lambda g, z: g.op("Mul", g.op("Mul", z, z), z),
    "step": lambda g, z: g.op("Cast", g.op("Greater", z, 0.0), to=g.float_type),
    "neat_python_tanh": lambda g, z: g.op("Tanh", _clipped_scale(g, z, 2.5)),
    "neat_python_sin": lambda g, z: g.op("Sin", _clipped_scale(g, z, 5.0)),
    "neat_python_softplus": lambda g, z: g.op(
        "Mul", 0.2, g.op("Log", g.op("Add", 1.0, g.op("Exp", _clipped_scale(g, z, 5.0))))
    ),
    "neat_python_lelu": lambda g, z: _positive_or(g, z, g.op("Mul", z, 0.005)),
    "selu": _selu,
    "neat_python_inv": _inv,
    "neat_python_log": lambda g, z: g.op("Log", g.op("Max", z, 1e-7)),
    "neat_python_exp": lambda g, z: g.op("Exp", g.op("Clip", z, -60.0, 60.0)),
    "hat": lambda g, z: g.op("Max", g.op("Sub", 1.0, g.op("Abs", z)), 0.0),
    "cos": lambda g, z: g.op("Cos", z),
    # tanh(z / 2), the 1/2 folded into the weights (its prescale).
    "bipolar_sigmoid": lambda g, z: g.op("Tanh", z),
}


def _nan_if_any(g: OnnxGraph, x: str, reduced: str) -> str:
    """``reduced``, but NaN where a row of ``x`` holds a NaN (as NumPy's max, min, argmax and median give)."""
    flags = g.op("Cast", g.op("IsNaN", x), to=g.float_type)
    any_nan = g.op("Cast", g.op("ReduceMax", flags, axes=[-1], keepdims=0), to=_TENSOR_TYPES[np.dtype(np.bool_)])
    return g.op("Where", any_nan, np.nan, reduced)


def _maxabs(g: OnnxGraph, x: str, fan: int) -> str:
    # The first input of largest magnitude, with its sign (np.argmax picks the first).
    index = g.op("ArgMax", g.op("Abs", x), axis=-1, keepdims=1, select_last_index=0)
    picked = g.op("Squeeze", g.op("GatherElements", x, index, axis=-1), g.axes(-1))
    return _nan_if_any(g, x, picked)


def _median(g: OnnxGraph, x: str, fan: int) -> str:
    # The fan // 2 + 1 smallest, ascending; the middle one, or the mean of the two middle ones.
    smallest, _ = g.op_outputs("TopK", [x, np.array([fan // 2 + 1], dtype=np.int64)], 2, axis=-1, largest=0, sorted=1)

    def element(k: int) -> str:
        return g.op("Gather", smallest, np.array(k, dtype=np.int64), axis=-1)

    middle = element(fan // 2) if fan % 2 else g.op("Div", g.op("Add", element(fan // 2 - 1), element(fan // 2)), 2.0)
    return _nan_if_any(g, x, middle)


def _reduce(op_type: str, *, nan_check: bool = False) -> AggregationForm:
    def form(g: OnnxGraph, x: str, fan: int) -> str:
        reduced = g.op(op_type, x, axes=[-1], keepdims=0)
        return _nan_if_any(g, x, reduced) if nan_check else reduced

    return form


_BUILTIN_AGGREGATIONS: dict[str, AggregationForm] = {
    # "sum" is a matrix product of the whole layer (neat.interop.onnx); this form
    # is for a network whose sum nodes are gathered like the others.
    "sum": lambda g, x, fan: g.op("ReduceSum", x, g.axes(-1), keepdims=0),
    "product": _reduce("ReduceProd"),
    "max": _reduce("ReduceMax", nan_check=True),
    "min": _reduce("ReduceMin", nan_check=True),
    "mean": _reduce("ReduceMean"),
    "maxabs": _maxabs,
    "median": _median,
}

# The functions neat.functions defined, as they were when this module was
# imported: a name a user has since registered another function under
# exports only with a form the user gives.
_ORIGINAL_ACTIVATIONS = {
    name: fn for name, fn in ACTIVATIONS.items() if getattr(fn, "__module__", None) in ("neat.functions", "numpy")
}
_ORIGINAL_AGGREGATIONS = {
    name: fn for name, fn in AGGREGATIONS.items() if getattr(fn, "__module__", None) in ("neat.functions", "numpy")
}
_USER_ACTIVATIONS: dict[str, ActivationForm] = {}
_USER_AGGREGATIONS: dict[str, AggregationForm] = {}


def register_onnx_activation(name: str, form: ActivationForm) -> None:
    """Give the activation ``name`` (e.g. one of your own) an ONNX form: ``form(graph, z) -> name``.

    ``form`` adds to the ``OnnxGraph`` the operators that compute the
    function elementwise on the tensor named ``z``, and returns the name of
    the result; it is called on the pre-activations ``response * agg + bias``
    (a ``prescale`` the function declares is not folded in).  It replaces the
    built-in form of a built-in name.
    """
    if not callable(form):
        raise ConfigError(f"register_onnx_activation({name!r}, ...): {form!r} is not callable")
    _USER_ACTIVATIONS[name] = form


def register_onnx_aggregation(name: str, form: AggregationForm) -> None:
    """Give the aggregation ``name`` an ONNX form: ``form(graph, x, fan) -> name``.

    ``x`` holds the weighted inputs, shape ``(batch, nodes, fan)``; ``form``
    reduces its last axis to ``(batch, nodes)``.  Nodes aggregating with
    such a function are gathered like those of the built-in non-sum
    aggregations.  The built-in ``sum`` stays a matrix product whatever
    form is given for it.
    """
    if not callable(form):
        raise ConfigError(f"register_onnx_aggregation({name!r}, ...): {form!r} is not callable")
    _USER_AGGREGATIONS[name] = form


def exportable_activations() -> list[str]:
    """Names of the registered activations that have an ONNX form now, sorted."""
    return sorted(name for name in ACTIVATIONS if _activation_or_none(name) is not None)


def exportable_aggregations() -> list[str]:
    """Names of the registered aggregations that have an ONNX form now, sorted."""
    return sorted(name for name in AGGREGATIONS if _aggregation_or_none(name) is not None)


def _activation_or_none(name: str) -> tuple[float, ActivationForm] | None:
    if name in _USER_ACTIVATIONS:
        return 1.0, _USER_ACTIVATIONS[name]
    fn = ACTIVATIONS.get(name)
    if fn is None or fn is not _ORIGINAL_ACTIVATIONS.get(name) or name not in _BUILTIN_ACTIVATIONS:
        return None
    scale, _ = activation_prescale(fn)
    return scale, _BUILTIN_ACTIVATIONS[name]


def _aggregation_or_none(name: str) -> AggregationForm | None:
    if name in _USER_AGGREGATIONS:
        return _USER_AGGREGATIONS[name]
    fn = AGGREGATIONS.get(name)
    if fn is None or fn is not _ORIGINAL_AGGREGATIONS.get(name):
        return None
    return _BUILTIN_AGGREGATIONS.get(name)


def _cannot(kind: str, name: str, known: dict[str, Any], where: str) -> ConfigError:
    registry = ACTIVATIONS if kind == "activation" else AGGREGATIONS
    if name not in registry:
        why = "is not registered in this process"
    elif name in known:
        why = f"is registered to {registry[name]!r}, not the built-in function of that name"
    else:
        why = "is a function of your own, which has no ONNX form"
    exportable = exportable_activations() if kind == "activation" else exportable_aggregations()
    return ConfigError(
        f"cannot export {kind} {name!r} to ONNX ({where}): it {why}; functions that export: "
        f"{', '.join(exportable)}; give yours an ONNX form with neat.interop.onnx.register_onnx_{kind}({name!r}, form)"
    )


def onnx_activation(name: str, where: str = "") -> tuple[float, ActivationForm]:
    """``(c, form)``: the network evaluates the activation ``name`` as ``form(c * z)`` (``c`` folded into the weights).

    ``ConfigError`` naming the function when it has no ONNX form; ``where``
    says what uses it.
    """
    found = _activation_or_none(name)
    if found is None:
        raise _cannot("activation", name, _ORIGINAL_ACTIVATIONS, where)
    return found


def is_matrix_product(name: str) -> bool:
    """True when the aggregation ``name`` is the built-in sum: its nodes are one matrix product per block."""
    fn = AGGREGATIONS.get(name)
    return fn is not None and is_builtin_sum(fn)


def onnx_aggregation(name: str, where: str = "") -> AggregationForm:
    """The ONNX form of the aggregation ``name`` (not the built-in sum: ``is_matrix_product``).

    ``ConfigError`` naming the function when it has no ONNX form; ``where``
    says what uses it.
    """
    found = _aggregation_or_none(name)
    if found is None:
        raise _cannot("aggregation", name, _ORIGINAL_AGGREGATIONS, where)
    return found
