"""Recurrent networks: a genome with cycles compiled into one node-by-node matrix.

Time semantics (those of neat-python's ``RecurrentNetwork``): the network
holds a value for every node, 0 after ``reset()``.  One call is one time
step: every non-input node's new value is computed at once from the previous
step's values of all nodes and the current inputs::

    v_t[j] = act_j(response_j * agg_j({w_ij * u_t[i]}) + bias_j)
    u_t[i] = x_t[i] for inputs, v_{t-1}[i] for every other node

so every connection between non-input nodes (self-loops included) carries
its source's value from the previous step, and a connection from an input
carries the current input.  The call returns the outputs' new values.  A
signal therefore needs ``k`` steps to cross ``k`` connections after the
input layer.

A batch ``X: (batch, n_inputs)`` steps ``batch`` independent states at once;
a 1-D ``x`` is a batch of one.  The batch size is fixed from the first call
after ``reset()``.
"""

from __future__ import annotations

from collections.abc import Sequence
from os import PathLike
from typing import Any

import numpy as np

from ..genome import Genome
from ._common import (
    build_blocks,
    check_codes,
    check_input,
    enabled_edges,
    float_dtype,
    frozen,
    reaching_outputs,
    resolve_functions,
    run_block,
)

__all__ = ["RecurrentNetwork", "compile_recurrent"]


def compile_recurrent(genome: Genome, dtype: Any = np.float64, *, validate: bool = False) -> RecurrentNetwork:
    """Compile a genome (cycles and self-loops allowed) into a ``RecurrentNetwork``.

    Nodes from which no output can be reached are dropped; the others are
    numbered inputs first, then by activation function, aggregation and id.
    A feed-forward genome compiles too (it then needs as many steps as it
    has layers for an input to reach the outputs).  ``validate`` runs
    ``genome.validate()`` first; without it only what the compiler relies on
    is checked (see ``compile_feedforward``).
    """
    dtype = float_dtype(dtype)
    if validate:
        genome.validate()
    cfg = genome.config
    src, dst, weight = enabled_edges(genome)
    nodes = genome.nodes
    n, n_in, n_out = len(nodes.id), cfg.num_inputs, cfg.num_outputs
    keep = reaching_outputs(n, n_in, n_out, src, dst)
    kept = np.flatnonzero(keep[n_in:]) + n_in
    order = np.lexsort((nodes.aggregation[kept], nodes.activation[kept]))
    perm = np.concatenate((np.arange(n_in), kept[order]))
    index = np.full(n, -1, dtype=np.int64)
    index[perm] = np.arange(len(perm))
    live = keep[dst]
    return RecurrentNetwork(
        num_inputs=n_in,
        node_ids=nodes.id[perm],
        output_indices=index[n_in : n_in + n_out],
        bias=nodes.bias[perm],
        response=nodes.response[perm],
        activation_codes=nodes.activation[perm],
        aggregation_codes=nodes.aggregation[perm],
        activation_names=cfg.activation_options,
        aggregation_names=cfg.aggregation_options,
        edge_src=index[src[live]],
        edge_dst=index[dst[live]],
        edge_weight=weight[live],
        pruned_ids=nodes.id[~keep],
        dtype=dtype,
        check=False,
    )


class RecurrentNetwork:
    """A compiled recurrent network with its state (see the module docstring for the time semantics).

    Attributes are those of ``FeedForwardNetwork`` without layers:
    ``num_inputs``, ``num_outputs``, ``node_ids``, ``output_indices``,
    ``bias``, ``response``, ``activation_codes``, ``aggregation_codes``,
    ``activation_names``, ``aggregation_names``, ``edge_src``, ``edge_dst``,
    ``edge_weight``, ``pruned_ids``, ``dtype``; the constructor takes them as
    keywords (checked unless ``check=False``).  The dense matrix ``weights``
    has shape ``(n_nodes, n_nodes)``: ``weights[i, j]`` is the weight from
    node index ``i`` to node index ``j``.
    """

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
        check: bool = True,
    ) -> None:
        self.num_inputs = int(num_inputs)
        self.node_ids = frozen(node_ids, np.int64, check)
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
        if check:
            self._check()
        act_fns, agg_fns = resolve_functions(self.activation_names, self.aggregation_names)
        n = self.num_nodes
        (self._block,) = build_blocks(
            [self.num_inputs],
            [n],
            [n],
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
        )
        self._output_rows = self.output_indices + 1
        self._state: np.ndarray | None = None

    # ------------------------------------------------------------------
    def reset(self) -> None:
        """Forget the state: every node's value is 0 again, and the next call may pick a new batch size."""
        self._state = None

    def step(self, X: Any) -> np.ndarray:
        """Advance one time step.

        Parameters
        ----------
        X : (batch, num_inputs) or (num_inputs,) array_like of real numbers
            This step's inputs, one row per independent state.

        Returns
        -------
        (batch, num_outputs) or (num_outputs,) array of ``dtype``
            The outputs' new values.  NaN inputs propagate; a non-finite node
            value makes every node NaN from the next step on (``0 * inf`` in
            the dense product), until ``reset()``.

        Raises
        ------
        ValueError
            ``X`` has the wrong shape or dtype, or a batch size other than the
            state's (call ``reset()`` first).
        """
        X = check_input(X, self.num_inputs)
        one = X.ndim == 1
        batch = 1 if one else X.shape[0]
        B = self._state
        if B is None:
            B = np.zeros((self.num_nodes + 1, batch), dtype=self.dtype)
            B[0] = 1.0
        elif B.shape[1] != batch:
            raise ValueError(
                f"the network's state holds a batch of {B.shape[1]}, got X with batch {batch}; "
                "call reset() before changing the batch size"
            )
        B[1 : self.num_inputs + 1] = X[:, None] if one else X.T
        run_block(B, *self._block)
        self._state = B
        out = B[self._output_rows]
        return out[:, 0] if one else np.ascontiguousarray(out.T)

    forward = step
    __call__ = step

    def run(self, inputs: Any) -> np.ndarray:
        """Step through a sequence from the current state.

        Parameters
        ----------
        inputs : (steps, batch, num_inputs) or (steps, num_inputs)

        Returns
        -------
        (steps, batch, num_outputs) or (steps, num_outputs)
        """
        inputs = np.asarray(inputs)
        if inputs.ndim not in (2, 3):
            raise ValueError(
                f"expected inputs of shape (steps, batch, {self.num_inputs}) or (steps, {self.num_inputs}), "
                f"got {inputs.shape}"
            )
        return (
            np.stack([self.step(x) for x in inputs])
            if len(inputs)
            else np.empty((0, *inputs.shape[1:-1], self.num_outputs), dtype=self.dtype)
        )

    @property
    def state(self) -> np.ndarray | None:
        """(batch, n_nodes) the current value of every node (a copy), or None after ``reset()``."""
        return None if self._state is None else self._state[1:].T.copy()

    # ------------------------------------------------------------------
    @property
    def num_nodes(self) -> int:
        """Number of nodes (inputs included) after pruning."""
        return len(self.node_ids)

    @property
    def num_connections(self) -> int:
        """Number of connections evaluated."""
        return len(self.edge_src)

    @property
    def weights(self) -> np.ndarray:
        """(n_nodes, n_nodes) dense weights, float64: ``weights[i, j]`` from index ``i`` to ``j``."""
        W = np.zeros((self.num_nodes, self.num_nodes))
        np.add.at(W, (self.edge_src, self.edge_dst), self.edge_weight)
        return W

    def save(self, path: str | PathLike[str]) -> None:
        """Write the network (not its state) to an ``.npz`` file; see ``neat.nn.load_network``."""
        from .export import save_network

        save_network(self, path)

    def __reduce__(self) -> Any:
        # Lets concurrent.futures ship a network to a worker as its arrays (not the state);
        # the worker looks the functions up by name in its own registry.
        return (_rebuild, (type(self), self.arrays()))

    def arrays(self) -> dict[str, Any]:
        """The constructor's arguments (what ``save`` writes)."""
        return {
            "num_inputs": self.num_inputs,
            "node_ids": self.node_ids,
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
        }

    def __repr__(self) -> str:
        return (
            f"RecurrentNetwork(inputs={self.num_inputs}, outputs={self.num_outputs}, nodes={self.num_nodes}, "
            f"connections={self.num_connections}, dtype={self.dtype.name})"
        )

    def _check(self) -> None:
        n, n_in = self.num_nodes, self.num_inputs
        if n_in < 1:
            raise ValueError(f"num_inputs must be >= 1, got {n_in}")
        for name in (
            "node_ids",
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
        if n <= n_in:
            raise ValueError(f"a network needs nodes beyond its {n_in} inputs, got {n} nodes")
        for name in ("bias", "response", "activation_codes", "aggregation_codes"):
            if len(getattr(self, name)) != n:
                raise ValueError(f"{name} must have one entry per node ({n}), got {len(getattr(self, name))}")
        if self.num_outputs < 1 or np.any((self.output_indices < n_in) | (self.output_indices >= n)):
            raise ValueError(f"output_indices must be non-input node indices in [{n_in}, {n})")
        check_codes(self.activation_codes, self.activation_names, "activation")
        check_codes(self.aggregation_codes, self.aggregation_names, "aggregation")
        src, dst = self.edge_src, self.edge_dst
        if not len(src) == len(dst) == len(self.edge_weight):
            raise ValueError("edge_src, edge_dst and edge_weight must have equal lengths")
        if len(src) and (src.min() < 0 or src.max() >= n or dst.min() < n_in or dst.max() >= n):
            raise ValueError(f"edges must run from node indices in [0, {n}) to non-input indices in [{n_in}, {n})")


def _rebuild(cls: type, arrays: dict[str, Any]) -> RecurrentNetwork:
    return cls(**arrays, check=False)
