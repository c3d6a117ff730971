"""The flat description of a population stack: every network's compiled nodes and edges in one set of arrays.

A ``StackArrays`` is what a ``PopulationNetwork`` is built from, what it
pickles as, and what ``subset`` slices.  It is ragged by offsets, like the
gene pool it is usually compiled from::

    nodes:  id  layer  slot  bias  response  activation  aggregation     sorted by (network, layer, slot)
    edges:  src  dst  weight                                            sorted by network, innovation order within one
    pruned: id                                                          sorted by (network, id)
    node_offsets, edge_offsets, pruned_offsets: (P + 1,)   network p's rows are [offsets[p], offsets[p + 1])
    output_node: (P, num_outputs)                           node row of every output

A recurrent stack is described by the same fields with one "layer" for all
non-input nodes (``node_layer`` 1, ``node_slot`` a node's position among its
network's non-input nodes), so that network ``p``'s rows are its node
indices as a ``RecurrentNetwork`` numbers them: inputs, then the kept nodes
by activation, aggregation and id (``recurrent_arrays_from_pool``: the same
passes without depths, cycles allowed).

Network ``p``'s node rows, in order, are its node *indices* as a
``FeedForwardNetwork`` numbers them (``index = row - node_offsets[p]``):
inputs first (layer 0, slot = input number), then layer 1, 2, ...; within a
layer by activation, aggregation, then id, as ``compile_feedforward`` orders
them.  Edges and outputs name node rows of the whole stack.

``stack_arrays_from_pool`` compiles a whole gene pool in a handful of
vectorized passes (no Python loop over genomes):

1. the enabled connections as pool node rows; the checks the single-genome
   compiler makes, on all genomes at once;
2. the nodes from which an output can be reached: one backward search from
   every output of every genome;
3. depths: one longest-path pass over the edges whose source is not an input
   (a node left at -1 lies on or behind a cycle);
4. one stable sort by (genome, layer, activation, aggregation, id) gives
   every kept node its row, and its slot within its (genome, layer).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

from ..errors import ConfigError, InvalidGenomeError
from ..genome.graph import longest_path_depths, reachable_from_any
from ..genome.pool import KEY_SHIFT, GenePool, offsets_of, ranges
from ._common import invalid
from .base import CompiledNetwork
from .feedforward import FeedForwardNetwork
from .recurrent import CTRNNNetwork, RecurrentNetwork

__all__ = [
    "StackArrays",
    "stack_arrays_from_pool",
    "recurrent_arrays_from_pool",
    "stack_arrays_from_networks",
    "take_networks",
    "networks_of",
]


class StackArrays(NamedTuple):
    """P compiled feed-forward networks as one set of flat arrays (see the module docstring).

    Attributes
    ----------
    num_inputs, num_outputs : int
    activation_names, aggregation_names : tuple of str
        The function tables the codes index.
    node_offsets : (P + 1,) int64
    node_id : (N,) int64
        Genome id of every node.
    node_layer : (N,) int64
        0 for inputs, 1 + the longest path from a non-input node otherwise.
    node_slot : (N,) int64
        Position within its (network, layer); an input's is its input number.
    bias, response : (N,) float64
        As in the genome (activation prescales are not folded in).
    activation, aggregation : (N,) int16
    edge_offsets : (P + 1,) int64
    edge_src, edge_dst : (E,) int64
        Node rows.
    edge_weight : (E,) float64
    output_node : (P, num_outputs) int64
        Node rows.
    pruned_offsets : (P + 1,) int64
    pruned_id : (K,) int64
        Ids of the nodes dropped because no output can be reached from them.
    time_constant : (N,) float64, or None
        CTRNNs only: every node's time constant.
    ctrnn : (dt, integration), or None
        CTRNNs only (``[genome] ctrnn_dt``, ``ctrnn_integration``); None: plain networks.
    """

    num_inputs: int
    num_outputs: int
    activation_names: tuple[str, ...]
    aggregation_names: tuple[str, ...]
    node_offsets: np.ndarray
    node_id: np.ndarray
    node_layer: np.ndarray
    node_slot: np.ndarray
    bias: np.ndarray
    response: np.ndarray
    activation: np.ndarray
    aggregation: np.ndarray
    edge_offsets: np.ndarray
    edge_src: np.ndarray
    edge_dst: np.ndarray
    edge_weight: np.ndarray
    output_node: np.ndarray
    pruned_offsets: np.ndarray
    pruned_id: np.ndarray
    time_constant: np.ndarray | None = None
    ctrnn: tuple[float, str] | None = None

    @property
    def size(self) -> int:
        """Number of networks ``P``."""
        return len(self.node_offsets) - 1

    @property
    def node_net(self) -> np.ndarray:
        """(N,) int64: the network of every node."""
        return np.repeat(np.arange(self.size), np.diff(self.node_offsets))


# --- from a gene pool -----------------------------------------------------------
def stack_arrays_from_pool(pool: GenePool) -> StackArrays:
    """Compile every genome of ``pool`` at once, as ``compile_feedforward`` compiles one.

    Parameters
    ----------
    pool
        A gene pool of ``P >= 1`` feed-forward genomes.

    Raises
    ------
    ConfigError
        The pool's config is recurrent.
    InvalidGenomeError
        A genome breaks what the compiler relies on, e.g. its enabled
        connections form a cycle; the message names the genome's index.
    """
    cfg = pool.config
    if not cfg.feed_forward:
        raise ConfigError(
            "cannot compile recurrent genomes ([genome] feed_forward = false) into a feed-forward population "
            "stack; neat.nn.compile_population stacks them as a RecurrentPopulationNetwork"
        )
    e = enabled_pool_edges(pool)
    # Edges from inputs neither order the layers (inputs are layer 0) nor
    # carry reachability anywhere that matters (inputs are always kept).
    inner = ~e.is_input[e.src]
    inner_src, inner_dst = e.src[inner], e.dst[inner]
    depth = longest_path_depths(len(e.is_input), inner_src, inner_dst)
    if np.any(depth < 0):
        g = int(pool.node_genome[np.argmax(depth < 0)])
        raise _invalid(pool, g, "the enabled connections form a cycle; a feed-forward network needs none")
    keep = reachable_from_any(len(e.is_input), inner_dst, inner_src, e.outputs) | e.is_input
    # compile_feedforward's order: by layer, activation, aggregation, id.
    return stack_arrays_of_kept(pool, e, keep, np.where(e.is_input, 0, depth + 1))


def recurrent_arrays_from_pool(pool: GenePool) -> StackArrays:
    """Compile every genome of ``pool`` at once, as ``compile_recurrent`` compiles one.

    Parameters
    ----------
    pool
        A gene pool of ``P >= 1`` genomes (cycles allowed; feed-forward
        genomes compile too, as ``compile_recurrent`` compiles them).

    Raises
    ------
    InvalidGenomeError
        A genome breaks what the compiler relies on (ids in order, inputs and
        outputs in place, endpoints exist, nothing enters an input, function
        codes in range); the message names the genome's index.
    """
    e = enabled_pool_edges(pool)
    # Backwards from every output along every enabled connection, cycles
    # included; edges from inputs carry nothing back (inputs are always kept).
    inner = ~e.is_input[e.src]
    keep = reachable_from_any(len(e.is_input), e.dst[inner], e.src[inner], e.outputs) | e.is_input
    # compile_recurrent's order: every non-input node in one layer, by activation, aggregation, id.
    arrays = stack_arrays_of_kept(pool, e, keep, (~e.is_input).astype(np.int64))
    cfg = pool.config
    if not cfg.ctrnn:
        return arrays
    row = np.searchsorted(pool.node_keys, (arrays.node_net << KEY_SHIFT) | arrays.node_id)  # each node's pool row
    return arrays._replace(time_constant=pool.nodes.time_constant[row], ctrnn=(cfg.ctrnn_dt, cfg.ctrnn_integration))


class PoolEdges(NamedTuple):
    """A pool's enabled connections as pool node rows, checked as the single-genome compilers check them."""

    is_input: np.ndarray  # (U,) bool, per pool node row
    src: np.ndarray  # (e,) pool node rows
    dst: np.ndarray  # (e,)
    weight: np.ndarray  # (e,)
    enabled: np.ndarray  # (m,) bool: which of the pool's connections these are
    outputs: np.ndarray  # (P * num_outputs,) pool node rows of every genome's outputs


def enabled_pool_edges(pool: GenePool) -> PoolEdges:
    """The enabled connections of every genome of ``pool`` (at least one), after the compilers' checks.

    Raises
    ------
    InvalidGenomeError
        A genome breaks what the compilers rely on; the message names its index.
    """
    if len(pool) == 0:
        raise ValueError("a population stack needs at least one network")
    n_in, n_out = pool.config.num_inputs, pool.config.num_outputs
    local = np.arange(len(pool.nodes.id), dtype=np.int64) - pool.node_offsets[pool.node_genome]  # within its genome
    src, dst = pool.edge_nodes()
    on = pool.conns.enabled
    src, dst, weight = src[on], dst[on], pool.conns.weight[on]
    _check(pool, local, src, dst, on)
    outputs = (pool.node_offsets[:-1, None] + n_in + np.arange(n_out)).ravel()
    return PoolEdges(local < n_in, src, dst, weight, on, outputs)


def stack_arrays_of_kept(pool: GenePool, edges: PoolEdges, keep: np.ndarray, node_layer: np.ndarray) -> StackArrays:
    """The flat description of ``pool``'s genomes with the nodes ``keep`` in layers ``node_layer``.

    Rows of the stack: per genome, inputs in order, then the kept nodes by
    layer, activation, aggregation, id (the compilers' order, so the source
    columns of every product come in the same order as in a single network).
    An edge into a kept node comes from a kept node or an input: those stay.

    Parameters
    ----------
    keep : (U,) bool
        Per pool node row: kept (inputs always are).
    node_layer : (U,) int64
        Per pool node row: its layer (0 for inputs).
    """
    cfg, nodes, P = pool.config, pool.nodes, len(pool)
    n_in, n_out = cfg.num_inputs, cfg.num_outputs
    is_input, node_genome = edges.is_input, pool.node_genome
    rows = np.flatnonzero(keep)
    genome = node_genome[rows]
    layer = node_layer[rows]
    act = np.where(is_input[rows], 0, nodes.activation[rows]).astype(np.int64)
    agg = np.where(is_input[rows], 0, nodes.aggregation[rows]).astype(np.int64)
    order = _stable_order(genome, layer, act, agg, len(cfg.activation_options), len(cfg.aggregation_options))
    rows, genome, layer = rows[order], genome[order], layer[order]
    N = len(rows)
    position = np.arange(N, dtype=np.int64)
    run_starts = np.ones(N, dtype=bool)
    run_starts[1:] = (genome[1:] != genome[:-1]) | (layer[1:] != layer[:-1])
    slot = position - np.maximum.accumulate(np.where(run_starts, position, 0))
    new_row = np.full(len(keep), -1, dtype=np.int64)
    new_row[rows] = position

    live = new_row[edges.dst] >= 0
    pruned = np.flatnonzero(~keep)
    return StackArrays(
        num_inputs=n_in,
        num_outputs=n_out,
        activation_names=tuple(cfg.activation_options),
        aggregation_names=tuple(cfg.aggregation_options),
        node_offsets=offsets_of(np.bincount(genome, minlength=P)),
        node_id=nodes.id[rows],
        node_layer=layer,
        node_slot=slot,
        bias=nodes.bias[rows],
        response=nodes.response[rows],
        activation=nodes.activation[rows],
        aggregation=nodes.aggregation[rows],
        edge_offsets=offsets_of(np.bincount(pool.conn_genome[edges.enabled][live], minlength=P)),
        edge_src=new_row[edges.src[live]],
        edge_dst=new_row[edges.dst[live]],
        edge_weight=edges.weight[live],
        output_node=new_row[edges.outputs].reshape(P, n_out),
        pruned_offsets=offsets_of(np.bincount(node_genome[pruned], minlength=P)),
        pruned_id=nodes.id[pruned],
    )


def _stable_order(
    genome: np.ndarray, layer: np.ndarray, act: np.ndarray, agg: np.ndarray, n_act: int, n_agg: int
) -> np.ndarray:
    """The stable order of rows by (genome, layer, act, agg): one int64 key when it fits, else ``lexsort``."""
    n_layers = int(layer.max()) + 1 if len(layer) else 1
    if len(genome) and int(genome[-1] + 1) * n_layers * n_act * n_agg < 2**62:
        key = ((genome * n_layers + layer) * n_act + act) * n_agg + agg
        # Rows come sorted by genome already: the stable sort sees long sorted runs.
        return np.argsort(key, kind="stable")
    return np.lexsort((agg, act, layer, genome))


def _check(pool: GenePool, local: np.ndarray, src: np.ndarray, dst: np.ndarray, on: np.ndarray) -> None:
    """What ``enabled_edges`` checks for one genome, on every genome of ``pool`` at once.

    ``src, dst`` are the enabled connections' endpoints as found by
    ``pool.edge_nodes()`` (wrong rows where an endpoint does not exist).
    Ids are below ``2**32``, as the pool's keys assume.
    """
    cfg, nodes, conns = pool.config, pool.nodes, pool.conns
    U = len(nodes.id)
    ids, node_genome = nodes.id, pool.node_genome
    fixed = cfg.num_inputs + cfg.num_outputs
    checks: list[tuple[np.ndarray, str]] = []

    def flag(genomes: np.ndarray, reason: str) -> None:
        if genomes.size:
            checks.append((genomes, reason))

    # Ids ascending within each genome, and its first `fixed` ids 0 .. fixed - 1.
    id_reason = "node ids must be ascending, with inputs and outputs first"
    short = np.flatnonzero(pool.node_counts < fixed)
    if U == 0:  # no genome has a node (the row guards below need one row)
        raise _invalid(pool, 0, id_reason)
    fixed_rows = np.minimum(pool.node_offsets[:-1, None] + np.arange(fixed), U - 1)
    misplaced = np.flatnonzero(~np.all(ids[fixed_rows] == np.arange(fixed), axis=1))
    same = node_genome[1:] == node_genome[:-1]
    descending = node_genome[1:][same & (ids[1:] <= ids[:-1])]
    flag(np.concatenate((short, misplaced, descending)), id_reason)
    for name, options in (("activation", cfg.activation_options), ("aggregation", cfg.aggregation_options)):
        # As unsigned, a negative int16 code is huge: one comparison checks both ends.
        out_of_range = getattr(nodes, name).view(np.uint16) >= len(options)
        flag(node_genome[out_of_range], f"a node's {name} code is out of range for {list(options)}")
    conn_genome = pool.conn_genome[on]
    # The row found for an endpoint holds it iff its (genome, id) key is the
    # endpoint's; a row past the end (U) is clipped onto a node whose key is smaller.
    node_keys, conn_high = pool.node_keys, conn_genome << KEY_SHIFT
    missing = node_keys[np.minimum(src, U - 1)] != (conn_high | conns.src[on])
    missing |= node_keys[np.minimum(dst, U - 1)] != (conn_high | conns.dst[on])
    flag(conn_genome[missing], "a connection's endpoint does not exist")
    flag(conn_genome[~missing & (local[np.minimum(dst, U - 1)] < cfg.num_inputs)], "a connection enters an input node")
    if checks:
        g = min(int(genomes.min()) for genomes, _ in checks)
        reason = next(reason for genomes, reason in checks if np.any(genomes == g))
        raise _invalid(pool, g, reason)


def _invalid(pool: GenePool, g: int, reason: str) -> InvalidGenomeError:
    """The error compiling genome ``g`` alone would raise (``validate()``'s own if it finds one), naming ``g``."""
    try:
        error = invalid(pool[g], reason)
    except InvalidGenomeError as exc:
        error = exc
    return InvalidGenomeError(f"genome {g} of the population: {error}")


# --- from compiled networks ---------------------------------------------------------
def stack_arrays_from_networks(networks: Sequence[FeedForwardNetwork] | Sequence[RecurrentNetwork]) -> StackArrays:
    """The flat description of compiled networks (equal ``num_inputs`` and ``num_outputs``, at least one).

    Feed-forward networks keep their layers; a recurrent network has every
    non-input node in layer 1.

    Networks naming other function tables get the sorted union of all names.
    """
    nets = list(networks)
    n_in, n_out = nets[0].num_inputs, nets[0].num_outputs
    act_names, agg_names = nets[0].activation_names, nets[0].aggregation_names
    same_names = all(n.activation_names == act_names and n.aggregation_names == agg_names for n in nets)
    if not same_names:
        act_names = tuple(sorted({name for net in nets for name in net.activation_names}))
        agg_names = tuple(sorted({name for net in nets for name in net.aggregation_names}))
    node_counts = np.array([net.num_nodes for net in nets], dtype=np.int64)
    node_offsets = offsets_of(node_counts)
    parts: dict[str, list[np.ndarray]] = {key: [] for key in ("layer", "slot", "act", "agg", "src", "dst", "out")}
    for p, net in enumerate(nets):
        index = np.arange(net.num_nodes)
        bounds = np.concatenate(([0], getattr(net, "layer_bounds", [n_in, net.num_nodes])))  # inputs: layer 0
        layer = np.searchsorted(bounds, index, side="right") - 1
        parts["layer"].append(layer)
        parts["slot"].append(index - bounds[layer])
        act, agg = net.activation_codes, net.aggregation_codes
        if not same_names:
            act = np.searchsorted(act_names, net.activation_names)[act]
            agg = np.searchsorted(agg_names, net.aggregation_names)[agg]
        parts["act"].append(act)
        parts["agg"].append(agg)
        offset = node_offsets[p]
        parts["src"].append(offset + net.edge_src)
        parts["dst"].append(offset + net.edge_dst)
        parts["out"].append(offset + net.output_indices)
    return StackArrays(
        num_inputs=n_in,
        num_outputs=n_out,
        activation_names=tuple(act_names),
        aggregation_names=tuple(agg_names),
        node_offsets=node_offsets,
        node_id=np.concatenate([net.node_ids for net in nets]),
        node_layer=np.concatenate(parts["layer"]).astype(np.int64),
        node_slot=np.concatenate(parts["slot"]).astype(np.int64),
        bias=np.concatenate([net.bias for net in nets]),
        response=np.concatenate([net.response for net in nets]),
        activation=np.concatenate(parts["act"]).astype(np.int16),
        aggregation=np.concatenate(parts["agg"]).astype(np.int16),
        edge_offsets=offsets_of([net.num_connections for net in nets]),
        edge_src=np.concatenate(parts["src"]).astype(np.int64),
        edge_dst=np.concatenate(parts["dst"]).astype(np.int64),
        edge_weight=np.concatenate([net.edge_weight for net in nets]),
        output_node=np.stack(parts["out"]).astype(np.int64),
        pruned_offsets=offsets_of([len(net.pruned_ids) for net in nets]),
        pruned_id=np.concatenate([net.pruned_ids for net in nets]),
        **_ctrnn_arrays(nets),
    )


def _ctrnn_arrays(nets: list) -> dict[str, Any]:
    """``time_constant`` and ``ctrnn`` of CTRNNs (all with one dt and integration); nothing for plain networks."""
    kinds = {(net.dt, net.integration) if isinstance(net, CTRNNNetwork) else None for net in nets}
    if len(kinds) > 1:
        raise ValueError(f"cannot stack networks of different time steps or kinds: {sorted(map(str, kinds))}")
    (kind,) = kinds
    if kind is None:
        return {}
    return {"time_constant": np.concatenate([net.time_constant for net in nets]), "ctrnn": kind}


# --- slicing and unpacking ------------------------------------------------------------
def take_networks(arrays: StackArrays, rows: np.ndarray) -> StackArrays:
    """The flat description of networks ``rows`` ((k,) int, in that order; repeats allowed).

    Three ``ranges`` gathers and a shift of the row numbers; no loop over networks.
    """
    rows = np.asarray(rows, dtype=np.int64)
    node_counts = np.diff(arrays.node_offsets)[rows]
    edge_counts = np.diff(arrays.edge_offsets)[rows]
    pruned_counts = np.diff(arrays.pruned_offsets)[rows]
    node_offsets = offsets_of(node_counts)
    node_rows = ranges(arrays.node_offsets[rows], node_counts)
    edge_rows = ranges(arrays.edge_offsets[rows], edge_counts)
    # Old node row + shift[j] = new node row, for the nodes of network rows[j].
    shift = node_offsets[:-1] - arrays.node_offsets[rows]
    edge_shift = np.repeat(shift, edge_counts)
    return arrays._replace(
        node_offsets=node_offsets,
        node_id=arrays.node_id[node_rows],
        node_layer=arrays.node_layer[node_rows],
        node_slot=arrays.node_slot[node_rows],
        bias=arrays.bias[node_rows],
        response=arrays.response[node_rows],
        activation=arrays.activation[node_rows],
        aggregation=arrays.aggregation[node_rows],
        edge_offsets=offsets_of(edge_counts),
        edge_src=arrays.edge_src[edge_rows] + edge_shift,
        edge_dst=arrays.edge_dst[edge_rows] + edge_shift,
        edge_weight=arrays.edge_weight[edge_rows],
        output_node=arrays.output_node[rows] + shift[:, None],
        pruned_offsets=offsets_of(pruned_counts),
        pruned_id=arrays.pruned_id[ranges(arrays.pruned_offsets[rows], pruned_counts)],
        time_constant=None if arrays.time_constant is None else arrays.time_constant[node_rows],
    )


def networks_of(
    arrays: StackArrays,
    dtype: Any = np.float64,
    network: type[CompiledNetwork] = FeedForwardNetwork,
    exact: bool = False,
) -> tuple[Any, ...]:
    """Every network of the description as a ``network`` (one constructor call each; recurrent ones without state).

    Each equals (same arrays) what ``compile_feedforward`` (``compile_recurrent``
    for ``network=RecurrentNetwork``) makes of its genome; ``exact``: in exact mode.
    """
    layered = network is FeedForwardNetwork
    a = arrays
    if a.ctrnn is not None and not layered:
        network = CTRNNNetwork
    out = []
    for p in range(a.size):
        n0, n1 = int(a.node_offsets[p]), int(a.node_offsets[p + 1])
        e0, e1 = int(a.edge_offsets[p]), int(a.edge_offsets[p + 1])
        k0, k1 = int(a.pruned_offsets[p]), int(a.pruned_offsets[p + 1])
        out.append(
            network(
                num_inputs=a.num_inputs,
                node_ids=a.node_id[n0:n1],
                **({"layer_bounds": np.cumsum(np.bincount(a.node_layer[n0:n1]))} if layered else {}),
                output_indices=a.output_node[p] - n0,
                bias=a.bias[n0:n1],
                response=a.response[n0:n1],
                activation_codes=a.activation[n0:n1],
                aggregation_codes=a.aggregation[n0:n1],
                activation_names=a.activation_names,
                aggregation_names=a.aggregation_names,
                edge_src=a.edge_src[e0:e1] - n0,
                edge_dst=a.edge_dst[e0:e1] - n0,
                edge_weight=a.edge_weight[e0:e1],
                pruned_ids=a.pruned_id[k0:k1],
                **({} if a.ctrnn is None or layered else
                   {"time_constant": a.time_constant[n0:n1], "dt": a.ctrnn[0], "integration": a.ctrnn[1]}),
                dtype=dtype,
                exact=exact,
                check=False,
            )
        )
    return tuple(out)
