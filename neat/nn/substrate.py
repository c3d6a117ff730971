"""Substrates: the geometry of a HyperNEAT network.

A substrate places the nodes of a network in space: a layer of input nodes,
zero or more layers of hidden nodes and a layer of output nodes, each node at
a point of 2-D ``(x, y)`` or 3-D ``(x, y, z)`` space.  HyperNEAT
(``neat.nn.hyperneat``) asks a CPPN (compositional pattern-producing network,
an ordinary genome of this library) for the weight of every connection the
substrate allows, given the coordinates of its two ends, and builds a
``FeedForwardNetwork`` with the substrate's nodes.

CPPN inputs and outputs
-----------------------
A CPPN for a substrate has ``cppn_inputs`` inputs, in this order::

    x1, y1, [z1,]  x2, y2, [z2,]  [d]

the source and target coordinates of a connection, and with
``distance_input`` (the default) their Euclidean distance
``d = sqrt((x1 - x2)**2 + (y1 - y2)**2 [+ (z1 - z2)**2])``.  There is no
constant input: every CPPN node has its own bias.  It has ``cppn_outputs``
outputs, in this order::

    weight, [leo,] [bias]

- ``weight``: the connection's weight before the expression rule below.
- ``leo`` (with ``leo=True``): the link expression output; the connection
  exists iff ``leo > 0``.
- ``bias`` (with ``bias_output=True``): queried once per hidden and output
  node with the origin as source, ``(0, 0, [0,] x2, y2, [z2,] [|p2|])``;
  the node's bias is ``max_weight * clip(bias, -1, 1)``.  Without it every
  bias is 0.

The expression rule
-------------------
A CPPN weight output ``w`` is first clipped to ``[-1, 1]``, so that no
weight exceeds ``max_weight`` whatever the CPPN's output function.  Then,
without LEO (the paper's rule, Stanley, D'Ambrosio and Gauci 2009), with
``t = weight_threshold``::

    |w| <  t:  not expressed (no connection)
    |w| >= t:  w' = sign(w) * min(max_weight, (|w| - t) * (max_weight / (1 - t)))

so the expressed weights cover ``[-max_weight, max_weight]`` continuously
from 0 at the threshold (the ``min`` only undoes a rounding up at ``|w| = 1``).  With ``leo=True`` (Verbancsics and Stanley 2011)
the LEO output alone decides: the connection is expressed iff ``leo > 0``,
and its weight is ``w' = w * max_weight`` (``weight_threshold`` is not
used).  ``weight_threshold = 0`` without LEO expresses every connection.  A
NaN weight or LEO output is never expressed; a NaN bias output gives bias 0.

Which layers connect
--------------------
Layers are numbered ``0`` (inputs), ``1 .. H`` (hidden), ``H + 1``
(outputs).  ``connections`` lists ``(source layer, target layer)`` pairs with
source < target; every node of the source layer connects to every node of
the target layer.  The default (``None``) connects each layer to the next:
inputs -> hidden 1 -> ... -> outputs.  The network is feed-forward: a layer
never connects to itself or to an earlier one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

from ..errors import ConfigError
from ..functions import ACTIVATIONS

__all__ = ["Substrate", "grid"]


def grid(
    rows: int,
    cols: int,
    *,
    z: float | None = None,
    x_range: tuple[float, float] = (-1.0, 1.0),
    y_range: tuple[float, float] = (-1.0, 1.0),
) -> np.ndarray:
    """Coordinates of a ``rows x cols`` grid of nodes, evenly spaced over ``x_range`` x ``y_range``.

    Parameters
    ----------
    rows, cols
        Numbers of rows (along y) and columns (along x), at least 1 each.  A
        single row or column lies at the middle of its range.
    z
        ``None`` (default): 2-D points ``(x, y)``; a number: 3-D points
        ``(x, y, z)``, all at that height (a layer of a 3-D substrate).
    x_range, y_range
        The first and last column's x, the first and last row's y.

    Returns
    -------
    (rows * cols, 2) or (rows * cols, 3) float64
        Row-major: node ``r * cols + c`` is in row ``r`` (``y`` rising with
        ``r``) and column ``c`` (``x`` rising with ``c``), so a vector of
        node values reshaped to ``(rows, cols)`` is the grid, row 0 at the
        smallest y.

    Examples
    --------
    >>> grid(2, 3)
    array([[-1., -1.],
           [ 0., -1.],
           [ 1., -1.],
           [-1.,  1.],
           [ 0.,  1.],
           [ 1.,  1.]])
    """
    for name, value in (("rows", rows), ("cols", cols)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ConfigError(f"grid: {name} must be an integer >= 1, got {value!r}")
    axes = []
    for name, n, (lo, hi) in (("x_range", int(cols), x_range), ("y_range", int(rows), y_range)):
        lo, hi = float(lo), float(hi)
        if not (np.isfinite(lo) and np.isfinite(hi)):
            raise ConfigError(f"grid: {name} must be two finite numbers, got {(lo, hi)!r}")
        axes.append(np.array([(lo + hi) / 2.0]) if n == 1 else np.linspace(lo, hi, n))
    xs, ys = axes
    yy, xx = np.meshgrid(ys, xs, indexing="ij")
    columns = [xx.ravel(), yy.ravel()]
    if z is not None:
        if not np.isfinite(float(z)):
            raise ConfigError(f"grid: z must be a finite number, got {z!r}")
        columns.append(np.full(xx.size, float(z)))
    return np.stack(columns, axis=1)


@dataclass(frozen=True, eq=False)
class Substrate:
    """Node coordinates of a HyperNEAT network and how its CPPN is read (see the module docstring).

    Parameters
    ----------
    inputs : (n_in, D) array_like
        Coordinates of the input nodes, in the order of the network's inputs.
    outputs : (n_out, D) array_like
        Coordinates of the output nodes, in the order of the network's outputs.
    hidden : sequence of (n_h, D) array_like
        Coordinates of each hidden layer, input side first (default none).
    weight_threshold : float in [0, 1)
        CPPN weight outputs of smaller magnitude are not expressed (without LEO).
    max_weight : float > 0
        Magnitude of the largest expressed weight (and bias).
    leo : bool
        The CPPN has a link expression output deciding which connections exist.
    bias_output : bool
        The CPPN has an output giving each hidden and output node's bias.
    distance_input : bool
        The CPPN has an input for the distance between the two points.
    activation : str
        Activation of the hidden nodes (and of the outputs unless
        ``output_activation`` is given); a registered name.
    output_activation : str or None
        Activation of the output nodes; ``None``: ``activation``.
    connections : sequence of (int, int), or None
        ``(source layer, target layer)`` pairs that are fully connected, layer
        0 the inputs, ``len(hidden) + 1`` the outputs; ``None``: each layer to
        the next.

    Notes
    -----
    All coordinates share one dimension D, 2 or 3, and are finite; they are
    stored as read-only float64 arrays.  Anything else is a ``ConfigError``
    naming the field.

    Examples
    --------
    An 11 x 11 input sheet and an 11 x 11 output sheet, 14,641 connections:

    >>> sheet = grid(11, 11)
    >>> substrate = Substrate(sheet, sheet)
    >>> substrate.num_connections, substrate.cppn_inputs, substrate.cppn_outputs
    (14641, 5, 1)
    """

    inputs: np.ndarray
    outputs: np.ndarray
    hidden: tuple[np.ndarray, ...] = ()
    weight_threshold: float = 0.2
    max_weight: float = 3.0
    leo: bool = False
    bias_output: bool = False
    distance_input: bool = True
    activation: str = "tanh"
    output_activation: str | None = None
    connections: tuple[tuple[int, int], ...] | None = None
    _cache: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    grid = staticmethod(grid)

    def __post_init__(self) -> None:
        setattr_ = object.__setattr__
        setattr_(self, "inputs", _coordinates(self.inputs, "inputs"))
        setattr_(self, "outputs", _coordinates(self.outputs, "outputs"))
        hidden = self.hidden
        if isinstance(hidden, np.ndarray) and hidden.ndim == 2:
            raise ConfigError(
                "Substrate hidden: expected a sequence of hidden layers, each an (n, D) array; "
                f"got one array of shape {hidden.shape} (wrap one layer in a list: hidden=[layer])"
            )
        if isinstance(hidden, (str, bytes)) or not isinstance(hidden, (Sequence, np.ndarray)):
            raise ConfigError(f"Substrate hidden: expected a sequence of (n, D) arrays, got {type(hidden).__name__}")
        setattr_(self, "hidden", tuple(_coordinates(layer, f"hidden[{k}]") for k, layer in enumerate(hidden)))
        dims = {layer.shape[1] for layer in self.layers}
        if len(dims) > 1:
            shapes = ", ".join(f"{name} {layer.shape}" for name, layer in zip(self.layer_names, self.layers))
            raise ConfigError(f"Substrate: every layer must have the same dimension D (2 or 3); got {shapes}")
        for name in ("weight_threshold", "max_weight"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
                raise ConfigError(f"Substrate {name}: expected a number, got {value!r}")
            setattr_(self, name, float(value))
        if not 0.0 <= self.weight_threshold < 1.0:
            raise ConfigError(f"Substrate weight_threshold = {self.weight_threshold!r}: must lie in [0, 1)")
        if not (np.isfinite(self.max_weight) and self.max_weight > 0.0):
            raise ConfigError(f"Substrate max_weight = {self.max_weight!r}: must be a finite number > 0")
        for name in ("leo", "bias_output", "distance_input"):
            value = getattr(self, name)
            if not isinstance(value, (bool, np.bool_)):
                raise ConfigError(f"Substrate {name} = {value!r}: must be true or false")
            setattr_(self, name, bool(value))
        for name in ("activation", "output_activation"):
            value = getattr(self, name)
            if value is None and name == "output_activation":
                continue
            if not isinstance(value, str) or value not in ACTIVATIONS:
                raise ConfigError(
                    f"Substrate {name} = {value!r}: must be a registered activation: {', '.join(sorted(ACTIVATIONS))}"
                )
        setattr_(self, "connections", self._checked_connections())

    def _checked_connections(self) -> tuple[tuple[int, int], ...] | None:
        pairs, last = self.connections, len(self.hidden) + 1
        if pairs is None:
            return None
        allowed = f"(source layer, target layer) pairs with 0 <= source < target <= {last} (0: inputs, {last}: outputs)"
        try:
            checked = [tuple(pair) for pair in pairs]
        except TypeError:
            raise ConfigError(f"Substrate connections = {pairs!r}: expected a list of {allowed}") from None
        if not checked:
            raise ConfigError(f"Substrate connections: the list is empty; expected {allowed}")
        out = []
        for pair in checked:
            ok = len(pair) == 2 and all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in pair)
            if not ok or not 0 <= pair[0] < pair[1] <= last:
                raise ConfigError(f"Substrate connections: {pair!r} is not allowed; expected {allowed}")
            out.append((int(pair[0]), int(pair[1])))
        if len(set(out)) != len(out):
            repeated = next(p for p in out if out.count(p) > 1)
            raise ConfigError(f"Substrate connections: {repeated!r} is listed twice")
        return tuple(out)

    # ------------------------------------------------------------------
    @property
    def dimension(self) -> int:
        """D: 2 or 3."""
        return int(self.inputs.shape[1])

    @property
    def layers(self) -> tuple[np.ndarray, ...]:
        """Every layer's coordinates: inputs, the hidden layers, outputs."""
        return (self.inputs, *self.hidden, self.outputs)

    @property
    def layer_names(self) -> tuple[str, ...]:
        """``"inputs"``, ``"hidden[0]"``, ..., ``"outputs"``."""
        return ("inputs", *(f"hidden[{k}]" for k in range(len(self.hidden))), "outputs")

    @property
    def layer_pairs(self) -> tuple[tuple[int, int], ...]:
        """The ``(source layer, target layer)`` pairs that connect (``connections`` or each layer to the next)."""
        if self.connections is not None:
            return self.connections
        return tuple((k, k + 1) for k in range(len(self.hidden) + 1))

    @property
    def num_inputs(self) -> int:
        """Number of input nodes."""
        return len(self.inputs)

    @property
    def num_outputs(self) -> int:
        """Number of output nodes."""
        return len(self.outputs)

    @property
    def num_hidden(self) -> int:
        """Number of hidden nodes over all hidden layers."""
        return sum(len(layer) for layer in self.hidden)

    @property
    def num_nodes(self) -> int:
        """Number of nodes, inputs included."""
        return sum(len(layer) for layer in self.layers)

    @property
    def num_connections(self) -> int:
        """Number of possible connections: the pairs the CPPN is queried for."""
        sizes = [len(layer) for layer in self.layers]
        return sum(sizes[a] * sizes[b] for a, b in self.layer_pairs)

    @property
    def cppn_inputs(self) -> int:
        """Number of inputs a CPPN for this substrate has: ``2 D`` (+ 1 with ``distance_input``)."""
        return 2 * self.dimension + int(self.distance_input)

    @property
    def cppn_outputs(self) -> int:
        """Number of outputs a CPPN for this substrate has: 1 (+ 1 with ``leo``) (+ 1 with ``bias_output``)."""
        return 1 + int(self.leo) + int(self.bias_output)

    @property
    def cppn_input_names(self) -> tuple[str, ...]:
        """Names of the CPPN's inputs in order, e.g. ``("x1", "y1", "x2", "y2", "d")``."""
        axes = "xyz"[: self.dimension]
        return (*(f"{a}1" for a in axes), *(f"{a}2" for a in axes), *(("d",) if self.distance_input else ()))

    @property
    def cppn_output_names(self) -> tuple[str, ...]:
        """Names of the CPPN's outputs in order, e.g. ``("weight", "leo", "bias")``."""
        return ("weight", *(("leo",) if self.leo else ()), *(("bias",) if self.bias_output else ()))

    @property
    def layer_bounds(self) -> np.ndarray:
        """``(n_layers + 1,)`` int64: layer ``k``'s nodes are the node indices ``[b[k], b[k + 1])``.

        The decoded network numbers its nodes by layer: inputs, hidden
        layers in order, outputs.
        """
        return np.concatenate(([0], np.cumsum([len(layer) for layer in self.layers]))).astype(np.int64)

    @property
    def node_coordinates(self) -> np.ndarray:
        """``(num_nodes, D)`` float64: the coordinates of every node, by node index (a fresh copy)."""
        return np.concatenate(self.layers)

    # ------------------------------------------------------------------
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Substrate):
            return NotImplemented
        if len(self.hidden) != len(other.hidden):
            return False
        for f in fields(self):
            if f.name == "_cache":
                continue
            a, b = getattr(self, f.name), getattr(other, f.name)
            if f.name == "hidden":
                if not all(np.array_equal(x, y) for x, y in zip(a, b)):
                    return False
            elif isinstance(a, np.ndarray):
                if not np.array_equal(a, b):
                    return False
            elif a != b:
                return False
        return True

    __hash__ = None  # type: ignore[assignment]

    def __getstate__(self) -> dict[str, Any]:
        # Pickles (e.g. to worker processes) without the cached connection list.
        return {**self.__dict__, "_cache": {}}

    def to_dict(self) -> dict[str, Any]:
        """The substrate as plain lists and numbers (JSON- and TOML-ready); ``from_dict`` reads it back."""
        out: dict[str, Any] = {
            "inputs": self.inputs.tolist(),
            "outputs": self.outputs.tolist(),
            "hidden": [layer.tolist() for layer in self.hidden],
        }
        for f in fields(self):
            if f.name not in out and f.name != "_cache":
                value = getattr(self, f.name)
                if f.name == "connections" and value is not None:
                    value = [list(pair) for pair in value]
                if value is not None:
                    out[f.name] = value
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Substrate:
        """A substrate from a mapping of its fields (e.g. a ``[substrate]`` table of a TOML file).

        ``inputs`` and ``outputs`` are required; an unknown key is a ``ConfigError``.
        """
        if not isinstance(data, Mapping):
            raise ConfigError(f"a substrate must be a mapping of its fields, got {type(data).__name__}")
        known = [f.name for f in fields(cls) if f.init]
        unknown = sorted(set(data) - set(known))
        if unknown:
            raise ConfigError(f"unknown substrate key(s) {unknown}; known: {', '.join(known)}")
        missing = [key for key in ("inputs", "outputs") if key not in data]
        if missing:
            raise ConfigError(f"a substrate needs {' and '.join(missing)} (lists of [x, y] or [x, y, z] points)")
        return cls(**dict(data))


def _coordinates(value: Any, name: str) -> np.ndarray:
    """``value`` as a read-only ``(n, D)`` float64 array with n >= 1, D in (2, 3), every entry finite."""
    not_numbers = ConfigError(
        f"Substrate {name}: expected an (n, 2) or (n, 3) array of coordinates, got {type(value).__name__} "
        "that is not a rectangular array of numbers"
    )
    try:
        raw = np.asarray(value)
    except (TypeError, ValueError):
        raise not_numbers from None
    if raw.dtype.kind == "b":
        raise ConfigError(f"Substrate {name}: expected real coordinates, got booleans")
    if raw.dtype.kind not in "fiu":
        raise not_numbers
    array = raw.astype(np.float64, copy=True)
    if array.ndim != 2 or array.shape[0] < 1 or array.shape[1] not in (2, 3):
        raise ConfigError(
            f"Substrate {name}: expected an (n, 2) or (n, 3) array of coordinates with n >= 1, got shape {array.shape}"
        )
    bad = ~np.isfinite(array)
    if bad.any():
        row, col = (int(i) for i in np.argwhere(bad)[0])
        raise ConfigError(f"Substrate {name}: coordinates must be finite; node {row} has {float(array[row, col])} at axis {col}")
    array.flags.writeable = False
    return array
