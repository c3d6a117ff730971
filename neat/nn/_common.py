"""Internals shared by the network compilers (not public API).

- reading a genome's enabled connections as node positions, with the few
  checks the compilers rely on, and its nodes in a network's numbering;
- checking the ``X`` given to a network;
- node blocks: a run of consecutive node indices evaluated together, with one
  matrix product for every sum-aggregation node (or, in exact mode, one sum
  of terms), one gather per group of other aggregations, and one call per
  activation function.

Networks keep their values in a buffer ``B`` of shape ``(1 + n_nodes, batch)``
(or ``(1 + n_nodes,)`` for one input vector).  Row 0 is the constant 1, so the
bias of a sum node is one more weight of the matrix product; node index ``i``
lives in row ``i + 1``.  Rows are nodes so that a block writes contiguous
memory, and elementwise activations run over contiguous rows.

Exact mode (``exact=True``): see ``neat.nn._terms``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import numpy as np

from ..errors import InvalidGenomeError
from ..functions import (
    activation_function,
    activation_prescale,
    activation_unguarded,
    aggregation_function,
    is_builtin_sum,
)
from ..genome import Genome
from ..genome.graph import reachable_from
from ._terms import Terms, pack_terms, sum_terms

ArrayFn = Callable[[np.ndarray], np.ndarray]


# --- reading genomes --------------------------------------------------------
def invalid(genome: Genome, reason: str) -> InvalidGenomeError:
    """The error for a genome a compiler cannot read: ``validate()``'s own if it finds one."""
    genome.validate()
    return InvalidGenomeError(reason)


def enabled_edges(genome: Genome) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Enabled connections as node positions, in innovation order.

    Checks what the compilers rely on (ids sorted, inputs and outputs in
    place, endpoints exist, nothing enters an input, function codes in range);
    on a failure ``genome.validate()`` raises ``InvalidGenomeError``.

    Returns
    -------
    src, dst : (e,) int64
        Positions in ``genome.nodes``.
    weight : (e,) float64
    """
    cfg = genome.config
    nodes, conns = genome.nodes, genome.conns
    ids = nodes.id
    n, fixed = len(ids), cfg.num_inputs + cfg.num_outputs
    if n < fixed or ids[fixed - 1] != fixed - 1 or (n > 1 and not (ids[1:] > ids[:-1]).all()):
        raise invalid(genome, "node ids must be ascending, with inputs and outputs first")
    for name, options in (("activation", cfg.activation_options), ("aggregation", cfg.aggregation_options)):
        # As unsigned, a negative int16 code is huge: one max() checks both ends.
        if getattr(nodes, name).view(np.uint16).max() >= len(options):
            raise invalid(genome, f"a node's {name} code is out of range for {list(options)}")
    on = conns.enabled
    src_id, dst_id = conns.src[on], conns.dst[on]
    ends = np.concatenate((src_id, dst_id))
    pos = np.searchsorted(ids, ends)
    if ends.size and (pos.max() >= n or not (ids[pos] == ends).all()):
        raise invalid(genome, "a connection's endpoint does not exist")
    src, dst = pos[: len(src_id)], pos[len(src_id) :]
    if dst.size and dst.min() < cfg.num_inputs:
        raise invalid(genome, "a connection enters an input node")
    return src, dst, conns.weight[on]


def reaching_outputs(n: int, n_inputs: int, n_outputs: int, src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """Mask of the node positions from which some output can be reached (outputs and inputs included).

    Parameters
    ----------
    n
        Number of nodes; positions ``n_inputs .. n_inputs + n_outputs - 1`` are the outputs.
    src, dst : (e,) int
        Edges between positions.

    Returns
    -------
    (n,) bool
    """
    # Backwards from a virtual node feeding every output.
    virtual = n
    rev_src = np.concatenate((dst, np.full(n_outputs, virtual, dtype=np.int64)))
    rev_dst = np.concatenate((src, np.arange(n_inputs, n_inputs + n_outputs, dtype=np.int64)))
    keep = reachable_from(n + 1, rev_src, rev_dst, virtual)[:n]
    keep[:n_inputs] = True
    return keep


def renumbered_nodes(genome: Genome, kept: np.ndarray) -> tuple[np.ndarray, dict[str, Any]]:
    """The genome's nodes numbered as a network's: inputs first, then ``kept`` in its order.

    Parameters
    ----------
    kept : (k,) int
        Positions of the non-input nodes kept (every output among them), in
        the order the network is to number them.

    Returns
    -------
    index : (n,) int64
        The node index of each position of ``genome.nodes``; -1 for the nodes not kept.
    arguments : dict
        The network constructor's keywords describing the nodes: ``num_inputs``,
        ``node_ids``, ``output_indices``, ``bias``, ``response``,
        ``activation_codes``, ``aggregation_codes``, ``activation_names`` and
        ``aggregation_names``.
    """
    cfg, nodes = genome.config, genome.nodes
    n_in, n_out = cfg.num_inputs, cfg.num_outputs
    perm = np.concatenate((np.arange(n_in), kept))
    index = np.full(len(nodes.id), -1, dtype=np.int64)
    index[perm] = np.arange(len(perm))
    return index, {
        "num_inputs": n_in,
        "node_ids": nodes.id[perm],
        "output_indices": index[n_in : n_in + n_out],
        "bias": nodes.bias[perm],
        "response": nodes.response[perm],
        "activation_codes": nodes.activation[perm],
        "aggregation_codes": nodes.aggregation[perm],
        "activation_names": cfg.activation_options,
        "aggregation_names": cfg.aggregation_options,
    }


# --- arrays -------------------------------------------------------------------
def float_dtype(dtype: Any) -> np.dtype:
    """``dtype`` as a NumPy float32 or float64 dtype (``ValueError`` otherwise)."""
    dt = np.dtype(dtype)
    if dt not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise ValueError(f"dtype must be float32 or float64, got {dt}")
    return dt


def frozen(values: Any, dtype: Any, copy: bool = True) -> np.ndarray:
    """``values`` as a read-only array of ``dtype`` (a copy unless ``copy`` is false and none is needed)."""
    arr = np.array(values, dtype=dtype) if copy else np.asarray(values, dtype=dtype)
    arr.flags.writeable = False
    return arr


def check_codes(codes: np.ndarray, names: tuple[str, ...], what: str) -> None:
    """``ValueError`` unless every code indexes ``names``."""
    if not names:
        raise ValueError(f"{what}_names must not be empty")
    if len(codes) and (codes.min() < 0 or codes.max() >= len(names)):
        raise ValueError(f"{what}_codes must lie in [0, {len(names)}) for {list(names)}")


# --- input checks -----------------------------------------------------------
def check_input(X: object, n_inputs: int) -> np.ndarray:
    """``X`` as an array of shape ``(batch, n_inputs)`` or ``(n_inputs,)``; ``ValueError`` otherwise."""
    X = np.asarray(X)
    if X.dtype.kind not in "fiub":
        raise ValueError(f"expected X of shape (batch, {n_inputs}) with a numeric (real) dtype, got dtype {X.dtype}")
    if X.ndim == 2:
        if X.shape[1] != n_inputs:
            raise ValueError(f"expected X of shape (batch, {n_inputs}), got {X.shape}")
    elif X.ndim == 1:
        if X.shape[0] != n_inputs:
            raise ValueError(f"expected x of shape ({n_inputs},), got {X.shape}")
    else:
        raise ValueError(f"expected X of shape (batch, {n_inputs}) or ({n_inputs},), got {X.shape}")
    return X


# --- node functions -----------------------------------------------------------
def resolve_functions(
    activation_names: Sequence[str], aggregation_names: Sequence[str]
) -> tuple[list[ArrayFn], list[ArrayFn]]:
    """The registered functions behind the names (``ConfigError`` if one is not registered)."""
    return (
        [activation_function(name) for name in activation_names],
        [aggregation_function(name) for name in aggregation_names],
    )


class Gather(NamedTuple):
    """Nodes of one block sharing an aggregation (other than sum) and a fan-in.

    ``rows`` index the block's pre-activations; ``src`` the buffer rows of
    the weighted inputs of each node, in innovation order.  Fan-in 0 means an
    empty set of inputs, which aggregates to 0 (the node outputs ``act(bias)``).
    """

    rows: np.ndarray  # (k,) int64
    src: np.ndarray  # (k, fan) int64
    weight: np.ndarray  # (k, fan, 1)
    response: np.ndarray  # (k, 1)
    bias: np.ndarray  # (k, 1)
    aggregate: ArrayFn | None  # None when fan == 0


Block = tuple
"""A block of nodes with consecutive indices, evaluated together: the tuple
``(read, start, stop, weights, activation, groups, gathers)``.

It writes buffer rows ``start:stop`` from rows ``0:read``.  ``weights``:
``(stop - start, read)``; ``weights @ B[:read]`` gives ``response * sum + bias``
for the sum nodes (column 0 multiplies the constant row).  In exact mode
``weights`` is a ``Terms`` instead (``sum_terms(B, *weights)`` gives the same).  ``activation`` is
the one function of every node, or ``None`` when ``groups`` lists
``(a, b, fn)`` for rows ``a:b`` of the block; ``gathers`` (a tuple of
``Gather``) computes the nodes with other aggregations.  A plain tuple, as it
is unpacked once per block per call.
"""


def build_blocks(
    starts: Sequence[int],
    stops: Sequence[int],
    reads: Sequence[int],
    bias: np.ndarray,
    response: np.ndarray,
    act_code: np.ndarray,
    agg_code: np.ndarray,
    act_fns: Sequence[ArrayFn],
    agg_fns: Sequence[ArrayFn],
    edge_src: np.ndarray,
    edge_dst: np.ndarray,
    edge_weight: np.ndarray,
    dtype: np.dtype,
    exact: bool = False,
) -> list[Block]:
    """Evaluation blocks for consecutive node-index ranges.

    Parameters
    ----------
    starts, stops, reads
        Block ``k`` computes the nodes ``starts[k] .. stops[k] - 1`` from the
        nodes ``0 .. reads[k] - 1``; ``stops[k] == starts[k + 1]`` and the last
        block ends at the last node.  Every edge into a block must come from
        below its ``read``.
    bias, response : (n_nodes,) float64
    act_code, agg_code : (n_nodes,) int
        Positions in ``act_fns`` / ``agg_fns``.
    edge_src, edge_dst, edge_weight : (e,)
        Edges between node indices, in innovation order.
    dtype
        Type of the weights (and so of the arithmetic).
    exact
        Give every block ``Terms`` (exact mode, see the module docstring)
        instead of a dense weight matrix.
    """
    n_nodes, n_blocks, first = len(bias), len(starts), starts[0]

    # Activations declaring fn(z) == g(c * z) get c folded into their nodes'
    # weights and bias, and g called instead.
    prescales = [activation_prescale(fn) for fn in act_fns]
    act_fns = [inner for _, inner in prescales]
    scale = np.array([c for c, _ in prescales])[act_code]
    bias, response = bias * scale, response * scale

    sum_code = [is_builtin_sum(fn) for fn in agg_fns]
    all_sum = all(sum_code)
    if all_sum:
        d, s, w = edge_dst, edge_src, edge_weight
        sum_nodes: Any = slice(first, None)
        node_is_sum = None
    else:
        node_is_sum = np.array(sum_code, dtype=bool)[agg_code]
        into_sum = node_is_sum[edge_dst]
        d, s, w = edge_dst[into_sum], edge_src[into_sum], edge_weight[into_sum]
        sum_nodes = np.flatnonzero(node_is_sum[first:]) + first
    widths = np.subtract(stops, starts)
    block_of = None  # each node's block: for exact mode's terms and the gathers only
    if exact or node_is_sum is not None:
        block_of = np.full(n_nodes, -1, dtype=np.int64)
        block_of[first:] = np.repeat(np.arange(n_blocks), widths)
    sums = (sum_nodes, d, s, w, bias, response, dtype)
    if exact:
        block_weights = _term_weights(block_of, starts, widths, *sums)
    else:
        block_weights = _dense_weights(starts, stops, reads, first, *sums)
    gathers = {}
    if node_is_sum is not None:
        gathers = _gathers(
            block_of,
            np.array(starts, dtype=np.int64),
            node_is_sum,
            agg_code,
            agg_fns,
            bias,
            response,
            edge_src,
            edge_dst,
            edge_weight,
            dtype,
        )

    codes = act_code.tolist()
    blocks = []
    for k in range(n_blocks):
        a, b, r = starts[k], stops[k], reads[k]
        block_codes = codes[a:b]
        if block_codes.count(block_codes[0]) == len(block_codes):
            activation, groups = act_fns[block_codes[0]], ()
        else:
            activation, groups = None, tuple(_runs(block_codes, act_fns))
        blocks.append((r + 1, a + 1, b + 1, block_weights[k], activation, groups, gathers.get(k, ())))
    return blocks


def unguarded_blocks(blocks: Sequence[Block]) -> tuple[list[Block], bool]:
    """``blocks`` with every activation that declares an unguarded form replaced by it, and whether any was.

    Where one was, evaluate the blocks inside ``np.errstate(over="ignore")``
    (``neat.functions.activation_unguarded``): the same values, one
    ``errstate`` per call instead of one per layer.
    """
    replaced = False

    def bare(fn: ArrayFn) -> ArrayFn:
        nonlocal replaced
        inner, declared = activation_unguarded(fn)
        replaced |= declared
        return inner

    out = [
        (read, start, stop, weights, None if activation is None else bare(activation),
         tuple((a, b, bare(fn)) for a, b, fn in groups), gathers)
        for read, start, stop, weights, activation, groups, gathers in blocks
    ]
    return out, replaced


def _dense_weights(
    starts: Sequence[int], stops: Sequence[int], reads: Sequence[int], first: int, sum_nodes: Any,
    d: np.ndarray, s: np.ndarray, w: np.ndarray, bias: np.ndarray, response: np.ndarray, dtype: np.dtype,
) -> list[np.ndarray]:
    """Block ``k``'s ``(width, read + 1)`` weight matrix for each block: the bias in column 0, then the
    response-folded weights ``w`` of the edges ``s -> d`` into the sum nodes."""
    # Block k's weights are flat[offsets[k]:offsets[k + 1]], and row_of[i] is
    # where node i's row starts (its bias; its weights follow).
    offsets, row_of = [0], [-1] * first
    for a, b, r in zip(starts, stops, reads):
        at, r1 = offsets[-1], r + 1  # + 1: the constant row
        offsets.append(at + (b - a) * r1)
        row_of.extend(range(at, offsets[-1], r1))
    row = np.array(row_of, dtype=np.int64)
    flat = np.zeros(offsets[-1], dtype=np.float64)
    # add.at because a repeated (src, dst) pair would add up, as in a sum.
    flat[row[sum_nodes]] = bias[sum_nodes]
    np.add.at(flat, row[d] + s + 1, w * response[d])
    flat = flat.astype(dtype, copy=False)
    return [flat[offsets[k] : offsets[k + 1]].reshape(b - a, r + 1)
            for k, (a, b, r) in enumerate(zip(starts, stops, reads))]


def _term_weights(
    block_of: np.ndarray, starts: Sequence[int], widths: np.ndarray, sum_nodes: Any,
    d: np.ndarray, s: np.ndarray, w: np.ndarray, bias: np.ndarray, response: np.ndarray, dtype: np.dtype,
) -> list[Terms]:
    """Exact mode: each block's ``Terms`` (``neat.nn._terms``), the sum nodes' bias against the
    constant row 0, then every input's response-folded weight against its row."""
    n_nodes = len(block_of)
    column_of = np.arange(n_nodes) - np.asarray(starts, dtype=np.int64)[block_of]
    sum_index = np.arange(n_nodes)[sum_nodes]
    target = np.concatenate((sum_index, d))
    flat, flat_weight, offsets, depth = pack_terms(
        block_of[target],
        column_of[target],
        np.concatenate((np.zeros(len(sum_index), dtype=np.int64), s + 1)),
        np.concatenate((bias[sum_index], w * response[d])),
        widths,
        dtype,
    )
    parts = [slice(offsets[k], offsets[k + 1]) for k in range(len(widths))]
    return [Terms(flat[part].reshape(int(depth[k]), int(widths[k])),
                  flat_weight[part].reshape(int(depth[k]), int(widths[k]), 1)) for k, part in enumerate(parts)]


def _runs(codes: list[int], fns: Sequence[ArrayFn]) -> list[tuple[int, int, ArrayFn]]:
    """Maximal runs of equal codes as ``(a, b, fn)``."""
    runs, a = [], 0
    for b in range(1, len(codes) + 1):
        if b == len(codes) or codes[b] != codes[a]:
            runs.append((a, b, fns[codes[a]]))
            a = b
    return runs


def _gathers(
    block_of: np.ndarray,
    starts: np.ndarray,
    node_is_sum: np.ndarray,
    agg_code: np.ndarray,
    agg_fns: Sequence[ArrayFn],
    bias: np.ndarray,
    response: np.ndarray,
    edge_src: np.ndarray,
    edge_dst: np.ndarray,
    edge_weight: np.ndarray,
    dtype: np.dtype,
) -> dict[int, tuple[Gather, ...]]:
    """Gather groups per block for the nodes whose aggregation is not the sum."""
    others = np.flatnonzero(~node_is_sum & (block_of >= 0))
    if others.size == 0:
        return {}
    into = ~node_is_sum[edge_dst]
    # Stable sort by target keeps each node's inputs in innovation order.
    order = np.argsort(edge_dst[into], kind="stable")
    e_src, e_dst, e_w = edge_src[into][order], edge_dst[into][order], edge_weight[into][order]
    fan = np.bincount(e_dst, minlength=len(block_of))
    first = np.zeros(len(block_of) + 1, dtype=np.int64)
    np.cumsum(fan, out=first[1:])
    out: dict[int, list[Gather]] = {}
    keys = np.stack((block_of[others], agg_code[others], fan[others]), axis=1)
    groups, inverse = np.unique(keys, axis=0, return_inverse=True)
    inverse = inverse.ravel()
    for g, (blk, agg, k) in enumerate(groups.tolist()):
        nodes = others[inverse == g]
        positions = first[nodes][:, None] + np.arange(k)
        out.setdefault(blk, []).append(
            Gather(
                rows=nodes - starts[blk],
                src=e_src[positions] + 1,
                weight=e_w[positions].astype(dtype)[:, :, None],
                response=response[nodes].astype(dtype)[:, None],
                bias=bias[nodes].astype(dtype)[:, None],
                aggregate=agg_fns[agg] if k else None,
            )
        )
    return {blk: tuple(gs) for blk, gs in out.items()}


# --- evaluation ---------------------------------------------------------------
def run_block(
    B: np.ndarray,
    read: int,
    start: int,
    stop: int,
    weights: np.ndarray,
    activation: ArrayFn | None,
    groups: tuple[tuple[int, int, ArrayFn], ...],
    gathers: tuple[Gather, ...],
) -> None:
    """Evaluate one block (the fields of a ``Block``) into the buffer ``B`` (``(rows,)`` or ``(rows, batch)``).

    Exact mode (``weights`` a ``Terms``) needs ``B`` of shape ``(rows, batch)``.
    """
    exact = isinstance(weights, Terms)
    z = sum_terms(B, *weights) if exact else np.dot(weights, B[:read])
    for g in gathers:
        if g.aggregate is None:
            z[g.rows] = g.bias if B.ndim == 2 else g.bias[:, 0]
        elif B.ndim == 2:
            # (k, fan, batch) -> (k, batch, fan): aggregations reduce the last axis
            # (contiguous in exact mode, so alike for any k and batch).
            weighted = (B[g.src] * g.weight).transpose(0, 2, 1)
            if exact:
                weighted = np.ascontiguousarray(weighted)
            z[g.rows] = g.response * g.aggregate(weighted) + g.bias
        else:
            z[g.rows] = g.response[:, 0] * g.aggregate(B[g.src] * g.weight[:, :, 0]) + g.bias[:, 0]
    if activation is not None:
        B[start:stop] = activation(z)
    else:
        for a, b, fn in groups:
            B[start + a : start + b] = fn(z[a:b])
