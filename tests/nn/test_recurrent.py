"""Recurrent networks: stepping equals the oracle stepped by hand; state, reset and batches."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import neat
from neat import Config
from neat.nn import RecurrentNetwork, compile, compile_feedforward, compile_recurrent
from neat.testing import configs, genome_families, grown_genomes

from ..oracle import build_genome, oracle_step

STEPS = 4


@st.composite
def recurrent_cases(draw, feed_forward=False):
    config = draw(configs(feed_forward=feed_forward))
    if draw(st.booleans()):
        genome = draw(grown_genomes(config))
    else:
        genome = draw(st.sampled_from(draw(genome_families(config)).genomes))
    batch = draw(st.integers(1, 3))
    sequence = draw(
        hnp.arrays(
            np.float64,
            (STEPS, batch, config.genome.num_inputs),
            elements=st.floats(-3.0, 3.0, allow_nan=False, allow_infinity=False),
        )
    )
    return genome, sequence


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@given(recurrent_cases())
def test_stepping_matches_the_oracle_stepped_by_hand(case):
    genome, sequence = case
    net = compile_recurrent(genome)
    got = np.stack([net(x) for x in sequence])  # (steps, batch, outputs)
    for row in range(sequence.shape[1]):
        state, finite = {}, True
        for t in range(STEPS):
            want, state = oracle_step(genome, state, sequence[t, row])
            finite = finite and all(np.isfinite(v) for v in state.values())
            if finite:  # a non-finite value poisons the whole state of the dense network
                np.testing.assert_allclose(got[t, row], want, rtol=1e-9, atol=1e-12, err_msg=genome.describe())


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@given(recurrent_cases())
def test_a_batch_steps_independent_states(case):
    genome, sequence = case
    batched = compile_recurrent(genome).run(sequence)
    for row in range(sequence.shape[1]):
        single = compile_recurrent(genome).run(sequence[:, row])
        np.testing.assert_allclose(batched[:, row], single, rtol=1e-9, atol=1e-12)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@given(recurrent_cases(feed_forward=True))
def test_a_feed_forward_genome_settles_to_its_forward_value(case):
    genome, sequence = case
    ff = compile_feedforward(genome)
    net = compile_recurrent(genome)
    x = sequence[0]
    for _ in range(ff.num_layers):
        out = net(x)
    want = ff(x)
    finite = np.all(np.isfinite(want), axis=1)
    np.testing.assert_allclose(out[finite], want[finite], rtol=1e-9, atol=1e-12)


# --- time semantics, by hand ----------------------------------------------------
IDENTITY = {"activation_options": ["identity", "tanh"], "activation_default": "identity", "feed_forward": False}


def test_a_self_loop_accumulates_and_connections_carry_the_previous_step():
    cfg = Config(genome={"num_inputs": 1, "num_outputs": 2, **IDENTITY})
    # output 1 sums its input over time; output 2 sees output 1 one step late
    genome = build_genome(cfg, conns=[(0, 1, 1.0), (1, 1, 1.0), (1, 2, 10.0)])
    net = compile_recurrent(genome)
    assert net([1.0]).tolist() == [1.0, 0.0]
    assert net([2.0]).tolist() == [3.0, 10.0]
    assert net([0.0]).tolist() == [3.0, 30.0]
    np.testing.assert_array_equal(net.state, [[0.0, 3.0, 30.0]])
    net.reset()
    assert net.state is None
    assert net([5.0]).tolist() == [5.0, 0.0]


def test_bias_and_two_node_cycle():
    cfg = Config(genome={"num_inputs": 1, "num_outputs": 1, **IDENTITY})
    genome = build_genome(cfg, hidden=[2], conns=[(0, 1, 1.0), (1, 2, 1.0), (2, 1, -1.0)], bias={2: 0.5})
    net = compile_recurrent(genome)
    outs = [net([1.0])[0] for _ in range(4)]
    # v1_t = x + -v2_{t-1}, v2_t = v1_{t-1} + 0.5
    assert outs == [1.0, 0.5, -0.5, 0.0]


def test_batch_size_is_fixed_until_reset():
    cfg = Config(genome={"num_inputs": 2, "num_outputs": 1, "feed_forward": False})
    genome = neat.new_genome(cfg, neat.InnovationTracker.for_config(cfg), neat.make_rng(0))
    net = compile(genome)
    assert isinstance(net, RecurrentNetwork)
    assert net(np.zeros((3, 2))).shape == (3, 1)
    with pytest.raises(ValueError, match="reset"):
        net(np.zeros((4, 2)))
    with pytest.raises(ValueError, match="reset"):
        net(np.zeros(2))
    net.reset()
    assert net(np.zeros(2)).shape == (1,)
    assert net(np.zeros((1, 2))).shape == (1, 1)  # a 1-D step is a batch of one
    with pytest.raises(ValueError, match=r"expected X of shape \(batch, 2\), got \(1, 3\)"):
        net(np.zeros((1, 3)))
    assert net.run(np.zeros((5, 1, 2))).shape == (5, 1, 1)
    with pytest.raises(ValueError, match="steps"):
        net.run(np.zeros(2))


def test_dead_nodes_are_pruned_and_float32():
    cfg = Config(genome={"num_inputs": 1, "num_outputs": 1, **IDENTITY})
    genome = build_genome(cfg, hidden=[2, 3], conns=[(0, 1, 1.0), (1, 2, 1.0), (2, 2, 1.0), (3, 1, 1.0)])
    net = compile_recurrent(genome, np.float32)
    assert net.pruned_ids.tolist() == [2]
    assert net.num_nodes == 3 and net.num_connections == 2
    assert net([1.0]).dtype == np.float32
    assert net.weights.shape == (3, 3)
    assert "RecurrentNetwork(inputs=1, outputs=1, nodes=3" in repr(net)


def test_a_feed_forward_compile_of_a_recurrent_genome_is_refused():
    cfg = Config(genome={"num_inputs": 1, "num_outputs": 1, **IDENTITY})
    genome = build_genome(cfg, conns=[(0, 1, 1.0), (1, 1, 0.5)])
    with pytest.raises(neat.ConfigError, match="compile_recurrent"):
        compile_feedforward(genome)
