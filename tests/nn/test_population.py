"""Population stacks: one call equals every genome's own forward; pools compile without per-genome compiles."""

import dataclasses
import pickle
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import neat
from neat import Config, InvalidGenomeError
from neat.functions import ACTIVATIONS
from neat.genome.pool import GenePool
from neat.nn import PopulationNetwork, compile_feedforward, compile_population
from neat.testing import configs, genome_families, grown_genomes, input_batches

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


@given(families_and_inputs())
def test_one_errstate_per_call_gives_the_bits_of_one_per_layer(case):
    from .test_feedforward import compiled_with_guarded_sigmoids

    genomes, X = case
    stack, guarded = compile_population(genomes), compiled_with_guarded_sigmoids(compile_population, genomes)
    assert not guarded._quiet
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # both, for inputs that overflow elsewhere (dense products)
        np.testing.assert_array_equal(stack(X), guarded(X))


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
    assert isinstance(compile_population([rgenome]), neat.nn.RecurrentPopulationNetwork)  # a stack of its own


def test_nan_rows_stay_in_their_genome():
    cfg = Config(genome={"num_inputs": 2, "num_outputs": 1})
    genomes = neat.new_genomes(cfg, neat.InnovationTracker.for_config(cfg), neat.make_rng(0), 2)
    X = np.array([[[np.nan, 1.0]], [[0.0, 1.0]]])
    out = compile_population(genomes)(X)
    assert np.isnan(out[0, 0, 0]) and np.isfinite(out[1, 0, 0])


# --- stacks compiled from a gene pool -------------------------------------------
def assert_same_arrays(a, b):
    """Two ``StackArrays`` (or two networks' ``arrays()``) hold equal fields."""
    a, b = (x._asdict() if hasattr(x, "_asdict") else x for x in (a, b))
    assert a.keys() == b.keys()
    for key in a:
        if isinstance(a[key], np.ndarray):
            assert a[key].dtype == np.asarray(b[key]).dtype, key
            np.testing.assert_array_equal(a[key], b[key], err_msg=key)
        else:
            assert a[key] == b[key], key


def assert_equal_where_finite(got, want, rtol=1e-12, atol=1e-12):
    """``got`` equals ``want`` in every row where all of ``want``'s outputs are finite."""
    assert got.shape == want.shape
    finite = np.isfinite(want).all(axis=-1)
    np.testing.assert_allclose(got[finite], want[finite], rtol=rtol, atol=atol)


@st.composite
def pools_and_inputs(draw, max_size=6):
    """A pool of genomes (grown, crossed, pruned), its genome list, and per-genome input batches."""
    config = draw(configs(feed_forward=True))
    if draw(st.booleans()):
        # Make activations with a prescale (folded into the weights) common.
        g = config.genome
        acts = tuple(dict.fromkeys((*g.activation_options, draw(st.sampled_from(["sigmoid", "neat_sigmoid"])))))
        genome_config = dataclasses.replace(g, activation_options=acts, activation_default="random")
        config = dataclasses.replace(config, genome=genome_config)
    genomes = list(draw(genome_families(config, min_size=1, max_size=max_size)).genomes)
    # A genome grown on its own (more steps, so deeper and more pruned) with the same config.
    if draw(st.booleans()):
        genomes.insert(draw(st.integers(0, len(genomes))), draw(grown_genomes(config, max_steps=30)))
    batch = draw(input_batches(config.genome.num_inputs, bound=5.0, max_batch=4))
    X = np.stack([np.roll(batch, p, axis=0) for p in range(len(genomes))])
    return GenePool.pack(genomes), genomes, X


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@given(pools_and_inputs())
def test_the_stack_of_a_pool_equals_compiling_each_genome_alone(case):
    pool, genomes, X = case
    stack = compile_population(pool)
    nets = [compile_feedforward(g) for g in genomes]
    assert len(stack) == len(genomes) and stack.dtype == np.float64
    assert_equal_where_finite(stack(X), np.stack([net(x) for net, x in zip(nets, X)]))
    assert_equal_where_finite(stack(X[0]), np.stack([net(X[0]) for net in nets]))
    # The networks made on demand are the compiler's own, array for array.
    for lazy, net in zip(stack.networks, nets):
        assert_same_arrays(lazy.arrays(), net.arrays())
    assert compile_population(pool, np.float32)(X).dtype == np.float32


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@given(pools_and_inputs())
def test_genomes_a_pool_and_compiled_networks_give_one_stack(case):
    pool, genomes, X = case
    stack = compile_population(pool)
    nets = [compile_feedforward(g) for g in genomes]
    for other in (compile_population(genomes), compile_population(pool.genomes()), PopulationNetwork(nets)):
        assert_same_arrays(other.arrays(), stack.arrays())
        assert other.layer_shapes == stack.layer_shapes
        np.testing.assert_array_equal(other(X), stack(X))


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@given(pools_and_inputs(), st.data())
def test_a_subset_is_the_stack_of_its_genomes(case, data):
    pool, genomes, X = case
    stack = compile_population(pool)
    rows = data.draw(st.lists(st.integers(0, len(genomes) - 1), min_size=1, max_size=8), label="rows")
    sub = stack.subset(rows)
    direct = compile_population([genomes[i] for i in rows])
    assert len(sub) == len(rows)
    assert_same_arrays(sub.arrays(), direct.arrays())
    np.testing.assert_array_equal(sub(X[rows]), direct(X[rows]))
    assert_equal_where_finite(sub(X[0]), stack(X[0])[rows])
    # a mask, and a subset of a subset
    mask = np.zeros(len(genomes), dtype=bool)
    mask[rows] = True
    assert_same_arrays(stack.subset(mask).arrays(), stack.subset(np.flatnonzero(mask)).arrays())
    assert_same_arrays(sub.subset([0]).arrays(), stack.subset(rows[:1]).arrays())


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@given(pools_and_inputs())
def test_a_stack_pickles_as_its_arrays(case):
    pool, genomes, X = case
    for stack in (compile_population(pool), PopulationNetwork([compile_feedforward(g) for g in genomes])):
        payload = pickle.dumps(stack)
        assert b"FeedForwardNetwork" not in payload  # no compiled network travels
        copy = pickle.loads(payload)
        assert type(copy) is PopulationNetwork and copy.dtype == stack.dtype
        assert_same_arrays(copy.arrays(), stack.arrays())
        np.testing.assert_array_equal(copy(X), stack(X))
        for lazy, g in zip(copy.networks, genomes):
            assert_same_arrays(lazy.arrays(), compile_feedforward(g).arrays())


@given(pools_and_inputs(max_size=4), st.data())
def test_a_cycle_in_any_genome_raises_naming_it(case, data):
    pool, genomes, _ = case
    cfg = pool.config
    n_in, n_out = cfg.num_inputs, cfg.num_outputs
    hidden = n_in + n_out
    # input -> hidden -> output -> hidden: a cycle through an output
    cyclic = build_genome(
        cfg, hidden=[hidden], conns=[(0, hidden, 1.0), (hidden, n_in, 1.0), (n_in, hidden, 1.0)], validate=False
    )
    with pytest.raises(InvalidGenomeError, match="cycle"):
        compile_feedforward(cyclic)
    at = data.draw(st.integers(0, len(genomes)), label="at")
    with_cycle = [*genomes[:at], cyclic, *genomes[at:]]
    with pytest.raises(InvalidGenomeError, match=rf"^genome {at} of the population: .*cycle"):
        compile_population(with_cycle)
    with pytest.raises(InvalidGenomeError, match=rf"^genome {at} of the population: .*cycle"):
        compile_population(GenePool.pack(with_cycle).genomes())


@pytest.mark.parametrize(
    "conns, hidden, match",
    [
        ([(0, 9, 1.0)], [], "does not exist"),
        ([(0, 1, 1.0), (1, 0, 1.0)], [], "input"),
        ([(0, 2, 1.0), (2, 3, 1.0), (3, 2, 1.0)], [2, 3], "cycle"),  # a cycle behind a pruned part
    ],
)
def test_an_invalid_genome_in_a_pool_raises_validates_error_naming_it(conns, hidden, match):
    cfg = Config(genome={"num_inputs": 1, "num_outputs": 1})
    good = build_genome(cfg, hidden=[2], conns=[(0, 2, 1.0), (2, 1, 1.0)])
    bad = build_genome(cfg, hidden=hidden, conns=conns, validate=False)
    with pytest.raises(InvalidGenomeError, match=match):
        compile_feedforward(bad)
    with pytest.raises(InvalidGenomeError, match=rf"^genome 2 of the population: .*{match}"):
        compile_population([good, good, bad, good])


def test_dead_nodes_are_never_computed(monkeypatch):
    """A pruned node whose value would be infinite cannot leak through a zero padding weight."""
    monkeypatch.setitem(ACTIVATIONS, "blowup", lambda z: np.full_like(z, np.inf))
    options = {
        "activation_options": ["sigmoid", "blowup", "tanh", "neat_sigmoid", "identity"],
        "activation_default": "sigmoid",
        "aggregation_options": ["sum", "max", "product"],
    }
    cfg = Config(genome={"num_inputs": 2, "num_outputs": 2, **options})
    dead = build_genome(
        cfg,
        hidden=[4, 5, 6],
        # 4 is dead (reaches no output) and infinite; 5 has no inputs (fan-in 0); 6 feeds both outputs.
        conns=[(0, 4, 1.0), (1, 4, 1.0), (0, 6, 0.7), (6, 2, 1.5), (5, 2, -0.5), (6, 3, 1.0), (1, 3, 2.0)],
        bias={5: 0.3, 6: -0.2, 2: 0.1},
        response={6: 1.7},
        activation={4: "blowup", 6: "neat_sigmoid", 2: "tanh", 3: "identity"},
        aggregation={3: "max", 2: "product"},
    )
    # its layer 1 is wider than `dead`'s: `dead`'s padding slot sits where node 4 would be computed
    wide = build_genome(
        cfg,
        hidden=[4, 5, 6, 7],
        conns=[(0, 4, 1.0), (1, 5, 1.0), (0, 6, 1.0), (1, 7, 1.0), (4, 2, 1.0), (5, 2, 1.0), (6, 3, 1.0), (7, 3, 1.0)],
        activation={4: "tanh", 5: "sigmoid", 7: "neat_sigmoid"},
    )
    X = np.array([[0.5, -1.0], [2.0, 0.25], [0.0, 0.0]])
    stack = compile_population([dead, wide, dead])
    with np.errstate(all="raise"):
        got = stack(X)
    want = np.stack([compile_feedforward(g)(X) for g in (dead, wide, dead)])
    assert np.all(np.isfinite(got))
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
    assert stack.networks[0].pruned_ids.tolist() == [4]
    assert 4 not in stack.networks[0].node_ids.tolist()
    assert stack.arrays().pruned_offsets.tolist() == [0, 1, 1, 2]


def test_a_gym_policy_narrows_to_a_subset():
    from neat.evaluation.gym.rollout import Policy

    cfg = Config(genome={"num_inputs": 3, "num_outputs": 2}, mutation={"node_add_prob": 0.5, "conn_add_prob": 0.5})
    tracker = neat.InnovationTracker.for_config(cfg)
    rng = neat.make_rng(1)
    genomes = [neat.mutate(g, cfg, tracker, rng) for g in neat.new_genomes(cfg, tracker, rng, 12)]
    policy = Policy(GenePool.pack(genomes).genomes())
    X = rng.normal(size=(12, 4, 3))
    full = policy(X)
    live = np.zeros(12, dtype=bool)
    live[[2, 7, 9]] = True
    policy.keep(live)
    np.testing.assert_array_equal(policy.rows, [2, 7, 9])
    np.testing.assert_allclose(policy(X[[2, 7, 9]]), full[[2, 7, 9]], rtol=1e-12)
    live[2] = False
    policy.keep(live)  # 2 of 3 are not a quarter: unchanged
    np.testing.assert_array_equal(policy.rows, [2, 7, 9])


def test_subset_takes_positions_and_masks_and_refuses_an_empty_choice():
    cfg = Config(genome={"num_inputs": 2, "num_outputs": 1}, mutation={"node_add_prob": 0.5, "conn_add_prob": 0.5})
    tracker = neat.InnovationTracker.for_config(cfg)
    rng = neat.make_rng(2)
    genomes = [neat.mutate(g, cfg, tracker, rng) for g in neat.new_genomes(cfg, tracker, rng, 4)]
    stack = compile_population(genomes)
    X = rng.normal(size=(4, 3, 2))
    np.testing.assert_array_equal(stack.subset(-1)(X[3:]), compile_population(genomes[3:])(X[3:]))
    np.testing.assert_array_equal(stack.subset([3, 0, 3])(X[[3, 0, 3]]), stack.subset([3, 0, 3]).subset([0, 1, 2])(X[[3, 0, 3]]))
    for empty in ([], np.zeros(4, dtype=bool)):
        with pytest.raises(ValueError, match="at least one"):
            stack.subset(empty)
    with pytest.raises(IndexError):
        stack.subset([4])
    # networks already made travel with the subset
    nets = stack.networks
    assert stack.subset([2, 1]).networks == (nets[2], nets[1])
