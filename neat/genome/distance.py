"""Compatibility distance (NEAT paper, eq. 1), pairwise and for a whole population at once.

    delta = c1 * E / N  +  c2 * D / N  +  c3 * W

E and D count excess and disjoint connection genes, W is the mean absolute
weight difference of matching genes, and N is the larger genome's gene count
(1 when both have fewer than ``normalize_min_genes`` genes).  Optional node
terms add ``node_disjoint_coefficient * (non-matching nodes) / (larger node
count)`` and ``node_attribute_coefficient * (mean difference of matching
non-input nodes)``.

With ``[speciation] distance_formula = "neat_python"`` the distance is
neat-python's genomic distance instead::

    delta = (c1 * E + c2 * D + c3 * sum_matching(|dw| + [enabled differs])) / N
          + (cn * Dn + ca * sum_matching_nodes(node difference)) / Nn

where Dn counts non-matching nodes and Nn is the larger number of non-input
nodes (the node difference is as above: |d bias| + |d response| + |d tau| + 1 for a
different activation + 1 for a different aggregation).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from ..config import Config, SpeciationConfig
from .crossover import align_by_innovation, check_compatible, lookup_sorted
from .genome import Genome
from .pool import offsets_of
from .pool_distance import normalizer, speciation_config_of

__all__ = ["distance", "distances", "PackedGenomes", "pack_genomes"]


def _node_attribute_difference(a: Genome, b: Genome, ia: np.ndarray, ib: np.ndarray) -> np.ndarray:
    """Per matching node: |d bias| + |d response| + |d time_constant| + [activation differs] + [aggregation differs]."""
    na, nb = a.nodes, b.nodes
    return (
        np.abs(na.bias[ia] - nb.bias[ib])
        + np.abs(na.response[ia] - nb.response[ib])
        + np.abs(na.time_constant[ia] - nb.time_constant[ib])
        + (na.activation[ia] != nb.activation[ib])
        + (na.aggregation[ia] != nb.aggregation[ib])
    )


def distance(a: Genome, b: Genome, config: Config | SpeciationConfig) -> float:
    """Compatibility distance between two genomes (non-negative, symmetric, 0 for equal genomes)."""
    sc = speciation_config_of(config)
    check_compatible(a, b)
    ca, cb = a.conns, b.conns
    common, ia, ib = align_by_innovation(ca.innovation, cb.innovation)
    len_a, len_b, matching = len(ca.innovation), len(cb.innovation), len(common)
    if len_a and len_b:
        excess = int(np.count_nonzero(ca.innovation > cb.innovation[-1])) + int(
            np.count_nonzero(cb.innovation > ca.innovation[-1])
        )
    else:
        excess = len_a + len_b
    disjoint = len_a + len_b - 2 * matching - excess
    n = float(normalizer(len_a, len_b, sc.normalize_min_genes))
    weight_diff = np.abs(ca.weight[ia] - cb.weight[ib])
    if sc.distance_formula == "neat_python":
        attribute_sum = float(weight_diff.sum()) + int(np.count_nonzero(ca.enabled[ia] != cb.enabled[ib]))
        delta = (
            sc.excess_coefficient * excess + sc.disjoint_coefficient * disjoint + sc.weight_coefficient * attribute_sum
        ) / n
    else:
        delta = (
            sc.excess_coefficient * excess / n
            + sc.disjoint_coefficient * disjoint / n
            + sc.weight_coefficient * (float(np.mean(weight_diff)) if matching else 0.0)
        )
    if sc.node_disjoint_coefficient or sc.node_attribute_coefficient:
        common_nodes, na, nb = np.intersect1d(a.nodes.id, b.nodes.id, assume_unique=True, return_indices=True)
        nodes_disjoint = a.num_nodes + b.num_nodes - 2 * len(common_nodes)
        hidden_or_output = common_nodes >= a.num_inputs
        diff = _node_attribute_difference(a, b, na[hidden_or_output], nb[hidden_or_output])
        if sc.distance_formula == "neat_python":
            larger = max(a.num_nodes, b.num_nodes) - a.num_inputs
            delta += (
                sc.node_disjoint_coefficient * nodes_disjoint + sc.node_attribute_coefficient * float(diff.sum())
            ) / larger
        else:
            delta += sc.node_disjoint_coefficient * nodes_disjoint / max(a.num_nodes, b.num_nodes)
            if diff.size:
                delta += sc.node_attribute_coefficient * float(np.mean(diff))
    return float(delta)


class PackedGenomes(NamedTuple):
    """Many genomes' genes concatenated, for whole-population computations.

    Attributes
    ----------
    innovation, weight : (T,) all connection genes, genome after genome
    conn_offsets : (P + 1,) genome ``p``'s genes are ``[conn_offsets[p], conn_offsets[p+1])``
    node_id, bias, response, activation, aggregation, time_constant : (U,) all node genes
    node_offsets : (P + 1,)
    enabled : (T,) bool, or None
        The connection genes' enabled flags (needed by the ``neat_python`` distance).
    """

    innovation: np.ndarray
    weight: np.ndarray
    conn_offsets: np.ndarray
    node_id: np.ndarray
    bias: np.ndarray
    response: np.ndarray
    activation: np.ndarray
    aggregation: np.ndarray
    node_offsets: np.ndarray
    enabled: np.ndarray | None = None
    time_constant: np.ndarray | None = None

    @property
    def size(self) -> int:
        """Number of genomes packed."""
        return len(self.conn_offsets) - 1


def pack_genomes(genomes: Sequence[Genome], *, nodes: bool = True, enabled: bool = True) -> PackedGenomes:
    """Concatenate the genes of ``genomes`` (node genes only when ``nodes``, enabled flags when ``enabled``)."""
    conns = [g.conns for g in genomes]
    empty_i, empty_f = np.empty(0, np.int64), np.empty(0)
    packed_nodes = [g.nodes for g in genomes] if nodes else []

    def cat(arrays: list[np.ndarray], empty: np.ndarray) -> np.ndarray:
        return np.concatenate(arrays) if arrays else empty

    return PackedGenomes(
        innovation=cat([c.innovation for c in conns], empty_i),
        weight=cat([c.weight for c in conns], empty_f),
        conn_offsets=offsets_of([len(c.innovation) for c in conns]),
        node_id=cat([n.id for n in packed_nodes], empty_i),
        bias=cat([n.bias for n in packed_nodes], empty_f),
        response=cat([n.response for n in packed_nodes], empty_f),
        activation=cat([n.activation for n in packed_nodes], np.empty(0, np.int16)),
        aggregation=cat([n.aggregation for n in packed_nodes], np.empty(0, np.int16)),
        node_offsets=offsets_of([len(n.id) for n in packed_nodes]) if nodes else np.zeros(1, np.int64),
        enabled=cat([c.enabled for c in conns], np.empty(0, bool)) if enabled else None,
        time_constant=cat([n.time_constant for n in packed_nodes], empty_f),
    )


def distances(
    genomes: Sequence[Genome] | PackedGenomes, representative: Genome, config: Config | SpeciationConfig
) -> np.ndarray:
    """Compatibility distance of every genome to one representative, in one vectorized pass.

    For a list of genomes: it packs only the genes the formula reads, cheaper
    than a ``GenePool`` of them. A generation's pool against many
    representatives: ``neat.genome.pool_distance.pool_distances``.

    Parameters
    ----------
    genomes
        P genomes, or their ``pack_genomes`` form (pack once, compare to many
        representatives).

    Returns
    -------
    (P,) float64, equal to ``[distance(g, representative, config) for g in genomes]``
    """
    sc = speciation_config_of(config)
    node_terms = bool(sc.node_disjoint_coefficient or sc.node_attribute_coefficient)
    if isinstance(genomes, PackedGenomes):
        packed = genomes
        if node_terms and packed.node_id.size == 0 and packed.size:
            raise ValueError("node terms of the distance need genomes packed with nodes=True")
    else:
        for g in genomes:
            check_compatible(g, representative)
        packed = pack_genomes(genomes, nodes=node_terms, enabled=sc.distance_formula == "neat_python")
    p = packed.size
    counts = np.diff(packed.conn_offsets)
    segment = np.repeat(np.arange(p), counts)
    rep = representative.conns
    n_rep = len(rep.innovation)

    match, pos = lookup_sorted(rep.innovation, packed.innovation)
    matching = np.bincount(segment, weights=match, minlength=p)
    weight_sum = np.bincount(segment[match], weights=np.abs(packed.weight[match] - rep.weight[pos[match]]), minlength=p)
    rep_max = rep.innovation[-1] if n_rep else -1
    excess_own = np.bincount(segment, weights=packed.innovation > rep_max, minlength=p)
    own_max = np.full(p, -1, dtype=np.int64)
    nonempty = counts > 0
    own_max[nonempty] = packed.innovation[packed.conn_offsets[1:][nonempty] - 1]
    excess_rep = n_rep - np.searchsorted(rep.innovation, own_max, side="right")
    excess = excess_own + excess_rep
    disjoint = counts + n_rep - 2 * matching - excess
    n = normalizer(counts, n_rep, sc.normalize_min_genes)
    if sc.distance_formula == "neat_python":
        if packed.enabled is None:
            raise ValueError("the neat_python distance needs the enabled flags (pack with pack_genomes)")
        enabled_differs = packed.enabled[match] != rep.enabled[pos[match]]
        attribute_sum = weight_sum + np.bincount(segment[match], weights=enabled_differs, minlength=p)
        delta = (
            sc.excess_coefficient * excess + sc.disjoint_coefficient * disjoint + sc.weight_coefficient * attribute_sum
        ) / n
    else:
        weight_diff = np.divide(weight_sum, matching, out=np.zeros(p), where=matching > 0)
        delta = (
            sc.excess_coefficient * excess / n
            + sc.disjoint_coefficient * disjoint / n
            + sc.weight_coefficient * weight_diff
        )
    if node_terms:
        delta += _node_distances(packed, representative, sc)
    return delta


def _node_distances(packed: PackedGenomes, rep: Genome, sc: SpeciationConfig) -> np.ndarray:
    p = packed.size
    counts = np.diff(packed.node_offsets)
    segment = np.repeat(np.arange(p), counts)
    match, pos = lookup_sorted(rep.nodes.id, packed.node_id)
    matching = np.bincount(segment, weights=match, minlength=p)
    disjoint = counts + rep.num_nodes - 2 * matching
    out = sc.node_disjoint_coefficient * disjoint / np.maximum(counts, rep.num_nodes)
    attr = match & (packed.node_id >= rep.num_inputs)
    rn, k = rep.nodes, pos[attr]
    diff = (
        np.abs(packed.bias[attr] - rn.bias[k])
        + np.abs(packed.response[attr] - rn.response[k])
        + np.abs(packed.time_constant[attr] - rn.time_constant[k])
        + (packed.activation[attr] != rn.activation[k])
        + (packed.aggregation[attr] != rn.aggregation[k])
    )
    attr_count = np.bincount(segment[attr], minlength=p)
    attr_sum = np.bincount(segment[attr], weights=diff, minlength=p)
    if sc.distance_formula == "neat_python":
        larger = np.maximum(counts, rep.num_nodes) - rep.num_inputs
        return (sc.node_disjoint_coefficient * disjoint + sc.node_attribute_coefficient * attr_sum) / larger
    mean = np.divide(attr_sum, attr_count, out=np.zeros(p), where=attr_count > 0)
    return out + sc.node_attribute_coefficient * mean
