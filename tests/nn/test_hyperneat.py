"""HyperNEAT decoding: against a slow per-connection reference, the expression rule, batched = one by one."""

import dataclasses
import math
import pickle

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import neat
from neat import Config, ConfigError
from neat.genome.pool import GenePool
from neat.nn import (
    FeedForwardNetwork,
    PopulationNetwork,
    Substrate,
    compile,
    compile_population,
    decode,
    decode_population,
    decode_weights,
    expressed_weights,
    grid,
    load_network,
    substrate_connections,
)
from neat.testing import STRESS_MUTATION, genome_configs, genome_families

from ..oracle import build_genome

# A CPPN output within this distance of the threshold (of 0 for LEO) may be
# expressed by one evaluation and not by another: a matrix product over a batch
# of pairs can round differently (by an ulp or so) from one over a single pair.
# Weights compare to this relative and absolute tolerance for the same reason.
NEAR = 1e-9


# --- the slow reference ----------------------------------------------------------
def reference_decode(cppn_genome, substrate):
    """Every connection and bias by a plain Python loop, one ``compile(genome).forward`` per pair.

    Returns raw CPPN outputs and the decoded values over the connection list of
    ``substrate_connections`` (source layer, source node, target node order),
    and the bias of every node index.
    """
    net = compile(cppn_genome)
    layers = substrate.layers
    starts = np.cumsum([0] + [len(layer) for layer in layers]).tolist()
    t, top = substrate.weight_threshold, substrate.max_weight

    def query(p1, p2):
        x = list(p1) + list(p2)
        if substrate.distance_input:
            total = 0.0
            for a, b in zip(p1, p2):
                total = total + (a - b) * (a - b)
            x.append(math.sqrt(total))
        return net.forward(np.array(x, dtype=np.float64))

    def rule(w, leo):
        if math.isnan(w):
            return None
        w = min(1.0, max(-1.0, w))
        if substrate.leo:
            return w * top if leo > 0 else None
        if abs(w) < t:
            return None
        return math.copysign(min(top, (abs(w) - t) * (top / (1.0 - t))), w)

    src, dst, raw_w, raw_leo, weight, expressed = [], [], [], [], [], []
    for a, b in substrate.layer_pairs:
        for i, p1 in enumerate(layers[a].tolist()):
            for j, p2 in enumerate(layers[b].tolist()):
                out = query(p1, p2)
                w = float(out[0])
                leo = float(out[1]) if substrate.leo else 0.0
                decoded = rule(w, leo)
                src.append(starts[a] + i)
                dst.append(starts[b] + j)
                raw_w.append(w)
                raw_leo.append(leo)
                expressed.append(decoded is not None)
                weight.append(0.0 if decoded is None else decoded)
    bias = np.zeros(substrate.num_nodes)
    raw_bias = np.zeros(substrate.num_nodes)
    if substrate.bias_output:
        origin = [0.0] * substrate.dimension
        for k, p in enumerate(substrate.node_coordinates.tolist()):
            if k >= substrate.num_inputs:
                b = float(query(origin, p)[-1])
                raw_bias[k] = b
                bias[k] = 0.0 if math.isnan(b) else min(1.0, max(-1.0, b)) * top
    return {
        "src": np.array(src),
        "dst": np.array(dst),
        "raw_weight": np.array(raw_w),
        "raw_leo": np.array(raw_leo),
        "weight": np.array(weight),
        "expressed": np.array(expressed),
        "bias": bias,
        "raw_bias": raw_bias,
    }


def safe(reference, substrate):
    """Connections whose expression cannot flip by a rounding of the CPPN's output."""
    w = reference["raw_weight"]
    ok = np.isfinite(w)
    if substrate.leo:
        leo = reference["raw_leo"]
        return ok & np.isfinite(leo) & (np.abs(leo) > NEAR)
    with np.errstate(invalid="ignore"):
        return ok & (np.abs(np.abs(np.clip(w, -1, 1)) - substrate.weight_threshold) > NEAR)


def as_connection_list(network, substrate):
    """A decoded network's edges as ``(weights, expressed)`` over ``substrate_connections``."""
    src, dst, _ = substrate_connections(substrate)
    N = substrate.num_nodes
    keys = src * N + dst
    order = np.argsort(keys)
    assert np.all(np.diff(keys[order]) > 0)
    found = np.searchsorted(keys[order], network.edge_src * N + network.edge_dst)
    position = order[found]
    assert np.array_equal(keys[position], network.edge_src * N + network.edge_dst), "an edge the substrate lacks"
    assert len(np.unique(position)) == len(position), "a connection twice"
    weights = np.zeros(len(src))
    expressed = np.zeros(len(src), dtype=bool)
    weights[position], expressed[position] = network.edge_weight, True
    return weights, expressed


def assert_decodes_like(weights, expressed, reference, substrate):
    ok = safe(reference, substrate)
    np.testing.assert_array_equal(expressed[ok], reference["expressed"][ok])
    np.testing.assert_allclose(weights[ok], reference["weight"][ok], rtol=NEAR, atol=NEAR)
    assert np.all(weights[~expressed] == 0.0)
    assert np.all(np.abs(weights) <= substrate.max_weight)


def assert_same_network_layout(net, substrate):
    n_in, n_out, n_h = substrate.num_inputs, substrate.num_outputs, substrate.num_hidden
    N = substrate.num_nodes
    assert isinstance(net, FeedForwardNetwork)
    assert (net.num_inputs, net.num_outputs, net.num_nodes) == (n_in, n_out, N)
    np.testing.assert_array_equal(net.layer_bounds, substrate.layer_bounds[1:])
    np.testing.assert_array_equal(net.output_indices, np.arange(N - n_out, N))
    want_ids = [*range(n_in), *range(n_in + n_out, n_in + n_out + n_h), *range(n_in, n_in + n_out)]
    np.testing.assert_array_equal(net.node_ids, want_ids)
    assert np.all(net.response == 1.0) and net.aggregation_names == ("sum",)
    assert net.pruned_ids.size == 0


# --- strategies --------------------------------------------------------------------
@st.composite
def substrates(draw):
    D = draw(st.sampled_from([2, 3]))
    coordinates = st.floats(-1.0, 1.0, allow_nan=False, width=64)

    def layer():
        return draw(hnp.arrays(np.float64, (draw(st.integers(1, 4)), D), elements=coordinates))

    hidden = [layer() for _ in range(draw(st.integers(0, 2)))]
    last = len(hidden) + 1
    connections = None
    if draw(st.booleans()):
        every = [(a, b) for a in range(last) for b in range(a + 1, last + 1)]
        connections = draw(st.lists(st.sampled_from(every), min_size=1, unique=True))
    threshold = draw(st.one_of(st.just(0.0), st.just(0.2), st.floats(0.0, 0.95)))
    return Substrate(
        layer(),
        layer(),
        hidden=hidden,
        weight_threshold=threshold,
        max_weight=draw(st.floats(0.5, 5.0)),
        leo=draw(st.booleans()),
        bias_output=draw(st.booleans()),
        distance_input=draw(st.booleans()),
        activation=draw(st.sampled_from(["tanh", "identity", "sigmoid"])),
        output_activation=draw(st.sampled_from([None, "identity", "sin"])),
        connections=connections,
    )


@st.composite
def cppn_families(draw, substrate, min_size=1, max_size=1):
    """Feed-forward CPPN genomes grown by random operators, with the substrate's numbers of inputs and outputs."""
    genome = draw(genome_configs(feed_forward=True))
    genome = dataclasses.replace(genome, num_inputs=substrate.cppn_inputs, num_outputs=substrate.cppn_outputs)
    config = Config(genome=genome, mutation=STRESS_MUTATION)
    return draw(genome_families(config, min_size=min_size, max_size=max_size, max_steps=15)).genomes


@st.composite
def decoding_cases(draw, max_size=1):
    substrate = draw(substrates())
    return substrate, draw(cppn_families(substrate, max_size=max_size))


# --- decode against the reference -----------------------------------------------
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@given(decoding_cases())
def test_decode_equals_the_per_connection_reference(case):
    substrate, (cppn,) = case
    reference = reference_decode(cppn, substrate)
    net = decode(cppn, substrate)
    assert_same_network_layout(net, substrate)
    weights, expressed = as_connection_list(net, substrate)
    assert_decodes_like(weights, expressed, reference, substrate)
    finite = np.isfinite(reference["raw_bias"])
    np.testing.assert_allclose(net.bias[finite], reference["bias"][finite], rtol=NEAR, atol=NEAR)
    assert np.all(np.abs(net.bias) <= substrate.max_weight)
    # the same from the compiled CPPN, and with one pair per chunk
    again = decode(compile(cppn), substrate, chunk_bytes=1)
    assert_decodes_like(*as_connection_list(again, substrate), reference, substrate)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@given(decoding_cases(max_size=4), st.integers(0, 2**32 - 1))
def test_batched_decoding_equals_decoding_one_by_one(case, seed):
    substrate, cppns = case
    stack = decode_population(cppns, substrate)
    table = decode_weights(cppns, substrate)
    assert isinstance(stack, PopulationNetwork)
    assert stack.size == len(cppns) and table.shape == (len(cppns), substrate.num_connections)
    singles = [decode(c, substrate) for c in cppns]
    X = np.random.default_rng(seed).uniform(-2, 2, size=(3, substrate.num_inputs))
    for p, (cppn, single) in enumerate(zip(cppns, singles)):
        reference = reference_decode(cppn, substrate)
        ok = safe(reference, substrate)
        mine = stack.networks[p]
        assert_same_network_layout(mine, substrate)
        w_single, e_single = as_connection_list(single, substrate)
        w_stack, e_stack = as_connection_list(mine, substrate)
        np.testing.assert_array_equal(e_stack[ok], e_single[ok])
        np.testing.assert_allclose(w_stack[ok], w_single[ok], rtol=NEAR, atol=NEAR)
        np.testing.assert_allclose(table[p][ok], w_single[ok], rtol=NEAR, atol=NEAR)
        assert np.all(table[p][~e_stack & ok] == 0.0)
        np.testing.assert_allclose(mine.bias, single.bias, rtol=NEAR, atol=NEAR)
        if ok.all() and np.isfinite(reference["raw_bias"]).all():
            # nothing near the threshold: the same network, so the same forward
            np.testing.assert_allclose(stack(X)[p], single(X), rtol=1e-7, atol=1e-9)


# --- the expression rule -----------------------------------------------------------
def test_the_threshold_and_scaling_rule():
    s = Substrate(grid(1, 1), grid(1, 1), weight_threshold=0.2, max_weight=3.0)
    w = np.array([0.0, 0.1, -0.19999, 0.2, -0.2, 0.6, -0.6, 1.0, -1.0, 7.0, -np.inf, np.nan])
    weights, expressed = expressed_weights(w, s)
    np.testing.assert_array_equal(expressed, [0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0])
    want = [0, 0, 0, 0, 0, 1.5, -1.5, 3, -3, 3, -3, 0]
    np.testing.assert_allclose(weights, want, rtol=1e-15, atol=1e-15)
    assert weights.dtype == np.float64 and weights.shape == w.shape
    # the weights rise continuously from 0 at the threshold to max_weight at 1
    ramp = np.linspace(0.2, 1.0, 101)
    scaled, _ = expressed_weights(ramp, s)
    np.testing.assert_allclose(scaled, (ramp - 0.2) / 0.8 * 3.0, rtol=1e-12, atol=1e-15)
    assert np.all(np.diff(scaled) > 0)


def test_no_weight_exceeds_max_weight_by_rounding():
    # (1 - t) * (max_weight / (1 - t)) rounds above max_weight for these
    s = Substrate(grid(1, 1), grid(1, 1), weight_threshold=0.7316299456054564, max_weight=2.4178178133635027)
    assert (1 - s.weight_threshold) * (s.max_weight / (1 - s.weight_threshold)) > s.max_weight
    weights, _ = expressed_weights(np.array([1.0, -1.0, 3.0]), s)
    np.testing.assert_array_equal(weights, [s.max_weight, -s.max_weight, s.max_weight])


def test_threshold_zero_expresses_everything_but_nan():
    s = Substrate(grid(1, 1), grid(1, 1), weight_threshold=0.0, max_weight=2.0)
    weights, expressed = expressed_weights(np.array([[0.0, -0.25], [0.5, np.nan]]), s)
    np.testing.assert_array_equal(expressed, [[True, True], [True, False]])
    np.testing.assert_array_equal(weights, [[0.0, -0.5], [1.0, 0.0]])


def test_leo_decides_expression_and_the_weight_is_only_scaled():
    s = Substrate(grid(1, 1), grid(1, 1), leo=True, weight_threshold=0.5, max_weight=4.0)
    w = np.array([0.1, 0.1, -0.75, 2.0, np.nan, 0.3])
    leo = np.array([1.0, -1.0, 1e-300, 0.5, 1.0, np.nan])
    weights, expressed = expressed_weights(w, s, leo)
    np.testing.assert_array_equal(expressed, [1, 0, 1, 1, 0, 0])
    np.testing.assert_array_equal(weights, [0.4, 0.0, -3.0, 4.0, 0.0, 0.0])
    with pytest.raises(ConfigError, match="leo = true: expressed_weights needs the CPPN's LEO outputs"):
        expressed_weights(w, s)


# --- hand-made CPPNs: what goes in and out of the CPPN -------------------------------
def linear_cppn(n_in, n_out, conns, hidden=(), activation=None):
    cfg = Config(
        genome={
            "num_inputs": n_in,
            "num_outputs": n_out,
            "activation_options": ["identity", "sin"],
            "activation_default": "identity",
        }
    )
    return build_genome(cfg, hidden=hidden, conns=conns, activation=activation)


def test_the_cppn_sees_source_then_target_coordinates():
    inputs = np.array([[-1.0, 0.0], [0.0, 0.0], [1.0, 0.0]])
    outputs = np.array([[0.0, 1.0], [1.0, 1.0]])
    s = Substrate(inputs, outputs, weight_threshold=0.2, max_weight=3.0, distance_input=False)
    cppn = linear_cppn(4, 1, [(0, 4, 0.5), (2, 4, -0.5)])  # w = (x1 - x2) / 2
    net = decode(cppn, s)
    # source-major: i0->o0, i0->o1, i1->o0, i1->o1, i2->o0, i2->o1
    src, dst, pairs = substrate_connections(s)
    np.testing.assert_array_equal(src, [0, 0, 1, 1, 2, 2])
    np.testing.assert_array_equal(dst, [3, 4, 3, 4, 3, 4])
    np.testing.assert_array_equal(pairs[1], [-1.0, 0.0, 1.0, 1.0])
    np.testing.assert_array_equal(net.edge_src, [0, 0, 1, 2])
    np.testing.assert_array_equal(net.edge_dst, [3, 4, 4, 3])
    np.testing.assert_allclose(net.edge_weight, [-1.125, -3.0, -1.125, 1.125], rtol=1e-15)
    np.testing.assert_array_equal(decode_weights([cppn], s)[0], [-1.125, -3.0, 0.0, -1.125, 1.125, 0.0])
    np.testing.assert_array_equal(net.bias, 0.0)
    assert net.activation_names == ("tanh",)
    np.testing.assert_allclose(net([1.0, 0.0, -1.0]), np.tanh([-1.125 - 1.125, -3.0]), rtol=1e-15)


def test_distance_input_bias_output_and_3d():
    inputs = grid(1, 2, z=-1.0)  # (-1, 0, -1), (1, 0, -1)
    outputs = np.array([[0.0, 0.5, 1.0]])
    s = Substrate(inputs, outputs, bias_output=True, weight_threshold=0.0, max_weight=1.0)
    assert (s.cppn_inputs, s.cppn_outputs) == (7, 2)
    # weight = d / 10, bias = z2 / 2
    cppn = linear_cppn(7, 2, [(6, 7, 0.1), (5, 8, 0.5)])
    net = decode(cppn, s)
    d = math.sqrt(1.0 + 0.25 + 4.0)
    np.testing.assert_allclose(net.edge_weight, [d / 10, d / 10], rtol=1e-15)
    np.testing.assert_allclose(net.bias, [0.0, 0.0, 0.5], rtol=1e-15)


def test_hidden_layers_skip_connections_and_output_activation():
    s = Substrate(
        grid(1, 2), grid(1, 1), hidden=[grid(1, 3)], weight_threshold=0.0, output_activation="identity",
        connections=[(0, 1), (1, 2), (0, 2)],
    )
    cppn = linear_cppn(5, 1, [(0, 5, 0.25), (3, 5, 0.5)])  # w = x1 / 4 + y2 / 2
    net = decode(cppn, s)
    assert_same_network_layout(net, s)
    assert net.num_connections == 2 * 3 + 3 * 1 + 2 * 1
    assert net.activation_names == ("tanh", "identity")
    assert [net.activation_of(i) for i in range(2, 6)] == ["tanh", "tanh", "tanh", "identity"]
    x = np.array([0.3, -0.7])
    hidden = np.tanh(x @ net.weights[0][:, :3])
    W = net.weights[1]  # from every earlier node (inputs and hidden) to the output
    np.testing.assert_allclose(net(x), np.concatenate([x, hidden]) @ W, rtol=1e-14)


# --- the decoded network is an ordinary network --------------------------------------
def small_generation(substrate, size=6, seed=3, steps=12):
    from neat.evolution.presets import cppn_config

    config = cppn_config(substrate.cppn_inputs, substrate.cppn_outputs)
    tracker = neat.InnovationTracker.for_config(config)
    rng = neat.make_rng(seed)
    genomes = []
    for _ in range(size):
        genome = neat.new_genome(config, tracker, rng)
        for _ in range(steps):
            genome = neat.mutate(genome, config, tracker, rng)
        genomes.append(genome)
    return config, genomes


def test_decoded_networks_save_pickle_and_stack(tmp_path):
    s = Substrate(grid(3, 3), grid(2, 2), hidden=[grid(2, 3)], bias_output=True)
    _, cppns = small_generation(s)
    X = np.random.default_rng(0).normal(size=(5, 9))
    net = decode(cppns[0], s)
    net.save(tmp_path / "net.npz")
    np.testing.assert_array_equal(load_network(tmp_path / "net.npz")(X), net(X))
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(net))(X), net(X))
    stack = decode_population(cppns, s)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(stack))(X), stack(X))
    restacked = compile_population([decode(c, s) for c in cppns])
    np.testing.assert_allclose(stack(X), restacked(X), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(stack.subset([2, 0])(X), stack(X)[[2, 0]], rtol=0, atol=0)
    as32 = decode(cppns[0], s, dtype=np.float32)
    assert as32.dtype == np.float32 and as32(X).dtype == np.float32
    assert decode_population(cppns, s, dtype=np.float32)(X).dtype == np.float32


def test_every_form_of_the_generation_decodes_alike():
    s = Substrate(grid(2, 3), grid(2, 2), leo=True)
    _, cppns = small_generation(s, size=4)
    want = decode_weights(cppns, s)
    pool = GenePool.pack(cppns)
    for form in (pool, [compile(c) for c in cppns], compile_population(cppns), tuple(cppns)):
        np.testing.assert_allclose(decode_weights(form, s), want, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(decode_weights(cppns[1], s), want[1:2], rtol=1e-12, atol=1e-12)
    # float32 CPPNs: the same up to float32 rounding (no LEO here, whose expression could flip at 0)
    plain = Substrate(grid(2, 3), grid(2, 2))
    _, cppns = small_generation(plain, size=4)
    fast = decode_weights(cppns, plain, cppn_dtype=np.float32)
    np.testing.assert_allclose(fast, decode_weights(cppns, plain), rtol=1e-5, atol=1e-5)


def test_a_substrate_of_a_million_connections_in_small_chunks():
    s = Substrate(grid(32, 32), grid(32, 32))
    assert s.num_connections == 1_048_576
    _, (cppn,) = small_generation(s, size=1, steps=30)
    net = decode(cppn, s, chunk_bytes=2**20)  # about 20,000 pairs per chunk
    table = decode_weights([cppn], s)[0]
    weights, expressed = as_connection_list(net, s)
    # the rule is continuous at the threshold: a flip there changes a weight by ~0
    np.testing.assert_allclose(weights, table, rtol=1e-12, atol=1e-12)
    assert 0 < net.num_connections < s.num_connections


# --- errors -----------------------------------------------------------------------------
def test_a_recurrent_cppn_is_refused():
    s = Substrate(grid(2, 2), grid(1, 1))
    cfg = Config(genome={"num_inputs": 5, "num_outputs": 1, "feed_forward": False})
    cppn = neat.new_genome(cfg, neat.InnovationTracker.for_config(cfg), neat.make_rng(0))
    with pytest.raises(ConfigError, match=r"feed-forward CPPNs only; this CPPN's config has \[genome\] feed_forward"):
        decode(cppn, s)
    with pytest.raises(ConfigError, match="feed-forward CPPNs only"):
        decode_population([cppn, cppn], s)
    with pytest.raises(ConfigError, match="feed-forward CPPNs only"):
        decode_weights(GenePool.pack([cppn]), s)
    with pytest.raises(ConfigError, match="expected feed-forward Genomes or FeedForwardNetworks"):
        decode_population([compile(cppn)], s)
    with pytest.raises(ConfigError, match="a CPPN must be a feed-forward Genome or a compiled FeedForwardNetwork, got "
                       "RecurrentNetwork"):
        decode(compile(cppn), s)


def test_mismatched_cppns_and_bad_arguments():
    s = Substrate(grid(2, 2), grid(1, 1), leo=True)
    wrong = linear_cppn(4, 1, [(0, 4, 1.0)])
    message = (
        r"the CPPN has 4 inputs and 1 outputs; this substrate queries 5 inputs \(x1, y1, x2, y2, d\) and reads "
        r"2 outputs \(weight, leo\): set \[genome\] num_inputs = 5 and num_outputs = 2"
    )
    with pytest.raises(ConfigError, match=message):
        decode(wrong, s)
    right = linear_cppn(5, 2, [(0, 5, 1.0)])
    with pytest.raises(ConfigError, match="CPPN 1 has 4 inputs"):
        decode_population([compile(right), compile(wrong)], s)
    with pytest.raises(ConfigError, match="decode takes one CPPN; decode a list of them with decode_population"):
        decode([right], s)
    with pytest.raises(ConfigError, match="expected a neat.nn.Substrate, got dict"):
        decode(right, s.to_dict())
    with pytest.raises(ConfigError, match="chunk_bytes must be a positive integer, got 0"):
        decode(right, s, chunk_bytes=0)
    with pytest.raises(ConfigError, match="decoding needs at least one CPPN"):
        decode_population([], s)
    with pytest.raises(ValueError, match="dtype must be float32 or float64"):
        decode(right, s, dtype=np.int32)
