"""Recurrent population stacks: every step equals each genome's RecurrentNetwork stepped alone."""

import dataclasses
import pickle

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import neat
from neat import Config, InvalidGenomeError
from neat.functions import ACTIVATIONS
from neat.genome.pool import GenePool
from neat.nn import (
    PopulationNetwork,
    RecurrentNetwork,
    RecurrentPopulationNetwork,
    compile_feedforward,
    compile_population,
    compile_recurrent,
)
from neat.nn.stack import recurrent_arrays_from_pool, stack_arrays_from_networks
from neat.testing import configs, genome_families, grown_genomes

from ..oracle import build_genome

STEPS = 5


@st.composite
def recurrent_populations(draw, max_size=6):
    """Recurrent genomes of one config (grown, crossed, pruned) and per-genome input sequences."""
    config = draw(configs(feed_forward=False))
    if draw(st.booleans()):
        # Make activations with a prescale (folded into the weights) and mixed functions common.
        g = config.genome
        acts = tuple(dict.fromkeys((*g.activation_options, draw(st.sampled_from(["sigmoid", "neat_sigmoid"])))))
        config = dataclasses.replace(
            config, genome=dataclasses.replace(g, activation_options=acts, activation_default="random")
        )
    genomes = list(draw(genome_families(config, min_size=1, max_size=max_size)).genomes)
    if draw(st.booleans()):
        genomes.insert(draw(st.integers(0, len(genomes))), draw(grown_genomes(config, max_steps=30)))
    batch = draw(st.integers(1, 3))
    X = draw(
        hnp.arrays(
            np.float64,
            (STEPS, len(genomes), batch, config.genome.num_inputs),
            elements=st.floats(-3.0, 3.0, allow_nan=False, allow_infinity=False),
        )
    )
    return genomes, X


def stepped_alone(genomes, X, dtype=np.float64):
    """(steps, P, batch, n_out): each genome's own RecurrentNetwork stepped through its inputs."""
    return np.stack([compile_recurrent(g, dtype).run(X[:, p]) for p, g in enumerate(genomes)], axis=1)


def assert_close_where_finite(got, want, rtol=1e-12, atol=1e-12):
    """Equal wherever the single network's outputs are finite (a non-finite value poisons its state)."""
    assert got.shape == want.shape
    finite = np.isfinite(want).all(axis=-1)
    np.testing.assert_allclose(got[finite], want[finite], rtol=rtol, atol=atol)


def assert_same_arrays(a, b):
    a, b = (x._asdict() if hasattr(x, "_asdict") else x for x in (a, b))
    assert a.keys() == b.keys()
    for key in a:
        if isinstance(a[key], np.ndarray):
            assert a[key].dtype == np.asarray(b[key]).dtype, key
            np.testing.assert_array_equal(a[key], b[key], err_msg=key)
        else:
            assert a[key] == b[key], key


def grown(cfg, count, seed=0, rounds=10):
    tracker = neat.InnovationTracker.for_config(cfg)
    rng = neat.make_rng(seed)
    genomes = neat.new_genomes(cfg, tracker, rng, count)
    for _ in range(rounds):
        genomes = [neat.mutate(g, cfg, tracker, rng) for g in genomes]
    return genomes


RECURRENT = Config(
    genome={
        "num_inputs": 3,
        "num_outputs": 2,
        "feed_forward": False,
        "activation_options": ["tanh", "neat_sigmoid", "relu"],
        "activation_default": "random",
        "aggregation_options": ["sum", "max", "mean"],
        "aggregation_default": "random",
    },
    mutation={"conn_add_prob": 0.6, "node_add_prob": 0.4, "weight_mutate_prob": 1.0},
)


# --- equivalence ---------------------------------------------------------------------
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@given(recurrent_populations())
def test_every_step_equals_each_network_stepped_alone(case):
    genomes, X = case
    stack = compile_population(genomes)
    assert isinstance(stack, RecurrentPopulationNetwork) and len(stack) == len(genomes)
    assert_close_where_finite(stack.run(X), stepped_alone(genomes, X))


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@given(recurrent_populations())
def test_inputs_shared_by_every_network(case):
    genomes, X = case
    shared = X[:, 0]  # (steps, batch, n_in): one batch for every genome
    want = np.stack([compile_recurrent(g).run(shared) for g in genomes], axis=1)
    assert_close_where_finite(compile_population(genomes).run(shared), want)
    # a 1-D x is a batch of one: (P, n_out) per step
    vector = X[:, 0, 0]
    want = np.stack([compile_recurrent(g).run(vector) for g in genomes], axis=1)
    got = compile_population(genomes).run(vector)
    assert got.shape == (STEPS, len(genomes), genomes[0].config.num_outputs)
    assert_close_where_finite(got, want)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@given(recurrent_populations())
def test_a_pool_genomes_and_compiled_networks_give_one_stack(case):
    genomes, X = case
    pool = GenePool.pack(genomes)
    nets = [compile_recurrent(g) for g in genomes]
    stack = compile_population(pool)
    # compiled at once, the flat description is that of the networks compiled one by one
    assert_same_arrays(recurrent_arrays_from_pool(pool), stack_arrays_from_networks(nets))
    for lazy, net in zip(stack.networks, nets):
        assert type(lazy) is RecurrentNetwork
        assert_same_arrays(lazy.arrays(), net.arrays())
    want = stack.run(X)
    for other in (compile_population(genomes), compile_population(pool.genomes()), RecurrentPopulationNetwork(nets)):
        assert_same_arrays(other.arrays(), stack.arrays())
        np.testing.assert_array_equal(other.run(X), want)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@given(recurrent_populations(), st.data())
def test_a_subset_carries_the_state_of_its_networks(case, data):
    genomes, X = case
    stack = compile_population(genomes)
    rows = data.draw(st.lists(st.integers(0, len(genomes) - 1), min_size=1, max_size=6), label="rows")
    split = data.draw(st.integers(0, STEPS), label="split")
    before = stack.run(X[:split])
    sub = stack.subset(rows)
    after = sub.run(X[split:, rows])
    full = np.concatenate((before, stack.run(X[split:])))
    assert_close_where_finite(after, full[split:, rows])
    assert_same_arrays(sub.arrays(), compile_population([genomes[i] for i in rows]).arrays())
    if split:
        state = sub.state
        assert len(state) == len(rows)
        for i, row in enumerate(rows):
            np.testing.assert_array_equal(state[i], stack.state[row])


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@given(recurrent_populations(max_size=3))
def test_float32(case):
    genomes, X = case
    stack = compile_population(genomes, np.float32)
    got = stack.run(X)
    assert got.dtype == np.float32 and stack.dtype == np.float32
    want = stepped_alone(genomes, X, np.float32)
    assert_close_where_finite(got[:1], want[:1], rtol=1e-5, atol=1e-5)  # float32 rounding may grow over the steps


def test_a_grown_population_is_bit_identical_here():
    """Not promised (BLAS may sum a padded row in another grouping), but what this machine gives."""
    genomes = grown(RECURRENT, 40, seed=3, rounds=15)
    X = neat.make_rng(0).normal(size=(20, 40, 7, 3))
    stack = compile_population(genomes)
    want = stepped_alone(genomes, X)
    got = stack.run(X)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)
    nets = [compile_recurrent(g) for g in genomes]
    for p, net in enumerate(nets):
        net.run(X[:, p])
    for mine, net in zip(stack.state, nets):
        np.testing.assert_allclose(mine, net.state, rtol=1e-12, atol=1e-15)
    assert "RecurrentPopulationNetwork(size=40, inputs=3, outputs=2" in repr(stack)


# --- state, reset and batches ------------------------------------------------------------
def test_reset_and_the_batch_size():
    genomes = grown(RECURRENT, 5)
    stack = compile_population(genomes)
    rng = neat.make_rng(1)
    X = rng.normal(size=(4, 5, 3, 3))
    first = stack.run(X)
    assert stack.state is not None and [s.shape for s in stack.state] == [
        (3, compile_recurrent(g).num_nodes) for g in genomes
    ]
    assert not np.array_equal(stack.run(X), first)  # the state carries over
    stack.reset()
    assert stack.state is None
    np.testing.assert_array_equal(stack.run(X), first)  # from zeros again
    with pytest.raises(ValueError, match="reset"):
        stack.step(np.zeros((5, 4, 3)))
    with pytest.raises(ValueError, match="reset"):
        stack.step(np.zeros(3))
    stack.reset()
    assert stack.step(np.zeros(3)).shape == (5, 2)
    assert stack.step(np.zeros((1, 3))).shape == (5, 1, 2)  # a 1-D step is a batch of one
    assert stack.step(np.zeros((5, 1, 3))).shape == (5, 1, 2)
    assert stack.run(np.zeros((0, 5, 1, 3))).shape == (0, 5, 1, 2)
    assert stack.forward(np.zeros(3)).shape == stack(np.zeros(3)).shape == (5, 2)
    stack.reset()
    assert stack.step(np.zeros((0, 3))).shape == (5, 0, 2)  # an empty batch, as a single network takes one


def test_bad_inputs_and_populations():
    genomes = grown(RECURRENT, 3)
    stack = compile_population(genomes)
    with pytest.raises(ValueError, match=r"expected X of shape \(3, batch, 3\), or \(batch, 3\)"):
        stack.step(np.zeros((2, 5, 3)))
    with pytest.raises(ValueError, match=r"got \(5, 4\)"):
        stack.step(np.zeros((5, 4)))
    with pytest.raises(ValueError, match="numeric"):
        stack.step(np.array([["a", "b", "c"]]))
    with pytest.raises(ValueError, match="steps"):
        stack.run(np.zeros(3))
    ff_cfg = Config(genome={"num_inputs": 3, "num_outputs": 2})
    ff = neat.new_genome(ff_cfg, neat.InnovationTracker.for_config(ff_cfg), neat.make_rng(0))
    with pytest.raises(ValueError, match="not both: item 0 is recurrent and item 3 is not"):
        compile_population([*genomes, ff])
    with pytest.raises(ValueError, match="not both"):
        compile_population([compile_feedforward(ff), compile_recurrent(genomes[0])])
    with pytest.raises(TypeError, match="item 1 is a FeedForwardNetwork"):
        RecurrentPopulationNetwork([compile_recurrent(genomes[0]), compile_feedforward(ff)])
    with pytest.raises(TypeError, match="RecurrentPopulationNetwork"):
        PopulationNetwork([compile_recurrent(genomes[0])])
    with pytest.raises(neat.ConfigError, match="compile_population stacks them as a RecurrentPopulationNetwork"):
        PopulationNetwork.from_pool(GenePool.pack(genomes))
    other = Config(genome={"num_inputs": 2, "num_outputs": 2, "feed_forward": False})
    odd = neat.new_genome(other, neat.InnovationTracker.for_config(other), neat.make_rng(0))
    with pytest.raises(ValueError, match="network 3 has 2 inputs"):
        compile_population([*genomes, odd])
    with pytest.raises(ValueError, match="at least one"):
        RecurrentPopulationNetwork([])
    with pytest.raises(ValueError, match="at least one"):
        stack.subset([])


def test_genomes_of_different_configs_and_compiled_networks_stack():
    other = dataclasses.replace(
        RECURRENT, genome=dataclasses.replace(RECURRENT.genome, activation_options=("identity", "tanh"))
    )
    genomes = [*grown(RECURRENT, 3, seed=1), *grown(other, 3, seed=2)]
    stack = compile_population(genomes)
    assert isinstance(stack, RecurrentPopulationNetwork)
    assert stack.arrays().activation_names == ("identity", "neat_sigmoid", "relu", "tanh")
    X = neat.make_rng(2).normal(size=(6, 6, 2, 3))
    np.testing.assert_allclose(stack.run(X), stepped_alone(genomes, X), rtol=1e-12, atol=1e-12)
    mixed = [compile_recurrent(genomes[0]), genomes[4]]
    np.testing.assert_allclose(
        compile_population(mixed).run(X[:, :2]), stepped_alone([genomes[0], genomes[4]], X[:, :2]), rtol=1e-12
    )


def test_a_feed_forward_genome_may_be_stepped_as_recurrent():
    cfg = Config(genome={"num_inputs": 2, "num_outputs": 1, "hidden_layers": [2]})
    genomes = neat.new_genomes(cfg, neat.InnovationTracker.for_config(cfg), neat.make_rng(0), 3)
    stack = RecurrentPopulationNetwork.from_pool(GenePool.pack(genomes))
    X = neat.make_rng(1).normal(size=(3, 3, 4, 2))
    np.testing.assert_allclose(stack.run(X), stepped_alone(genomes, X), rtol=1e-12)
    assert isinstance(compile_population(genomes), PopulationNetwork)  # the feed-forward path is unchanged


def test_a_stack_pickles_as_its_arrays_without_its_state():
    genomes = grown(RECURRENT, 4)
    stack = compile_population(genomes)
    X = neat.make_rng(3).normal(size=(3, 4, 2, 3))
    first = stack.run(X)
    payload = pickle.dumps(stack)
    assert b"RecurrentNetwork" not in payload  # no compiled network travels
    copy = pickle.loads(payload)
    assert type(copy) is RecurrentPopulationNetwork and copy.state is None
    assert_same_arrays(copy.arrays(), stack.arrays())
    np.testing.assert_array_equal(copy.run(X), first)


# --- padding, functions and pruning ----------------------------------------------------
def test_padding_of_a_function_not_finite_at_zero_stays_zero(monkeypatch):
    monkeypatch.setitem(ACTIVATIONS, "reciprocal", lambda z: 1.0 / z)
    options = {
        "activation_options": ["reciprocal", "tanh"],
        "activation_default": "reciprocal",
        "aggregation_options": ["sum", "max"],
        "feed_forward": False,
    }
    cfg = Config(genome={"num_inputs": 2, "num_outputs": 1, **options})
    # three reciprocal hidden nodes with self-loops; a tanh one; a max output
    wide = build_genome(
        cfg,
        hidden=[3, 4, 5, 6],
        conns=[(0, 3, 1.0), (1, 4, 1.0), (0, 5, 1.0), (3, 2, 1.0), (4, 2, 1.0), (5, 2, 1.0), (6, 2, 1.0),
               (3, 3, 0.1), (2, 6, 0.5), (1, 6, 1.0)],
        bias={3: 1.0, 4: 2.0, 5: 3.0, 2: 0.5},
        activation={6: "tanh"},
        aggregation={2: "max"},
    )
    narrow = build_genome(cfg, hidden=[3], conns=[(0, 3, 1.0), (3, 2, 2.0), (1, 2, 1.0), (2, 2, 0.5)],
                          bias={3: 1.0, 2: 1.0})
    stack = compile_population([wide, narrow, narrow])
    X = np.array([[[[0.5, 0.25]], [[1.0, 2.0]], [[3.0, 1.0]]]] * 4)  # (steps, P, batch, n_in)
    with np.errstate(divide="raise"):
        got = stack.run(X)
    assert np.all(np.isfinite(got))
    np.testing.assert_allclose(got, stepped_alone([wide, narrow, narrow], X), rtol=1e-12)


def test_dead_nodes_are_pruned_as_in_a_single_network():
    cfg = Config(genome={"num_inputs": 1, "num_outputs": 1, "feed_forward": False,
                         "activation_options": ["identity"], "activation_default": "identity"})
    # 2 is dead (a self-loop fed by the input, reaching no output); 3 feeds the output
    dead = build_genome(cfg, hidden=[2, 3], conns=[(0, 2, 1.0), (2, 2, 1.0), (0, 3, 2.0), (3, 1, 1.0), (1, 1, 0.5)])
    plain = build_genome(cfg, conns=[(0, 1, 1.0)])
    stack = compile_population([plain, dead])
    assert stack.arrays().pruned_offsets.tolist() == [0, 0, 1]
    assert stack.networks[1].pruned_ids.tolist() == [2]
    outs = stack.run(np.ones((4, 1)))[:, :, 0]
    # plain: the input; dead: v1_t = v3_{t-1} + 0.5 v1_{t-1}, v3_t = 2 x
    np.testing.assert_array_equal(outs, [[1.0, 0.0], [1.0, 2.0], [1.0, 3.0], [1.0, 3.5]])


def test_an_invalid_genome_in_a_pool_raises_naming_it():
    cfg = Config(genome={"num_inputs": 1, "num_outputs": 1, "feed_forward": False})
    good = build_genome(cfg, hidden=[2], conns=[(0, 2, 1.0), (2, 2, 1.0), (2, 1, 1.0)])
    bad = build_genome(cfg, conns=[(0, 1, 1.0), (1, 0, 1.0)], validate=False)
    with pytest.raises(InvalidGenomeError, match="input"):
        compile_recurrent(bad)
    with pytest.raises(InvalidGenomeError, match=r"^genome 1 of the population: .*input"):
        compile_population([good, bad, good])


# --- the gymnasium policy ---------------------------------------------------------------
def test_a_gym_policy_steps_the_stack_and_narrows_it_keeping_the_state():
    from neat.evaluation.gym.rollout import Policy

    genomes = grown(RECURRENT, 12, seed=4)
    policy = Policy(GenePool.pack(genomes).genomes())
    assert isinstance(policy._stack, RecurrentPopulationNetwork)
    nets = [compile_recurrent(g) for g in genomes]
    rng = neat.make_rng(5)
    for t in range(6):
        rows = policy.rows
        X = rng.normal(size=(len(rows), 4, 3))
        got = policy(X)
        want = np.stack([nets[i](x) for i, x in zip(rows.tolist(), X)])
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
        if t == 2:
            live = np.zeros(12, dtype=bool)
            live[[1, 6, 10]] = True
            policy.keep(live)
            np.testing.assert_array_equal(policy.rows, [1, 6, 10])
