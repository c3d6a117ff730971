"""Crossover of two genomes aligned by innovation number (NEAT paper, section 3.2)."""

from __future__ import annotations

import numpy as np

from ..config import Config
from ..errors import InvalidGenomeError
from .genes import ConnectionGenes, NodeGenes
from .genome import Genome
from .graph import creates_cycle, is_acyclic

__all__ = ["align_by_innovation", "crossover", "check_compatible"]


def lookup_sorted(sorted_keys: np.ndarray, queries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each query: is it in ``sorted_keys``, and at which position.

    Returns
    -------
    found : bool, the shape of ``queries``
    position : int64, the shape of ``queries``, valid where ``found``
    """
    if len(sorted_keys) == 0:
        return np.zeros(np.shape(queries), dtype=bool), np.zeros(np.shape(queries), dtype=np.int64)
    pos = np.searchsorted(sorted_keys, queries)
    pos[pos == len(sorted_keys)] = 0
    return sorted_keys[pos] == queries, pos


def _matching_positions(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions in ``a`` and in ``b`` of the keys both sorted unique arrays hold."""
    found, pos = lookup_sorted(b, a)
    index_a = np.flatnonzero(found)
    return index_a, pos[index_a]


def align_by_innovation(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Align two sorted innovation arrays.

    Parameters
    ----------
    a, b : (m,), (k,) int64, each sorted and unique

    Returns
    -------
    common : (c,) int64
        Innovation numbers present in both.
    index_a, index_b : (c,) int64
        Positions of ``common`` in ``a`` and in ``b``.  Genes of ``a`` not in
        ``index_a`` are disjoint or excess (excess when above ``b.max()``).
    """
    index_a, index_b = _matching_positions(a, b)
    return a[index_a], index_a, index_b


def check_compatible(a: Genome, b: Genome) -> None:
    """Raise ``InvalidGenomeError`` unless ``a`` and ``b`` can be crossed or compared."""
    ca, cb = a.config, b.config
    if (ca.num_inputs, ca.num_outputs) != (cb.num_inputs, cb.num_outputs):
        raise InvalidGenomeError(
            f"cannot combine genomes with different inputs/outputs: {ca.num_inputs} inputs/{ca.num_outputs} "
            f"outputs vs {cb.num_inputs} inputs/{cb.num_outputs} outputs"
        )
    for key in ("activation_options", "aggregation_options"):
        if getattr(ca, key) != getattr(cb, key):
            raise InvalidGenomeError(
                f"cannot combine genomes with different {key}: {list(getattr(ca, key))} vs {list(getattr(cb, key))}"
            )


def _mismatch(innovation: int, a: tuple[int, int], b: tuple[int, int]) -> InvalidGenomeError:
    return InvalidGenomeError(
        f"parents disagree on innovation {innovation}: {a[0]} -> {a[1]} in one, {b[0]} -> {b[1]} in the other; "
        "genomes to be crossed must share one InnovationTracker"
    )


def crossover(
    fitter: Genome,
    other: Genome,
    config: Config,
    rng: np.random.Generator,
    *,
    equal_fitness: bool = False,
) -> Genome:
    """The child of two parents, aligned by innovation number.

    * Matching genes (same innovation) take their attributes from either
      parent at random; matching nodes (same id) likewise.
    * Disjoint and excess genes come from ``fitter``; with
      ``equal_fitness=True`` from both parents.
    * A gene disabled in either parent is disabled in the child with
      probability ``reproduction.disabled_inherit_prob``, else enabled.
    * In feed-forward mode, an enabled gene that would close a cycle through
      genes inherited from both parents is disabled (genes are taken in
      innovation order), so the child is always valid.

    Parameters
    ----------
    fitter, other
        The parents; ``fitter`` is the one with the better fitness.
    equal_fitness
        True when both parents are equally fit.
    """
    check_compatible(fitter, other)
    a, b = fitter.conns, other.conns
    ia, ib = _matching_positions(a.innovation, b.innovation)
    bad = np.flatnonzero((a.src[ia] != b.src[ib]) | (a.dst[ia] != b.dst[ib]))
    if bad.size:
        k = int(bad[0])
        raise _mismatch(
            int(a.innovation[ia[k]]), (int(a.src[ia[k]]), int(a.dst[ia[k]])), (int(b.src[ib[k]]), int(b.dst[ib[k]]))
        )

    # Start from the fitter parent's genes (its structure arrays are shared, not copied)
    # and take each matching gene's weight from the other parent with probability 1/2.
    take_other = rng.random(len(ia)) < 0.5
    weight = a.weight.copy()
    weight[ia[take_other]] = b.weight[ib[take_other]]
    disabled = ~a.enabled
    disabled[ia] |= ~b.enabled[ib]
    innovation, src, dst = a.innovation, a.src, a.dst
    only_b = np.ones(len(b.innovation), dtype=bool)
    only_b[ib] = False
    from_both = equal_fitness and only_b.any()
    if from_both:
        innovation = np.concatenate((innovation, b.innovation[only_b]))
        order = np.argsort(innovation, kind="stable")
        innovation = innovation[order]
        src = np.concatenate((src, b.src[only_b]))[order]
        dst = np.concatenate((dst, b.dst[only_b]))[order]
        weight = np.concatenate((weight, b.weight[only_b]))[order]
        disabled = np.concatenate((disabled, ~b.enabled[only_b]))[order]
        _check_unique_pairs(innovation, src, dst)
    stays_disabled = rng.random(len(innovation)) < config.reproduction.disabled_inherit_prob
    enabled = ~(disabled & stays_disabled)

    nodes = _cross_nodes(fitter.nodes, other.nodes, rng, equal_fitness)
    if fitter.config.feed_forward and (from_both or np.any(enabled & ~a.enabled)):
        # Only genes from the other parent or re-enabled genes can close a cycle;
        # a child whose enabled genes are a subset of the fitter's is acyclic.
        enabled = _break_cycles(nodes.id, src, dst, enabled)
    return Genome._trusted(fitter.config, nodes, ConnectionGenes(innovation, src, dst, weight, enabled))


def _check_unique_pairs(innovation: np.ndarray, src: np.ndarray, dst: np.ndarray) -> None:
    pair_order = np.lexsort((dst, src))
    s, d = src[pair_order], dst[pair_order]
    dup = np.flatnonzero((s[1:] == s[:-1]) & (d[1:] == d[:-1]))
    if dup.size:
        k = pair_order[dup[0]]
        raise InvalidGenomeError(
            f"parents give connection {int(src[k])} -> {int(dst[k])} two innovation numbers "
            f"({int(innovation[k])} and {int(innovation[pair_order[dup[0] + 1]])}); genomes to be crossed "
            "must share one InnovationTracker"
        )


def _cross_nodes(a: NodeGenes, b: NodeGenes, rng: np.random.Generator, equal_fitness: bool) -> NodeGenes:
    """Node genes of the child: all of the fitter parent's (and the other's when equal).

    Matching nodes take their attributes from either parent at random.
    """
    ia, ib = _matching_positions(a.id, b.id)
    take_other = rng.random(len(ia)) < 0.5
    sel_a, sel_b = ia[take_other], ib[take_other]
    fields = list(a)
    if sel_a.size:
        for f in range(2, len(fields)):  # id and kind agree; attributes may not
            column = fields[f].copy()
            column[sel_a] = b[f][sel_b]
            fields[f] = column
    child = NodeGenes(*fields)
    if equal_fitness:
        only_b = np.ones(len(b.id), dtype=bool)
        only_b[ib] = False
        if only_b.any():
            merged = NodeGenes(*(np.concatenate((x, y[only_b])) for x, y in zip(child, b)))
            child = merged.take(np.argsort(merged.id, kind="stable"))
    return child


def _break_cycles(node_ids: np.ndarray, src: np.ndarray, dst: np.ndarray, enabled: np.ndarray) -> np.ndarray:
    """Disable, in innovation order, each enabled gene that closes a cycle."""
    s, d = np.searchsorted(node_ids, src), np.searchsorted(node_ids, dst)
    n = len(node_ids)
    if is_acyclic(n, s[enabled], d[enabled]):
        return enabled
    kept = np.zeros(len(enabled), dtype=bool)
    for k in np.flatnonzero(enabled).tolist():
        if not creates_cycle(n, s[kept], d[kept], int(s[k]), int(d[k])):
            kept[k] = True
    return kept
