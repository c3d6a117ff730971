"""``CompiledNetwork``: what ``FeedForwardNetwork`` and ``RecurrentNetwork`` share.

Both hold the same gene arrays (nodes by index, the enabled connections
between indices, the function tables by name), are built from them as
keywords, save them to ``.npz`` files, travel to worker processes as them,
and check them the same way up to their own layout.  Evaluation is each
subclass's own: the base class takes no part in a forward pass or a step.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from os import PathLike
from typing import Any, ClassVar

import numpy as np

from ..files import atomic_write_bytes
from ._common import Block, build_blocks, check_codes, float_dtype, frozen, resolve_functions

__all__ = ["CompiledNetwork", "NETWORK_FORMAT", "NETWORK_VERSION"]

NETWORK_FORMAT = "neat-network"
NETWORK_VERSION = 1


class CompiledNetwork:
    """The arrays of a compiled network, their checks, ``save`` and pickling.

    Not built directly.  The constructor takes the arrays (the attributes
    below, as keywords), stores them read-only and, with ``check`` (the
    default), verifies that they form a consistent network (``_check``,
    ``ValueError`` naming the first problem); last it calls ``_build_plan``,
    where a subclass prepares its evaluation.  A subclass whose nodes need
    more arrays names them in ``_LAYOUT_ARRAYS``; they are further keywords.

    Attributes
    ----------
    num_inputs, num_outputs : int
    node_ids : (n_nodes,) int64
        Genome id of the node at each index.
    output_indices : (num_outputs,) int64
        Node index of each output, in output order.
    bias, response : (n_nodes,) float64
    activation_codes, aggregation_codes : (n_nodes,) int16
        Positions in ``activation_names`` / ``aggregation_names``.
    activation_names, aggregation_names : tuple of str
    edge_src, edge_dst : (n_connections,) int64
        The enabled connections as node indices, in innovation order.
    edge_weight : (n_connections,) float64
    pruned_ids : (k,) int64
        Genome ids of the nodes dropped because no output can be reached from them.
    dtype : numpy.dtype
        ``float64`` or ``float32``: the type of the arithmetic and of the outputs.
    exact : bool
        Exact mode: sums added in one canonical order (``neat.nn._terms.sum_terms``),
        so that the network gives the same bits alone and inside any population
        stack of exact networks, for any batch; default ``False`` (BLAS products,
        faster, equal to rounding).
    """

    KIND: ClassVar[str] = ""
    """The network's kind in a saved file (``"feedforward"``, ``"recurrent"``)."""

    _LAYOUT_ARRAYS: ClassVar[tuple[str, ...]] = ()
    """Names of the int64 arrays a subclass adds to lay out its nodes (feed-forward:
    ``layer_bounds``): constructor keywords and attributes.  The constructor
    stores them read-only, and they are checked 1-D and listed by ``arrays()``
    (so saved), each time right after ``node_ids``."""

    num_inputs: int
    num_outputs: int
    node_ids: np.ndarray
    output_indices: np.ndarray
    bias: np.ndarray
    response: np.ndarray
    activation_codes: np.ndarray
    aggregation_codes: np.ndarray
    activation_names: tuple[str, ...]
    aggregation_names: tuple[str, ...]
    edge_src: np.ndarray
    edge_dst: np.ndarray
    edge_weight: np.ndarray
    pruned_ids: np.ndarray
    dtype: np.dtype
    exact: bool

    def __init__(
        self,
        *,
        num_inputs: int,
        node_ids: np.ndarray,
        output_indices: np.ndarray,
        bias: np.ndarray,
        response: np.ndarray,
        activation_codes: np.ndarray,
        aggregation_codes: np.ndarray,
        activation_names: Sequence[str],
        aggregation_names: Sequence[str],
        edge_src: np.ndarray,
        edge_dst: np.ndarray,
        edge_weight: np.ndarray,
        pruned_ids: np.ndarray | None = None,
        dtype: Any = np.float64,
        exact: bool = False,
        check: bool = True,
        **layout: np.ndarray,
    ) -> None:
        if set(layout) != set(self._LAYOUT_ARRAYS):
            raise TypeError(
                f"{type(self).__name__}() takes the layout arrays {list(self._LAYOUT_ARRAYS)}, got {sorted(layout)}"
            )
        self.num_inputs = int(num_inputs)
        self.node_ids = frozen(node_ids, np.int64, check)
        for name in self._LAYOUT_ARRAYS:
            setattr(self, name, frozen(layout[name], np.int64, check))
        self.output_indices = frozen(output_indices, np.int64, check)
        self.num_outputs = len(self.output_indices)
        self.bias = frozen(bias, np.float64, check)
        self.response = frozen(response, np.float64, check)
        self.activation_codes = frozen(activation_codes, np.int16, check)
        self.aggregation_codes = frozen(aggregation_codes, np.int16, check)
        self.activation_names = tuple(str(name) for name in activation_names)
        self.aggregation_names = tuple(str(name) for name in aggregation_names)
        self.edge_src = frozen(edge_src, np.int64, check)
        self.edge_dst = frozen(edge_dst, np.int64, check)
        self.edge_weight = frozen(edge_weight, np.float64, check)
        self.pruned_ids = frozen(np.empty(0) if pruned_ids is None else pruned_ids, np.int64, check)
        self.dtype = float_dtype(dtype)
        self.exact = bool(exact)
        if check:
            self._check()
        self._build_plan()

    # ------------------------------------------------------------------
    @property
    def num_nodes(self) -> int:
        """Number of nodes (inputs included) after pruning."""
        return len(self.node_ids)

    @property
    def num_connections(self) -> int:
        """Number of connections evaluated (enabled and into a kept node)."""
        return len(self.edge_src)

    def save(self, path: str | PathLike[str]) -> None:
        """Write the network (not a recurrent network's state) to an ``.npz`` file, atomically.

        The file holds plain arrays only (the format is described in
        ``neat.nn.export``); ``neat.nn.load_network`` reads it back.
        """
        arrays = self.arrays()
        payload: dict[str, np.ndarray] = {
            "format": np.array(NETWORK_FORMAT),
            "version": np.array(NETWORK_VERSION),
            "kind": np.array(self.KIND),
            "dtype": np.array(arrays.pop("dtype").name),
            "exact": np.array(arrays.pop("exact")),
            "num_inputs": np.array(arrays.pop("num_inputs")),
        }
        for key in ("activation_names", "aggregation_names"):
            payload[key] = np.array(arrays.pop(key), dtype=str)
        payload.update({key: np.asarray(value) for key, value in arrays.items()})
        buffer = io.BytesIO()
        np.savez(buffer, **payload)
        atomic_write_bytes(path, buffer.getvalue())

    def __reduce__(self) -> Any:
        # Lets concurrent.futures ship a network to a worker as its arrays (not a
        # recurrent network's state); the worker looks the functions up by name in
        # its own registry.
        return (_rebuild, (type(self), self.arrays()))

    def arrays(self) -> dict[str, Any]:
        """The constructor's arguments (what ``save`` writes)."""
        return {
            "num_inputs": self.num_inputs,
            "node_ids": self.node_ids,
            **{name: getattr(self, name) for name in self._LAYOUT_ARRAYS},
            "output_indices": self.output_indices,
            "bias": self.bias,
            "response": self.response,
            "activation_codes": self.activation_codes,
            "aggregation_codes": self.aggregation_codes,
            "activation_names": self.activation_names,
            "aggregation_names": self.aggregation_names,
            "edge_src": self.edge_src,
            "edge_dst": self.edge_dst,
            "edge_weight": self.edge_weight,
            "pruned_ids": self.pruned_ids,
            "dtype": self.dtype,
            "exact": self.exact,
        }

    def to_networkx(self) -> Any:
        """The network as a ``networkx.DiGraph`` whose nodes are the genome's node *ids*.

        Nodes carry ``index`` (their node index here), ``kind`` (``"input"``,
        ``"output"`` or ``"hidden"``), ``bias``, ``response``, ``activation`` and
        ``aggregation`` (names); edges carry ``weight``.  Only what the network
        evaluates is there: the enabled connections between the nodes kept by
        pruning, so it equals the genome's ``to_networkx(enabled_only=True)``
        restricted to ``node_ids`` (without the genome-only attributes).
        """
        import networkx as nx

        graph = nx.DiGraph()
        outputs = set(self.output_indices.tolist())
        ids = self.node_ids.tolist()
        for index, node_id in enumerate(ids):
            kind = "input" if index < self.num_inputs else "output" if index in outputs else "hidden"
            graph.add_node(
                node_id,
                index=index,
                kind=kind,
                bias=float(self.bias[index]),
                response=float(self.response[index]),
                activation=self.activation_names[int(self.activation_codes[index])],
                aggregation=self.aggregation_names[int(self.aggregation_codes[index])],
            )
        for s, d, w in zip(self.edge_src.tolist(), self.edge_dst.tolist(), self.edge_weight.tolist()):
            graph.add_edge(ids[s], ids[d], weight=w)
        return graph

    def _build_plan(self) -> None:
        """Prepare the evaluation from the stored arrays (the constructor's last step)."""
        raise NotImplementedError

    def _build_blocks(self, starts: Sequence[int], stops: Sequence[int], reads: Sequence[int]) -> list[Block]:
        """``build_blocks`` over this network's nodes and edges, its functions looked up by name.

        ``ConfigError`` if a function name is not registered.
        """
        act_fns, agg_fns = resolve_functions(self.activation_names, self.aggregation_names)
        return build_blocks(
            starts,
            stops,
            reads,
            self.bias,
            self.response,
            self.activation_codes,
            self.aggregation_codes,
            act_fns,
            agg_fns,
            self.edge_src,
            self.edge_dst,
            self.edge_weight,
            self.dtype,
            self.exact,
        )

    # ------------------------------------------------------------------
    # The checks below are the parts of a subclass's ``_check`` shared by all
    # networks; each subclass calls them in its own order, around its own checks.
    def _check(self) -> None:
        """Check the arrays are a consistent network (``ValueError`` naming the first problem)."""
        raise NotImplementedError

    def _check_arrays(self) -> None:
        """``num_inputs`` is at least 1 and every array is 1-D."""
        if self.num_inputs < 1:
            raise ValueError(f"num_inputs must be >= 1, got {self.num_inputs}")
        for name in (
            "node_ids",
            *self._LAYOUT_ARRAYS,
            "output_indices",
            "bias",
            "response",
            "activation_codes",
            "aggregation_codes",
            "edge_src",
            "edge_dst",
            "edge_weight",
            "pruned_ids",
        ):
            if getattr(self, name).ndim != 1:
                raise ValueError(f"{name} must be 1-D, got shape {getattr(self, name).shape}")

    def _check_node_arrays(self) -> None:
        """``bias``, ``response`` and the function codes have one entry per node."""
        n = self.num_nodes
        for name in ("bias", "response", "activation_codes", "aggregation_codes"):
            if len(getattr(self, name)) != n:
                raise ValueError(f"{name} must have one entry per node ({n}), got {len(getattr(self, name))}")

    def _check_outputs(self, *, show_indices: bool) -> None:
        """There is an output, and every output is a non-input node.

        ``show_indices`` adds the given ``output_indices`` to the message.
        """
        n, n_in = self.num_nodes, self.num_inputs
        if self.num_outputs < 1 or np.any((self.output_indices < n_in) | (self.output_indices >= n)):
            got = f", got {self.output_indices.tolist()}" if show_indices else ""
            raise ValueError(f"output_indices must be non-input node indices in [{n_in}, {n}){got}")

    def _check_codes_and_edges(self) -> None:
        """Every function code names a function, and the three edge arrays have equal lengths."""
        check_codes(self.activation_codes, self.activation_names, "activation")
        check_codes(self.aggregation_codes, self.aggregation_names, "aggregation")
        if not len(self.edge_src) == len(self.edge_dst) == len(self.edge_weight):
            raise ValueError("edge_src, edge_dst and edge_weight must have equal lengths")


def _rebuild(cls: type[CompiledNetwork], arrays: dict[str, Any]) -> CompiledNetwork:
    """Unpickle a network from its arrays (no checks: they were a network's)."""
    return cls(**arrays, check=False)
