import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from neat import (
    Config,
    InnovationTracker,
    add_connection,
    add_node,
    delete_connection,
    delete_node,
    make_rng,
    mutate,
    mutate_weights,
    new_genome,
    toggle_enabled,
)
from neat.genome.mutation import OPERATORS
from neat.testing import configs, genome_families

from ..helpers import XOR, hand_genome


def _copy(g):
    return [a.copy() for a in (*g.nodes, *g.conns)]


@pytest.mark.parametrize("name", sorted(OPERATORS))
@given(family=genome_families(), seed=st.integers(0, 2**32 - 1))
def test_every_operator_keeps_genomes_valid_and_leaves_its_input_alone(name, family, seed):
    genome = family.genomes[0]
    before = _copy(genome)
    child = OPERATORS[name](genome, family.config, family.tracker, make_rng(seed))
    child.validate()
    assert all(np.array_equal(a, b) for a, b in zip(before, _copy(genome)))


@given(configs(), st.integers(0, 2**32 - 1))
def test_same_seed_same_genome(config, seed):
    def run():
        tracker = InnovationTracker.for_config(config)
        rng = make_rng(seed)
        g = new_genome(config, tracker, rng)
        for _ in range(10):
            tracker.new_generation()
            g = mutate(g, config, tracker, rng)
        return g

    assert run() == run()


def test_add_node_splits_a_connection():
    cfg = XOR
    tracker = InnovationTracker.for_config(cfg)
    g = hand_genome(cfg, [(0, 0), (1, 0), (2, 1)], [(0, 0, 2, 0.7, True)])
    tracker.innovation(0, 2)
    child = add_node(g, cfg, tracker, make_rng(0))
    assert child.hidden_ids.tolist() == [3]
    c = child.conns
    assert c.innovation.tolist() == [0, 1, 2]
    assert list(zip(c.src.tolist(), c.dst.tolist(), c.weight.tolist(), c.enabled.tolist())) == [
        (0, 2, 0.7, False), (0, 3, 1.0, True), (3, 2, 0.7, True)
    ]
    assert child.nodes.bias[3] == 0.0 and child.nodes.response[3] == 1.0


def test_add_node_without_enabled_connection_is_not_applicable():
    g = hand_genome(XOR, [(0, 0), (1, 0), (2, 1)], [(0, 0, 2, 0.7, False)])
    assert add_node(g, XOR, InnovationTracker.for_config(XOR), make_rng(0)) is g


def test_add_connection_re_enables_instead_of_duplicating():
    cfg = Config(genome={"num_inputs": 1, "num_outputs": 1}, mutation={"max_add_connection_attempts": 50})
    g = hand_genome(cfg, [(0, 0), (1, 1)], [(0, 0, 1, 0.3, False)])
    child = add_connection(g, cfg, InnovationTracker.for_config(cfg), make_rng(1))
    assert child.num_connections == 1 and child.conns.enabled.tolist() == [True]
    assert child.conns.weight[0] == 0.3


def test_add_connection_never_closes_a_cycle_when_feed_forward():
    # 0 -> 3 -> 1 -> 2 (output 1 feeds output 2): every free pair either closes a cycle or must be found
    cfg = Config(genome={"num_inputs": 1, "num_outputs": 2}, mutation={"max_add_connection_attempts": 200})
    tracker = InnovationTracker.for_config(cfg)
    g = hand_genome(cfg, [(0, 0), (1, 1), (2, 1), (3, 2)], [(0, 0, 3, 1.0, True), (1, 3, 1, 1.0, True), (2, 1, 2, 1.0, True)])
    tracker.innovations(g.conns.src, g.conns.dst)
    rng = make_rng(5)
    for _ in range(30):
        g = add_connection(g, cfg, tracker, rng).validate()
    pairs = set(zip(g.conns.src.tolist(), g.conns.dst.tolist()))
    assert (2, 3) not in pairs and (2, 1) not in pairs and (1, 3) not in pairs
    assert (0, 1) in pairs and (0, 2) in pairs and (3, 2) in pairs  # all acyclic pairs get found


def test_recurrent_mode_adds_cycles_and_self_loops():
    cfg = Config(genome={"num_inputs": 1, "num_outputs": 2, "feed_forward": False},
                 mutation={"max_add_connection_attempts": 200})
    tracker = InnovationTracker.for_config(cfg)
    g = new_genome(cfg, tracker, make_rng(0))
    rng = make_rng(1)
    for _ in range(10):
        g = add_connection(g, cfg, tracker, rng).validate()
    pairs = set(zip(g.conns.src.tolist(), g.conns.dst.tolist()))
    assert pairs == {(s, d) for s in range(3) for d in (1, 2)}


def test_delete_node_never_removes_inputs_or_outputs():
    cfg = Config(genome={"num_inputs": 2, "num_outputs": 1, "hidden_layers": (2,)})
    tracker = InnovationTracker.for_config(cfg)
    g = new_genome(cfg, tracker, make_rng(0))
    rng = make_rng(0)
    g = delete_node(g, cfg, tracker, rng)
    assert g.num_hidden == 1 and g.num_connections == 3
    g = delete_node(delete_node(g, cfg, tracker, rng), cfg, tracker, rng)
    assert g.num_nodes == 3 and g.num_connections == 0
    assert delete_connection(g, cfg, tracker, rng) is g


def test_toggle_never_enables_a_cycle():
    cfg = Config(genome={"num_inputs": 1, "num_outputs": 1}, mutation={"enabled_mutate_rate": 1.0})
    g = hand_genome(cfg, [(0, 0), (1, 1), (2, 2)], [(0, 1, 2, 1.0, True), (1, 2, 1, 1.0, False)])
    child = toggle_enabled(g, cfg, InnovationTracker.for_config(cfg), make_rng(0))
    # everything flips: 0 turns off, 1 turns on (no cycle remains once 0 is off)
    assert child.conns.enabled.tolist() == [False, True]
    g2 = hand_genome(cfg, [(0, 0), (1, 1), (2, 2)], [(0, 1, 2, 1.0, True), (1, 2, 1, 1.0, False), (2, 0, 1, 1.0, False)])
    cfg_half = cfg.replace(mutation={"enabled_mutate_rate": 0.5})
    for seed in range(30):
        toggle_enabled(g2, cfg_half, InnovationTracker.for_config(cfg), make_rng(seed)).validate()


def test_weight_mutation_perturbs_replaces_and_clamps():
    cfg = Config(genome={"num_inputs": 50, "num_outputs": 40, "weight_min": -1.0, "weight_max": 1.0},
                 mutation={"weight_mutate_prob": 1.0, "weight_perturb_rate": 1.0, "weight_replace_rate": 0.0,
                           "weight_mutate_power": 0.1})
    tracker = InnovationTracker.for_config(cfg)
    g = new_genome(cfg, tracker, make_rng(0))
    child = mutate_weights(g, cfg, tracker, make_rng(1))
    delta = child.conns.weight - g.conns.weight
    inside = np.abs(g.conns.weight) < 0.5
    assert np.all(delta[inside] != 0)
    assert 0.08 < np.std(delta[inside]) < 0.12
    assert child.conns.weight.max() <= 1.0 and child.conns.weight.min() >= -1.0
    none = cfg.replace(mutation={"weight_mutate_prob": 0.0})
    assert mutate_weights(g, none, tracker, make_rng(1)) is g
    mixed = cfg.replace(mutation={"weight_perturb_rate": 0.5, "weight_replace_rate": 0.2})
    changed = mutate_weights(g, mixed, tracker, make_rng(1)).conns.weight != g.conns.weight
    assert 0.6 < changed.mean() < 0.8


def test_single_structural_mutation_makes_at_most_one():
    cfg = Config(genome={"num_inputs": 3, "num_outputs": 2},
                 mutation={"single_structural_mutation": True, "conn_add_prob": 0.9, "node_add_prob": 0.9,
                           "weight_mutate_prob": 0.0, "bias_mutate_prob": 0.0})
    tracker = InnovationTracker.for_config(cfg)
    g = new_genome(cfg.replace(genome={"initial_connection": "partial"}), tracker, make_rng(0))
    for seed in range(40):
        child = mutate(g, cfg, tracker, make_rng(seed))
        added_nodes = child.num_hidden - g.num_hidden
        added_conns = child.num_connections - g.num_connections
        assert (added_nodes, added_conns) in {(0, 0), (0, 1), (1, 2)}


def test_mutate_attributes_over_many_genomes():
    from neat.genome.mutation import mutate_attributes

    cfg = Config(genome={"num_inputs": 3, "num_outputs": 2, "hidden_layers": (2,)},
                 mutation={"weight_mutate_prob": 0.5, "bias_mutate_prob": 0.0})
    tracker = InnovationTracker.for_config(cfg)
    genomes = [new_genome(cfg, tracker, make_rng(s)) for s in range(200)]
    out = mutate_attributes(genomes, cfg, make_rng(1))
    assert len(out) == 200
    changed = [not np.array_equal(a.conns.weight, b.conns.weight) for a, b in zip(genomes, out)]
    assert 70 < sum(changed) < 130  # each genome chosen with probability 0.5
    for before, after, was_changed in zip(genomes, out, changed):
        after.validate()
        assert (after is before) == (not was_changed)
        assert np.array_equal(after.nodes.bias, before.nodes.bias)  # bias_mutate_prob = 0
        if was_changed:  # owns its weights (not a view of the whole batch)
            assert after.conns.weight.base is None
    none = cfg.replace(mutation={"weight_mutate_prob": 0.0})
    assert all(a is b for a, b in zip(mutate_attributes(genomes, none, make_rng(1)), genomes))
    assert mutate_attributes([], cfg, make_rng(1)) == []
