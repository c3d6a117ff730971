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
Results equal each network's own ``forward`` up to float rounding.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

from ..functions import activation_function, activation_prescale, aggregation_function, is_builtin_sum
from ..genome import Genome
from ._common import ArrayFn, float_dtype
from .feedforward import FeedForwardNetwork, compile_feedforward

__all__ = ["PopulationNetwork", "compile_population"]


class _Gather(NamedTuple):
    """Slots of one layer (across networks) sharing an aggregation other than sum and a fan-in."""

    net: np.ndarray  # (k,) network of each slot
    slot: np.ndarray  # (k,) slot within the layer
    src: np.ndarray  # (k, fan) buffer rows of the inputs, innovation order
    weight: np.ndarray  # (k, fan, 1)
    response: np.ndarray  # (k, 1)
    bias: np.ndarray  # (k, 1)
    aggregate: ArrayFn | None  # None: fan-in 0, the aggregate is 0


def compile_population(genomes: Sequence[Genome | FeedForwardNetwork], dtype: Any = np.float64) -> PopulationNetwork:
    """Stack feed-forward genomes (or compiled ``FeedForwardNetwork``s) into one ``PopulationNetwork``.

    Genomes are compiled with ``compile_feedforward`` (so a recurrent genome
    raises ``ConfigError``).  All must have the same numbers of inputs and outputs.
    """
    nets = [g if isinstance(g, FeedForwardNetwork) else compile_feedforward(g, dtype) for g in genomes]
    return PopulationNetwork(nets, dtype)


def _finite_at_zero(fn: ArrayFn, dtype: np.dtype) -> bool:
    """Whether ``fn(0)`` is finite, so a padding slot computing it is harmless."""
    with np.errstate(all="ignore"):
        return bool(np.all(np.isfinite(fn(np.zeros(1, dtype=dtype)))))


class PopulationNetwork:
    """P feed-forward networks padded to common layer shapes (see the module docstring).

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
    """

    def __init__(self, networks: Sequence[FeedForwardNetwork], dtype: Any = np.float64) -> None:
        nets = tuple(networks)
        if not nets:
            raise ValueError("a population stack needs at least one network")
        if not all(isinstance(net, FeedForwardNetwork) for net in nets):
            raise TypeError("a population stack holds FeedForwardNetworks (recurrent networks are not supported)")
        n_in, n_out = nets[0].num_inputs, nets[0].num_outputs
        for p, net in enumerate(nets):
            if (net.num_inputs, net.num_outputs) != (n_in, n_out):
                raise ValueError(
                    f"network {p} has {net.num_inputs} inputs and {net.num_outputs} outputs; "
                    f"network 0 has {n_in} and {n_out}"
                )
        self.networks = nets
        self.size = len(nets)
        self.num_inputs, self.num_outputs = n_in, n_out
        self.dtype = float_dtype(dtype)
        self._build()

    # ------------------------------------------------------------------
    def _build(self) -> None:
        nets, P, n_in, dtype = self.networks, self.size, self.num_inputs, self.dtype
        n_layers = max(net.num_layers for net in nets)
        widths = np.zeros((P, n_layers), dtype=np.int64)
        for p, net in enumerate(nets):
            widths[p, : net.num_layers] = np.diff(net.layer_bounds)
        slots = widths.max(axis=0)
        # Buffer row where each layer's slots begin; rows [0, starts[l]) are read by layer l.
        starts = 1 + n_in + np.concatenate(([0], np.cumsum(slots)[:-1]))
        self.num_rows = int(1 + n_in + slots.sum())
        self.layer_shapes = [(int(s), int(w)) for s, w in zip(starts, slots)]

        # Function tables shared by all networks, by name.
        act_names = sorted({name for net in nets for name in net.activation_names})
        agg_names = sorted({name for net in nets for name in net.aggregation_names})
        # fn(z) == g(c * z): c goes into the weights, g is called (as in a single network).
        prescales = [activation_prescale(activation_function(name)) for name in act_names]
        act_fns = [inner for _, inner in prescales]
        act_scale = np.array([c for c, _ in prescales])
        agg_fns = [aggregation_function(name) for name in agg_names]
        is_sum = np.array([is_builtin_sum(fn) for fn in agg_fns], dtype=bool)

        # Every node of every network, with its layer and slot; every edge with its source's buffer row.
        node_net, node_layer, node_slot = [], [], []
        bias, response, act_code, agg_code = [], [], [], []
        edge_src_row, edge_dst_node, edge_weight = [], [], []
        offset = 0
        for p, net in enumerate(nets):
            n = net.num_nodes
            index = np.arange(n)
            layer = np.searchsorted(net.layer_bounds, index, side="right") - 1  # -1 for inputs
            slot = index - net.layer_bounds[np.maximum(layer, 0)]
            row = np.where(layer < 0, 1 + index, starts[np.maximum(layer, 0)] + slot)
            node_net.append(np.full(n, p))
            node_layer.append(layer)
            node_slot.append(slot)
            bias.append(net.bias)
            response.append(net.response)
            act_code.append(np.searchsorted(act_names, net.activation_names)[net.activation_codes])
            agg_code.append(np.searchsorted(agg_names, net.aggregation_names)[net.aggregation_codes])
            edge_src_row.append(row[net.edge_src])
            edge_dst_node.append(offset + net.edge_dst)
            edge_weight.append(net.edge_weight)
            offset += n
        node_net = np.concatenate(node_net)
        node_layer = np.concatenate(node_layer)
        node_slot = np.concatenate(node_slot)
        bias, response = np.concatenate(bias), np.concatenate(response)
        act_code, agg_code = np.concatenate(act_code), np.concatenate(agg_code)
        bias, response = bias * act_scale[act_code], response * act_scale[act_code]
        edge_src_row = np.concatenate(edge_src_row)
        edge_dst_node = np.concatenate(edge_dst_node)
        edge_weight = np.concatenate(edge_weight)
        self._output_rows = np.stack([_output_rows(net, starts) for net in nets])

        # Stacked weights of layer l: (P, slots[l], starts[l]) inside one flat array.
        sizes = P * slots * starts
        offsets = np.concatenate(([0], np.cumsum(sizes)))
        non_input = node_layer >= 0
        nl = np.maximum(node_layer, 0)
        # Position in `flat` of each node's row of weights (its bias entry).
        row_pos = offsets[nl] + (node_net * slots[nl] + node_slot) * starts[nl]
        node_is_sum = is_sum[agg_code]
        flat = np.zeros(int(offsets[-1]), dtype=np.float64)
        sum_nodes = np.flatnonzero(non_input & node_is_sum)
        flat[row_pos[sum_nodes]] = bias[sum_nodes]
        into_sum = node_is_sum[edge_dst_node]
        d = edge_dst_node[into_sum]
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
            weights = flat[offsets[layer] : offsets[layer + 1]].reshape(P, w, s)
            in_layer = np.flatnonzero(node_layer == layer)
            codes = np.full((P, w), -1, dtype=np.int64)
            codes[node_net[in_layer], node_slot[in_layer]] = act_code[in_layer]
            common = Counter(codes[codes >= 0].tolist()).most_common(1)[0][0]
            padding = codes < 0
            if _finite_at_zero(act_fns[common], dtype):
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
    ) -> dict[int, tuple[_Gather, ...]]:
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
        out: dict[int, list[_Gather]] = {}
        for g, (layer, agg, k) in enumerate(groups.tolist()):
            nodes = others[inverse == g]
            positions = first[nodes][:, None] + np.arange(k)
            out.setdefault(layer, []).append(
                _Gather(
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
        for read, start, stop, weights, activation, groups, gathers in self._plan:
            Z = np.matmul(weights, B[:, :read])
            for g in gathers:
                if g.aggregate is None:
                    Z[g.net, g.slot] = g.bias
                else:
                    # (k, fan, batch) -> (k, batch, fan): aggregations reduce the last axis.
                    weighted = (B[g.net[:, None], g.src] * g.weight).transpose(0, 2, 1)
                    Z[g.net, g.slot] = g.response * g.aggregate(weighted) + g.bias
            if activation is not None:
                B[:, start:stop] = activation(Z)
            else:
                for nets, slots, fn in groups:
                    B[nets, start + slots] = fn(Z[nets, slots])
        out = B[np.arange(P)[:, None], self._output_rows].transpose(0, 2, 1)
        return np.ascontiguousarray(out[:, 0] if X.ndim == 1 else out)

    __call__ = forward

    def __reduce__(self) -> Any:
        # Rebuilt from its networks (which travel as arrays) in the receiving process.
        return (PopulationNetwork, (self.networks, self.dtype))

    def __len__(self) -> int:
        return self.size

    def __repr__(self) -> str:
        return (
            f"PopulationNetwork(size={self.size}, inputs={self.num_inputs}, outputs={self.num_outputs}, "
            f"layers={self.layer_shapes}, dtype={self.dtype.name})"
        )


def _identity(z: np.ndarray) -> np.ndarray:
    return z


def _output_rows(net: FeedForwardNetwork, starts: np.ndarray) -> np.ndarray:
    """Buffer rows of ``net``'s outputs in the common layout."""
    idx = net.output_indices
    layer = np.searchsorted(net.layer_bounds, idx, side="right") - 1
    return starts[layer] + idx - net.layer_bounds[layer]
