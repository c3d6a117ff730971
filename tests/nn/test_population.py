"""Population stacks: one call equals every genome's own forward."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import neat
from neat import Config
from neat.functions import ACTIVATIONS
from neat.nn import PopulationNetwork, compile_feedforward, compile_population
from neat.testing import configs, genome_families

from ..oracle import build_genome


@st.composite
def families_and_inputs(draw):
    family = draw(genome_families(draw(configs(feed_forward=True)), min_size=1, max_size=5))
    n_in = family.config.genome.num_inputs
    batch = draw(st.integers(1, 4))
    elements = st.floats(-5.0, 5.0, allow_nan=False, allow_infinity=False)
    X = draw(hnp.arrays(np.float64, (len(family.genomes), batch, n_in), elements=elements))
    return family.genomes, X


def assert_close_where_finite(got, want):
    assert got.shape == want.shape
    finite = np.isfinite(want).all(axis=-1)
    np.testing.assert_allclose(got[finite], want[finite], rtol=1e-9, atol=1e-12)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@given(families_and_inputs())
def test_the_stack_equals_each_genomes_forward(case):
    genomes, X = case
    stack = compile_population(genomes)
    nets = [compile_feedforward(g) for g in genomes]
    assert_close_where_finite(stack(X), np.stack([net(x) for net, x in zip(nets, X)]))
    # one batch shared by every genome, and a single shared vector
    assert_close_where_finite(stack(X[0]), np.stack([net(X[0]) for net in nets]))
    assert_close_where_finite(stack(X[0, 0]), np.stack([net(X[0, 0]) for net in nets]))


def test_a_grown_population():
    cfg = Config(
        genome={"num_inputs": 5, "num_outputs": 3},
        mutation={"conn_add_prob": 0.6, "node_add_prob": 0.4, "weight_mutate_prob": 1.0},
    )
    tracker = neat.InnovationTracker.for_config(cfg)
    rng = neat.make_rng(0)
    genomes = neat.new_genomes(cfg, tracker, rng, 30)
    for _ in range(8):
        genomes = [neat.mutate(g, cfg, tracker, rng) for g in genomes]
    stack = compile_population(genomes)
    assert len(stack) == stack.size == 30
    X = rng.normal(size=(30, 7, 5))
    want = np.stack([compile_feedforward(g)(x) for g, x in zip(genomes, X)])
    np.testing.assert_allclose(stack(X), want, rtol=1e-12, atol=1e-15)
    assert stack.layer_shapes[0][0] == 1 + 5  # the constant row and the inputs
    assert "PopulationNetwork(size=30" in repr(stack)
    assert compile_population(genomes, np.float32)(X).dtype == np.float32


def test_mixed_functions_and_padding_that_is_not_finite_at_zero(monkeypatch):
    monkeypatch.setitem(ACTIVATIONS, "reciprocal", lambda z: 1.0 / z)
    options = {
        "activation_options": ["reciprocal", "tanh"],
        "activation_default": "reciprocal",
        "aggregation_options": ["sum", "max"],
    }
    cfg = Config(genome={"num_inputs": 2, "num_outputs": 1, **options})
    wide = build_genome(
        cfg,
        hidden=[3, 4, 5],
        conns=[(0, 3, 1.0), (1, 4, 1.0), (0, 5, 1.0), (3, 2, 1.0), (4, 2, 1.0), (5, 2, 1.0)],
        bias={3: 1.0, 4: 2.0, 5: 3.0, 2: 0.5},
        activation={5: "tanh"},
        aggregation={2: "max"},
    )
    narrow = build_genome(cfg, hidden=[3], conns=[(0, 3, 1.0), (3, 2, 2.0), (1, 2, 1.0)], bias={3: 1.0, 2: 1.0})
    stack = compile_population([wide, narrow])
    X = np.array([[[0.5, 0.25]], [[1.0, 2.0]]])
    with np.errstate(divide="raise"):
        got = stack(X)
    want = np.stack([compile_feedforward(g)(x) for g, x in zip([wide, narrow], X)])
    np.testing.assert_allclose(got, want, rtol=1e-12)
    assert np.all(np.isfinite(got))


def test_compiled_networks_can_be_stacked():
    cfg = Config(genome={"num_inputs": 2, "num_outputs": 2, "hidden_layers": [3]})
    genomes = neat.new_genomes(cfg, neat.InnovationTracker.for_config(cfg), neat.make_rng(0), 4)
    stack = PopulationNetwork([compile_feedforward(g) for g in genomes])
    np.testing.assert_allclose(stack(np.ones((2, 2))), compile_population(genomes)(np.ones((2, 2))))


def test_bad_populations_and_inputs():
    cfg = Config(genome={"num_inputs": 2, "num_outputs": 1})
    tracker = neat.InnovationTracker.for_config(cfg)
    genomes = neat.new_genomes(cfg, tracker, neat.make_rng(0), 3)
    stack = compile_population(genomes)
    with pytest.raises(ValueError, match=r"expected X of shape \(3, batch, 2\), or \(batch, 2\)"):
        stack(np.zeros((2, 5, 2)))
    with pytest.raises(ValueError, match=r"got \(5, 3\)"):
        stack(np.zeros((5, 3)))
    with pytest.raises(ValueError, match="numeric"):
        stack(np.array([["a", "b"]]))
    with pytest.raises(ValueError, match="at least one"):
        compile_population([])
    other = Config(genome={"num_inputs": 3, "num_outputs": 1})
    odd = neat.new_genome(other, neat.InnovationTracker.for_config(other), neat.make_rng(0))
    with pytest.raises(ValueError, match="inputs"):
        compile_population([*genomes, odd])
    recurrent = Config(genome={"num_inputs": 2, "num_outputs": 1, "feed_forward": False})
    rgenome = neat.new_genome(recurrent, neat.InnovationTracker.for_config(recurrent), neat.make_rng(0))
    with pytest.raises(neat.ConfigError, match="feed_forward"):
        compile_population([rgenome])


def test_nan_rows_stay_in_their_genome():
    cfg = Config(genome={"num_inputs": 2, "num_outputs": 1})
    genomes = neat.new_genomes(cfg, neat.InnovationTracker.for_config(cfg), neat.make_rng(0), 2)
    X = np.array([[[np.nan, 1.0]], [[0.0, 1.0]]])
    out = compile_population(genomes)(X)
    assert np.isnan(out[0, 0, 0]) and np.isfinite(out[1, 0, 0])
