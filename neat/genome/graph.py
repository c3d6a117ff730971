"""Graph algorithms on edge arrays: cycles, reachability, depths.

Nodes are positions ``0..n-1`` (indices, not genome ids); edges are two
int arrays ``src, dst`` of equal length.  Work is vectorized level by level,
so the cost grows with the depth of the graph, not with its node count.
"""

from __future__ import annotations

import numpy as np

__all__ = ["longest_path_depths", "is_acyclic", "creates_cycle", "reachable_from", "reachable_from_any"]


def _csr(num_nodes: int, src: np.ndarray, dst: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Out-edge lists as (offsets, targets): targets of node i are ``targets[offsets[i]:offsets[i+1]]``."""
    order = np.argsort(src, kind="stable")
    offsets = np.zeros(num_nodes + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=num_nodes), out=offsets[1:])
    return offsets, dst[order]


def _gather(offsets: np.ndarray, targets: np.ndarray, nodes: np.ndarray) -> np.ndarray:
    """Targets of all out-edges of ``nodes`` (with repeats)."""
    starts = offsets[nodes]
    lengths = offsets[nodes + 1] - starts
    total = int(lengths.sum())
    if total == 0:
        return np.empty(0, dtype=targets.dtype)
    # positions: the concatenation of the ranges [starts[i], starts[i] + lengths[i])
    group_start = np.repeat(np.cumsum(lengths) - lengths, lengths)
    positions = np.repeat(starts, lengths) + (np.arange(total) - group_start)
    return targets[positions]


SMALL_GRAPH_EDGES = 256
"""Up to this many edges, plain Python lists beat NumPy's per-call overhead."""


def _depths_small(num_nodes: int, src: list[int], dst: list[int]) -> np.ndarray:
    """Level-synchronous Kahn on Python lists (same result as the vectorized form)."""
    indegree = [0] * num_nodes
    targets: list[list[int]] = [[] for _ in range(num_nodes)]
    for a, b in zip(src, dst):
        targets[a].append(b)
        indegree[b] += 1
    depth = [-1] * num_nodes
    frontier = [v for v in range(num_nodes) if indegree[v] == 0]
    level = 0
    while frontier:
        reached = []
        for v in frontier:
            depth[v] = level
            for w in targets[v]:
                indegree[w] -= 1
                if indegree[w] == 0:
                    reached.append(w)
        frontier = reached
        level += 1
    return np.array(depth, dtype=np.int64)


def _reachable_small(num_nodes: int, src: list[int], dst: list[int], start: int) -> np.ndarray:
    targets: list[list[int]] = [[] for _ in range(num_nodes)]
    for a, b in zip(src, dst):
        targets[a].append(b)
    seen = [False] * num_nodes
    seen[start] = True
    stack = [start]
    while stack:
        for w in targets[stack.pop()]:
            if not seen[w]:
                seen[w] = True
                stack.append(w)
    return np.array(seen, dtype=bool)


def longest_path_depths(num_nodes: int, src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """Depth of every node: the length of the longest path reaching it.

    Nodes with no incoming edge have depth 0.  Nodes on a cycle, or reachable
    only through one, get depth -1.  The work is one vectorized pass per
    level above 256 edges, so the depths of a whole gene pool's genomes (a
    graph of many disjoint parts, nodes numbered by pool row) come in one call.

    Parameters
    ----------
    num_nodes
        Number of nodes ``n``.
    src, dst : (e,) int
        Edges ``src[k] -> dst[k]`` between node indices.

    Returns
    -------
    (n,) int64
    """
    src = np.asarray(src, dtype=np.int64)
    dst = np.asarray(dst, dtype=np.int64)
    if len(src) <= SMALL_GRAPH_EDGES:
        return _depths_small(num_nodes, src.tolist(), dst.tolist())
    depth = _depths_relaxed(num_nodes, src, dst)
    return depth if depth is not None else _depths_vectorized(num_nodes, src, dst)


RELAXATION_PASSES = 48
"""Depths are first sought by this many relaxation passes; a graph still changing after them (a cycle,
or a longer path) is left to Kahn's algorithm."""


def _depths_relaxed(num_nodes: int, src: np.ndarray, dst: np.ndarray) -> np.ndarray | None:
    """Depths by relaxation, ``depth[d] = max(depth[d], depth[s] + 1)`` over all edges per pass, or None.

    Few array operations per pass, and NEAT's graphs are shallow: on them this
    is faster than Kahn's level by level.  None when the depths still change
    after ``RELAXATION_PASSES`` passes.
    """
    depth = np.zeros(num_nodes, dtype=np.int64)
    for _ in range(RELAXATION_PASSES):
        relaxed = depth.copy()
        np.maximum.at(relaxed, dst, depth[src] + 1)
        if np.array_equal(relaxed, depth):
            return depth
        depth = relaxed
    return None


def _depths_vectorized(num_nodes: int, src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """Kahn's algorithm one level at a time, each level one set of array operations."""
    depth = np.full(num_nodes, -1, dtype=np.int64)
    indegree = np.bincount(dst, minlength=num_nodes)
    offsets, targets = _csr(num_nodes, src, dst)
    frontier = np.flatnonzero(indegree == 0)
    level = 0
    while frontier.size:
        depth[frontier] = level
        reached = _gather(offsets, targets, frontier)
        if reached.size == 0:
            break
        # One bincount per level (not a ufunc.at per edge), then only the nodes just freed.
        indegree -= np.bincount(reached, minlength=num_nodes)
        freed = reached[indegree[reached] == 0]
        frontier = np.flatnonzero(np.bincount(freed, minlength=num_nodes)) if freed.size > 64 else np.unique(freed)
        level += 1
    return depth


def is_acyclic(num_nodes: int, src: np.ndarray, dst: np.ndarray) -> bool:
    """True when the directed graph has no cycle (self-loops count as cycles)."""
    return bool(np.all(longest_path_depths(num_nodes, src, dst) >= 0))


def reachable_from(num_nodes: int, src: np.ndarray, dst: np.ndarray, start: int) -> np.ndarray:
    """Boolean mask of the nodes reachable from ``start`` (``start`` included).

    Returns
    -------
    (n,) bool
    """
    src = np.asarray(src, dtype=np.int64)
    dst = np.asarray(dst, dtype=np.int64)
    if len(src) <= SMALL_GRAPH_EDGES:
        return _reachable_small(num_nodes, src.tolist(), dst.tolist(), start)
    return _reachable_vectorized(num_nodes, src, dst, start)


def reachable_from_any(num_nodes: int, src: np.ndarray, dst: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Boolean mask of the nodes reachable from any of ``starts`` (``starts`` included).

    Vectorized level by level, so a graph of many disjoint parts (a gene
    pool's genomes, nodes numbered by pool row) is searched in one pass.

    Returns
    -------
    (n,) bool
    """
    return _reachable_vectorized(
        num_nodes, np.asarray(src, dtype=np.int64), np.asarray(dst, dtype=np.int64), np.asarray(starts, np.int64)
    )


def _reachable_vectorized(num_nodes: int, src: np.ndarray, dst: np.ndarray, start: int | np.ndarray) -> np.ndarray:
    seen = np.zeros(num_nodes, dtype=bool)
    seen[start] = True
    offsets, targets = _csr(num_nodes, src, dst)
    frontier = np.unique(np.atleast_1d(np.asarray(start, dtype=np.int64)))
    while frontier.size:
        reached = _gather(offsets, targets, frontier)
        reached = reached[~seen[reached]]
        # Deduplicate with one bincount on big levels (cheaper than sorting), np.unique on small ones.
        reached = np.flatnonzero(np.bincount(reached, minlength=num_nodes)) if reached.size > 64 else np.unique(reached)
        seen[reached] = True
        frontier = reached
    return seen


def creates_cycle(num_nodes: int, src: np.ndarray, dst: np.ndarray, new_src: int, new_dst: int) -> bool:
    """True when adding edge ``new_src -> new_dst`` to an acyclic graph makes a cycle."""
    if new_src == new_dst:
        return True
    return bool(reachable_from(num_nodes, src, dst, new_dst)[new_src])
