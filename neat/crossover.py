"""Crossover of two genomes aligned by innovation number (NEAT paper, section 3.2)."""

from __future__ import annotations

import numpy as np

from .config import Config
from .errors import InvalidGenomeError
from .genome import ConnectionGenes, Genome, NodeGenes
from .graph import creates_cycle, is_acyclic

__all__ = ["align_by_innovation", "crossover", "check_compatible"]


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
    return np.intersect1d(a, b, assume_unique=True, return_indices=True)


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
    common, ia, ib = align_by_innovation(a.innovation, b.innovation)
    bad = np.flatnonzero((a.src[ia] != b.src[ib]) | (a.dst[ia] != b.dst[ib]))
    if bad.size:
        k = int(bad[0])
        raise _mismatch(int(common[k]), (int(a.src[ia[k]]), int(a.dst[ia[k]])), (int(b.src[ib[k]]), int(b.dst[ib[k]])))

    take_other = rng.random(len(common)) < 0.5
    weight = np.where(take_other, b.weight[ib], a.weight[ia])
    disabled_somewhere = ~a.enabled[ia] | ~b.enabled[ib]

    only_a = np.ones(len(a.innovation), dtype=bool)
    only_a[ia] = False
    parts = [
        (common, a.src[ia], a.dst[ia], weight, disabled_somewhere),
        (a.innovation[only_a], a.src[only_a], a.dst[only_a], a.weight[only_a], ~a.enabled[only_a]),
    ]
    if equal_fitness:
        only_b = np.ones(len(b.innovation), dtype=bool)
        only_b[ib] = False
        parts.append((b.innovation[only_b], b.src[only_b], b.dst[only_b], b.weight[only_b], ~b.enabled[only_b]))
    innovation, src, dst, weight, disabled = (np.concatenate(cols) for cols in zip(*parts))
    order = np.argsort(innovation, kind="stable")
    innovation, src, dst, weight, disabled = innovation[order], src[order], dst[order], weight[order], disabled[order]
    stays_disabled = rng.random(len(innovation)) < config.reproduction.disabled_inherit_prob
    enabled = ~(disabled & stays_disabled)

    if len(innovation) > 1:
        pair_order = np.lexsort((dst, src))
        dup = np.flatnonzero(
            (src[pair_order][1:] == src[pair_order][:-1]) & (dst[pair_order][1:] == dst[pair_order][:-1])
        )
        if dup.size:
            k = pair_order[dup[0]]
            raise InvalidGenomeError(
                f"parents give connection {int(src[k])} -> {int(dst[k])} two innovation numbers "
                f"({int(innovation[k])} and {int(innovation[pair_order[dup[0] + 1]])}); genomes to be crossed "
                "must share one InnovationTracker"
            )

    nodes = _cross_nodes(fitter.nodes, other.nodes, rng, equal_fitness)
    if fitter.config.feed_forward and not (
        len(innovation) == len(a.innovation) and not np.any(enabled & ~a.enabled)
    ):
        # Only genes from the other parent or re-enabled genes can close a cycle;
        # a child whose enabled genes are a subset of the fitter's is acyclic.
        enabled = _break_cycles(nodes.id, src, dst, enabled)
    conns = ConnectionGenes(innovation, src, dst, weight, enabled)
    return Genome._trusted(fitter.config, nodes, conns)


def _cross_nodes(a: NodeGenes, b: NodeGenes, rng: np.random.Generator, equal_fitness: bool) -> NodeGenes:
    """Node genes of the child: all of the fitter parent's (and the other's when equal)."""
    common, ia, ib = np.intersect1d(a.id, b.id, assume_unique=True, return_indices=True)
    take_other = rng.random(len(common)) < 0.5
    matched = NodeGenes(*(np.where(take_other, fb[ib], fa[ia]) for fa, fb in zip(a, b)))
    only_a = np.ones(len(a.id), dtype=bool)
    only_a[ia] = False
    parts = [matched, a.take(only_a)]
    if equal_fitness:
        only_b = np.ones(len(b.id), dtype=bool)
        only_b[ib] = False
        parts.append(b.take(only_b))
    merged = NodeGenes(*(np.concatenate(cols) for cols in zip(*parts)))
    return merged.take(np.argsort(merged.id, kind="stable"))


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
