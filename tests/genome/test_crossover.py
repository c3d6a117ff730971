import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from neat import Config, InnovationTracker, InvalidGenomeError, crossover, make_rng, new_genome
from neat.testing import genome_families

from ..helpers import XOR, hand_genome


def _conn_genes(g):
    c = g.conns
    return {(int(i), int(s), int(d), float(w)): bool(e) for i, s, d, w, e in zip(*c)}


def _node_genes(g):
    return {tuple(row) for row in zip(*(a.tolist() for a in g.nodes))}


@given(genome_families(), st.integers(0, 2**32 - 1), st.booleans())
def test_child_is_valid_and_every_gene_comes_from_a_parent(family, seed, equal):
    a, b = family.genomes[:2]
    child = crossover(a, b, family.config, make_rng(seed), equal_fitness=equal).validate()
    parent_conns = {k for g in (a, b) for k in _conn_genes(g)}
    assert set(_conn_genes(child)) <= parent_conns
    assert _node_genes(child) <= _node_genes(a) | _node_genes(b)
    # all genes of the fitter parent are inherited; with equal fitness those of both
    wanted = set(a.conns.innovation.tolist()) | (set(b.conns.innovation.tolist()) if equal else set())
    assert set(child.conns.innovation.tolist()) == wanted
    wanted_nodes = set(a.nodes.id.tolist()) | (set(b.nodes.id.tolist()) if equal else set())
    assert set(child.nodes.id.tolist()) == wanted_nodes


def test_paper_figure_4_alignment():
    # Parent 1 has genes 1-5 and 8, parent 2 has 1-7 and 9, 10 (the NEAT paper's Fig. 4, 0-based node ids here).
    cfg = Config(genome={"num_inputs": 3, "num_outputs": 1}, reproduction={"disabled_inherit_prob": 1.0})
    nodes1 = [(0, 0), (1, 0), (2, 0), (3, 1), (4, 2)]
    nodes2 = nodes1 + [(5, 2)]
    p1 = hand_genome(cfg, nodes1, [(1, 0, 3, 1.0, True), (2, 1, 3, 1.0, False), (3, 2, 3, 1.0, True),
                                   (4, 1, 4, 1.0, True), (5, 4, 3, 1.0, True), (8, 0, 4, 1.0, True)])
    p2 = hand_genome(cfg, nodes2, [(1, 0, 3, 2.0, True), (2, 1, 3, 2.0, False), (3, 2, 3, 2.0, True),
                                   (4, 1, 4, 2.0, True), (5, 4, 3, 2.0, False), (6, 4, 5, 2.0, True),
                                   (7, 5, 3, 2.0, True), (9, 2, 4, 2.0, True), (10, 0, 5, 2.0, True)])
    child = crossover(p2, p1, cfg, make_rng(0), equal_fitness=True)
    assert child.conns.innovation.tolist() == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    # disabled in either parent and disabled_inherit_prob = 1: stays disabled
    assert child.conns.enabled.tolist() == [True, False, True, True, False, True, True, True, True, True]
    fitter_only = crossover(p1, p2, cfg, make_rng(0))
    assert fitter_only.conns.innovation.tolist() == [1, 2, 3, 4, 5, 8]
    # matching genes draw weights from both parents
    weights = np.concatenate([crossover(p1, p2, cfg, make_rng(s)).conns.weight[:5] for s in range(10)])
    assert set(weights.tolist()) == {1.0, 2.0}


def test_disabled_inherit_prob_zero_re_enables():
    cfg = Config(genome={"num_inputs": 1, "num_outputs": 1}, reproduction={"disabled_inherit_prob": 0.0})
    p = hand_genome(cfg, [(0, 0), (1, 1)], [(0, 0, 1, 1.0, False)])
    assert crossover(p, p, cfg, make_rng(0)).conns.enabled.tolist() == [True]


def test_cycle_through_both_parents_is_broken():
    cfg = Config(genome={"num_inputs": 1, "num_outputs": 1})
    nodes = [(0, 0), (1, 1), (2, 2), (3, 2)]
    a = hand_genome(cfg, nodes, [(0, 0, 2, 1.0, True), (1, 2, 3, 1.0, True), (2, 3, 1, 1.0, True)])
    b = hand_genome(cfg, nodes, [(0, 0, 2, 1.0, True), (3, 3, 2, 1.0, True), (4, 2, 1, 1.0, True)])
    child = crossover(a, b, cfg, make_rng(0), equal_fitness=True).validate()
    assert child.conns.innovation.tolist() == [0, 1, 2, 3, 4]
    assert child.conns.enabled.tolist() == [True, True, True, False, True]


def test_crossing_different_shapes_is_an_error():
    other = Config(genome={"num_inputs": 3, "num_outputs": 1})
    a = new_genome(XOR, InnovationTracker.for_config(XOR), make_rng(0))
    b = new_genome(other, InnovationTracker.for_config(other), make_rng(0))
    with pytest.raises(InvalidGenomeError, match="different inputs/outputs: 2 inputs/1 outputs vs 3 inputs/1 outputs"):
        crossover(a, b, XOR, make_rng(0))


def test_crossing_genomes_from_different_trackers_is_an_error():
    a = hand_genome(XOR, [(0, 0), (1, 0), (2, 1)], [(0, 0, 2, 1.0, True)])
    b = hand_genome(XOR, [(0, 0), (1, 0), (2, 1)], [(0, 1, 2, 1.0, True)])
    with pytest.raises(InvalidGenomeError, match="disagree on innovation 0"):
        crossover(a, b, XOR, make_rng(0))
    c = hand_genome(XOR, [(0, 0), (1, 0), (2, 1)], [(5, 0, 2, 1.0, True)])
    with pytest.raises(InvalidGenomeError, match="two innovation numbers"):
        crossover(a, c, XOR, make_rng(0), equal_fitness=True)
