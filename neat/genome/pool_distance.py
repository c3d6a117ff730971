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

from typing import NamedTuple

import numpy as np

from ..config import Config, SpeciationConfig
from .pool import GenePool, ranges

__all__ = ["pool_distances"]

_CHUNK_VALUES = 1 << 23
"""Bound on representatives x genes per pass (the temporaries are this many float64s)."""


def _speciation_config(config: Config | SpeciationConfig) -> SpeciationConfig:
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


def _dense(keys: np.ndarray, offsets: np.ndarray, columns: dict[str, np.ndarray]) -> _Dense:
    r = len(offsets) - 1
    unique = np.unique(keys)
    owner = np.repeat(np.arange(r), np.diff(offsets))
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
    count = np.diff(offsets)
    top = np.full(r, -1, dtype=np.int64)
    nonempty = count > 0
    top[nonempty] = keys[offsets[1:][nonempty] - 1]
    return _Dense(unique, has, dense, count, below, top)


def _lookup(dense: _Dense, keys: np.ndarray) -> np.ndarray:
    """Column of each key in ``dense`` (the last column when no representative holds it)."""
    k = len(dense.keys)
    if k == 0:
        return np.zeros(len(keys), dtype=np.int64)
    col = np.searchsorted(dense.keys, keys)
    np.minimum(col, k - 1, out=col)
    col[dense.keys[col] != keys] = k
    return col


def _normalizer(count_a: np.ndarray, count_b: np.ndarray, min_genes: int) -> np.ndarray:
    larger = np.maximum(count_a, count_b)
    small = (count_a < min_genes) & (count_b < min_genes)
    return np.where(small | (larger == 0), 1, larger).astype(np.float64)


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
    sc = _speciation_config(config)
    rows = np.arange(len(pool)) if rows is None else np.asarray(rows, dtype=np.int64)
    r_count = len(representatives)
    out = np.empty((len(rows), r_count))
    if r_count == 0 or len(rows) == 0:
        return out
    genes = max(1, int(pool.conn_counts[rows].sum()) + int(pool.node_counts[rows].sum()))
    per_pass = max(1, _CHUNK_VALUES // genes)
    for first in range(0, r_count, per_pass):
        reps = representatives.take(np.arange(first, min(first + per_pass, r_count)))
        out[:, first : first + len(reps)] = _distances(pool, rows, reps, sc).T
    return out


def _distances(pool: GenePool, rows: np.ndarray, reps: GenePool, sc: SpeciationConfig) -> np.ndarray:
    """(R, k) distances of genomes ``rows`` to the representatives ``reps``."""
    neat_python = sc.distance_formula == "neat_python"
    counts = pool.conn_counts[rows]
    gene_rows = ranges(pool.conn_offsets[rows], counts)
    bounds = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum(counts, out=bounds[1:])
    innovation = pool.conns.innovation[gene_rows]
    columns = {"weight": reps.conns.weight}
    if neat_python:
        columns["enabled"] = reps.conns.enabled
    dense = _dense(reps.conns.innovation, reps.conn_offsets, columns)
    col = _lookup(dense, innovation)
    match = dense.has[:, col]  # (R, n)
    matching = _segment_sums(match, bounds)
    diff = np.abs(pool.conns.weight[gene_rows] - dense.column["weight"][:, col])
    diff *= match
    weight_sum = _segment_sums(diff, bounds)
    excess_own = _segment_sums(innovation[None, :] > dense.top[:, None], bounds)
    own_top = np.full(len(rows), -1, dtype=np.int64)
    nonempty = counts > 0
    own_top[nonempty] = innovation[bounds[1:][nonempty] - 1]
    held_up_to = np.searchsorted(dense.keys, own_top, side="right")  # (k,)
    excess_rep = dense.count[:, None] - dense.below[:, held_up_to]
    excess = excess_own + excess_rep
    disjoint = counts[None, :] + dense.count[:, None] - 2 * matching - excess
    n = _normalizer(counts[None, :], dense.count[:, None], sc.normalize_min_genes)
    if neat_python:
        differs = (pool.conns.enabled[gene_rows] != dense.column["enabled"][:, col]) & match
        attribute_sum = weight_sum + _segment_sums(differs, bounds)
        delta = (
            sc.excess_coefficient * excess + sc.disjoint_coefficient * disjoint + sc.weight_coefficient * attribute_sum
        ) / n
    else:
        mean_diff = np.divide(weight_sum, matching, out=np.zeros_like(weight_sum), where=matching > 0)
        delta = sc.excess_coefficient * excess / n + sc.disjoint_coefficient * disjoint / n
        delta += sc.weight_coefficient * mean_diff
    if sc.node_disjoint_coefficient or sc.node_attribute_coefficient:
        delta += _node_distances(pool, rows, reps, sc)
    return delta


def _node_distances(pool: GenePool, rows: np.ndarray, reps: GenePool, sc: SpeciationConfig) -> np.ndarray:
    """The node terms of the distance, (R, k)."""
    n_in = pool.config.num_inputs
    counts = pool.node_counts[rows]
    node_rows = ranges(pool.node_offsets[rows], counts)
    bounds = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum(counts, out=bounds[1:])
    ids = pool.nodes.id[node_rows]
    rn = reps.nodes
    dense = _dense(rn.id, reps.node_offsets, {"bias": rn.bias, "response": rn.response,
                                              "activation": rn.activation, "aggregation": rn.aggregation})
    col = _lookup(dense, ids)
    match = dense.has[:, col]
    matching = _segment_sums(match, bounds)
    disjoint = counts[None, :] + dense.count[:, None] - 2 * matching
    attr = match & (ids >= n_in)[None, :]
    nodes = pool.nodes
    diff = (
        np.abs(nodes.bias[node_rows] - dense.column["bias"][:, col])
        + np.abs(nodes.response[node_rows] - dense.column["response"][:, col])
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
