"""Crossover of a whole generation at once: every child's genes from its parents' rows of a gene pool.

Children are described by arrays: ``parent_a`` (the fitter parent, or the
only one), ``parent_b`` (-1: no crossover, the child is a copy of
``parent_a``) and ``equal_fitness``.  The rules are ``neat.genome.crossover``'s:

* a child's genes are its fitter parent's (and, when both are equally fit,
  also the other parent's genes the fitter lacks);
* a matching gene (same innovation number) takes its weight from either
  parent at random; a matching node (same id) takes its attributes from
  either parent at random;
* a gene disabled in either parent is disabled in the child with
  probability ``disabled_inherit_prob``, else enabled.

Every gene of the fitter parent is looked up in the other parent through
the pool's sorted ``(genome, innovation)`` keys, so matching genes are found
without sorting; only children of equally fit parents, whose genes come from
both, are merged by a sort.  In feed-forward mode a child that may have a
cycle (genes from both parents, or a gene re-enabled) is checked with the
others in one depth pass over the packed edges; a child that does have one
is repaired by the single-genome rule (``neat.genome.crossover``), and
counted: ``CrossedPool.repaired``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..config import Config
from ..errors import InvalidGenomeError
from .crossover import _break_cycles, lookup_sorted
from .genes import ConnectionGenes, NodeGenes
from .graph import longest_path_depths
from .pool import KEY_SHIFT, GenePool, offsets_of, ranges

__all__ = ["CrossedPool", "cross_pool", "replace_genomes"]


class CrossedPool(NamedTuple):
    """What ``cross_pool`` returns: the children and how many needed the single-genome repair."""

    pool: GenePool
    repaired: int


def cross_pool(
    pool: GenePool,
    parent_a: np.ndarray,
    parent_b: np.ndarray,
    equal_fitness: np.ndarray,
    config: Config,
    rng: np.random.Generator,
) -> CrossedPool:
    """The children of the pairs ``(parent_a[c], parent_b[c])`` as a pool (no keys).

    Parameters
    ----------
    pool
        The parents' generation.
    parent_a : (C,) int
        Each child's fitter parent (its only parent when ``parent_b[c] < 0``).
    parent_b : (C,) int
        The other parent, or -1 for a copy of ``parent_a[c]``.
    equal_fitness : (C,) bool
        True where both parents are equally fit (the child then also takes
        the genes only ``parent_b`` has).
    """
    a = np.asarray(parent_a, dtype=np.int64)
    b = np.asarray(parent_b, dtype=np.int64)
    crossed = b >= 0
    both = crossed & np.asarray(equal_fitness, dtype=bool)
    both &= a != b  # a genome crossed with itself gains nothing from "both parents"
    nodes, node_counts, nodes_merged = _cross_nodes(pool, a, b, crossed, both, rng)
    conns, conn_counts, maybe_cyclic, from_rows = _cross_conns(pool, a, b, crossed, both, config, rng)
    no_keys = np.full(len(a), -1, dtype=np.int64)
    children = GenePool._trusted(pool.config, nodes, conns, offsets_of(node_counts), offsets_of(conn_counts), no_keys)
    if from_rows is not None and not nodes_merged:
        # Every child holds its fitter parent's nodes in their order: its edges are the parent's, shifted.
        edge_src, edge_dst = pool.edge_nodes()
        shift = np.repeat(children.node_offsets[:-1] - pool.node_offsets[a], conn_counts)
        children._set_edges(edge_src[from_rows] + shift, edge_dst[from_rows] + shift)
    repaired = 0
    if pool.config.feed_forward and maybe_cyclic.any():
        cyclic = _cyclic_genomes(children, maybe_cyclic)
        if cyclic.size:
            fixed = []
            for c in cyclic.tolist():
                child = children[c]
                enabled = _break_cycles(child.nodes.id, child.conns.src, child.conns.dst, child.conns.enabled.copy())
                fixed.append(child.replace(conns=child.conns._replace(enabled=enabled)))
            children = replace_genomes(children, cyclic, fixed)
            repaired = len(cyclic)
    return CrossedPool(children, repaired)


def _cross_nodes(
    pool: GenePool, a: np.ndarray, b: np.ndarray, crossed: np.ndarray, both: np.ndarray, rng: np.random.Generator
) -> tuple[NodeGenes, np.ndarray, bool]:
    """The children's node genes, their counts, and whether some child took nodes of its other parent."""
    counts = pool.node_counts[a]
    rows = ranges(pool.node_offsets[a], counts)
    child = np.repeat(np.arange(len(a)), counts)
    fields = [f[rows] for f in pool.nodes]
    other = b[child]
    lookup = np.flatnonzero(other >= 0)
    found, pos = lookup_sorted(pool.node_keys, (other[lookup] << KEY_SHIFT) | fields[0][lookup])
    matched, from_b = lookup[found], pos[found]
    take = rng.random(len(matched)) < 0.5
    sel, src = matched[take], from_b[take]
    for f in range(2, len(fields)):  # id and kind agree; attributes may not
        fields[f][sel] = pool.nodes[f][src]
    merged = False
    if both.any():
        extra_rows, extra_child = _only_in_b(pool.node_offsets, pool.node_counts, pool.node_keys, pool.nodes.id, a, b, both)
        if len(extra_rows):
            merged = True
            child = np.concatenate((child, extra_child))
            fields = [np.concatenate((x, y[extra_rows])) for x, y in zip(fields, pool.nodes)]
            order = np.argsort((child << KEY_SHIFT) | fields[0], kind="stable")
            child = child[order]
            fields = [x[order] for x in fields]
    return NodeGenes(*fields), np.bincount(child, minlength=len(a)), merged


def _cross_conns(
    pool: GenePool,
    a: np.ndarray,
    b: np.ndarray,
    crossed: np.ndarray,
    both: np.ndarray,
    config: Config,
    rng: np.random.Generator,
) -> tuple[ConnectionGenes, np.ndarray, np.ndarray, np.ndarray | None]:
    """The children's connection genes, their counts, which children may have a cycle, and the parent
    rows the genes came from (None when some child took genes of both parents)."""
    pc = pool.conns
    counts = pool.conn_counts[a]
    rows = ranges(pool.conn_offsets[a], counts)
    child = np.repeat(np.arange(len(a)), counts)
    innovation, src, dst = pc.innovation[rows], pc.src[rows], pc.dst[rows]
    weight = pc.weight[rows]
    enabled_in_a = pc.enabled[rows]
    disabled = ~enabled_in_a
    other = b[child]
    lookup = np.flatnonzero(other >= 0)
    found, pos = lookup_sorted(pool.conn_keys, (other[lookup] << KEY_SHIFT) | innovation[lookup])
    matched, from_b = lookup[found], pos[found]
    bad = np.flatnonzero((src[matched] != pc.src[from_b]) | (dst[matched] != pc.dst[from_b]))
    if bad.size:
        k = int(bad[0])
        raise InvalidGenomeError(
            f"parents disagree on innovation {int(innovation[matched[k]])}: {int(src[matched[k]])} -> "
            f"{int(dst[matched[k]])} in one, {int(pc.src[from_b[k]])} -> {int(pc.dst[from_b[k]])} in the other; "
            "genomes to be crossed must share one InnovationTracker"
        )
    take = rng.random(len(matched)) < 0.5
    weight[matched[take]] = pc.weight[from_b[take]]
    disabled[matched] |= ~pc.enabled[from_b]
    from_a = np.ones(len(rows), dtype=bool)
    from_rows = rows
    if both.any():
        extra_rows, extra_child = _only_in_b(pool.conn_offsets, pool.conn_counts, pool.conn_keys, pc.innovation, a, b, both)
        if len(extra_rows):
            from_rows = None
            child = np.concatenate((child, extra_child))
            innovation = np.concatenate((innovation, pc.innovation[extra_rows]))
            src = np.concatenate((src, pc.src[extra_rows]))
            dst = np.concatenate((dst, pc.dst[extra_rows]))
            weight = np.concatenate((weight, pc.weight[extra_rows]))
            disabled = np.concatenate((disabled, ~pc.enabled[extra_rows]))
            from_a = np.concatenate((from_a, np.zeros(len(extra_rows), dtype=bool)))
            enabled_in_a = np.concatenate((enabled_in_a, np.zeros(len(extra_rows), dtype=bool)))
            order = np.argsort((child << KEY_SHIFT) | innovation, kind="stable")
            child, innovation, src, dst = child[order], innovation[order], src[order], dst[order]
            weight, disabled, from_a, enabled_in_a = weight[order], disabled[order], from_a[order], enabled_in_a[order]
            _check_unique_pairs(child, innovation, src, dst, both)
    # A copy keeps its flags; a crossover child re-enables a disabled gene with 1 - disabled_inherit_prob.
    stays_disabled = (rng.random(len(innovation)) < config.reproduction.disabled_inherit_prob) | ~crossed[child]
    enabled = ~(disabled & stays_disabled)
    # Only genes of the other parent or re-enabled genes can close a cycle;
    # a child whose enabled genes are a subset of its fitter parent's is acyclic.
    risky = ~from_a | (enabled & ~enabled_in_a)
    maybe_cyclic = np.bincount(child[risky], minlength=len(a)) > 0
    conns = ConnectionGenes(innovation, src, dst, weight, enabled)
    return conns, np.bincount(child, minlength=len(a)), maybe_cyclic, from_rows


def _only_in_b(
    offsets: np.ndarray,
    counts: np.ndarray,
    keys: np.ndarray,
    ids: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    both: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Rows of the genes of ``b`` that ``a`` lacks, for the children ``both``, and their children."""
    children = np.flatnonzero(both)
    rows = ranges(offsets[b[children]], counts[b[children]])
    child = np.repeat(children, counts[b[children]])
    found, _ = lookup_sorted(keys, (a[child] << KEY_SHIFT) | ids[rows])
    return rows[~found], child[~found]


def _check_unique_pairs(
    child: np.ndarray, innovation: np.ndarray, src: np.ndarray, dst: np.ndarray, both: np.ndarray
) -> None:
    """``InvalidGenomeError`` if a child got one ``(src, dst)`` pair under two innovation numbers."""
    mine = np.flatnonzero(both[child])
    order = mine[np.lexsort((dst[mine], src[mine], child[mine]))]
    c, s, d = child[order], src[order], dst[order]
    dup = np.flatnonzero((c[1:] == c[:-1]) & (s[1:] == s[:-1]) & (d[1:] == d[:-1]))
    if dup.size:
        k, j = order[dup[0]], order[dup[0] + 1]
        raise InvalidGenomeError(
            f"parents give connection {int(src[k])} -> {int(dst[k])} two innovation numbers "
            f"({int(innovation[k])} and {int(innovation[j])}); genomes to be crossed must share one InnovationTracker"
        )


def _cyclic_genomes(pool: GenePool, candidates: np.ndarray) -> np.ndarray:
    """Which of the genomes ``candidates`` ((P,) bool) have a cycle of enabled connections: genome indices."""
    src, dst = pool.edge_nodes()
    on = pool.conns.enabled & candidates[pool.conn_genome]
    depth = longest_path_depths(len(pool.nodes.id), src[on], dst[on])
    return np.unique(pool.node_genome[depth < 0])


def replace_genomes(pool: GenePool, index: np.ndarray, genomes: list) -> GenePool:
    """``pool`` with genome ``index[j]`` replaced by ``genomes[j]`` (keys kept).

    When each new genome has the same genes as the one it replaces, but
    other values (the repairs of ``cross_pool`` and ``toggle_pool`` only change
    enabled flags), their rows are overwritten in copies of the arrays and
    the pool's derived arrays (keys, edges) carry over; otherwise the pool
    is rebuilt.
    """
    index = np.asarray(index, dtype=np.int64)
    if not len(index):
        return pool
    if all(
        np.array_equal(g.conns.innovation, pool.conns.innovation[pool.conn_offsets[i] : pool.conn_offsets[i + 1]])
        and np.array_equal(g.nodes.id, pool.nodes.id[pool.node_offsets[i] : pool.node_offsets[i + 1]])
        for i, g in zip(index.tolist(), genomes)
    ):
        node_rows = ranges(pool.node_offsets[index], pool.node_counts[index])
        conn_rows = ranges(pool.conn_offsets[index], pool.conn_counts[index])
        nodes = NodeGenes(*(a.copy() for a in pool.nodes))
        conns = ConnectionGenes(*(a.copy() for a in pool.conns))
        for f in range(2, len(nodes)):  # ids and kinds are the same
            nodes[f][node_rows] = np.concatenate([g.nodes[f] for g in genomes])
        for f in (3, 4):  # weight, enabled (innovation, src, dst are the same)
            conns[f][conn_rows] = np.concatenate([g.conns[f] for g in genomes])
        return GenePool._trusted(
            pool.config, nodes, conns, pool.node_offsets, pool.conn_offsets, pool.keys
        )._with_cache_of(pool)
    keep = np.ones(len(pool), dtype=bool)
    keep[index] = False
    kept = np.flatnonzero(keep)
    new = GenePool.pack(genomes, pool.config)
    order_of = np.concatenate((kept, index))  # genome number of each part, in the concatenation's order
    parts = [pool.take(kept), new]
    node_genome = np.concatenate([order_of[p.node_genome + shift] for p, shift in zip(parts, (0, len(kept)))])
    conn_genome = np.concatenate([order_of[p.conn_genome + shift] for p, shift in zip(parts, (0, len(kept)))])
    node_order = np.argsort(node_genome, kind="stable")
    conn_order = np.argsort(conn_genome, kind="stable")
    nodes = NodeGenes(*(np.concatenate((x, y))[node_order] for x, y in zip(parts[0].nodes, parts[1].nodes)))
    conns = ConnectionGenes(*(np.concatenate((x, y))[conn_order] for x, y in zip(parts[0].conns, parts[1].conns)))
    return GenePool(
        pool.config,
        nodes,
        conns,
        offsets_of(np.bincount(node_genome, minlength=len(pool))),
        offsets_of(np.bincount(conn_genome, minlength=len(pool))),
        pool.keys,
    )
