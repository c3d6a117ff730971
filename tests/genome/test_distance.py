import numpy as np
import pytest
from hypothesis import given

from neat import Config, distance, distances, pack_genomes
from neat.testing import genome_families

from ..helpers import hand_genome


@given(genome_families(min_size=2, max_size=5))
def test_distance_is_a_semimetric(family):
    cfg = family.config
    a, b = family.genomes[:2]
    assert distance(a, a, cfg) == 0.0
    assert distance(a, b, cfg) >= 0.0
    assert distance(a, b, cfg) == pytest.approx(distance(b, a, cfg), rel=1e-12, abs=1e-12)


@given(genome_families(min_size=2, max_size=6))
def test_batched_distance_equals_pairwise(family):
    cfg = family.config
    rep = family.genomes[-1]
    expected = [distance(g, rep, cfg) for g in family.genomes]
    np.testing.assert_allclose(distances(family.genomes, rep, cfg), expected, rtol=1e-12, atol=1e-12)
    packed = pack_genomes(family.genomes)
    np.testing.assert_allclose(distances(packed, rep, cfg), expected, rtol=1e-12, atol=1e-12)


def test_paper_figure_4_counts():
    # parent 1: genes 1-5, 8; parent 2: genes 1-7, 9, 10  ->  matching 5, disjoint 3 (6, 7, 8), excess 2 (9, 10)
    cfg = Config(genome={"num_inputs": 3, "num_outputs": 1},
                 speciation={"excess_coefficient": 1.0, "disjoint_coefficient": 10.0, "weight_coefficient": 100.0})
    nodes = [(0, 0), (1, 0), (2, 0), (3, 1), (4, 2), (5, 2)]
    p1 = hand_genome(cfg, nodes, [(1, 0, 3, 1.0, True), (2, 1, 3, 1.0, False), (3, 2, 3, 1.0, True),
                                  (4, 1, 4, 1.0, True), (5, 4, 3, 1.0, True), (8, 0, 4, 1.0, True)])
    p2 = hand_genome(cfg, nodes, [(1, 0, 3, 1.5, True), (2, 1, 3, 1.0, False), (3, 2, 3, 1.0, True),
                                  (4, 1, 4, 1.0, True), (5, 4, 3, 1.0, False), (6, 4, 5, 2.0, True),
                                  (7, 5, 3, 2.0, True), (9, 2, 4, 2.0, True), (10, 0, 5, 2.0, True)])
    # N = 1 (fewer than 20 genes): 1 * 2 + 10 * 3 + 100 * (0.5 / 5)
    assert distance(p1, p2, cfg) == pytest.approx(2 + 30 + 10)
    assert distances([p1], p2, cfg)[0] == pytest.approx(42)
    normalized = cfg.replace(speciation={"normalize_min_genes": 5})
    assert distance(p1, p2, normalized) == pytest.approx(2 / 9 + 30 / 9 + 10)


def test_empty_genomes():
    cfg = Config(genome={"num_inputs": 1, "num_outputs": 1})
    empty = hand_genome(cfg, [(0, 0), (1, 1)], [])
    full = hand_genome(cfg, [(0, 0), (1, 1)], [(0, 0, 1, 1.0, True)])
    assert distance(empty, empty, cfg) == 0.0
    assert distance(empty, full, cfg) == 1.0  # one excess gene
    assert distances([empty, full], empty, cfg).tolist() == [0.0, 1.0]
    assert distances([empty, full], full, cfg).tolist() == [1.0, 0.0]
