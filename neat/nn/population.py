"""A population stack: P feed-forward networks evaluated by one call, one batched matrix product per layer.

Every network is padded to common shapes.  All get ``L`` layers (the most
any has) and layer ``l`` gets ``w_l`` slots (the widest any network's layer
``l`` is); so every network has the same buffer layout::

    row 0: the constant 1 | inputs | layer 1: w_1 slots | layer 2: w_2 slots | ...

A network's nodes of layer ``l`` fill the first slots of that layer; the
other slots are padding: zero weights in and out, so they feed nothing.  The
weights of layer ``l`` stack into ``(P, w_l, s_l)`` and evaluating is, per
layer::

    Z = W_l @ B[:, :s_l]               # (P, w_l, batch): one np.matmul
    B[:, s_l:s_l + w_l] = act(Z)       # one call per distinct activation

Nodes whose aggregation is not the sum are gathered as in a single network.
Results equal each network's own ``forward`` up to float rounding.  In exact
mode (``exact=True``) each layer's sums are sums of terms instead
(``neat.nn._terms.sum_terms``, the buffer seen as ``(P * rows, batch)``),
and a network's outputs are the same bits as its own exact network's.

A stack is built from its flat description, a ``neat.nn.stack.StackArrays``
(every network's kept nodes with their layer and slot, its edges, its
outputs), in one vectorized pass: slot widths, buffer rows, then the weights
scattered into the padded tensors.  That description comes from a gene pool
(``stack_arrays_from_pool``: all genomes compiled at once, no per-genome
compile) or from compiled networks; the stack pickles as it, and ``subset``
slices it.  ``networks`` are made from it only when asked for.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..functions import (
    activation_function,
    activation_prescale,
    activation_unguarded,
    aggregation_function,
    is_builtin_sum,
)
from ..genome import Genome
from ..genome.pool import GenePool
from ._common import ArrayFn
from ._terms import Terms, pack_terms, sum_terms
from .feedforward import FeedForwardNetwork, compile_feedforward
from .recurrent import RecurrentNetwork, compile_recurrent
from .recurrent_population import RecurrentPopulationNetwork
from .stack import stack_arrays_from_pool
from .stacked import Gather, StackedNetworks, finite_at_zero, shared_output_rows

__all__ = ["PopulationNetwork", "compile_population"]


def compile_population(
    population: GenePool | Sequence[Genome] | Sequence[FeedForwardNetwork] | Sequence[RecurrentNetwork],
    dtype: Any = np.float64,
    *,
    exact: bool = False,
) -> PopulationNetwork | RecurrentPopulationNetwork:
    """Stack genomes (or compiled networks) into one ``PopulationNetwork`` or ``RecurrentPopulationNetwork``.

    Feed-forward genomes (``[genome] feed_forward = true``) give a
    ``PopulationNetwork``, evaluated by one call; recurrent ones
    (``feed_forward = false``) a ``RecurrentPopulationNetwork``, stepped by one
    call per time step, each network with its state.  Genomes are compiled
    all at once (``neat.nn.stack.stack_arrays_from_pool``,
    ``neat.nn.stack.recurrent_arrays_from_pool``), each as
    ``compile_feedforward`` / ``compile_recurrent`` would compile it alone.

    Parameters
    ----------
    population
        A ``GenePool``; a ``GenomeSequence`` (what reads ``.pool``); a list of
        ``Genome``s of one config (packed into a pool); or a list of compiled
        ``FeedForwardNetwork``s or of ``RecurrentNetwork``s (genomes among
        them, or genomes of different configs, are compiled one by one with
        ``compile``).  All must have the same numbers of inputs and outputs,
        and all be feed-forward or all recurrent.
    dtype
        ``float64`` (default) or ``float32``.
    exact
        Exact mode (see ``neat.nn.compile``): every network's outputs are the
        same bits as its genome compiled alone with ``exact=True``, for any
        stack, subset and batch.  Default ``False``: BLAS products (faster),
        equal to the networks alone to rounding.

    Raises
    ------
    InvalidGenomeError
        A genome breaks an invariant the compiler relies on (for a
        feed-forward config, e.g. its enabled connections form a cycle); the
        message names its index.
    ValueError
        No genome, different numbers of inputs or outputs, or feed-forward and
        recurrent items mixed.
    """
    pool = population if isinstance(population, GenePool) else getattr(population, "pool", None)
    if not isinstance(pool, GenePool):
        items = list(population)
        if not items:
            raise ValueError("a population stack needs at least one network")
        first = items[0]
        if isinstance(first, Genome) and all(
            isinstance(g, Genome) and (g.config is first.config or g.config == first.config) for g in items
        ):
            pool = GenePool.pack(items)
        else:
            recurrent = [
                isinstance(g, RecurrentNetwork) or (isinstance(g, Genome) and not g.config.feed_forward) for g in items
            ]
            if all(recurrent):
                nets = [g if isinstance(g, RecurrentNetwork) else compile_recurrent(g, dtype, exact=exact) for g in items]
                return RecurrentPopulationNetwork(nets, dtype, exact)
            if any(recurrent):
                raise ValueError(
                    f"a population stack holds feed-forward or recurrent networks, not both: item "
                    f"{recurrent.index(True)} is recurrent and item {recurrent.index(False)} is not"
                )
            nets = [g if isinstance(g, FeedForwardNetwork) else compile_feedforward(g, dtype, exact=exact) for g in items]
            return PopulationNetwork(nets, dtype, exact)
    if not pool.config.feed_forward:
        return RecurrentPopulationNetwork.from_pool(pool, dtype, exact)
    return PopulationNetwork.from_pool(pool, dtype, exact)


class PopulationNetwork(StackedNetworks):
    """P feed-forward networks padded to common layer shapes (see the module docstring).

    Build one with ``compile_population`` (from genomes or a gene pool: no
    per-genome compile), ``PopulationNetwork(networks)`` (from compiled
    networks), ``PopulationNetwork.from_pool`` or ``PopulationNetwork.from_arrays``.

    Parameters
    ----------
    networks
        ``FeedForwardNetwork``s with equal ``num_inputs`` and ``num_outputs``.
    dtype
        ``float64`` (default) or ``float32``.

    Attributes
    ----------
    size : int
        Number of networks ``P``.
    num_inputs, num_outputs : int
    layer_shapes : list of (int, int)
        ``(s_l, w_l)``: per layer, the rows read (constant row included) and the slots written.
    networks : tuple of FeedForwardNetwork
        Each network on its own (made on first access when the stack was not built from networks).
    """

    NETWORK = FeedForwardNetwork
    _arrays_from_pool = staticmethod(stack_arrays_from_pool)

    # ------------------------------------------------------------------
    def _build(self) -> None:
        a, P, n_in, dtype = self._arrays, self.size, self.num_inputs, self.dtype
        # Layers counted from 0 here; -1 for the inputs.
        node_layer = a.node_layer - 1
        node_slot = a.node_slot
        node_net = a.node_net
        n_layers = int(node_layer.max()) + 1
        # Slots of layer l: the widest any network's layer l is.
        slots = np.zeros(n_layers, dtype=np.int64)
        non_input = node_layer >= 0
        np.maximum.at(slots, node_layer[non_input], node_slot[non_input] + 1)
        # Buffer row where each layer's slots begin; rows [0, starts[l]) are read by layer l.
        starts = 1 + n_in + np.concatenate(([0], np.cumsum(slots)[:-1]))
        self.num_rows = int(1 + n_in + slots.sum())
        self.layer_shapes = [(int(s), int(w)) for s, w in zip(starts, slots)]
        nl = np.maximum(node_layer, 0)
        node_row = np.where(non_input, starts[nl] + node_slot, 1 + node_slot)
        self._output_rows = node_row[a.output_node]
        self._output_slice = shared_output_rows(self._output_rows)  # e.g. start genomes: outputs in the first layer

        # Function tables shared by all networks, by name.
        # fn(z) == g(c * z): c goes into the weights, g is called (as in a single network).
        prescales = [activation_prescale(activation_function(name)) for name in a.activation_names]
        act_fns, unguarded = zip(*[activation_unguarded(inner) for _, inner in prescales]) if prescales else ((), ())
        self._quiet = any(unguarded)  # forward silences the sigmoids' overflow once per call
        act_scale = np.array([c for c, _ in prescales])
        agg_fns = [aggregation_function(name) for name in a.aggregation_names]
        is_sum = np.array([is_builtin_sum(fn) for fn in agg_fns], dtype=bool)
        act_code = a.activation.astype(np.intp)
        agg_code = a.aggregation.astype(np.intp)
        bias, response = a.bias * act_scale[act_code], a.response * act_scale[act_code]
        edge_src_row, edge_dst_node, edge_weight = node_row[a.edge_src], a.edge_dst, a.edge_weight

        node_is_sum = is_sum[agg_code]
        sum_nodes = np.flatnonzero(non_input & node_is_sum)
        into_sum = node_is_sum[edge_dst_node]
        d = edge_dst_node[into_sum]
        if self.exact:
            # The terms of every sum node (neat.nn._terms.sum_terms): its bias
            # against the constant row, then its inputs' response-folded weights;
            # block l holds layer l's (P, slots[l]) sums, and a term reads row
            # `network * num_rows + row` of the buffer seen as (P * num_rows, batch).
            target = np.concatenate((sum_nodes, d))
            src_row = np.concatenate((np.zeros(len(sum_nodes), dtype=np.int64), edge_src_row[into_sum]))
            flat, flat_weight, offsets, depth = pack_terms(
                node_layer[target],
                node_net[target] * slots[node_layer[target]] + node_slot[target],
                node_net[target] * self.num_rows + src_row,
                np.concatenate((bias[sum_nodes], edge_weight[into_sum] * response[d])),
                P * slots,
                dtype,
            )
        else:
            # Stacked weights of layer l: (P, slots[l], starts[l]) inside one flat array.
            sizes = P * slots * starts
            offsets = np.concatenate(([0], np.cumsum(sizes)))
            # Position in `flat` of each node's row of weights (its bias entry).
            row_pos = offsets[nl] + (node_net * slots[nl] + node_slot) * starts[nl]
            flat = np.zeros(int(offsets[-1]), dtype=np.float64)
            flat[row_pos[sum_nodes]] = bias[sum_nodes]
            # add.at: a repeated (src, dst) pair adds up, as in a sum.
            np.add.at(flat, row_pos[d] + edge_src_row[into_sum], edge_weight[into_sum] * response[d])
            flat = flat.astype(dtype, copy=False)

        gathers = self._gathers(
            node_net,
            node_layer,
            node_slot,
            node_is_sum,
            agg_code,
            agg_fns,
            bias,
            response,
            edge_src_row,
            edge_dst_node,
            edge_weight,
        )
        plan = []
        for layer in range(n_layers):
            s, w = int(starts[layer]), int(slots[layer])
            part = slice(offsets[layer], offsets[layer + 1])
            weights: Any
            if self.exact:
                shape = (int(depth[layer]), P, w)
                weights = Terms(flat[part].reshape(shape), flat_weight[part].reshape(*shape, 1))
            else:
                weights = flat[part].reshape(P, w, s)
            in_layer = np.flatnonzero(node_layer == layer)
            codes = np.full((P, w), -1, dtype=np.int64)
            codes[node_net[in_layer], node_slot[in_layer]] = act_code[in_layer]
            # The most common activation of the layer; on a tie, the one met first (row-major).
            present = codes[codes >= 0]
            counts = np.bincount(present)
            tied = np.flatnonzero(counts == counts.max())
            common = int(tied[0] if len(tied) == 1 else present[np.isin(present, tied)][0])
            padding = codes < 0
            if finite_at_zero(act_fns[common], dtype):
                codes[padding] = common
            used = np.unique(codes).tolist()
            if used == [common]:
                activation, groups = act_fns[common], ()
            else:
                activation = None
                # -1 (padding where act(0) is not finite) keeps Z = 0 through the identity.
                groups = tuple((*np.nonzero(codes == c), act_fns[c] if c >= 0 else _identity) for c in used)
            plan.append((s, s, s + w, weights, activation, groups, gathers.get(layer, ())))
        self._plan = plan

    def _gathers(
        self,
        node_net: np.ndarray,
        node_layer: np.ndarray,
        node_slot: np.ndarray,
        node_is_sum: np.ndarray,
        agg_code: np.ndarray,
        agg_fns: list[ArrayFn],
        bias: np.ndarray,
        response: np.ndarray,
        edge_src_row: np.ndarray,
        edge_dst_node: np.ndarray,
        edge_weight: np.ndarray,
    ) -> dict[int, tuple[Gather, ...]]:
        """Gather groups per layer for the slots whose aggregation is not the sum."""
        others = np.flatnonzero(~node_is_sum & (node_layer >= 0))
        if others.size == 0:
            return {}
        dtype = self.dtype
        into = ~node_is_sum[edge_dst_node]
        order = np.argsort(edge_dst_node[into], kind="stable")  # keeps innovation order per node
        e_src, e_dst, e_w = edge_src_row[into][order], edge_dst_node[into][order], edge_weight[into][order]
        fan = np.bincount(e_dst, minlength=len(node_net))
        first = np.zeros(len(node_net) + 1, dtype=np.int64)
        np.cumsum(fan, out=first[1:])
        keys = np.stack((node_layer[others], agg_code[others], fan[others]), axis=1)
        groups, inverse = np.unique(keys, axis=0, return_inverse=True)
        inverse = inverse.ravel()
        out: dict[int, list[Gather]] = {}
        for g, (layer, agg, k) in enumerate(groups.tolist()):
            nodes = others[inverse == g]
            positions = first[nodes][:, None] + np.arange(k)
            out.setdefault(layer, []).append(
                Gather(
                    net=node_net[nodes],
                    slot=node_slot[nodes],
                    src=e_src[positions],
                    weight=e_w[positions].astype(dtype)[:, :, None],
                    response=response[nodes].astype(dtype)[:, None],
                    bias=bias[nodes].astype(dtype)[:, None],
                    aggregate=agg_fns[agg] if k else None,
                )
            )
        return {layer: tuple(gs) for layer, gs in out.items()}

    # ------------------------------------------------------------------
    def forward(self, X: Any) -> np.ndarray:
        """Evaluate every network.

        Parameters
        ----------
        X : (P, batch, num_inputs), or (batch, num_inputs) / (num_inputs,) shared by all networks
            Real numbers.

        Returns
        -------
        (P, batch, num_outputs), or (P, num_outputs) for a shared 1-D ``x``
        """
        if self._quiet:
            with np.errstate(over="ignore"):
                return self._forward(X)
        return self._forward(X)

    __call__ = forward

    def _forward(self, X: Any) -> np.ndarray:
        X = np.asarray(X)
        P, n_in = self.size, self.num_inputs
        if X.dtype.kind not in "fiub":
            raise ValueError(f"expected X of a numeric (real) dtype, got {X.dtype}")
        if X.ndim == 3 and X.shape[0] == P and X.shape[2] == n_in:
            inputs = X.transpose(0, 2, 1)
        elif X.ndim == 2 and X.shape[1] == n_in:
            inputs = X.T
        elif X.ndim == 1 and X.shape[0] == n_in:
            inputs = X[:, None]
        else:
            raise ValueError(
                f"expected X of shape ({P}, batch, {n_in}), or (batch, {n_in}) shared by all networks, got {X.shape}"
            )
        batch = inputs.shape[-1]
        B = np.empty((P, self.num_rows, batch), dtype=self.dtype)
        B[:, 0] = 1.0
        B[:, 1 : n_in + 1] = inputs
        exact = self.exact
        values = B.reshape(P * self.num_rows, batch) if exact else B  # exact mode's terms read rows of this view
        for read, start, stop, weights, activation, groups, gathers in self._plan:
            Z = sum_terms(values, *weights) if exact else np.matmul(weights, B[:, :read])
            for g in gathers:
                if g.aggregate is None:
                    Z[g.net, g.slot] = g.bias
                else:
                    # (k, fan, batch) -> (k, batch, fan): aggregations reduce the last axis
                    # (contiguous in exact mode, so alike for any k and batch).
                    weighted = (B[g.net[:, None], g.src] * g.weight).transpose(0, 2, 1)
                    if exact:
                        weighted = np.ascontiguousarray(weighted)
                    Z[g.net, g.slot] = g.response * g.aggregate(weighted) + g.bias
            if activation is not None:
                B[:, start:stop] = activation(Z)
            else:
                for nets, slots, fn in groups:
                    B[nets, start + slots] = fn(Z[nets, slots])
        rows = self._output_slice
        out = (B[:, rows] if rows is not None else B[np.arange(P)[:, None], self._output_rows]).transpose(0, 2, 1)
        return np.ascontiguousarray(out[:, 0] if X.ndim == 1 else out)

    def __repr__(self) -> str:
        return (
            f"PopulationNetwork(size={self.size}, inputs={self.num_inputs}, outputs={self.num_outputs}, "
            f"layers={self.layer_shapes}, dtype={self.dtype.name}{', exact=True' if self.exact else ''})"
        )


def _identity(z: np.ndarray) -> np.ndarray:
    return z
