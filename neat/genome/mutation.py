"""Mutation operators: pure functions ``(genome, config, tracker, rng) -> new genome``.

No operator changes its input.  One that cannot act (no connection to split,
no hidden node to delete, no free pair to connect) returns its input
genome unchanged.  ``mutate`` composes them at the configured rates.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from ..config import Config, GenomeConfig
from .attributes import clamp_attribute, default_function_codes, sample_attribute
from .genes import ConnectionGenes, NodeGenes, NodeKind, default_time_constant
from .genome import Genome
from .graph import creates_cycle
from .innovation import InnovationTracker

__all__ = [
    "Operator",
    "add_connection",
    "add_node",
    "delete_connection",
    "delete_node",
    "toggle_enabled",
    "mutate_weights",
    "mutate_node_attributes",
    "mutate_functions",
    "mutate",
    "mutate_structure",
    "mutate_attributes",
    "mutated_segments",
    "enable_without_cycles",
    "STRUCTURAL_OPERATORS",
    "OPERATORS",
]

Operator = Callable[[Genome, Config, InnovationTracker, np.random.Generator], Genome]


# --- helpers ---------------------------------------------------------------
def _concat_sorted(old: tuple, new: tuple, key: int) -> list[np.ndarray]:
    """Append ``new`` genes to ``old`` keeping them sorted by field number ``key``."""
    merged = [np.concatenate((a, b)) for a, b in zip(old, new)]
    keys = merged[key]
    if np.any(keys[1:] < keys[:-1]):
        order = np.argsort(keys, kind="stable")
        merged = [a[order] for a in merged]
    return merged


def _with_connections(conns: ConnectionGenes, new: ConnectionGenes) -> ConnectionGenes:
    return ConnectionGenes(*_concat_sorted(conns, new, key=0))


def _with_nodes(nodes: NodeGenes, new: NodeGenes) -> NodeGenes:
    return NodeGenes(*_concat_sorted(nodes, new, key=0))


def _enabled_edge_positions(genome: Genome) -> tuple[np.ndarray, np.ndarray]:
    """Enabled connections as node positions (indices into ``genome.nodes``)."""
    on = genome.conns.enabled
    return genome.node_index(genome.conns.src[on]), genome.node_index(genome.conns.dst[on])


def _closes_cycle(genome: Genome, src_id: int, dst_id: int, edges: tuple[np.ndarray, np.ndarray] | None = None) -> bool:
    src_pos, dst_pos = _enabled_edge_positions(genome) if edges is None else edges
    s, d = genome.node_index([src_id, dst_id]).tolist()
    return creates_cycle(genome.num_nodes, src_pos, dst_pos, s, d)


# --- structural mutations ---------------------------------------------------
def add_connection(genome: Genome, config: Config, tracker: InnovationTracker, rng: np.random.Generator) -> Genome:
    """Connect a random ``(src, dst)`` pair that is not yet connected.

    ``src`` is any node, ``dst`` any non-input node.  In feed-forward mode a
    pair that would close a cycle is refused; with ``feed_forward = false``
    recurrent and self connections are allowed.  If the pair exists but is
    disabled, that gene is re-enabled instead of duplicated (with
    ``add_connection_reenables = false`` the pair counts as taken).  Up to
    ``max_add_connection_attempts`` random pairs are tried; if none fits, the
    genome is returned unchanged.
    """
    cfg = genome.config
    ids, conns = genome.nodes.id, genome.conns
    n, n_in = len(ids), cfg.num_inputs
    feed_forward = cfg.feed_forward
    edges = None
    for _ in range(config.mutation.max_add_connection_attempts):
        src = int(ids[rng.integers(n)])
        dst = int(ids[rng.integers(n_in, n)])
        if feed_forward and src == dst:
            continue
        match = np.flatnonzero((conns.src == src) & (conns.dst == dst))
        if match.size and (conns.enabled[match[0]] or not config.mutation.add_connection_reenables):
            continue
        if feed_forward:
            edges = _enabled_edge_positions(genome) if edges is None else edges
            if _closes_cycle(genome, src, dst, edges):
                continue
        if match.size:  # re-enable the existing gene rather than duplicating the pair
            enabled = conns.enabled.copy()
            enabled[match[0]] = True
            return genome.replace(conns=conns._replace(enabled=enabled))
        new = ConnectionGenes(
            np.array([tracker.innovation(src, dst)], dtype=np.int64),
            np.array([src], dtype=np.int64),
            np.array([dst], dtype=np.int64),
            sample_attribute(rng, cfg, "weight", 1),
            np.ones(1, dtype=bool),
        )
        return genome.replace(conns=_with_connections(conns, new))
    return genome


def add_node(genome: Genome, config: Config, tracker: InnovationTracker, rng: np.random.Generator) -> Genome:
    """Split a random enabled connection ``a -> b`` with a new node ``n``.

    The old connection is disabled; ``a -> n`` gets weight 1 and ``n -> b`` the
    old weight, so the network computes nearly what it did.  The new node has
    bias 0 and response ``response_init_mean`` (both clamped to their bounds)
    and the default activation and aggregation.  Its id and the two
    innovation numbers come from ``tracker``: the same for every genome that
    splits the same connection in the same generation.  With no enabled
    connection to split, the genome is returned unchanged, or with
    ``add_node_fallback = true`` given a new connection (``add_connection``).
    """
    cfg = genome.config
    conns = genome.conns
    candidates = np.flatnonzero(conns.enabled)
    if candidates.size == 0:
        return add_connection(genome, config, tracker, rng) if config.mutation.add_node_fallback else genome
    k = int(candidates[rng.integers(candidates.size)])
    src, dst = int(conns.src[k]), int(conns.dst[k])
    node_id = tracker.split_node_id(int(conns.innovation[k]), genome.nodes.id)
    new_node = NodeGenes(
        np.array([node_id], dtype=np.int64),
        np.array([NodeKind.HIDDEN], dtype=np.int8),
        clamp_attribute(cfg, "bias", np.zeros(1)),
        clamp_attribute(cfg, "response", np.full(1, cfg.response_init_mean)),
        default_function_codes(rng, cfg, "activation", 1),
        default_function_codes(rng, cfg, "aggregation", 1),
        np.full(1, default_time_constant(cfg)),
    )
    new_conns = ConnectionGenes(
        np.array([tracker.innovation(src, node_id), tracker.innovation(node_id, dst)], dtype=np.int64),
        np.array([src, node_id], dtype=np.int64),
        np.array([node_id, dst], dtype=np.int64),
        clamp_attribute(cfg, "weight", np.array([1.0, conns.weight[k]])),
        np.ones(2, dtype=bool),
    )
    enabled = conns.enabled.copy()
    enabled[k] = False
    return genome.replace(
        nodes=_with_nodes(genome.nodes, new_node),
        conns=_with_connections(conns._replace(enabled=enabled), new_conns),
    )


def delete_connection(genome: Genome, config: Config, tracker: InnovationTracker, rng: np.random.Generator) -> Genome:
    """Remove one random connection gene (enabled or not)."""
    m = genome.num_connections
    if m == 0:
        return genome
    keep = np.ones(m, dtype=bool)
    keep[rng.integers(m)] = False
    return genome.replace(conns=genome.conns.take(keep))


def delete_node(genome: Genome, config: Config, tracker: InnovationTracker, rng: np.random.Generator) -> Genome:
    """Remove one random hidden node and every connection into or out of it.

    Input and output nodes are never removed.
    """
    hidden = genome.hidden_ids
    if hidden.size == 0:
        return genome
    node_id = hidden[rng.integers(hidden.size)]
    conns = genome.conns
    return genome.replace(
        nodes=genome.nodes.take(genome.nodes.id != node_id),
        conns=conns.take((conns.src != node_id) & (conns.dst != node_id)),
    )


def toggle_enabled(genome: Genome, config: Config, tracker: InnovationTracker, rng: np.random.Generator) -> Genome:
    """Flip each connection's enabled flag with probability ``enabled_mutate_rate``.

    In feed-forward mode a connection whose re-enabling would close a cycle
    stays disabled.
    """
    rate = config.mutation.enabled_mutate_rate
    m = genome.num_connections
    if rate == 0.0 or m == 0:
        return genome
    flip = rng.random(m) < rate
    if not flip.any():
        return genome
    conns = genome.conns
    enabled = conns.enabled.copy()
    turning_on = np.flatnonzero(flip & ~enabled)
    enabled[flip & conns.enabled] = False
    if genome.config.feed_forward and turning_on.size:
        enable_without_cycles(genome, enabled, turning_on)
    else:
        enabled[turning_on] = True
    return genome.replace(conns=conns._replace(enabled=enabled))


def enable_without_cycles(genome: Genome, enabled: np.ndarray, turning_on: np.ndarray) -> None:
    """Set ``enabled[k]`` for each ``k`` of ``turning_on`` in order, unless that would close a cycle.

    ``enabled`` (m,) bool is changed in place; one at a time, as each gene
    enabled may block the next.
    """
    conns = genome.conns
    src, dst = genome.node_index(conns.src), genome.node_index(conns.dst)
    for k in np.asarray(turning_on).tolist():
        if not creates_cycle(genome.num_nodes, src[enabled], dst[enabled], int(src[k]), int(dst[k])):
            enabled[k] = True


# --- attribute mutations ----------------------------------------------------
def mutated_segments(
    values: np.ndarray,
    counts: np.ndarray,
    config: Config,
    genome_config: GenomeConfig,
    attribute: str,
    rng: np.random.Generator,
    eligible: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray] | None:
    """Mutate one attribute of many genomes in one vectorized pass.

    ``values`` is the concatenation of the genomes' arrays (``counts[i]``
    values for genome ``i``).  Each genome (of those ``eligible``, (k,)
    bool, default all) is chosen with probability ``<attribute>_mutate_prob``;
    each value of a chosen genome is replaced by a fresh draw with
    probability ``<attribute>_replace_rate``, else perturbed by N(0, power)
    with probability ``<attribute>_perturb_rate``; all clamped to the bounds.
    When every value of every chosen genome is perturbed (the fixed-topology
    GA), the normals are drawn as float32, twice as fast as float64 and
    plenty for mutation noise.

    Returns
    -------
    ``(new values (n,), chosen (k,) bool)``, or None when no genome is chosen.
    """
    mc = config.mutation
    prob = getattr(mc, f"{attribute}_mutate_prob")
    perturb_rate = getattr(mc, f"{attribute}_perturb_rate")
    replace_rate = getattr(mc, f"{attribute}_replace_rate")
    power = getattr(mc, f"{attribute}_mutate_power")
    n, k = len(values), len(counts)
    if n == 0 or prob == 0.0 or (perturb_rate == 0.0 and replace_rate == 0.0):
        return None
    chosen = np.ones(k, dtype=bool) if prob >= 1.0 else rng.random(k) < prob
    if eligible is not None:
        chosen &= eligible
    if not chosen.any():
        return None
    gene_mask = None if chosen.all() else np.repeat(chosen, counts)
    if replace_rate == 0.0 and perturb_rate == 1.0:
        # Every value perturbed: one vectorized expression, no per-value masks.
        noise = rng.standard_normal(n, dtype=np.float32)
        noise *= np.float32(power)
        if gene_mask is not None:
            noise[~gene_mask] = 0.0
        return clamp_attribute(genome_config, attribute, np.add(values, noise)), chosen
    r = rng.random(n)
    replace = r < replace_rate
    perturb = ~replace & (r < replace_rate + perturb_rate)
    if gene_mask is not None:
        replace &= gene_mask
        perturb &= gene_mask
    new = values.copy()
    perturbed = int(np.count_nonzero(perturb))
    if perturbed:
        new[perturb] += power * rng.standard_normal(perturbed)
    replaced = int(np.count_nonzero(replace))
    if replaced:
        new[replace] = sample_attribute(rng, genome_config, attribute, replaced)
    return clamp_attribute(genome_config, attribute, new), chosen


ATTRIBUTES = ("weight", "bias", "response", "time_constant")


def mutate_attributes(
    genomes: Sequence[Genome],
    config: Config,
    rng: np.random.Generator,
    attributes: Sequence[str] = ATTRIBUTES,
) -> list[Genome]:
    """Perturb or replace the weights, biases and responses of many genomes at once.

    One vectorized pass per attribute over all genomes (the ``weight_*``,
    ``bias_*`` and ``response_*`` rates); input nodes carry no attributes
    and are left alone.  A genome none of whose attributes changed is
    returned as it is.

    Parameters
    ----------
    attributes
        Which of ``"weight"``, ``"bias"``, ``"response"``, ``"time_constant"`` to mutate (in this order).
    """
    genomes = list(genomes)
    if not genomes:
        return genomes
    # Bound the temporary arrays (a population of big fixed-topology genomes
    # would otherwise be concatenated whole): mutate in batches of ~4M values.
    batches, size, start = [], 0, 0
    for i, g in enumerate(genomes):
        size += g.num_connections + g.num_nodes
        if size >= _MAX_BATCH_VALUES:
            batches.append((start, i + 1))
            start, size = i + 1, 0
    if batches:
        if start < len(genomes):
            batches.append((start, len(genomes)))
        return [
            child for a, b in batches for child in _mutate_attributes_batch(genomes[a:b], config, rng, attributes)
        ]
    return _mutate_attributes_batch(genomes, config, rng, attributes)


_MAX_BATCH_VALUES = 1 << 22


def _mutate_attributes_batch(
    genomes: list[Genome], config: Config, rng: np.random.Generator, attributes: Sequence[str]
) -> list[Genome]:
    genome_config = genomes[0].config
    n_in = genome_config.num_inputs
    conn_counts = np.array([g.num_connections for g in genomes], dtype=np.int64)
    node_counts = np.array([g.num_nodes - n_in for g in genomes], dtype=np.int64)
    columns = {
        "weight": (conn_counts, lambda g: g.conns.weight),
        "bias": (node_counts, lambda g: g.nodes.bias[n_in:]),
        "response": (node_counts, lambda g: g.nodes.response[n_in:]),
        "time_constant": (node_counts, lambda g: g.nodes.time_constant[n_in:]),
    }
    results = {}
    for attribute in ATTRIBUTES:
        if attribute not in attributes:
            continue
        counts, column = columns[attribute]
        values = np.concatenate([column(g) for g in genomes]) if len(genomes) > 1 else column(genomes[0])
        mutated = mutated_segments(values, counts, config, genome_config, attribute, rng)
        if mutated is not None:
            results[attribute] = (mutated[0], mutated[1], np.concatenate(([0], np.cumsum(counts))))
    if not results:
        return genomes
    out = []
    for i, genome in enumerate(genomes):
        new: dict[str, np.ndarray] = {}
        for attribute, (values, chosen, offsets) in results.items():
            if chosen[i]:
                new[attribute] = values[offsets[i] : offsets[i + 1]]
        if not new:
            out.append(genome)
            continue
        conns, nodes = genome.conns, genome.nodes
        if "weight" in new:
            # A slice of the batch's array: copied, so the genome does not keep the batch alive.
            weight = new["weight"]
            conns = conns._replace(weight=weight if len(genomes) == 1 else weight.copy())
        changed_nodes = {
            a: np.concatenate((getattr(nodes, a)[:n_in], new[a])) for a in ("bias", "response", "time_constant")
            if a in new
        }
        if changed_nodes:
            nodes = nodes._replace(**changed_nodes)
        out.append(genome.replace(nodes=nodes, conns=conns))
    return out


def mutate_weights(genome: Genome, config: Config, tracker: InnovationTracker, rng: np.random.Generator) -> Genome:
    """Perturb or replace connection weights (``weight_*`` rates; one vectorized pass)."""
    return mutate_attributes([genome], config, rng, ("weight",))[0]


def mutate_node_attributes(
    genome: Genome, config: Config, tracker: InnovationTracker, rng: np.random.Generator
) -> Genome:
    """Perturb or replace the biases, responses and time constants of non-input nodes."""
    return mutate_attributes([genome], config, rng, ("bias", "response", "time_constant"))[0]


def mutate_functions(genome: Genome, config: Config, tracker: InnovationTracker, rng: np.random.Generator) -> Genome:
    """Give each non-input node a new activation / aggregation with the configured rates.

    The new function is drawn uniformly from ``activation_options`` /
    ``aggregation_options``.
    """
    n_in = genome.num_inputs
    nodes = genome.nodes
    changed = {}
    for function in ("activation", "aggregation"):
        rate = getattr(config.mutation, f"{function}_mutate_rate")
        options = getattr(genome.config, f"{function}_options")
        m = genome.num_nodes - n_in
        if rate == 0.0 or len(options) < 2 or m == 0:
            continue
        hit = np.flatnonzero(rng.random(m) < rate) + n_in
        if hit.size:
            codes = getattr(nodes, function).copy()
            codes[hit] = rng.integers(len(options), size=hit.size)
            changed[function] = codes
    return genome.replace(nodes=nodes._replace(**changed)) if changed else genome


STRUCTURAL_OPERATORS: dict[str, Operator] = {
    "node_add": add_node,
    "node_delete": delete_node,
    "conn_add": add_connection,
    "conn_delete": delete_connection,
}
"""Structural operators by the prefix of their ``<name>_prob`` config key."""

OPERATORS: dict[str, Operator] = {
    "add_node": add_node,
    "add_connection": add_connection,
    "delete_node": delete_node,
    "delete_connection": delete_connection,
    "toggle_enabled": toggle_enabled,
    "mutate_weights": mutate_weights,
    "mutate_node_attributes": mutate_node_attributes,
    "mutate_functions": mutate_functions,
}
"""Every mutation operator by name (all share one signature)."""


def mutate_structure(genome: Genome, config: Config, tracker: InnovationTracker, rng: np.random.Generator) -> Genome:
    """The structural part of ``mutate``: add/delete node/connection, enabled flags, node functions.

    Each structural mutation happens with its own ``*_prob``; with
    ``single_structural_mutation = true`` at most one of them happens, chosen
    with probabilities proportional to those rates (scaled down if they sum
    above 1).
    """
    mc = config.mutation
    rates = [(op, getattr(mc, f"{name}_prob")) for name, op in STRUCTURAL_OPERATORS.items()]
    if mc.single_structural_mutation:
        total = max(1.0, sum(p for _, p in rates))
        r = rng.random() * total
        for op, p in rates:
            if r < p:
                genome = op(genome, config, tracker, rng)
                break
            r -= p
    else:
        for op, p in rates:
            if p > 0.0 and rng.random() < p:
                genome = op(genome, config, tracker, rng)
    genome = toggle_enabled(genome, config, tracker, rng)
    return mutate_functions(genome, config, tracker, rng)


def mutate(genome: Genome, config: Config, tracker: InnovationTracker, rng: np.random.Generator) -> Genome:
    """One child's mutations: ``mutate_structure``, then ``mutate_attributes`` (weights, biases, responses).

    ``neat.evolution.reproduction`` does the same for a whole generation, with the
    attribute mutations of all children in one vectorized pass.
    """
    genome = mutate_structure(genome, config, tracker, rng)
    return mutate_attributes([genome], config, rng)[0]
