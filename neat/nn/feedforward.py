"""Feed-forward networks: a genome compiled into one dense matrix product per layer.

Compiling (``compile_feedforward``):

1. keep the enabled connections; drop the nodes from which no output can be
   reached (they cannot change an output);
2. give every kept node a layer: inputs are layer 0, and every other node
   lies one layer above the deepest node feeding it (a node fed by nothing,
   or by inputs only, is in layer 1), i.e. its depth is the longest path to
   it from the input layer;
3. renumber the nodes by layer: inputs first, then layer 1, 2, ...  Layer
   ``l`` occupies the node *indices* ``[s_l, e_l)`` and all its inputs lie in
   ``[0, s_l)``.  A node's *id* (its name in the genome) is kept in
   ``node_ids[index]``;
4. per layer, a dense weight matrix ``W_l`` of shape ``(s_l, e_l - s_l)``
   from all earlier nodes.

Evaluating a batch ``X: (batch, n_inputs)`` is then, layer by layer::

    A[:, s_l:e_l] = act(response * (A[:, :s_l] @ W_l) + bias)

for sum-aggregation nodes; nodes with another aggregation get their weighted
inputs ``(batch, fan_in)`` gathered and aggregated.  Within a layer, nodes are
ordered by activation function, so a layer costs one product and one call per
distinct function.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from ..errors import ConfigError
from ..genome import Genome
from ..genome.graph import longest_path_depths
from ._common import (
    check_input,
    enabled_edges,
    float_dtype,
    invalid,
    reaching_outputs,
    renumbered_nodes,
    run_block,
    unguarded_blocks,
)
from .base import CompiledNetwork
from .base import _rebuild as _rebuild  # pickles made before the base class name it here

__all__ = ["FeedForwardNetwork", "compile_feedforward", "node_layers"]

SMALL_GRAPH_EDGES = 1024
"""Up to this many enabled connections, layers are found with Python lists
(fast on small graphs); above it by vectorized level-by-level passes."""


def node_layers(
    num_nodes: int,
    num_inputs: int,
    num_outputs: int,
    src: np.ndarray,
    dst: np.ndarray,
    *,
    small_graph_edges: int = SMALL_GRAPH_EDGES,
) -> np.ndarray | None:
    """Layer of every node of a feed-forward graph, or ``None`` if it has a cycle anywhere.

    Parameters
    ----------
    num_nodes
        Number of nodes; positions ``0 .. num_inputs - 1`` are the inputs, the
        next ``num_outputs`` the outputs.
    src, dst : (e,) int
        Edges between positions.
    small_graph_edges
        Up to this many edges the layers are found with Python lists, above it
        with vectorized level-by-level passes (the two agree).

    Returns
    -------
    (num_nodes,) int64 or None
        0 for inputs; ``1 + max(layer of the nodes feeding it)`` (at least 1)
        for every node from which an output can be reached; -1 for the others.
    """
    if len(src) <= small_graph_edges:
        return _layers_with_lists(num_nodes, num_inputs, num_outputs, src, dst)
    inner = src >= num_inputs  # edges from inputs do not constrain the order
    depth = longest_path_depths(num_nodes, src[inner], dst[inner])
    if np.any(depth < 0):
        return None
    keep = reaching_outputs(num_nodes, num_inputs, num_outputs, src, dst)
    layer = np.where(keep, depth + 1, -1)
    layer[:num_inputs] = 0
    return layer


def _layers_with_lists(
    num_nodes: int, num_inputs: int, num_outputs: int, src: np.ndarray, dst: np.ndarray
) -> np.ndarray | None:
    """``node_layers`` with Python lists: Kahn's topological order, then a backward pass for pruning."""
    successors: list[list[int]] = [[] for _ in range(num_nodes)]
    indegree = [0] * num_nodes
    for s, d in zip(src.tolist(), dst.tolist()):
        if s >= num_inputs:  # edges from inputs do not constrain the order
            successors[s].append(d)
            indegree[d] += 1
    layer = [0] * num_inputs + [1] * (num_nodes - num_inputs)
    ready = [v for v in range(num_inputs, num_nodes) if not indegree[v]]
    order = []
    while ready:
        v = ready.pop()
        order.append(v)
        below = layer[v] + 1
        for d in successors[v]:
            if layer[d] < below:
                layer[d] = below
            indegree[d] -= 1
            if not indegree[d]:
                ready.append(d)
    if len(order) < num_nodes - num_inputs:
        return None  # the nodes never ready lie on or behind a cycle
    reaches = [False] * num_nodes
    reaches[num_inputs : num_inputs + num_outputs] = [True] * num_outputs
    for v in reversed(order):
        if not reaches[v]:
            if any([reaches[d] for d in successors[v]]):
                reaches[v] = True
            else:
                layer[v] = -1
    return np.array(layer, dtype=np.int64)


def compile_feedforward(
    genome: Genome, dtype: Any = np.float64, *, validate: bool = False, exact: bool = False
) -> FeedForwardNetwork:
    """Compile a feed-forward genome into a ``FeedForwardNetwork``.

    Parameters
    ----------
    genome
        A genome of a config with ``feed_forward = true``.
    dtype
        Floating type of the network's arithmetic: ``float64`` (default) or ``float32``.
    validate
        Run ``genome.validate()`` first.  Without it the compiler still checks
        what it relies on (ids in order, endpoints exist, no connection into an
        input, function codes in range, no cycle) and raises ``validate()``'s
        ``InvalidGenomeError`` when one fails; invariants it does not rely on
        (attribute bounds, unique ``(src, dst)`` pairs: duplicates are summed)
        are only checked with ``validate=True``.
    exact
        Exact mode (see ``neat.nn.compile``): the same bits alone and inside
        any exact population stack, at some speed.

    Raises
    ------
    ConfigError
        The genome's config is recurrent (``feed_forward = false``): use
        ``compile_recurrent`` or ``neat.nn.compile``.
    InvalidGenomeError
        The genome breaks an invariant, e.g. its enabled connections form a cycle.
    """
    cfg = genome.config
    if not cfg.feed_forward:
        raise ConfigError(
            "cannot compile a recurrent genome ([genome] feed_forward = false) as a feed-forward network; "
            "use neat.nn.compile_recurrent (or neat.nn.compile, which picks by the config)"
        )
    dtype = float_dtype(dtype)
    if validate:
        genome.validate()
    src, dst, weight = enabled_edges(genome)
    nodes = genome.nodes
    n, n_in, n_out = len(nodes.id), cfg.num_inputs, cfg.num_outputs
    layer = node_layers(n, n_in, n_out, src, dst)
    if layer is None:
        raise invalid(genome, "the enabled connections form a cycle; a feed-forward network needs none")

    hidden_layer = layer[n_in:]
    kept = np.nonzero(hidden_layer >= 0)[0] + n_in
    pruned = len(kept) < n - n_in
    kept_layer = layer[kept] if pruned else hidden_layer
    # Inputs keep their order; other nodes go by layer, then activation (so a
    # layer's functions are contiguous runs), then aggregation, then id.
    order = np.lexsort((nodes.aggregation[kept], nodes.activation[kept], kept_layer))
    index, node_arguments = renumbered_nodes(genome, kept[order])
    if pruned:
        live = layer[dst] >= 0
        src, dst, weight = src[live], dst[live], weight[live]
    counts = np.bincount(kept_layer)  # counts[0] == 0: no input is in kept
    counts[0] = n_in
    bounds = np.cumsum(counts)
    return FeedForwardNetwork(
        **node_arguments,
        layer_bounds=bounds,
        edge_src=index[src],
        edge_dst=index[dst],
        edge_weight=weight,
        pruned_ids=nodes.id[layer < 0] if pruned else None,
        dtype=dtype,
        exact=exact,
        check=False,
    )


class FeedForwardNetwork(CompiledNetwork):
    """A compiled feed-forward network (see the module docstring for the layout).

    Build one with ``compile_feedforward(genome)`` (or ``neat.nn.compile``), or
    load one with ``neat.nn.load_network``; the constructor takes the arrays
    those produce (the attributes below, as keywords) and, with ``check``
    (the default), verifies that they form a consistent network
    (``ValueError`` naming the first problem).  Function names are looked up
    in the registry (``ConfigError`` for an unknown one).

    Attributes
    ----------
    num_inputs, num_outputs : int
    node_ids : (n_nodes,) int64
        Genome id of the node at each index.
    layer_bounds : (n_layers + 1,) int64
        Layer ``l`` (1-based) holds the node indices ``layer_bounds[l-1] .. layer_bounds[l] - 1``;
        ``layer_bounds[0] == num_inputs``.
    output_indices : (num_outputs,) int64
        Node index of each output, in output order.
    bias, response : (n_nodes,) float64
    activation_codes, aggregation_codes : (n_nodes,) int16
        Positions in ``activation_names`` / ``aggregation_names``.
    edge_src, edge_dst : (n_connections,) int64
        The enabled connections as node indices, in innovation order.
    edge_weight : (n_connections,) float64
    pruned_ids : (k,) int64
        Genome ids of the nodes dropped because no output can be reached from them.
    dtype : numpy.dtype
        ``float64`` or ``float32``: the type of the arithmetic and of the outputs.
    exact : bool
        Exact mode: sums in one canonical order, the same bits as inside any
        exact population stack (see ``neat.nn.compile``).
    """

    KIND: ClassVar[str] = "feedforward"
    _LAYOUT_ARRAYS: ClassVar[tuple[str, ...]] = ("layer_bounds",)
    layer_bounds: np.ndarray

    def _check(self) -> None:
        """Check the arrays are a consistent network (``ValueError`` naming the first problem)."""
        n, n_in = self.num_nodes, self.num_inputs
        self._check_arrays()
        self._check_node_arrays()
        b = self.layer_bounds
        if len(b) < 2 or b[0] != n_in or b[-1] != n or np.any(np.diff(b) <= 0):
            raise ValueError(
                f"layer_bounds must rise strictly from num_inputs ({n_in}) to the node count ({n}), got {b.tolist()}"
            )
        self._check_outputs(show_indices=True)
        self._check_codes_and_edges()
        src, dst = self.edge_src, self.edge_dst
        if len(src):
            if src.min() < 0 or dst.min() < n_in or dst.max() >= n:
                raise ValueError(f"edges must run from node indices in [0, {n}) to non-input indices in [{n_in}, {n})")
            layer_start = b[np.searchsorted(b, dst, side="right") - 1]
            if np.any(src >= layer_start):
                k = int(np.flatnonzero(src >= layer_start)[0])
                raise ValueError(
                    f"edge {int(src[k])} -> {int(dst[k])} does not come from an earlier layer "
                    f"(layer of {int(dst[k])} starts at {int(layer_start[k])})"
                )

    def _build_plan(self) -> None:
        """One block per layer, each reading every earlier node."""
        bounds = self.layer_bounds.tolist()
        self._plan, self._quiet = unguarded_blocks(self._build_blocks(bounds[:-1], bounds[1:], bounds[:-1]))
        self._rows = self.num_nodes + 1
        self._output_rows = self.output_indices + 1

    # ------------------------------------------------------------------
    def forward(self, X: Any) -> np.ndarray:
        """Evaluate the network.

        Parameters
        ----------
        X : (batch, num_inputs) or (num_inputs,) array_like of real numbers

        Returns
        -------
        (batch, num_outputs) or (num_outputs,) array of ``dtype``
            NaN inputs propagate as NaN.  A non-finite value anywhere makes
            every node of the later layers NaN (``0 * inf`` in the dense
            products), not only the nodes it feeds.
        """
        if self._quiet:  # its sigmoids' overflow silenced once for the whole call
            with np.errstate(over="ignore"):
                return self._forward(X)
        return self._forward(X)

    __call__ = forward

    def _forward(self, X: Any) -> np.ndarray:
        X = check_input(X, self.num_inputs)
        one = X.ndim == 1
        if self.exact:  # the buffer is (rows, batch); each block's sums are sums of terms
            B = np.empty((self._rows, 1 if one else X.shape[0]), dtype=self.dtype)
            B[0] = 1.0
            B[1 : self.num_inputs + 1] = X[:, None] if one else X.T
            for block in self._plan:
                run_block(B, *block)
            return B[self._output_rows, 0] if one else np.ascontiguousarray(B[self._output_rows].T)
        B = np.empty(self._rows if one else (self._rows, X.shape[0]), dtype=self.dtype)
        B[0] = 1.0
        B[1 : self.num_inputs + 1] = X if one else X.T
        dot = np.dot  # np.dot is the cheapest product call for the small matrices here
        for read, start, stop, weights, activation, groups, gathers in self._plan:
            if activation is None or gathers:
                run_block(B, read, start, stop, weights, activation, groups, gathers)
            else:
                B[start:stop] = activation(dot(weights, B[:read]))
        if one:
            return B[self._output_rows]
        return np.ascontiguousarray(B[self._output_rows].T)

    # ------------------------------------------------------------------
    @property
    def num_layers(self) -> int:
        """Number of layers after the inputs."""
        return len(self.layer_bounds) - 1

    @property
    def layer_shapes(self) -> list[tuple[int, int]]:
        """``(s_l, e_l - s_l)``, the shape of each layer's ``W_l``."""
        b = self.layer_bounds.tolist()
        return [(s, e - s) for s, e in zip(b[:-1], b[1:])]

    @property
    def weights(self) -> list[np.ndarray]:
        """Dense ``W_l`` of shape ``(s_l, e_l - s_l)`` per layer (float64, a fresh copy).

        ``W_l[i, j]`` is the weight from node index ``i`` to node index ``s_l + j``.
        """
        out = []
        b = self.layer_bounds.tolist()
        for s, e in zip(b[:-1], b[1:]):
            W = np.zeros((s, e - s))
            m = (self.edge_dst >= s) & (self.edge_dst < e)
            np.add.at(W, (self.edge_src[m], self.edge_dst[m] - s), self.edge_weight[m])
            out.append(W)
        return out

    def activation_of(self, index: int) -> str:
        """Name of the activation of the node at ``index``."""
        return self.activation_names[int(self.activation_codes[index])]

    def aggregation_of(self, index: int) -> str:
        """Name of the aggregation of the node at ``index``."""
        return self.aggregation_names[int(self.aggregation_codes[index])]

    def astype(self, dtype: Any) -> FeedForwardNetwork:
        """The same network computing in ``dtype`` (float32 or float64)."""
        return FeedForwardNetwork(**{**self.arrays(), "dtype": dtype}, check=False)

    def __repr__(self) -> str:
        return (
            f"FeedForwardNetwork(inputs={self.num_inputs}, outputs={self.num_outputs}, nodes={self.num_nodes}, "
            f"layers={self.layer_shapes}, connections={self.num_connections}, dtype={self.dtype.name}"
            f"{', exact=True' if self.exact else ''})"
        )
