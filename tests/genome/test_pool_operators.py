"""The batched operators against the single-genome ones (the reference).

Where the algorithm is deterministic they agree exactly (distances, which
genes a child has, which genomes stay untouched); where it draws they agree
in distribution: the tests draw many children with a fixed seed and check
the frequencies against the single-genome operators' or the configured
probabilities, with bounds of at least four standard deviations.
"""

import collections

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import neat
from neat.genome.crossover import crossover
from neat.genome.distance import distance
from neat.genome.graph import reachable_from
from neat.genome.innovation import InnovationTracker
from neat.genome.mutation import add_connection, add_node
from neat.genome.pool import GenePool
from neat.genome.pool_crossover import cross_pool
from neat.genome.pool_distance import first_within, matching_counts, pair_distances, pool_distances
from neat.genome.pool_mutation import add_connections, add_nodes, mutate_pool, reaches
from neat.rng import make_rng
from neat.testing import configs, gene_pools, genome_families

from ..helpers import XOR


# --- distance -------------------------------------------------------------------------
@given(gene_pools(max_size=6), st.data())
def test_pool_distances_equal_the_pairwise_distance(family, data):
    pool, config = family.pool, family.config
    reps = pool.take(np.array(data.draw(st.lists(st.integers(0, len(pool) - 1), min_size=1, max_size=4))))
    rows = np.array(data.draw(st.lists(st.integers(0, len(pool) - 1), max_size=6)), dtype=np.int64)
    got = pool_distances(pool, rows, reps, config)
    expected = np.array([[distance(pool[i], r, config) for r in reps] for i in rows]).reshape(len(rows), len(reps))
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


@given(gene_pools(max_size=6), st.data())
def test_pair_distances_and_matching_counts_are_exact(family, data):
    pool, config = family.pool, family.config
    reps = pool.take(np.array(data.draw(st.lists(st.integers(0, len(pool) - 1), min_size=1, max_size=4))))
    g, r = np.nonzero(np.ones((len(pool), len(reps)), dtype=bool))
    expected = np.array([distance(pool[i], reps[j], config) for i, j in zip(g, r)])
    np.testing.assert_allclose(pair_distances(pool, g, reps, r, config), expected, rtol=1e-12, atol=1e-12)
    shared = [[len(set(pool[i].conns.innovation.tolist()) & set(reps[j].conns.innovation.tolist()))
               for j in range(len(reps))] for i in range(len(pool))]
    assert matching_counts(pool, np.arange(len(pool)), reps).tolist() == shared


@given(gene_pools(max_size=6), st.floats(0.1, 5.0), st.data())
def test_first_within_is_the_first_representative_within_the_threshold(family, threshold, data):
    pool, config = family.pool, family.config
    reps = pool.take(np.array(data.draw(st.lists(st.integers(0, len(pool) - 1), min_size=1, max_size=5))))
    d = np.array([[distance(a, b, config) for b in reps] for a in pool])
    first, dist = first_within(pool, reps, threshold, config)
    for i in range(len(pool)):
        within = np.flatnonzero(d[i] < threshold)
        if within.size and abs(d[i, within[0]] - threshold) > 1e-9:
            assert first[i] == within[0] and np.isclose(dist[i], d[i, within[0]], rtol=1e-12, atol=1e-12)
        elif not within.size and np.all(np.abs(d[i] - threshold) > 1e-9):
            assert first[i] == -1 and dist[i] == np.inf


# --- graph search ---------------------------------------------------------------------
@given(st.integers(1, 12), st.data())
def test_reaches_agrees_with_reachable_from(n, data):
    edges = data.draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=30))
    src = np.array([a for a, _ in edges], dtype=np.int64)
    dst = np.array([b for _, b in edges], dtype=np.int64)
    queries = data.draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), min_size=1, max_size=10))
    starts = np.array([a for a, _ in queries], dtype=np.int64)
    targets = np.array([b for _, b in queries], dtype=np.int64)
    expected = [bool(reachable_from(n, src, dst, int(a))[int(b)]) for a, b in queries]
    assert reaches(n, src, dst, starts, targets).tolist() == expected


def _assert_edges_are_right(pool):
    """The endpoints an operator handed down to its pool are those a search finds."""
    src, dst = pool.edge_nodes()
    fresh = GenePool(pool.config, pool.nodes, pool.conns, pool.node_offsets, pool.conn_offsets)
    assert np.array_equal(src, fresh.edge_nodes()[0]) and np.array_equal(dst, fresh.edge_nodes()[1])


# --- crossover --------------------------------------------------------------------------
def _child_check(child, fitter, other, equal):
    """A child has exactly the genes the rules give it, each from a parent."""
    innovations = set(fitter.conns.innovation.tolist())
    ids = set(fitter.nodes.id.tolist())
    if equal:
        innovations |= set(other.conns.innovation.tolist())
        ids |= set(other.nodes.id.tolist())
    assert set(child.conns.innovation.tolist()) == innovations
    assert set(child.nodes.id.tolist()) == ids
    weights = collections.defaultdict(set)
    for g in (fitter, other):
        for innovation, w in zip(g.conns.innovation.tolist(), g.conns.weight.tolist()):
            weights[innovation].add(w)
    for innovation, w in zip(child.conns.innovation.tolist(), child.conns.weight.tolist()):
        assert w in weights[innovation]
    child.validate()


@given(genome_families(min_size=2, max_size=5), st.data())
def test_cross_pool_children_take_their_genes_from_their_parents(family, data):
    pool = GenePool.pack(family.genomes)
    p = len(pool)
    a = np.array(data.draw(st.lists(st.integers(0, p - 1), min_size=1, max_size=8)), dtype=np.int64)
    b = np.array([data.draw(st.integers(-1, p - 1)) for _ in a], dtype=np.int64)
    equal = np.array([data.draw(st.booleans()) for _ in a])
    children, repaired = cross_pool(pool, a, b, equal, family.config, make_rng(data.draw(st.integers(0, 99))))
    assert len(children) == len(a) and repaired <= len(a)
    _assert_edges_are_right(children)
    for c, (i, j, e) in enumerate(zip(a.tolist(), b.tolist(), equal.tolist())):
        if j < 0:
            assert children[c] == pool[i]  # a copy, bit for bit
        else:
            _child_check(children[c], pool[i], pool[j], e)


def _xor_pair(equal_innovations: int = 0):
    """Two XOR genomes with matching, disjoint and disabled genes."""
    config = neat.Config(genome={"num_inputs": 2, "num_outputs": 1}, reproduction={"disabled_inherit_prob": 0.75})
    tracker = InnovationTracker.for_config(config)
    rng = make_rng(5)
    a, b = neat.new_genomes(config, tracker, rng, 2)
    a = add_node(a, config, tracker, rng)
    b = add_connection(add_node(b, config, tracker, rng), config, tracker, rng)
    return config, a, b


def test_cross_pool_draws_matching_genes_and_disabled_flags_as_the_reference_does():
    config, a, b = _xor_pair()
    pool = GenePool.pack([a, b])
    n = 4000
    children, _ = cross_pool(pool, np.zeros(n, np.int64), np.ones(n, np.int64), np.zeros(n, bool), config, make_rng(1))
    rng = make_rng(2)
    reference = [crossover(a, b, config, rng) for _ in range(n)]
    matching = [i for i in np.intersect1d(a.conns.innovation, b.conns.innovation)
                if a.conns.weight[a.conns.innovation == i][0] != b.conns.weight[b.conns.innovation == i][0]]
    assert len(matching) >= 2
    for batch in (list(children), reference):
        from_b = np.mean([[c.conns.weight[c.conns.innovation == i][0] == b.conns.weight[b.conns.innovation == i][0]
                           for i in matching] for c in batch])
        assert abs(from_b - 0.5) < 4 * np.sqrt(0.25 / (n * len(matching)))
        disabled_a = a.conns.innovation[~a.conns.enabled]  # the split connection, disabled in a
        off = np.mean([not c.conns.enabled[c.conns.innovation == disabled_a[0]][0] for c in batch])
        assert abs(off - 0.75) < 4 * np.sqrt(0.75 * 0.25 / n)


def test_cross_pool_equal_parents_merge_both_gene_sets():
    config, a, b = _xor_pair()
    pool = GenePool.pack([a, b])
    children, _ = cross_pool(pool, np.array([0, 1]), np.array([1, 0]), np.array([True, True]), config, make_rng(0))
    reference = crossover(a, b, config, make_rng(0), equal_fitness=True)
    for child in children:
        assert np.array_equal(child.conns.innovation, reference.conns.innovation)
        assert np.array_equal(child.nodes.id, reference.nodes.id)


def test_cross_pool_refuses_parents_of_two_trackers():
    config = neat.Config(genome={"num_inputs": 2, "num_outputs": 1})
    a = add_node(neat.new_genome(config, InnovationTracker.for_config(config), make_rng(0)), config,
                 InnovationTracker(3, 2), make_rng(0))
    other = InnovationTracker(3, 0)
    other.innovation(0, 2)
    other.innovation(2, 0)  # a (src, dst) pair that a's tracker numbered otherwise
    b = neat.Genome(config, a.nodes, a.conns._replace(src=a.conns.dst[::-1].copy() * 0 + a.conns.src,
                                                          dst=a.conns.dst), validate=False)
    pool = GenePool.pack([a, b])
    cross_pool(pool, np.array([0]), np.array([1]), np.array([False]), config, make_rng(0))  # same genes: fine
    swapped = a.conns._replace(src=a.conns.src[::-1].copy(), dst=a.conns.dst[::-1].copy())
    bad = GenePool.pack([a, neat.Genome(config, a.nodes, swapped, validate=False)])
    with pytest.raises(neat.InvalidGenomeError, match="share one InnovationTracker"):
        cross_pool(bad, np.array([0]), np.array([1]), np.array([False]), config, make_rng(0))


# --- mutation ---------------------------------------------------------------------------
@given(configs(), st.data())
def test_mutate_pool_keeps_every_genome_valid_and_the_others_untouched(config, data):
    family = data.draw(genome_families(config, min_size=2, max_size=6))
    pool = GenePool.pack(family.genomes).with_keys(np.arange(len(family.genomes)))
    mutable = np.array(data.draw(st.lists(st.booleans(), min_size=len(pool), max_size=len(pool))))
    tracker = family.tracker
    before = len(tracker)
    rng = make_rng(data.draw(st.integers(0, 2**32 - 1)))
    for _ in range(3):
        result = mutate_pool(pool, mutable, config, tracker, rng)
        pool_after = result.pool
        for i in range(len(pool)):
            pool_after[i].validate()
            if not mutable[i]:
                assert pool_after[i] == pool[i] and pool_after[i].key == pool[i].key
        # Every gene's innovation is the tracker's number for its pair (a recorded mutation or an old gene).
        known = len(tracker)
        for s, d, n in zip(pool_after.conns.src.tolist(), pool_after.conns.dst.tolist(),
                           pool_after.conns.innovation.tolist()):
            assert tracker.innovation(s, d) == n
        assert len(tracker) == known >= before
        assert pool_after.nodes.id.max() < tracker.next_node_id
        _assert_edges_are_right(pool_after)
        pool = pool_after


def _structural_counts(before: GenePool, after: GenePool) -> dict[str, float]:
    dn = after.node_counts - before.node_counts
    dc = after.conn_counts - before.conn_counts
    return {"node_add": float(np.mean(dn == 1)), "conn_add": float(np.mean((dn == 0) & (dc == 1)))}


@pytest.mark.parametrize("single", [False, True])
def test_structural_mutation_rates_match_the_config(single):
    config = neat.Config(
        genome={"num_inputs": 3, "num_outputs": 2},
        mutation={"node_add_prob": 0.2, "conn_add_prob": 0.3, "single_structural_mutation": single,
                  "max_add_connection_attempts": 50},
    )
    tracker = InnovationTracker.for_config(config)
    n = 4000
    # Start genomes with no connections: every pair is free, so add-connection never fails.
    start = neat.Config(genome={**config.genome.to_dict(), "initial_connection": "none"}, mutation=config.mutation.to_dict())
    pool = GenePool.pack(neat.new_genomes(start, tracker, make_rng(0), n))
    pool = add_connections(pool, np.arange(n), start, tracker, make_rng(1))  # one connection each, to split
    after = mutate_pool(pool, np.ones(n, bool), start, tracker, make_rng(2)).pool
    rates = _structural_counts(pool, after)
    node, conn = (0.2, 0.3) if single else (0.2, 0.3 * 0.8)  # without single, node+conn makes +1 node, +3 conns
    for name, p in (("node_add", node), ("conn_add", conn)):
        assert abs(rates[name] - p) < 4 * np.sqrt(p * (1 - p) / n), (name, rates[name], p)


def test_add_connections_draws_pairs_as_add_connection_does():
    config = neat.Config(genome={"num_inputs": 2, "num_outputs": 2, "initial_connection": "none"},
                         mutation={"max_add_connection_attempts": 1})
    tracker = InnovationTracker.for_config(config)
    genome = add_node(neat.new_genome(config, tracker, make_rng(0)), config, tracker, make_rng(0))
    genome = add_connection(genome, config, tracker, make_rng(3))
    genome = add_node(genome, config, tracker, make_rng(4))
    n = 6000
    pool = GenePool.pack([genome] * n)
    batched = add_connections(pool, np.arange(n), config, tracker, make_rng(5))
    rng = make_rng(6)
    reference = [add_connection(genome, config, tracker, rng) for _ in range(n)]

    def added(child):
        new = set(zip(child.conns.src.tolist(), child.conns.dst.tolist())) - set(
            zip(genome.conns.src.tolist(), genome.conns.dst.tolist()))
        return next(iter(new)) if new else None

    got = collections.Counter(added(c) for c in batched)
    want = collections.Counter(added(c) for c in reference)
    assert set(got) == set(want)
    for pair in want:
        p = want[pair] / n
        assert abs(got[pair] / n - p) < 4 * np.sqrt(p * (1 - p) / n) + 1e-9, pair


def test_add_nodes_split_a_uniform_enabled_connection():
    config = neat.Config(genome={"num_inputs": 3, "num_outputs": 2})
    tracker = InnovationTracker.for_config(config)
    genome = neat.new_genome(config, tracker, make_rng(0))
    genome = neat.toggle_enabled(genome, config.replace(mutation={"enabled_mutate_rate": 0.5}), tracker, make_rng(1))
    n = 5000
    after = add_nodes(GenePool.pack([genome] * n), np.arange(n), config, tracker, make_rng(2))
    enabled = set(genome.conns.innovation[genome.conns.enabled].tolist())
    split = collections.Counter()
    for child in after:
        turned_off = set(genome.conns.innovation[genome.conns.enabled].tolist()) - set(
            child.conns.innovation[child.conns.enabled].tolist())
        assert len(turned_off) == 1 and turned_off <= enabled
        split[turned_off.pop()] += 1
        child.validate()
    p = 1 / len(enabled)
    for count in split.values():
        assert abs(count / n - p) < 4 * np.sqrt(p * (1 - p) / n)
    # Every genome split its connection in this generation: one node id per split connection.
    assert len(set(after.nodes.id[after.nodes.id >= 5].tolist())) == len(enabled)


def test_feed_forward_additions_never_close_a_cycle():
    config = neat.Config(genome={"num_inputs": 2, "num_outputs": 1},
                         mutation={"node_add_prob": 0.5, "conn_add_prob": 1.0})
    tracker = InnovationTracker.for_config(config)
    pool = GenePool.pack(neat.new_genomes(config, tracker, make_rng(0), 200))
    rng = make_rng(1)
    for _ in range(15):
        pool = mutate_pool(pool, np.ones(len(pool), bool), config, tracker, rng).pool
        tracker.new_generation()
    pool.validate()
    assert pool.conn_counts.mean() > 8  # the genomes did grow


def test_xor_helper_still_works_with_pools():
    assert XOR.genome.num_inputs == 2
