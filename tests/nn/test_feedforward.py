"""Feed-forward compilation: the compiled network against the per-node oracle, layering, pruning, bad input."""

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import neat
from neat import Config, ConfigError, InvalidGenomeError
from neat.functions import ACTIVATIONS, AGGREGATIONS, activation_function
from neat.nn import FeedForwardNetwork, compile, compile_feedforward
from neat.nn.feedforward import node_layers
from neat.testing import configs, genome_families, grown_genomes, input_batches

from ..oracle import build_genome, oracle_forward, oracle_values

# Inputs of at most this magnitude keep most networks finite; rows where the
# oracle meets a non-finite value anywhere are only checked for shape (a
# non-finite value poisons the later layers of a dense network).
INPUT_BOUND = 5.0


def assert_matches_oracle(genome, X, got):
    want = oracle_forward(genome, X)
    assert got.shape == want.shape
    for r in range(len(X)):
        if all(np.isfinite(v) for v in oracle_values(genome, X[r]).values()):
            np.testing.assert_allclose(got[r], want[r], rtol=1e-9, atol=1e-12, err_msg=genome.describe())


@st.composite
def genomes_and_inputs(draw, feed_forward=True, family=False):
    config = draw(configs(feed_forward=feed_forward))
    if family:
        genome = draw(st.sampled_from(draw(genome_families(config)).genomes))
    else:
        genome = draw(grown_genomes(config))
    X = draw(input_batches(config.genome.num_inputs, bound=INPUT_BOUND))
    return genome, X


# --- the oracle -------------------------------------------------------------
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@given(genomes_and_inputs())
def test_grown_genomes_match_the_oracle(case):
    genome, X = case
    genome.validate()
    assert_matches_oracle(genome, X, compile_feedforward(genome)(X))


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@given(genomes_and_inputs(family=True))
def test_crossed_and_pruned_genomes_match_the_oracle(case):
    genome, X = case
    assert_matches_oracle(genome, X, compile_feedforward(genome)(X))


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@given(genomes_and_inputs())
def test_a_batch_equals_row_by_row(case):
    genome, X = case
    net = compile_feedforward(genome)
    rows = np.stack([net(x) for x in X])
    assert rows.shape == (len(X), genome.num_outputs)
    np.testing.assert_allclose(net(X), rows, rtol=1e-9, atol=1e-12)


def compiled_with_guarded_sigmoids(compile_fn, *args):
    """``compile_fn(*args)`` while the sigmoids declare no unguarded form: every layer's activation
    call silences its own overflow, as before networks silenced it once per call."""
    import neat.functions

    inner = neat.functions._logistic_of_negated
    unguarded = inner.unguarded
    del inner.unguarded
    try:
        return compile_fn(*args)
    finally:
        inner.unguarded = unguarded


@given(genomes_and_inputs())
def test_one_errstate_per_call_gives_the_bits_of_one_per_layer(case):
    genome, X = case
    net, guarded = compile_feedforward(genome), compiled_with_guarded_sigmoids(compile_feedforward, genome)
    assert not guarded._quiet
    logistic = {"sigmoid", "neat_sigmoid"}  # the activations whose inner function has an unguarded form
    assert net._quiet == any(net.activation_of(i) in logistic for i in range(net.num_inputs, net.num_nodes))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # both, for inputs that overflow elsewhere (dense products)
        np.testing.assert_array_equal(net(X), guarded(X))
        np.testing.assert_array_equal(net(X[0]), guarded(X[0]))


def test_saturated_sigmoids_give_0_and_1_without_a_warning():
    cfg = Config(genome={"num_inputs": 1, "num_outputs": 2})  # neat_sigmoid
    genome = build_genome(cfg, conns=[(0, 1, 30.0), (0, 2, -30.0)])
    X, want = np.array([[10.0], [-10.0]]), np.array([[1.0, 0.0], [0.0, 1.0]])
    stack = neat.compile_population([genome, genome])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # exp(4.9 * 300) overflows inside: silenced, the result exact
        np.testing.assert_array_equal(compile_feedforward(genome)(X), want)
        np.testing.assert_array_equal(stack(X), [want, want])


@given(genomes_and_inputs())
def test_both_layering_methods_agree(case):
    genome, _ = case
    on = genome.conns.enabled
    src, dst = genome.node_index(genome.conns.src[on]), genome.node_index(genome.conns.dst[on])
    args = (genome.num_nodes, genome.num_inputs, genome.num_outputs, src, dst)
    np.testing.assert_array_equal(node_layers(*args), node_layers(*args, small_graph_edges=-1))


@given(genomes_and_inputs())
def test_layers_are_contiguous_and_fed_from_below(case):
    genome, _ = case
    net = compile_feedforward(genome)
    b = net.layer_bounds
    assert b[0] == genome.num_inputs and b[-1] == net.num_nodes and np.all(np.diff(b) > 0)
    layer_start = b[np.searchsorted(b, net.edge_dst, side="right") - 1]
    assert np.all(net.edge_src < layer_start)
    # ids and indices: a bijection onto the genome's kept nodes, inputs first and in order
    np.testing.assert_array_equal(net.node_ids[: genome.num_inputs], genome.input_ids)
    assert sorted(net.node_ids.tolist() + net.pruned_ids.tolist()) == genome.nodes.id.tolist()
    np.testing.assert_array_equal(net.node_ids[net.output_indices], genome.output_ids)
    assert [W.shape for W in net.weights] == net.layer_shapes
    assert net.num_connections <= genome.num_enabled


# --- the documented layer formula -------------------------------------------
def test_forward_is_the_documented_layer_formula():
    cfg = Config(genome={"num_inputs": 8, "num_outputs": 4})
    tracker = neat.InnovationTracker.for_config(cfg)
    rng = neat.make_rng(3)
    genome = neat.new_genome(cfg, tracker, rng)
    for _ in range(12):
        genome = neat.add_node(genome, cfg, tracker, rng)
        genome = neat.add_connection(genome, cfg, tracker, rng)
    net = compile_feedforward(genome)
    assert net.num_layers > 2
    X = rng.normal(size=(5, 8))
    A = np.zeros((5, net.num_nodes))
    A[:, :8] = X
    sigmoid = activation_function("neat_sigmoid")
    for (s, w), W in zip(net.layer_shapes, net.weights):
        e = s + w
        A[:, s:e] = sigmoid(net.response[s:e] * (A[:, :s] @ W) + net.bias[s:e])
    np.testing.assert_allclose(net(X), A[:, net.output_indices], rtol=1e-12)


# --- node functions -----------------------------------------------------------
REQUIRED_ACTIVATIONS = [
    "neat_sigmoid",
    "sigmoid",
    "tanh",
    "relu",
    "elu",
    "identity",
    "sin",
    "gauss",
    "abs",
    "clamped",
    "softplus",
    "square",
    "cube",
    "step",
]
REQUIRED_AGGREGATIONS = ["sum", "product", "max", "min", "mean", "maxabs", "median"]


def test_every_required_function_is_registered():
    assert set(REQUIRED_ACTIVATIONS) <= set(ACTIVATIONS)
    assert set(REQUIRED_AGGREGATIONS) <= set(AGGREGATIONS)


def test_sigmoids():
    z = np.array([-800.0, -3.0, 0.0, 2.0, 800.0, np.nan])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = ACTIVATIONS["sigmoid"](z)
        n = ACTIVATIONS["neat_sigmoid"](z)
    np.testing.assert_allclose(s[1:4], 1 / (1 + np.exp(-z[1:4])), rtol=1e-15)
    np.testing.assert_allclose(n[1:4], 1 / (1 + np.exp(-4.9 * z[1:4])), rtol=1e-15)
    assert s[0] == 0 and s[4] == 1 and np.isnan(s[5])
    assert ACTIVATIONS["sigmoid"](np.float32([1.0])).dtype == np.float32


@pytest.mark.parametrize("activation", REQUIRED_ACTIVATIONS)
@pytest.mark.parametrize("aggregation", REQUIRED_AGGREGATIONS)
def test_each_function_pair_matches_the_oracle(activation, aggregation):
    cfg = Config(
        genome={
            "num_inputs": 3,
            "num_outputs": 2,
            "activation_options": [activation],
            "activation_default": activation,
            "aggregation_options": [aggregation],
            "aggregation_default": aggregation,
        }
    )
    genome = build_genome(
        cfg,
        hidden=[5, 6],
        conns=[
            (0, 5, 0.5),
            (1, 5, -1.5),
            (2, 5, 2.0),
            (5, 3, 1.2),
            (1, 3, -0.7),
            (5, 6, 0.9),
            (6, 4, -1.1),
            (0, 4, 0.3),
            (2, 6, 0.8),
        ],
        bias={3: 0.1, 4: -0.2, 5: 0.3, 6: 0.05},
        response={5: 1.5, 6: -0.5},
    )
    X = np.random.default_rng(0).uniform(-2, 2, size=(6, 3))
    X[0] = 0.0
    assert_matches_oracle(genome, X, compile_feedforward(genome)(X))


def test_mixed_functions_in_one_layer_cost_one_call_each():
    options = {
        "activation_options": ["tanh", "relu", "sin"],
        "activation_default": "tanh",
        "aggregation_options": ["sum", "max", "product"],
    }
    cfg = Config(genome={"num_inputs": 2, "num_outputs": 4, **options})
    genome = build_genome(
        cfg,
        conns=[(0, 2, 1.0), (1, 2, 0.5), (0, 3, -1.0), (1, 3, 2.0), (0, 4, 0.7), (1, 5, -0.3), (0, 5, 0.2)],
        activation={2: "relu", 3: "sin", 4: "tanh", 5: "relu"},
        aggregation={3: "max", 5: "product"},
        bias={2: 0.1, 3: 0.2, 4: 0.3, 5: 0.4},
    )
    net = compile_feedforward(genome)
    assert net.layer_shapes == [(2, 4)]
    # one layer, nodes grouped by activation: tanh, relu, relu, sin (codes 0, 1, 1, 2)
    assert [net.activation_of(i) for i in range(2, 6)] == ["tanh", "relu", "relu", "sin"]
    X = np.random.default_rng(1).normal(size=(7, 2))
    assert_matches_oracle(genome, X, net(X))


def test_a_registered_function_is_used(monkeypatch):
    monkeypatch.setitem(ACTIVATIONS, "halve", lambda z: z / 2)
    monkeypatch.setitem(AGGREGATIONS, "sumsq", lambda x: np.sum(x * x, axis=-1))
    cfg = Config(
        genome={
            "num_inputs": 2,
            "num_outputs": 1,
            "activation_options": ["halve"],
            "activation_default": "halve",
            "aggregation_options": ["sumsq"],
            "aggregation_default": "sumsq",
        }
    )
    genome = build_genome(cfg, conns=[(0, 2, 2.0), (1, 2, 3.0)], bias={2: 1.0})
    assert compile_feedforward(genome)([1.0, 1.0]) == pytest.approx([(4.0 + 9.0 + 1.0) / 2])


def test_a_sum_registered_over_the_builtin_is_called(monkeypatch):
    monkeypatch.setitem(AGGREGATIONS, "sum", lambda x: np.sum(x, axis=-1) + 100.0)
    cfg = Config(
        genome={"num_inputs": 1, "num_outputs": 1, "activation_options": ["identity"], "activation_default": "identity"}
    )
    genome = build_genome(cfg, conns=[(0, 1, 2.0)])
    assert compile_feedforward(genome)([1.0]) == pytest.approx([102.0])


def test_unknown_function_names_are_config_errors():
    with pytest.raises(ConfigError, match="activation"):
        Config(genome={"activation_options": ["no_such_fn"], "activation_default": "no_such_fn"})


# --- structure ----------------------------------------------------------------
IDENTITY = {
    "activation_options": ["identity", "neat_sigmoid", "tanh"],
    "activation_default": "identity",
    "aggregation_options": ["sum", "product", "max"],
}


def test_the_example_of_the_docs():
    """docs/phenotype.md draws this genome and its layering."""
    cfg = Config(genome={"num_inputs": 2, "num_outputs": 2})
    genome = build_genome(
        cfg,
        hidden=[5, 6, 7],
        conns=[(0, 7, 1.0), (1, 5, 1.0), (5, 7, 1.0), (7, 2, 1.0), (5, 2, 1.0), (1, 3, 1.0), (0, 6, 1.0)],
    )
    net = compile_feedforward(genome)
    assert net.node_ids.tolist() == [0, 1, 3, 5, 7, 2]
    assert net.output_indices.tolist() == [5, 2]
    assert net.pruned_ids.tolist() == [6]
    assert net.layer_bounds.tolist() == [2, 4, 5, 6]
    assert net.layer_shapes == [(2, 2), (4, 1), (5, 1)]
    assert net.num_connections == 6


def test_an_output_no_input_reaches_gives_act_of_its_bias():
    cfg = Config(genome={"num_inputs": 2, "num_outputs": 3, **IDENTITY})
    genome = build_genome(
        cfg,
        conns=[(0, 2, 1.0)],
        bias={2: 0.5, 3: 0.25, 4: -1.0},
        activation={3: "neat_sigmoid", 4: "tanh"},
        aggregation={4: "product"},
    )
    net = compile_feedforward(genome)
    x = np.array([2.0, 7.0])
    np.testing.assert_allclose(net(x), [2.5, 1 / (1 + np.exp(-4.9 * 0.25)), np.tanh(-1.0)])
    # an empty product aggregates to 0, not 1
    np.testing.assert_allclose(net(np.zeros((3, 2)))[:, 2], np.tanh(-1.0))


def test_a_hidden_node_fed_by_nothing_outputs_act_of_its_bias():
    cfg = Config(genome={"num_inputs": 1, "num_outputs": 1, **IDENTITY})
    genome = build_genome(cfg, hidden=[2], conns=[(2, 1, 3.0), (0, 1, 1.0)], bias={2: 0.5}, activation={2: "tanh"})
    net = compile_feedforward(genome)
    assert net.layer_shapes == [(1, 1), (2, 1)]
    assert net([1.0]) == pytest.approx([1.0 + 3.0 * np.tanh(0.5)])


def test_dead_nodes_are_pruned():
    cfg = Config(genome={"num_inputs": 2, "num_outputs": 1, **IDENTITY})
    # 3 feeds the output; 4 and 5 are fed but reach no output; 6 reaches only 5
    genome = build_genome(
        cfg,
        hidden=[3, 4, 5, 6],
        conns=[(0, 3, 1.0), (3, 2, 1.0), (1, 4, 1.0), (3, 5, 1.0), (6, 5, 1.0), (2, 5, 1.0), (1, 2, 0.5, False)],
    )
    net = compile_feedforward(genome)
    assert net.pruned_ids.tolist() == [4, 5, 6]
    assert net.num_nodes == genome.num_nodes - 3 == 4
    assert net.num_connections == 2
    assert net.node_ids.tolist() == [0, 1, 3, 2]
    assert net.layer_shapes == [(2, 1), (3, 1)]
    assert net([2.0, 5.0]) == pytest.approx([2.0])


def test_start_topology_with_hidden_layers():
    cfg = Config(genome={"num_inputs": 4, "num_outputs": 2, "hidden_layers": [16]})
    genome = neat.new_genome(cfg, neat.InnovationTracker.for_config(cfg), neat.make_rng(0))
    net = compile_feedforward(genome)
    assert net.layer_shapes == [(4, 16), (20, 2)]
    assert net.num_connections == 4 * 16 + 16 * 2
    assert np.count_nonzero(net.weights[1][:4]) == 0


def test_float32():
    cfg = Config(genome={"num_inputs": 3, "num_outputs": 2, "hidden_layers": [5]})
    genome = neat.new_genome(cfg, neat.InnovationTracker.for_config(cfg), neat.make_rng(1))
    X = np.random.default_rng(2).normal(size=(4, 3))
    net32 = compile_feedforward(genome, np.float32)
    assert net32.dtype == np.float32 and net32(X).dtype == np.float32 and net32(X[0]).dtype == np.float32
    np.testing.assert_allclose(net32(X), compile_feedforward(genome)(X), rtol=1e-5, atol=1e-6)
    assert compile_feedforward(genome)(X).dtype == np.float64
    assert compile_feedforward(genome).astype(np.float32)(X).dtype == np.float32
    with pytest.raises(ValueError, match="float32 or float64"):
        compile_feedforward(genome, np.int32)


def test_compile_dispatches_by_config():
    cfg = Config(genome={"num_inputs": 2, "num_outputs": 1})
    genome = neat.new_genome(cfg, neat.InnovationTracker.for_config(cfg), neat.make_rng(0))
    assert isinstance(compile(genome), FeedForwardNetwork)
    assert "FeedForwardNetwork(inputs=2, outputs=1" in repr(compile(genome))


# --- bad input and bad genomes ---------------------------------------------------
@pytest.fixture
def net3():
    cfg = Config(genome={"num_inputs": 3, "num_outputs": 2})
    return compile_feedforward(neat.new_genome(cfg, neat.InnovationTracker.for_config(cfg), neat.make_rng(0)))


def test_wrong_width_rank_or_dtype_is_a_value_error(net3):
    with pytest.raises(ValueError, match=r"expected X of shape \(batch, 3\), got \(5, 2\)"):
        net3(np.zeros((5, 2)))
    with pytest.raises(ValueError, match=r"expected x of shape \(3,\), got \(4,\)"):
        net3(np.zeros(4))
    with pytest.raises(ValueError, match=r"\(batch, 3\) or \(3,\), got \(2, 2, 3\)"):
        net3(np.zeros((2, 2, 3)))
    with pytest.raises(ValueError, match=r"got \(\)"):
        net3(1.0)
    with pytest.raises(ValueError, match="numeric"):
        net3(np.array([["a", "b", "c"]]))
    with pytest.raises(ValueError, match="numeric"):
        net3(np.zeros((1, 3), dtype=complex))
    with pytest.raises(ValueError, match="numeric"):
        net3(np.array([[1.0, None, 2.0]], dtype=object))


def test_lists_ints_and_empty_batches_are_fine(net3):
    assert net3([1, 2, 3]).shape == (2,)
    np.testing.assert_allclose(net3([[1, 2, 3]]), net3(np.array([[1.0, 2.0, 3.0]])))
    assert net3(np.zeros((0, 3))).shape == (0, 2)


def test_nan_inputs_propagate_without_warnings(net3):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = net3(np.array([[np.nan, 0.0, 1.0], [0.0, 0.0, 1.0]]))
    assert np.all(np.isnan(out[0])) and np.all(np.isfinite(out[1]))


def test_a_recurrent_config_is_refused():
    cfg = Config(genome={"num_inputs": 2, "num_outputs": 1, "feed_forward": False})
    genome = build_genome(cfg, conns=[(0, 2, 1.0), (2, 2, 0.5)])
    with pytest.raises(ConfigError, match="feed_forward = false"):
        compile_feedforward(genome)


def test_a_cycle_is_an_invalid_genome():
    cfg = Config(genome={"num_inputs": 1, "num_outputs": 1})
    genome = build_genome(cfg, hidden=[2], conns=[(0, 2, 1.0), (2, 1, 1.0), (1, 2, 1.0)], validate=False)
    with pytest.raises(InvalidGenomeError, match="cycle"):
        compile_feedforward(genome)
    big = build_genome(cfg, hidden=[2], conns=[(0, 2, 1.0), (2, 1, 1.0), (1, 2, 1.0)], validate=False)
    on = big.conns.enabled
    src, dst = big.node_index(big.conns.src[on]), big.node_index(big.conns.dst[on])
    assert node_layers(3, 1, 1, src, dst, small_graph_edges=-1) is None
    assert node_layers(3, 1, 1, src, dst) is None


@pytest.mark.parametrize(
    "conns, hidden, match",
    [
        ([(0, 9, 1.0)], [], "does not exist"),
        ([(0, 1, 1.0), (1, 0, 1.0)], [], "input"),
    ],
)
def test_an_invalid_genome_raises_validates_error(conns, hidden, match):
    cfg = Config(genome={"num_inputs": 1, "num_outputs": 1})
    genome = build_genome(cfg, hidden=hidden, conns=conns, validate=False)
    with pytest.raises(InvalidGenomeError, match=match):
        compile_feedforward(genome)


def test_validate_option_checks_every_invariant():
    cfg = Config(genome={"num_inputs": 1, "num_outputs": 1, "weight_max": 1.0})
    genome = build_genome(cfg, conns=[(0, 1, 5.0)], validate=False)
    compile_feedforward(genome)  # weights out of bounds do not stop the compiler
    with pytest.raises(InvalidGenomeError, match="weight"):
        compile_feedforward(genome, validate=True)
