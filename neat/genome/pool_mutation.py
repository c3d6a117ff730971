"""Mutation of a whole generation at once: the rules of ``neat.genome.mutation`` over a gene pool.

``mutate_pool(pool, mutable, config, tracker, rng)`` mutates the genomes
``mutable`` as ``neat.genome.mutation.mutate`` mutates one, in a few
vectorized passes per operator instead of one call per genome:

* each structural operator (add node, delete node, add connection, delete
  connection, with ``single_structural_mutation`` at most one of them) is
  drawn for every genome at once, then applied to all the genomes that drew
  it in one pass, in ``mutate``'s order, so a genome that draws two sees the
  first one's result;
* add-node splits a random enabled connection of each chosen genome (one
  draw per genome over its own slice); its node id and innovation numbers
  come from one batch of ``InnovationTracker`` look-ups;
* add-connection draws ``max_add_connection_attempts`` pairs per chosen
  genome at once and takes the first that fits: not a self-loop
  (feed-forward), not an existing pair (an existing disabled one is
  re-enabled), and in feed-forward mode not closing a cycle; a pair
  ``src -> dst`` with ``depth(src) <= depth(dst)`` cannot close one (depths
  of every genome in one pass over the packed edges); the others are
  searched from ``dst`` for ``src``, all together, level by level;
* the enabled flags, node functions and the weights, biases and responses
  of all genomes change in one pass each.

A genome whose toggled flags would close a cycle (``enabled_mutate_rate`` >
0, feed-forward) is redone by the single-genome rule, and counted
(``MutatedPool.fallbacks``).  The draws differ from the single-genome
operators', so the two agree in distribution, not bit for bit.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..config import Config
from .attributes import clamp_attribute, default_function_codes, sample_attribute
from .crossover import lookup_sorted
from .genes import ConnectionGenes, NodeGenes, NodeKind, default_time_constant
from .graph import longest_path_depths
from .innovation import InnovationTracker
from .mutation import ATTRIBUTES, enable_without_cycles, mutated_segments
from .pool import KEY_SHIFT, GenePool, offsets_of, ranges
from .pool_crossover import replace_genomes

__all__ = [
    "MutatedPool",
    "mutate_pool",
    "mutate_pool_structure",
    "mutate_pool_attributes",
    "add_nodes",
    "add_connections",
    "delete_nodes",
    "delete_connections",
    "toggle_pool",
    "mutate_pool_functions",
    "reaches",
]


class MutatedPool(NamedTuple):
    """What ``mutate_pool`` returns: the mutated pool and how many genomes took the single-genome path."""

    pool: GenePool
    fallbacks: int


def mutate_pool(
    pool: GenePool, mutable: np.ndarray, config: Config, tracker: InnovationTracker, rng: np.random.Generator
) -> MutatedPool:
    """The genomes ``mutable`` ((P,) bool) mutated as ``neat.genome.mutation.mutate`` would (see the module)."""
    pool, fallbacks = mutate_pool_structure(pool, mutable, config, tracker, rng)
    return MutatedPool(mutate_pool_attributes(pool, mutable, config, rng), fallbacks)


def mutate_pool_structure(
    pool: GenePool, mutable: np.ndarray, config: Config, tracker: InnovationTracker, rng: np.random.Generator
) -> MutatedPool:
    """The structural part of ``mutate_pool``: add/delete node/connection, enabled flags, node functions."""
    mc = config.mutation
    operators = (
        (mc.node_add_prob, add_nodes),
        (mc.node_delete_prob, delete_nodes),
        (mc.conn_add_prob, add_connections),
        (mc.conn_delete_prob, delete_connections),
    )
    candidates = np.flatnonzero(mutable)
    if mc.single_structural_mutation:
        rates = np.array([p for p, _ in operators])
        draw = rng.random(len(candidates)) * max(1.0, float(rates.sum()))
        which = np.searchsorted(np.cumsum(rates), draw, side="right")  # len(rates): none
        chosen = [candidates[which == k] for k in range(len(operators))]
    else:
        chosen = [candidates[rng.random(len(candidates)) < p] if p > 0.0 else candidates[:0] for p, _ in operators]
    for (_, operator), genomes in zip(operators, chosen):
        if len(genomes):
            pool = operator(pool, genomes, config, tracker, rng)
    pool, fallbacks = toggle_pool(pool, mutable, config, rng)
    return MutatedPool(mutate_pool_functions(pool, mutable, config, rng), fallbacks)


# --- building pools from pools ------------------------------------------------------
def _with(pool: GenePool, nodes: NodeGenes | None = None, conns: ConnectionGenes | None = None) -> GenePool:
    """``pool`` with new attribute arrays for the same gene rows (ids, innovations and endpoints unchanged)."""
    return GenePool._trusted(
        pool.config, pool.nodes if nodes is None else nodes, pool.conns if conns is None else conns,
        pool.node_offsets, pool.conn_offsets, pool.keys,
    )._with_cache_of(pool)


def _merged(old_keys: np.ndarray, new_keys: np.ndarray) -> np.ndarray:
    """The permutation that sorts ``concatenate((old, new))`` when ``old_keys`` are sorted (old first on ties)."""
    return np.argsort(np.concatenate((old_keys, new_keys)), kind="stable")


def _inserted(
    pool: GenePool,
    conns: ConnectionGenes,
    node_genome: np.ndarray,
    new_nodes: NodeGenes | None,
    conn_genome: np.ndarray,
    new_conns: ConnectionGenes,
    new_ends: tuple[np.ndarray, np.ndarray],
) -> GenePool:
    """``pool`` (with connection arrays ``conns``) plus new genes of the genomes ``*_genome``, kept sorted.

    ``new_ends`` are the new connections' endpoints as node rows, the new
    nodes numbered after the old ones (``len(pool.nodes.id) + j`` for
    ``new_nodes`` row ``j``): the merged pool's ``edge_nodes()`` follow
    without a search.
    """
    p = len(pool)
    nodes, node_counts = pool.nodes, pool.node_counts
    old_src, old_dst = pool.edge_nodes()
    node_row = None
    if new_nodes is not None and len(node_genome):
        order = _merged(pool.node_keys, (node_genome << KEY_SHIFT) | new_nodes.id)
        nodes = NodeGenes(*(np.concatenate((old, new))[order] for old, new in zip(nodes, new_nodes)))
        node_counts = node_counts + np.bincount(node_genome, minlength=p)
        node_row = np.empty(len(order), dtype=np.int64)
        node_row[order] = np.arange(len(order))  # old and new node rows -> rows of the merged pool
    order = _merged(pool.conn_keys, (conn_genome << KEY_SHIFT) | new_conns.innovation)
    merged = ConnectionGenes(*(np.concatenate((old, new))[order] for old, new in zip(conns, new_conns)))
    conn_counts = pool.conn_counts + np.bincount(conn_genome, minlength=p)
    result = GenePool._trusted(pool.config, nodes, merged, offsets_of(node_counts), offsets_of(conn_counts), pool.keys)
    src = np.concatenate((old_src, new_ends[0]))[order]
    dst = np.concatenate((old_dst, new_ends[1]))[order]
    if node_row is not None:
        src, dst = node_row[src], node_row[dst]
    result._set_edges(src, dst)
    return result


def _kept(pool: GenePool, keep_nodes: np.ndarray | None, keep_conns: np.ndarray) -> GenePool:
    """``pool`` without the gene rows not kept (a kept connection's endpoints are kept nodes)."""
    p = len(pool)
    nodes, node_counts = pool.nodes, pool.node_counts
    src, dst = pool.edge_nodes()
    src, dst = src[keep_conns], dst[keep_conns]
    if keep_nodes is not None:
        nodes = pool.nodes.take(keep_nodes)
        node_counts = np.bincount(pool.node_genome[keep_nodes], minlength=p)
        new_row = np.cumsum(keep_nodes) - 1  # old node row -> row among the kept ones
        src, dst = new_row[src], new_row[dst]
    conns = pool.conns.take(keep_conns)
    conn_counts = np.bincount(pool.conn_genome[keep_conns], minlength=p)
    result = GenePool._trusted(pool.config, nodes, conns, offsets_of(node_counts), offsets_of(conn_counts), pool.keys)
    result._set_edges(src, dst)
    return result


# --- structural operators -----------------------------------------------------------
def add_nodes(
    pool: GenePool, genomes: np.ndarray, config: Config, tracker: InnovationTracker, rng: np.random.Generator
) -> GenePool:
    """``add_node`` on each of ``genomes`` ((k,) genome indices, ascending): split a random enabled connection.

    A genome without an enabled connection is left as it is, or with
    ``add_node_fallback`` given a new connection instead.
    """
    cfg, pc = pool.config, pool.conns
    enabled_rows = np.flatnonzero(pc.enabled)
    first = np.searchsorted(enabled_rows, pool.conn_offsets[genomes])
    count = np.searchsorted(enabled_rows, pool.conn_offsets[genomes + 1]) - first
    none = count == 0
    if none.any():
        if config.mutation.add_node_fallback:
            pool = add_connections(pool, genomes[none], config, tracker, rng)
            return add_nodes(pool, genomes[~none], config, tracker, rng) if (~none).any() else pool
        genomes, first, count = genomes[~none], first[~none], count[~none]
        if not len(genomes):
            return pool
    row = enabled_rows[first + (rng.random(len(genomes)) * count).astype(np.int64)]
    innovation, src, dst = pc.innovation[row], pc.src[row], pc.dst[row]
    node_id = tracker.split_node_ids(innovation)
    holds, _ = lookup_sorted(pool.node_keys, (genomes << KEY_SHIFT) | node_id)
    for j in np.flatnonzero(holds).tolist():
        # The genome holds that node: it split this connection before in this generation.
        g = int(genomes[j])
        ids = pool.nodes.id[pool.node_offsets[g] : pool.node_offsets[g + 1]]
        node_id[j] = tracker.split_node_id(int(innovation[j]), ids)
    k = len(genomes)
    new_src = np.stack((src, node_id), axis=1).reshape(-1)
    new_dst = np.stack((node_id, dst), axis=1).reshape(-1)
    new_innovation = tracker.innovations(new_src, new_dst)
    new_nodes = NodeGenes(
        node_id,
        np.full(k, NodeKind.HIDDEN, dtype=np.int8),
        clamp_attribute(cfg, "bias", np.zeros(k)),
        clamp_attribute(cfg, "response", np.full(k, cfg.response_init_mean)),
        default_function_codes(rng, cfg, "activation", k),
        default_function_codes(rng, cfg, "aggregation", k),
        np.full(k, default_time_constant(cfg)),
    )
    new_conns = ConnectionGenes(
        new_innovation,
        new_src,
        new_dst,
        clamp_attribute(cfg, "weight", np.stack((np.ones(k), pc.weight[row]), axis=1).reshape(-1)),
        np.ones(2 * k, dtype=bool),
    )
    enabled = pc.enabled.copy()
    enabled[row] = False
    edge_src, edge_dst = pool.edge_nodes()
    new_row = len(pool.nodes.id) + np.arange(k)  # the new nodes, numbered after the old ones
    ends = (
        np.stack((edge_src[row], new_row), axis=1).reshape(-1),
        np.stack((new_row, edge_dst[row]), axis=1).reshape(-1),
    )
    return _inserted(pool, pc._replace(enabled=enabled), genomes, new_nodes, np.repeat(genomes, 2), new_conns, ends)


def add_connections(
    pool: GenePool, genomes: np.ndarray, config: Config, tracker: InnovationTracker, rng: np.random.Generator
) -> GenePool:
    """``add_connection`` on each of ``genomes``: connect the first fitting pair of the tried ones."""
    cfg, pc, mc = pool.config, pool.conns, config.mutation
    n_in, tries = cfg.num_inputs, mc.max_add_connection_attempts
    n = pool.node_counts[genomes]
    base = pool.node_offsets[genomes][:, None]
    src = base + (rng.random((len(genomes), tries)) * n[:, None]).astype(np.int64)
    dst = base + n_in + (rng.random((len(genomes), tries)) * (n - n_in)[:, None]).astype(np.int64)
    fits = src != dst if cfg.feed_forward else np.ones(src.shape, dtype=bool)
    # Existing pairs, as node rows: a pair key per connection of the chosen genomes.
    edge_src, edge_dst = pool.edge_nodes()
    rows = ranges(pool.conn_offsets[genomes], pool.conn_counts[genomes])
    width = np.int64(len(pool.nodes.id))
    pair = edge_src[rows] * width + edge_dst[rows]
    order = np.argsort(pair)
    pair, rows = pair[order], rows[order]
    exists, at = lookup_sorted(pair, src * width + dst)
    existing = np.where(exists, rows[at] if len(rows) else 0, -1)
    if mc.add_connection_reenables:
        fits &= ~(exists & pc.enabled[np.maximum(existing, 0)]) if len(pc.enabled) else True
    else:
        fits &= ~exists
    if cfg.feed_forward:
        fits &= _acyclic_additions(pool, src, dst, fits)
    has = fits.any(axis=1)
    pick = np.argmax(fits, axis=1)[has]
    genomes = genomes[has]
    src, dst, existing = (x[has, pick] for x in (src, dst, existing))
    again = existing >= 0
    enabled = pc.enabled
    if again.any():  # re-enable the existing gene rather than duplicating the pair
        enabled = enabled.copy()
        enabled[existing[again]] = True
    new = ~again
    if not new.any():
        return _with(pool, conns=pc._replace(enabled=enabled))
    ids = pool.nodes.id
    src_id, dst_id = ids[src[new]], ids[dst[new]]
    new_conns = ConnectionGenes(
        tracker.innovations(src_id, dst_id),
        src_id,
        dst_id,
        sample_attribute(rng, cfg, "weight", int(new.sum())),
        np.ones(int(new.sum()), dtype=bool),
    )
    return _inserted(pool, pc._replace(enabled=enabled), genomes[:0], None, genomes[new], new_conns,
                     (src[new], dst[new]))


def _acyclic_additions(pool: GenePool, src: np.ndarray, dst: np.ndarray, fits: np.ndarray) -> np.ndarray:
    """Which candidate edges ``src -> dst`` (node rows, (k, tries)) keep their genome acyclic.

    Only the candidates that matter are searched: those before each
    genome's first candidate that is safe by depth.
    """
    edge_src, edge_dst = pool.edge_nodes()
    on = pool.conns.enabled
    depth = longest_path_depths(len(pool.nodes.id), edge_src[on], edge_dst[on])
    safe = depth[src] <= depth[dst]  # a path dst -> src would make depth[src] > depth[dst]
    ok = safe.copy()
    tries = src.shape[1]
    first_safe = np.where((fits & safe).any(axis=1), np.argmax(fits & safe, axis=1), tries)
    search = fits & ~safe & (np.arange(tries)[None, :] < first_safe[:, None])
    if search.any():
        which = np.nonzero(search)
        ok[which] = ~reaches(len(pool.nodes.id), edge_src[on], edge_dst[on], dst[which], src[which])
    return ok


def reaches(num_nodes: int, src: np.ndarray, dst: np.ndarray, starts: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """For each query ``q``: is there a path ``starts[q] -> ... -> targets[q]`` over the edges ``src -> dst``?

    All queries are searched together, one level per pass, for an acyclic
    graph (a feed-forward gene pool's enabled edges): a node met again at a
    later level is searched again rather than remembered, which costs
    little on shallow graphs and keeps each pass a few array operations.

    Returns
    -------
    (q,) bool
    """
    found = starts == targets
    order = np.argsort(src, kind="stable")
    out = dst[order]
    first = offsets_of(np.bincount(src, minlength=num_nodes))
    query, node = np.flatnonzero(~found), starts[~found]
    for _ in range(num_nodes):  # at most the longest path
        if not len(query):
            break
        degree = first[node + 1] - first[node]
        query = np.repeat(query, degree)
        node = out[ranges(first[node], degree)]
        hit = node == targets[query]
        found[query[hit]] = True
        keep = ~found[query]
        keys = np.unique(query[keep] * num_nodes + node[keep])
        query, node = keys // num_nodes, keys % num_nodes
    return found


def delete_nodes(
    pool: GenePool, genomes: np.ndarray, config: Config, tracker: InnovationTracker, rng: np.random.Generator
) -> GenePool:
    """``delete_node`` on each of ``genomes``: remove a random hidden node and its connections."""
    cfg = pool.config
    fixed = cfg.num_inputs + cfg.num_outputs
    hidden = pool.node_counts[genomes] - fixed
    genomes, hidden = genomes[hidden > 0], hidden[hidden > 0]
    if not len(genomes):
        return pool
    row = pool.node_offsets[genomes] + fixed + (rng.random(len(genomes)) * hidden).astype(np.int64)
    keep_nodes = np.ones(len(pool.nodes.id), dtype=bool)
    keep_nodes[row] = False
    gone = np.full(len(pool), -1, dtype=np.int64)
    gone[genomes] = pool.nodes.id[row]
    g = gone[pool.conn_genome]
    keep_conns = (pool.conns.src != g) & (pool.conns.dst != g)
    return _kept(pool, keep_nodes, keep_conns)


def delete_connections(
    pool: GenePool, genomes: np.ndarray, config: Config, tracker: InnovationTracker, rng: np.random.Generator
) -> GenePool:
    """``delete_connection`` on each of ``genomes``: remove a random connection gene."""
    m = pool.conn_counts[genomes]
    genomes, m = genomes[m > 0], m[m > 0]
    if not len(genomes):
        return pool
    keep = np.ones(len(pool.conns.innovation), dtype=bool)
    keep[pool.conn_offsets[genomes] + (rng.random(len(genomes)) * m).astype(np.int64)] = False
    return _kept(pool, None, keep)


def toggle_pool(pool: GenePool, mutable: np.ndarray, config: Config, rng: np.random.Generator) -> MutatedPool:
    """``toggle_enabled`` on the genomes ``mutable``: flip each flag with ``enabled_mutate_rate``.

    In feed-forward mode a genome whose re-enabled genes close a cycle is
    redone gene by gene (the single-genome rule) and counted as a fallback.
    """
    rate = config.mutation.enabled_mutate_rate
    pc = pool.conns
    if rate == 0.0 or not len(pc.innovation):
        return MutatedPool(pool, 0)
    rows = np.flatnonzero(mutable[pool.conn_genome])
    flip = rows[rng.random(len(rows)) < rate]
    if not len(flip):
        return MutatedPool(pool, 0)
    enabled = pc.enabled.copy()
    turning_on = flip[~enabled[flip]]
    enabled[flip] = ~enabled[flip]
    toggled = _with(pool, conns=pc._replace(enabled=enabled))
    if not (pool.config.feed_forward and len(turning_on)):
        return MutatedPool(toggled, 0)
    risky = np.unique(pool.conn_genome[turning_on])
    sub = toggled.take(risky)
    edge_src, edge_dst = sub.edge_nodes()
    on = sub.conns.enabled
    cyclic = risky[np.unique(sub.node_genome[longest_path_depths(len(sub.nodes.id), edge_src[on], edge_dst[on]) < 0])]
    if not len(cyclic):
        return MutatedPool(toggled, 0)
    redone = []
    for g in cyclic.tolist():
        a, b = int(pool.conn_offsets[g]), int(pool.conn_offsets[g + 1])
        genome = pool[g]
        flags = enabled[a:b].copy()
        mine = turning_on[(turning_on >= a) & (turning_on < b)] - a
        flags[mine] = False
        enable_without_cycles(genome, flags, mine)
        redone.append(genome.replace(conns=genome.conns._replace(enabled=flags)))
    return MutatedPool(replace_genomes(toggled, cyclic, redone), len(cyclic))


def mutate_pool_functions(pool: GenePool, mutable: np.ndarray, config: Config, rng: np.random.Generator) -> GenePool:
    """``mutate_functions`` on the genomes ``mutable``: new activations / aggregations at their rates."""
    changed = {}
    rows = None
    for function in ("activation", "aggregation"):
        rate = getattr(config.mutation, f"{function}_mutate_rate")
        options = getattr(pool.config, f"{function}_options")
        if rate == 0.0 or len(options) < 2:
            continue
        if rows is None:
            rows = np.flatnonzero(mutable[pool.node_genome] & (pool.nodes.kind != NodeKind.INPUT))
        hit = rows[rng.random(len(rows)) < rate]
        if len(hit):
            codes = getattr(pool.nodes, function).copy()
            codes[hit] = rng.integers(len(options), size=len(hit))
            changed[function] = codes
    return _with(pool, nodes=pool.nodes._replace(**changed)) if changed else pool


def mutate_pool_attributes(
    pool: GenePool, mutable: np.ndarray, config: Config, rng: np.random.Generator, attributes: tuple = ATTRIBUTES
) -> GenePool:
    """Weights, biases and responses of the genomes ``mutable``, one vectorized pass per attribute.

    The rules of ``neat.genome.mutation.mutate_attributes``; input nodes carry no attributes.
    """
    cfg = pool.config
    conns, nodes = pool.conns, pool.nodes
    if "weight" in attributes:
        mutated = mutated_segments(conns.weight, pool.conn_counts, config, cfg, "weight", rng, mutable)
        if mutated is not None:
            conns = conns._replace(weight=mutated[0])
    non_input = None
    for attribute in ("bias", "response", "time_constant"):
        if attribute not in attributes:
            continue
        if non_input is None:
            non_input = np.flatnonzero(nodes.kind != NodeKind.INPUT)
        values = getattr(nodes, attribute)
        counts = pool.node_counts - cfg.num_inputs
        mutated = mutated_segments(values[non_input], counts, config, cfg, attribute, rng, mutable)
        if mutated is not None:
            column = values.copy()
            column[non_input] = mutated[0]
            nodes = nodes._replace(**{attribute: column})
    if conns is pool.conns and nodes is pool.nodes:
        return pool
    return _with(pool, nodes=nodes, conns=conns)
