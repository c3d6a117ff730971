"""Compatibility distances of many genomes of a gene pool to several representatives at once.

``pool_distances(pool, rows, representatives, config)`` gives the ``(k, R)``
matrix of ``distance(pool[rows[i]], representatives[r])`` (``neat.genome.distance``,
the NEAT paper's eq. 1 or neat-python's formula) in a few vectorized
passes: the representatives' genes are laid out densely over the
innovation numbers they hold, every gene of the chosen genomes looks its
innovation up there once, and per-genome sums are differences of cumulative
sums along the genes (genomes are contiguous runs of a pool).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from ..config import Config, SpeciationConfig
from .crossover import lookup_sorted
from .pool import KEY_SHIFT, GenePool, offsets_of, ranges

__all__ = ["pool_distances", "pair_distances", "matching_counts", "first_within"]

_CHUNK_VALUES = 1 << 23
"""Bound on representatives x genes per pass (the temporaries are this many float64s)."""


def speciation_config_of(config: Config | SpeciationConfig) -> SpeciationConfig:
    """The ``SpeciationConfig`` inside ``config`` (or ``config`` itself)."""
    return config.speciation if isinstance(config, Config) else config


def _segment_sums(values: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """Sums of ``values`` (R, n) over the column runs ``[bounds[i], bounds[i + 1])``: (R, k) float64."""
    starts = bounds[:-1]
    nonempty = bounds[1:] > starts
    out = np.zeros((values.shape[0], len(starts)))
    if nonempty.any():
        dtype = np.int64 if values.dtype == bool else None
        out[:, nonempty] = np.add.reduceat(values, starts[nonempty], axis=1, dtype=dtype)
    return out


class _Dense(NamedTuple):
    """Representatives' genes laid out over the sorted keys (innovations or node ids) they hold.

    Column ``K`` (the last) stands for every key no representative holds.
    """

    keys: np.ndarray  # (K,) sorted unique keys held by some representative
    has: np.ndarray  # (R, K + 1) bool
    column: dict  # attribute name -> (R, K + 1) values
    count: np.ndarray  # (R,) genes per representative
    below: np.ndarray  # (R, K + 1) genes with key index < j
    top: np.ndarray  # (R,) largest key held (-1 if none)


def _dense(reps: GenePool, keys: np.ndarray, offsets: np.ndarray, owner: np.ndarray, counts: np.ndarray,
           columns: dict[str, np.ndarray]) -> _Dense:
    """The representatives' genes ``keys`` (innovations or node ids, ``offsets``/``owner``/``counts`` theirs) laid out densely."""
    r = len(reps)
    unique = np.unique(keys)
    col = np.searchsorted(unique, keys)
    has = np.zeros((r, len(unique) + 1), dtype=bool)
    has[owner, col] = True
    dense = {}
    for name, values in columns.items():
        table = np.zeros((r, len(unique) + 1), dtype=values.dtype)
        table[owner, col] = values
        dense[name] = table
    below = np.zeros((r, len(unique) + 1), dtype=np.int64)
    np.cumsum(has[:, :-1], axis=1, out=below[:, 1:])
    top = np.full(r, -1, dtype=np.int64)
    nonempty = counts > 0
    top[nonempty] = keys[offsets[1:][nonempty] - 1]
    return _Dense(unique, has, dense, counts, below, top)


def _lookup(dense: _Dense, keys: np.ndarray) -> np.ndarray:
    """Column of each key in ``dense`` (the last column when no representative holds it)."""
    k = len(dense.keys)
    if k == 0:
        return np.zeros(len(keys), dtype=np.int64)
    col = np.searchsorted(dense.keys, keys)
    np.minimum(col, k - 1, out=col)
    col[dense.keys[col] != keys] = k
    return col


def normalizer(count_a: np.ndarray | int, count_b: np.ndarray | int, min_genes: int) -> np.ndarray:
    """N of the distance: the larger gene count, 1 when both are below ``min_genes`` (or both empty)."""
    larger = np.maximum(count_a, count_b)
    small = (np.asarray(count_a) < min_genes) & (np.asarray(count_b) < min_genes)
    return np.where(small | (larger == 0), 1, larger).astype(np.float64)


def _connection_terms(
    sc: SpeciationConfig, excess: np.ndarray, disjoint: np.ndarray, attribute_sum: np.ndarray,
    matching: np.ndarray, n: np.ndarray,
) -> np.ndarray:
    """The connection part of the distance from its counts (``attribute_sum``: the summed weight
    differences of matching genes, plus, for the neat_python formula, their differing enabled flags)."""
    if sc.distance_formula == "neat_python":
        return (
            sc.excess_coefficient * excess + sc.disjoint_coefficient * disjoint + sc.weight_coefficient * attribute_sum
        ) / n
    mean_diff = np.divide(attribute_sum, matching, out=np.zeros_like(attribute_sum, dtype=np.float64), where=matching > 0)
    return sc.excess_coefficient * excess / n + sc.disjoint_coefficient * disjoint / n + sc.weight_coefficient * mean_diff


def pool_distances(
    pool: GenePool,
    rows: np.ndarray | None,
    representatives: GenePool,
    config: Config | SpeciationConfig,
) -> np.ndarray:
    """Compatibility distance of genomes ``rows`` of ``pool`` to every representative.

    Parameters
    ----------
    pool
        The generation's genomes.
    rows : (k,) int, or None for every genome of ``pool``
    representatives
        R genomes (of the same genome config) as a pool.
    config
        The ``Config`` or its ``SpeciationConfig``: the formula and coefficients.

    Returns
    -------
    (k, R) float64, equal (up to float rounding) to
    ``distance(pool[rows[i]], representatives[r], config)``.
    """
    sc = speciation_config_of(config)
    rows = None if rows is None else np.asarray(rows, dtype=np.int64)
    k = len(pool) if rows is None else len(rows)
    r_count = len(representatives)
    out = np.empty((k, r_count))
    if r_count == 0 or k == 0:
        return out
    genes = len(pool.conns.innovation) + len(pool.nodes.id)
    if rows is not None:
        genes = max(1, int(pool.conn_counts[rows].sum()) + int(pool.node_counts[rows].sum()))
    per_pass = max(1, _CHUNK_VALUES // genes)
    for first in range(0, r_count, per_pass):
        last = min(first + per_pass, r_count)
        reps = representatives if (first, last) == (0, r_count) else representatives.take(np.arange(first, last))
        out[:, first : first + len(reps)] = _distances(pool, rows, reps, sc).T
    return out


def _genes(offsets: np.ndarray, counts: np.ndarray, rows: np.ndarray | None) -> tuple[Any, np.ndarray, np.ndarray]:
    """Gene rows of genomes ``rows`` (a slice for all), their counts and run bounds."""
    if rows is None:
        return slice(None), counts, offsets
    counts = counts[rows]
    return ranges(offsets[rows], counts), counts, offsets_of(counts)


def _distances(pool: GenePool, rows: np.ndarray | None, reps: GenePool, sc: SpeciationConfig) -> np.ndarray:
    """(R, k) distances of genomes ``rows`` (None: all) to the representatives ``reps``."""
    neat_python = sc.distance_formula == "neat_python"
    gene_rows, counts, bounds = _genes(pool.conn_offsets, pool.conn_counts, rows)
    innovation = pool.conns.innovation[gene_rows]
    columns = {"weight": reps.conns.weight}
    if neat_python:
        columns["enabled"] = reps.conns.enabled
    dense = _dense(reps, reps.conns.innovation, reps.conn_offsets, reps.conn_genome, reps.conn_counts, columns)
    col = _lookup(dense, innovation)
    r = len(reps)
    # Three per-gene quantities, summed per genome in one pass: matches, weight differences, excess genes.
    per_gene = np.empty((3, r, len(innovation)))
    match = dense.has[:, col]  # (R, n)
    per_gene[0] = match
    np.subtract(pool.conns.weight[gene_rows], dense.column["weight"][:, col], out=per_gene[1])
    np.abs(per_gene[1], out=per_gene[1])
    per_gene[1] *= match
    np.greater(innovation[None, :], dense.top[:, None], out=per_gene[2])
    matching, weight_sum, excess_own = _segment_sums(per_gene.reshape(3 * r, -1), bounds).reshape(3, r, -1)
    own_top = np.full(len(counts), -1, dtype=np.int64)
    nonempty = counts > 0
    own_top[nonempty] = innovation[bounds[1:][nonempty] - 1]
    held_up_to = np.searchsorted(dense.keys, own_top, side="right")  # (k,)
    excess_rep = dense.count[:, None] - dense.below[:, held_up_to]
    excess = excess_own + excess_rep
    disjoint = counts[None, :] + dense.count[:, None] - 2 * matching - excess
    n = normalizer(counts[None, :], dense.count[:, None], sc.normalize_min_genes)
    if neat_python:
        differs = (pool.conns.enabled[gene_rows] != dense.column["enabled"][:, col]) & match
        weight_sum = weight_sum + _segment_sums(differs, bounds)
    delta = _connection_terms(sc, excess, disjoint, weight_sum, matching, n)
    if sc.node_disjoint_coefficient or sc.node_attribute_coefficient:
        delta += _node_distances(pool, rows, reps, sc)
    return delta


def _node_distances(pool: GenePool, rows: np.ndarray | None, reps: GenePool, sc: SpeciationConfig) -> np.ndarray:
    """The node terms of the distance, (R, k)."""
    n_in = pool.config.num_inputs
    node_rows, counts, bounds = _genes(pool.node_offsets, pool.node_counts, rows)
    ids = pool.nodes.id[node_rows]
    rn = reps.nodes
    dense = _dense(reps, rn.id, reps.node_offsets, reps.node_genome, reps.node_counts,
                   {"bias": rn.bias, "response": rn.response, "activation": rn.activation, "aggregation": rn.aggregation,
                    "time_constant": rn.time_constant})
    col = _lookup(dense, ids)
    match = dense.has[:, col]
    matching = _segment_sums(match, bounds)
    disjoint = counts[None, :] + dense.count[:, None] - 2 * matching
    attr = match & (ids >= n_in)[None, :]
    nodes = pool.nodes
    diff = (
        np.abs(nodes.bias[node_rows] - dense.column["bias"][:, col])
        + np.abs(nodes.response[node_rows] - dense.column["response"][:, col])
        + np.abs(nodes.time_constant[node_rows] - dense.column["time_constant"][:, col])
        + (nodes.activation[node_rows] != dense.column["activation"][:, col])
        + (nodes.aggregation[node_rows] != dense.column["aggregation"][:, col])
    )
    diff *= attr
    attr_sum = _segment_sums(diff, bounds)
    if sc.distance_formula == "neat_python":
        larger = np.maximum(counts[None, :], dense.count[:, None]) - n_in
        return (sc.node_disjoint_coefficient * disjoint + sc.node_attribute_coefficient * attr_sum) / larger
    attr_count = _segment_sums(attr, bounds)
    mean = np.divide(attr_sum, attr_count, out=np.zeros_like(attr_sum), where=attr_count > 0)
    return sc.node_disjoint_coefficient * disjoint / np.maximum(counts[None, :], dense.count[:, None]) + (
        sc.node_attribute_coefficient * mean
    )


# --- sparse: the distances of chosen (genome, representative) pairs ---------------------------------
def pair_distances(
    pool: GenePool, genomes: np.ndarray, representatives: GenePool, reps: np.ndarray, config: Config | SpeciationConfig
) -> np.ndarray:
    """``distance(pool[genomes[q]], representatives[reps[q]])`` for each pair ``q``, in one pass.

    Every gene of each pair's genome looks itself up in its representative
    through the representatives' sorted ``(representative, innovation)``
    keys; the work is the pairs' genes, not genes x representatives.

    Returns
    -------
    (q,) float64
    """
    sc = speciation_config_of(config)
    g = np.asarray(genomes, dtype=np.int64)
    r = np.asarray(reps, dtype=np.int64)
    q = len(g)
    if q == 0:
        return np.empty(0)
    pc, rc = pool.conns, representatives.conns
    counts = pool.conn_counts[g]
    rows, pair, match, at = _pair_genes(pool.conn_offsets, counts, pc.innovation, representatives.conn_keys, g, r)
    innovation = pc.innovation[rows]
    rep_keys = representatives.conn_keys
    matching = np.bincount(pair, weights=match, minlength=q)
    rep_weight = rc.weight[at] if len(rep_keys) else np.zeros(len(at))
    diff = np.abs(pc.weight[rows] - rep_weight) * match
    weight_sum = np.bincount(pair, weights=diff, minlength=q)
    rep_count = representatives.conn_counts[r]
    rep_top = np.full(q, -1, dtype=np.int64)
    nonempty = rep_count > 0
    rep_top[nonempty] = rc.innovation[representatives.conn_offsets[r + 1][nonempty] - 1]
    excess_own = np.bincount(pair, weights=innovation > rep_top[pair], minlength=q)
    own_top = np.full(q, -1, dtype=np.int64)
    mine = counts > 0
    own_top[mine] = pc.innovation[pool.conn_offsets[g + 1][mine] - 1]
    rep_upto = np.searchsorted(rep_keys, (r << KEY_SHIFT) | own_top, side="right") - representatives.conn_offsets[r]
    excess = excess_own + (rep_count - np.maximum(rep_upto, 0))
    disjoint = counts + rep_count - 2 * matching - excess
    n = normalizer(counts, rep_count, sc.normalize_min_genes)
    if sc.distance_formula == "neat_python":
        differs = (pc.enabled[rows] != (rc.enabled[at] if len(rep_keys) else False)) & match
        weight_sum = weight_sum + np.bincount(pair, weights=differs, minlength=q)
    delta = _connection_terms(sc, excess, disjoint, weight_sum, matching, n)
    if sc.node_disjoint_coefficient or sc.node_attribute_coefficient:
        delta += _pair_node_distances(pool, g, representatives, r, sc)
    return delta


def _pair_genes(
    offsets: np.ndarray, counts: np.ndarray, keys: np.ndarray, rep_keys: np.ndarray, g: np.ndarray, r: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Every gene of each pair's genome, looked up in the pair's representative.

    ``keys`` are the pool's innovation numbers (or node ids), ``rep_keys``
    the representatives' sorted ``(representative, key)`` keys.

    Returns
    -------
    rows : the genes' rows in the pool; pair : their pair; match : (n,) bool,
    the representative holds the gene; at : (n,) int64, its row there where ``match``
    """
    rows = ranges(offsets[g], counts)
    pair = np.repeat(np.arange(len(g)), counts)
    match, at = lookup_sorted(rep_keys, (r[pair] << KEY_SHIFT) | keys[rows])
    return rows, pair, match, at


def _pair_node_distances(
    pool: GenePool, g: np.ndarray, representatives: GenePool, r: np.ndarray, sc: SpeciationConfig
) -> np.ndarray:
    """The node terms of ``pair_distances``."""
    n_in = pool.config.num_inputs
    q = len(g)
    pn, rn = pool.nodes, representatives.nodes
    counts = pool.node_counts[g]
    rows, pair, match, at = _pair_genes(pool.node_offsets, counts, pn.id, representatives.node_keys, g, r)
    ids = pn.id[rows]
    rep_count = representatives.node_counts[r]
    matching = np.bincount(pair, weights=match, minlength=q)
    disjoint = counts + rep_count - 2 * matching
    attr = match & (ids >= n_in)
    diff = (
        np.abs(pn.bias[rows] - rn.bias[at])
        + np.abs(pn.response[rows] - rn.response[at])
        + np.abs(pn.time_constant[rows] - rn.time_constant[at])
        + (pn.activation[rows] != rn.activation[at])
        + (pn.aggregation[rows] != rn.aggregation[at])
    ) * attr
    attr_sum = np.bincount(pair, weights=diff, minlength=q)
    if sc.distance_formula == "neat_python":
        larger = np.maximum(counts, rep_count) - n_in
        return (sc.node_disjoint_coefficient * disjoint + sc.node_attribute_coefficient * attr_sum) / larger
    attr_count = np.bincount(pair, weights=attr, minlength=q)
    mean = np.divide(attr_sum, attr_count, out=np.zeros(q), where=attr_count > 0)
    return sc.node_disjoint_coefficient * disjoint / np.maximum(counts, rep_count) + sc.node_attribute_coefficient * mean


_TURNS = 3
"""Candidate representatives tried one at a time per genome before the rest are tried all at once."""

_FEW = 8
"""An innovation held by at most this many representatives (or lacked by at most this many) is counted
pair by pair; the others (held by some but not most) by a matrix product."""


def matching_counts(pool: GenePool, rows: np.ndarray, representatives: GenePool) -> np.ndarray:
    """``(k, R)``: how many connection genes (innovation numbers) genome ``rows[i]`` shares with each representative.

    The representatives' innovations fall in three groups: held by nearly
    all of them (counted for every representative, less the few that lack
    it), held by few (counted for those few), and the rest, usually a
    handful of columns, counted by one matrix product of 0/1 indicators.
    The work is one pass over the genomes' genes plus that small product.

    Returns
    -------
    (k, R) float32 holding whole numbers (exact below 2**24)
    """
    r_count = len(representatives)
    rows = np.asarray(rows, dtype=np.int64)
    unique, col = np.unique(representatives.conns.innovation, return_inverse=True)
    has = np.zeros((r_count, len(unique)), dtype=bool)
    has[representatives.conn_genome, col] = True
    holders = has.sum(axis=0)
    most = holders >= r_count - _FEW  # counted for all, less the few that lack it
    few = ~most & (holders <= _FEW)  # counted for the few that hold it
    middle = ~most & ~few
    listed = np.where(most[None, :], ~has, has) & ~middle[None, :]  # (R, U): the pairs to count one by one
    listed_col, listed_rep = np.nonzero(listed.T)
    first = offsets_of(np.bincount(listed_col, minlength=len(unique)))

    counts = pool.conn_counts[rows]
    gene_rows = ranges(pool.conn_offsets[rows], counts)
    genome = np.repeat(np.arange(len(rows)), counts)
    innovation = pool.conns.innovation[gene_rows]
    at = np.minimum(np.searchsorted(unique, innovation), max(len(unique) - 1, 0))
    known = unique[at] == innovation if len(unique) else np.zeros(len(innovation), dtype=bool)
    genome, at = genome[known], at[known]
    if middle.any():
        mid = np.cumsum(middle) - 1  # column among the middle ones
        in_middle = middle[at]
        indicator = np.zeros((len(rows), int(middle.sum())), dtype=np.float32)
        indicator[genome[in_middle], mid[at[in_middle]]] = 1.0
        out = indicator @ has[:, middle].T.astype(np.float32)
    else:
        out = np.zeros((len(rows), r_count), dtype=np.float32)
    out += np.bincount(genome[most[at]], minlength=len(rows)).astype(np.float32)[:, None]
    span = first[at + 1] - first[at]
    if span.any():
        pair_genome = np.repeat(genome, span)
        pair_rep = listed_rep[ranges(first[at], span)]
        sign = np.where(most[at], np.float32(-1), np.float32(1)).repeat(span)
        np.add.at(out, (pair_genome, pair_rep), sign)
    return out


def first_within(
    pool: GenePool, representatives: GenePool, threshold: float, config: Config | SpeciationConfig,
    rows: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """For each genome: the first representative (in order) within ``threshold``, and the distance to it.

    The same answer as scanning ``pool_distances`` row by row, found with
    far less work when representatives are many: ``matching_counts`` gives
    every pair's excess plus disjoint count ``E + D = n_g + n_r - 2 M``,
    and the distance is at least ``min(c1, c2) (E + D) / N`` (its other
    terms are never negative); only the pairs whose bound is below the
    threshold get their exact distance (``pair_distances``).

    Returns
    -------
    first : (k,) int64
        Index of the representative, -1 for none.
    distance : (k,) float64
        The distance to it (inf for none).
    """
    sc = speciation_config_of(config)
    rows = np.arange(len(pool)) if rows is None else np.asarray(rows, dtype=np.int64)
    first = np.full(len(rows), -1, dtype=np.int64)
    distance = np.full(len(rows), np.inf)
    r_count = len(representatives)
    if r_count == 0 or len(rows) == 0:
        return first, distance
    slope = min(sc.excess_coefficient, sc.disjoint_coefficient)
    # unmatched genes u = n_g + n_r - 2 M are candidates when slope u / N < threshold, N the normalizer:
    # u < (threshold / slope) N, with a margin for rounding (an extra candidate costs one exact distance).
    allowed = np.float32(np.inf if slope == 0.0 else threshold / slope * (1 + 1e-6) + 1e-6)
    rep_count = representatives.conn_counts.astype(np.float32)
    rep_small = representatives.conn_counts < sc.normalize_min_genes
    block = max(1, (1 << 22) // r_count)
    for start in range(0, len(rows), block):
        chunk = rows[start : start + block]
        own_count = pool.conn_counts[chunk]
        own = own_count.astype(np.float32)
        matched = matching_counts(pool, chunk, representatives)
        matched *= -2
        matched += own[:, None]
        matched += rep_count[None, :]  # now the unmatched count
        n = np.maximum(own[:, None], rep_count[None, :])
        n[(own_count < sc.normalize_min_genes)[:, None] & rep_small[None, :]] = 1.0
        n[n == 0] = 1.0
        n *= allowed
        i, j = np.nonzero(matched < n)  # row-major: each genome's candidates in representative order
        if not len(i):
            continue
        # Each genome's candidates in turn: most genomes are within the threshold of their first one.
        starts = np.flatnonzero(np.r_[True, i[1:] != i[:-1]])  # where each genome's candidates begin
        rank = np.arange(len(i)) - np.repeat(starts, np.diff(np.r_[starts, len(i)]))
        open_ = np.ones(len(chunk), dtype=bool)
        for turn in range(_TURNS + 1):
            now = (rank == turn) if turn < _TURNS else (rank >= turn)
            now &= open_[i]
            if not now.any():
                break
            pi, pj = i[now], j[now]
            d = pair_distances(pool, chunk[pi], representatives, pj, sc)
            ok = d < threshold
            hits, at = np.unique(pi[ok], return_index=True)  # the first within, per genome (pairs in order)
            first[start + hits] = pj[ok][at]
            distance[start + hits] = d[ok][at]
            open_[hits] = False
    return first, distance
