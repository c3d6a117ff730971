import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from neat import Config, InnovationTracker, add_node, make_rng, new_genome
from neat.testing import genome_families

from ..helpers import XOR


def test_same_pair_same_innovation_for_the_whole_run():
    t = InnovationTracker(next_node_id=3)
    a = t.innovation(0, 2)
    t.new_generation()
    assert t.innovation(1, 2) == a + 1
    assert t.innovation(0, 2) == a
    assert t.innovations([1, 0, 5], [2, 2, 2]).tolist() == [a + 1, a, a + 2]


def test_split_ids_are_shared_within_a_generation_only():
    t = InnovationTracker(next_node_id=3)
    n1 = t.split_node_id(7, existing_ids=[0, 1, 2])
    assert t.split_node_id(7, existing_ids=[0, 1, 2]) == n1
    assert t.split_node_id(8, existing_ids=[0, 1, 2]) != n1
    # a genome that already holds the node (it split the same connection again) gets the next id of the chain
    n2 = t.split_node_id(7, existing_ids=[0, 1, 2, n1])
    assert n2 not in (n1,) and t.split_node_id(7, existing_ids=[0, 1, 2, n1]) == n2
    t.new_generation()
    assert t.split_node_id(7, existing_ids=[0, 1, 2]) not in (n1, n2)


@given(st.integers(0, 2**32 - 1), st.integers(0, 2**32 - 1))
def test_two_genomes_splitting_the_same_connection_get_the_same_node_and_innovations(seed_a, seed_b):
    cfg = Config(genome={"num_inputs": 1, "num_outputs": 1})  # one connection: both must split it
    tracker = InnovationTracker.for_config(cfg)
    a = new_genome(cfg, tracker, make_rng(seed_a))
    b = new_genome(cfg, tracker, make_rng(seed_b))
    tracker.new_generation()
    a2 = add_node(a, cfg, tracker, make_rng(seed_a))
    b2 = add_node(b, cfg, tracker, make_rng(seed_b))
    assert a2.hidden_ids.tolist() == b2.hidden_ids.tolist() == [2]
    assert np.array_equal(a2.conns.innovation, b2.conns.innovation)
    assert a2.conns.innovation.tolist() == [0, 1, 2]
    tracker.new_generation()
    a3 = add_node(b, cfg, tracker, make_rng(seed_a))
    assert a3.hidden_ids.tolist() == [3]  # a later generation: a new node


@given(genome_families())
def test_innovation_numbers_name_one_pair_across_genomes(family):
    seen = {}
    for g in family.genomes:
        for innov, s, d in zip(g.conns.innovation.tolist(), g.conns.src.tolist(), g.conns.dst.tolist()):
            assert seen.setdefault(innov, (s, d)) == (s, d)
            assert family.tracker.innovation(s, d) == innov


def test_tracker_round_trip():
    t = InnovationTracker.for_config(XOR)
    t.innovation(0, 2)
    t.split_node_id(0, [0, 1, 2])
    t.new_generation()
    t.split_node_id(0, [0, 1, 2])
    assert InnovationTracker.from_dict(t.to_dict()) == t
    assert "connections=1" in repr(t)


@given(
    st.lists(st.tuples(st.integers(0, 6), st.integers(0, 6)), max_size=12),
    st.lists(st.tuples(st.integers(0, 6), st.integers(0, 6)), max_size=30),
)
def test_bulk_innovations_equal_one_call_per_pair(known, pairs):
    """innovations() numbers new pairs in order of first appearance, like innovation() called pair by pair."""
    bulk, single = InnovationTracker(next_node_id=7), InnovationTracker(next_node_id=7)
    for s, d in known:
        bulk.innovation(s, d)
        single.innovation(s, d)
    src = np.array([p[0] for p in pairs], dtype=np.int64)
    dst = np.array([p[1] for p in pairs], dtype=np.int64)
    assert bulk.innovations(src, dst).tolist() == [single.innovation(s, d) for s, d in pairs]
    assert bulk == single
