"""ONNX export (neat.interop.onnx): exported models run in onnxruntime and agree with the networks' own forward.

Tolerances: an exported float32 model computes what ``forward`` computes in
float32, in the same order of operations, except the order in which a
matrix product sums its terms (onnxruntime's kernels are not NumPy's BLAS).
So where the pre-activations are exact (one input of weight 1 per node, or
weights that are powers of two) the results agree to 1e-6 (relative and
absolute): the function tests.  In a network with arbitrary weights a
different summation order changes the last bits of a sum, and a steep
function (``neat_python_inv`` near 0, ``sin`` of a large argument, ``exp``)
magnifies that; those tests compare float64 models to 1e-9, and float32
models by their distance to the float64 result.
"""

import json
import subprocess
import sys

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

from neat import Config, InnovationTracker, make_rng, new_genome, save_genome  # noqa: E402
from neat.errors import ConfigError, NeatError  # noqa: E402
from neat.functions import ACTIVATIONS, AGGREGATIONS  # noqa: E402
from neat.genome.mutation import mutate  # noqa: E402
from neat.interop import onnx_functions  # noqa: E402
from neat.interop.onnx import (  # noqa: E402
    export_genome_file,
    exportable_activations,
    exportable_aggregations,
    register_onnx_activation,
    register_onnx_aggregation,
    save_onnx,
    to_onnx,
)
from neat.nn import FeedForwardNetwork, RecurrentNetwork, compile, save_network  # noqa: E402

# Every function neat.functions defines (iterating the registry, so that a new
# built-in function cannot be left without an ONNX form); functions that tests
# elsewhere register are not built-in and are left out.
BUILTIN_ACTIVATIONS = sorted(
    name for name, fn in ACTIVATIONS.items() if getattr(fn, "__module__", None) in ("neat.functions", "numpy")
)
BUILTIN_AGGREGATIONS = sorted(
    name for name, fn in AGGREGATIONS.items() if getattr(fn, "__module__", None) in ("neat.functions", "numpy")
)
FLOAT32_TOLERANCE = {"rtol": 1e-6, "atol": 1e-6}
DYADIC = np.array([-2.0, -1.0, -0.5, 0.5, 1.0, 2.0])


def session(model):
    return ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])


def forward(network, X):
    with np.errstate(all="ignore"):
        return network.forward(X)


def wide_inputs(rng, n, dtype=np.float32):
    """Rows of every magnitude from 1e-3 to 1e30, zeros, tiny and subnormal values, infinities and NaN."""
    scales = [1e-3, 0.1, 1.0, 3.0, 10.0, 30.0, 100.0, 1e3, 1e4, 1e8, 1e30]
    X = np.concatenate([rng.normal(size=(60, n)) * s for s in scales])
    special = np.array([0.0, -0.0, 1e-30, -1e-30, 1e-40, 88.7, -88.7, -103.5, 1e38, np.inf, -np.inf, np.nan])
    X = np.concatenate([X, np.resize(special, (len(special), n)), special[:, None] * np.ones(n)])
    return X.astype(dtype)


def one_per_input(activation, n=4, dtype=np.float32):
    """Output j = activation(x_j): one connection of weight 1, bias 0, response 1, so the pre-activation is exact."""
    return FeedForwardNetwork(
        num_inputs=n,
        node_ids=np.arange(2 * n),
        layer_bounds=[n, 2 * n],
        output_indices=np.arange(n, 2 * n),
        bias=np.zeros(2 * n),
        response=np.ones(2 * n),
        activation_codes=np.zeros(2 * n),
        aggregation_codes=np.zeros(2 * n),
        activation_names=[activation],
        aggregation_names=["sum"],
        edge_src=np.arange(n),
        edge_dst=np.arange(n, 2 * n),
        edge_weight=np.ones(n),
        dtype=dtype,
    )


def layered(rng, activations, aggregations, *, n_in=4, widths=(5, 5, 5, 3), density=0.7, dtype=np.float64):
    """A random feed-forward network: every node drawn a function of each list, Gaussian weights."""
    bounds = list(np.cumsum([n_in, *widths]))
    n = bounds[-1]
    src, dst = [], []
    for lo, hi in zip(bounds[:-1], bounds[1:]):
        for d in range(lo, hi):
            s = np.flatnonzero(rng.random(lo) < density)
            src += s.tolist()
            dst += [d] * len(s)
    return FeedForwardNetwork(
        num_inputs=n_in,
        node_ids=np.arange(n),
        layer_bounds=bounds,
        output_indices=np.arange(bounds[-2], n),
        bias=rng.normal(size=n),
        response=rng.normal(1.0, 0.3, size=n),
        activation_codes=rng.integers(0, len(activations), n),
        aggregation_codes=rng.integers(0, len(aggregations), n),
        activation_names=activations,
        aggregation_names=aggregations,
        edge_src=src,
        edge_dst=dst,
        edge_weight=rng.normal(size=len(src)),
        dtype=dtype,
    )


def recurrent(rng, activations, aggregations, *, n_in=3, n=10, density=0.35, dtype=np.float64):
    """A random recurrent network: any node may feed any non-input node, itself included."""
    src, dst = [], []
    for d in range(n_in, n):
        s = np.flatnonzero(rng.random(n) < density)
        src += s.tolist()
        dst += [d] * len(s)
    return RecurrentNetwork(
        num_inputs=n_in,
        node_ids=np.arange(n),
        output_indices=[n_in, n_in + 1],
        bias=rng.normal(size=n),
        response=rng.normal(1.0, 0.3, size=n),
        activation_codes=rng.integers(0, len(activations), n),
        aggregation_codes=rng.integers(0, len(aggregations), n),
        activation_names=activations,
        aggregation_names=aggregations,
        edge_src=src,
        edge_dst=dst,
        edge_weight=rng.normal(size=len(src)),
        dtype=dtype,
    )


def grown_genome(seed, *, feed_forward=True, activations=("neat_sigmoid",), aggregations=("sum",), steps=25):
    config = Config(
        genome={
            "num_inputs": 3,
            "num_outputs": 2,
            "feed_forward": feed_forward,
            "initial_connection": "full_direct",
            "activation_options": activations,
            "activation_default": "random",
            "aggregation_options": aggregations,
            "aggregation_default": "random",
        },
        mutation={"node_add_prob": 0.5, "conn_add_prob": 0.8},
    )
    rng, tracker = make_rng(seed), InnovationTracker.for_config(config)
    genome = new_genome(config, tracker, rng)
    for _ in range(steps):
        genome = mutate(genome, config, tracker, rng)
    return genome


# --- every function --------------------------------------------------------------
def test_the_registry_is_covered():
    assert set(BUILTIN_ACTIVATIONS) <= set(exportable_activations())
    assert set(BUILTIN_AGGREGATIONS) <= set(exportable_aggregations())
    assert len(BUILTIN_ACTIVATIONS) >= 24 and len(BUILTIN_AGGREGATIONS) >= 7


@pytest.mark.parametrize("name", BUILTIN_ACTIVATIONS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_every_activation_round_trips(name, dtype):
    """ONNX round trip of each activation, over every magnitude (exp overflowing, tanh saturating, sin of 1e30)."""
    network = one_per_input(name, dtype=dtype)
    X = wide_inputs(np.random.default_rng(len(name)), 4, dtype)
    (y,) = session(to_onnx(network, dtype=dtype)).run(None, {"x": X})
    assert y.dtype == dtype and y.shape == (len(X), 4)
    tolerance = FLOAT32_TOLERANCE if dtype == np.float32 else {"rtol": 1e-12, "atol": 1e-12}
    np.testing.assert_allclose(y, forward(network, X), **tolerance, equal_nan=True, err_msg=name)


def dyadic_inputs(rng, n):
    """Integers up to 1000 times 2**e, e from -30 to 100 (1e30), and rows of zeros, infinities and NaN.

    With power-of-two weights every weighted input is exact, and so is a sum of a few
    of them: the results do not depend on the order of the additions.
    """
    X = rng.integers(-1000, 1001, size=(400, n)) * 2.0 ** rng.choice([-30, -5, 0, 10, 30, 100], size=(400, 1))
    special = np.array([0.0, np.inf, -np.inf, np.nan, 1.0])
    return np.concatenate([X, np.resize(special, (len(special), n)), special[:, None] * np.ones(n)]).astype(np.float32)


def aggregating(aggregation, rng, dtype=np.float32):
    """Two layers mixing sum nodes (one input each) and ``aggregation`` nodes of fan-in 0 to 5 (one of them
    with a repeated connection), with power-of-two weights, biases and responses."""
    n_in = 5
    # layer 1: indices 5..12 -- aggregation fans 0..5 and two sum nodes between them
    fans = {5: 0, 6: 1, 7: 2, 9: 3, 10: 4, 12: 5}
    src, dst = [], []
    for d, k in fans.items():
        src += rng.choice(n_in, size=k, replace=False).tolist()
        dst += [d] * k
    src += [1, 4]
    dst += [8, 11]
    src += [2]
    dst += [9]  # a second connection 2 -> 9: two weighted inputs
    # layer 2: indices 13..15, reading the inputs and layer 1
    for d in (13, 14, 15):
        s = rng.choice(13, size=3, replace=False).tolist()
        src += s
        dst += [d] * 3
    n = 16
    sum_nodes = {8, 11}
    return FeedForwardNetwork(
        num_inputs=n_in,
        node_ids=np.arange(100, 100 + n),
        layer_bounds=[n_in, 13, n],
        output_indices=[13, 5, 14, 9, 15, 12, 8, 6, 7, 10, 11],
        bias=rng.choice(DYADIC, size=n),
        response=rng.choice(DYADIC, size=n),
        activation_codes=np.zeros(n),
        aggregation_codes=[1 if i in sum_nodes else 0 for i in range(n)],
        activation_names=["identity"],
        aggregation_names=[aggregation, "sum"],
        edge_src=src,
        edge_dst=dst,
        edge_weight=rng.choice(DYADIC, size=len(src)),
        dtype=dtype,
    )


@pytest.mark.parametrize("name", BUILTIN_AGGREGATIONS)
def test_every_aggregation_round_trips(name):
    rng = np.random.default_rng(len(name))
    network = aggregating(name, rng)
    X = dyadic_inputs(rng, 5)
    (y,) = session(to_onnx(network)).run(None, {"x": X})
    np.testing.assert_allclose(y, forward(network, X), **FLOAT32_TOLERANCE, equal_nan=True, err_msg=name)


@pytest.mark.parametrize("name", BUILTIN_ACTIVATIONS)
def test_layered_networks_with_every_aggregation_match_forward(name):
    """Float64: one activation, every aggregation, four layers of random weights."""
    for seed in range(3):
        rng = np.random.default_rng([seed, len(name)])
        network = layered(rng, [name], BUILTIN_AGGREGATIONS)
        X = rng.normal(size=(200, 4)) * rng.choice([0.1, 1.0, 3.0], size=(200, 1))
        (y,) = session(to_onnx(network, dtype=np.float64)).run(None, {"x": X})
        np.testing.assert_allclose(y, forward(network, X), rtol=1e-9, atol=1e-9, equal_nan=True, err_msg=name)


def test_a_float32_model_is_as_accurate_as_forward_in_float32():
    """In random networks the float32 model is as close to the float64 network as forward is in float32."""
    for seed in range(8):
        rng = np.random.default_rng(seed)
        network = layered(rng, BUILTIN_ACTIVATIONS, BUILTIN_AGGREGATIONS)
        X = (rng.normal(size=(300, 4)) * rng.choice([0.1, 1.0, 3.0], size=(300, 1))).astype(np.float32)
        (y,) = session(to_onnx(network)).run(None, {"x": X})
        exact = forward(network, X.astype(np.float64))
        ours = forward(network.astype(np.float32), X)
        finite = np.isfinite(exact) & np.isfinite(ours) & np.isfinite(y)
        assert finite.mean() > 0.9
        onnx_error = np.abs(y - exact)[finite].max()
        our_error = np.abs(ours - exact)[finite].max()
        assert onnx_error <= 2 * our_error + 1e-6 * (1 + np.abs(exact[finite]).max()), seed


def test_a_layer_mixing_functions_keeps_every_node_in_place():
    """Float32, exact arithmetic: activations in runs and interleaved, every aggregation in one layer."""
    rng = np.random.default_rng(7)
    exact = ["identity", "relu", "abs", "clamped", "step", "hat", "square", "neat_python_lelu"]
    for _ in range(5):
        network = layered(rng, exact, BUILTIN_AGGREGATIONS, widths=(9, 9, 4), dtype=np.float32)
        arrays = network.arrays()
        for key in ("bias", "response", "edge_weight"):
            arrays[key] = rng.choice(DYADIC, size=len(arrays[key]))
        network = FeedForwardNetwork(**arrays)
        X = rng.integers(-8, 9, size=(100, 4)).astype(np.float32) / 4
        (y,) = session(to_onnx(network)).run(None, {"x": X})
        np.testing.assert_allclose(y, forward(network, X), **FLOAT32_TOLERANCE)


# --- recurrent networks ------------------------------------------------------------
@pytest.mark.parametrize("seed", range(4))
def test_a_recurrent_step_matches_step(seed):
    """One ONNX call is one step: feeding new_state back gives step()'s outputs and state, step after step."""
    rng = np.random.default_rng(seed)
    network = recurrent(rng, BUILTIN_ACTIVATIONS, BUILTIN_AGGREGATIONS)
    run = session(to_onnx(network, dtype=np.float64))
    state = np.zeros((50, network.num_nodes))
    for _ in range(6):
        X = rng.normal(size=(50, 3))
        y, state = run.run(None, {"x": X, "state": state})
        with np.errstate(all="ignore"):
            expected = network.step(X)
        np.testing.assert_allclose(y, expected, rtol=1e-9, atol=1e-9, equal_nan=True)
        np.testing.assert_allclose(state, network.state, rtol=1e-9, atol=1e-9, equal_nan=True)


def test_a_recurrent_float32_model_steps_like_step():
    rng = np.random.default_rng(11)
    network = recurrent(rng, ["tanh", "neat_sigmoid"], ["sum", "mean", "max"], dtype=np.float32)
    run = session(to_onnx(network))
    state = np.zeros((40, network.num_nodes), np.float32)
    for _ in range(5):
        X = rng.normal(size=(40, 3)).astype(np.float32)
        y, state = run.run(None, {"x": X, "state": state})
        np.testing.assert_allclose(y, network.step(X), **FLOAT32_TOLERANCE)
        np.testing.assert_allclose(state, network.state, **FLOAT32_TOLERANCE)


# --- files and the model's interface ---------------------------------------------------
def test_a_genome_file_exports_as_the_command_line_does(tmp_path):
    genome = grown_genome(3)
    save_genome(genome, tmp_path / "champion.json")
    network = export_genome_file(tmp_path / "champion.json", tmp_path / "net.onnx")
    model = onnx.load(str(tmp_path / "net.onnx"))
    onnx.checker.check_model(model)
    X = np.random.default_rng(0).normal(size=(64, 3)).astype(np.float32)
    (y,) = session(model).run(None, {"x": X})
    assert isinstance(network, FeedForwardNetwork) and network.num_layers >= 2
    np.testing.assert_allclose(y, compile(genome, np.float32).forward(X), **FLOAT32_TOLERANCE)


def test_a_recurrent_genome_file_and_a_network_file_export(tmp_path):
    genome = grown_genome(5, feed_forward=False, activations=("tanh", "sigmoid"), aggregations=("sum", "product"))
    save_genome(genome, tmp_path / "g.json")
    save_network(compile(genome), tmp_path / "g.npz")
    X = np.random.default_rng(1).normal(size=(8, 3))
    for source in ("g.json", "g.npz"):
        network = export_genome_file(tmp_path / source, tmp_path / "net.onnx", dtype="float64")
        assert isinstance(network, RecurrentNetwork)
        model = onnx.load(str(tmp_path / "net.onnx"))
        y, state = session(model).run(None, {"x": X, "state": np.zeros((8, network.num_nodes))})
        np.testing.assert_allclose(y, network.step(X), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(state, network.state, rtol=1e-12, atol=1e-12)


def test_the_model_has_named_inputs_and_a_free_batch_size(tmp_path):
    network = one_per_input("tanh", n=3)
    save_onnx(network, tmp_path / "m.onnx")
    model = onnx.load(str(tmp_path / "m.onnx"))
    graph = model.graph
    dims = [[d.dim_param or d.dim_value for d in v.type.tensor_type.shape.dim] for v in (*graph.input, *graph.output)]
    assert [v.name for v in graph.input] == ["x"] and [v.name for v in graph.output] == ["y"]
    assert dims == [["batch", 3], ["batch", 3]]
    assert model.opset_import[0].version == 17 and model.producer_name == "neatlab"
    run = session(model)
    for batch in (1, 7):
        X = np.ones((batch, 3), np.float32)
        assert run.run(None, {"x": X})[0].shape == (batch, 3)

    state_model = to_onnx(recurrent(np.random.default_rng(0), ["tanh"], ["sum"]))
    names = [[v.name for v in vs] for vs in (state_model.graph.input, state_model.graph.output)]
    assert names == [["x", "state"], ["y", "new_state"]]


def test_loading_the_module_does_not_import_onnx():
    code = "import sys, neat.interop.onnx; print('onnx' in sys.modules, 'onnxruntime' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


# --- what cannot be exported ------------------------------------------------------
@pytest.fixture
def own_forms(monkeypatch):
    """Functions registered (with or without an ONNX form) only for the test."""
    monkeypatch.setattr(onnx_functions, "_USER_ACTIVATIONS", {})
    monkeypatch.setattr(onnx_functions, "_USER_AGGREGATIONS", {})
    monkeypatch.setitem(ACTIVATIONS, "double_tanh", lambda z: np.tanh(2.0 * z))
    monkeypatch.setitem(AGGREGATIONS, "second", lambda x: x[..., min(1, x.shape[-1] - 1)])
    return monkeypatch


def with_functions(activation, aggregation, *, fan=2):
    """One output node of ``activation`` and ``aggregation`` reading the first ``fan`` of 2 inputs."""
    return FeedForwardNetwork(
        num_inputs=2,
        node_ids=[0, 1, 7],
        layer_bounds=[2, 3],
        output_indices=[2],
        bias=[0.0, 0.0, 0.25],
        response=[1.0, 1.0, 1.0],
        activation_codes=[0, 0, 1],
        aggregation_codes=[0, 0, 1],
        activation_names=["tanh", activation],
        aggregation_names=["sum", aggregation],
        edge_src=[0, 1][:fan],
        edge_dst=[2, 2][:fan],
        edge_weight=[1.5, -0.5][:fan],
        dtype=np.float32,
    )


def test_a_function_of_ones_own_is_a_clear_error(own_forms):
    with pytest.raises(ConfigError) as info:
        to_onnx(with_functions("double_tanh", "sum"))
    message = str(info.value)
    assert "activation 'double_tanh'" in message and "node id 7" in message
    assert "register_onnx_activation('double_tanh'" in message and "neat_sigmoid" in message

    with pytest.raises(ConfigError, match=r"aggregation 'second'.*node id 7.*register_onnx_aggregation\('second'"):
        to_onnx(with_functions("tanh", "second"))


def test_a_function_of_ones_own_exports_with_its_form(own_forms):
    register_onnx_activation("double_tanh", lambda g, z: g.op("Tanh", g.op("Mul", z, 2.0)))
    register_onnx_aggregation("second", lambda g, x, fan: g.op("Gather", x, np.array(min(1, fan - 1)), axis=-1))
    X = np.random.default_rng(2).normal(size=(30, 2)).astype(np.float32)
    for fan in (1, 2):
        network = with_functions("double_tanh", "second", fan=fan)
        (y,) = session(to_onnx(network)).run(None, {"x": X})
        np.testing.assert_allclose(y, forward(network, X), **FLOAT32_TOLERANCE)
    assert "double_tanh" in exportable_activations() and "second" in exportable_aggregations()


def test_what_no_node_evaluates_needs_no_form(own_forms):
    """A function only among the names, or an aggregation of no inputs (the node is act(bias)), exports."""
    network = with_functions("tanh", "second", fan=0)
    (y,) = session(to_onnx(network)).run(None, {"x": np.zeros((3, 2), np.float32)})
    np.testing.assert_allclose(y, np.full((3, 1), np.tanh(np.float32(0.25))), **FLOAT32_TOLERANCE)
    arrays = one_per_input("relu").arrays()
    arrays["activation_names"] = ("relu", "double_tanh")
    to_onnx(FeedForwardNetwork(**arrays))


def test_a_built_in_name_given_another_function_is_a_clear_error(monkeypatch):
    monkeypatch.setitem(ACTIVATIONS, "tanh", np.arctan)
    with pytest.raises(ConfigError, match="activation 'tanh'.*not the built-in function"):
        to_onnx(one_per_input("tanh"))


def test_without_onnx_the_error_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "onnx", None)
    with pytest.raises(ConfigError, match=r'pip install "neatlab\[onnx\]"'):
        to_onnx(one_per_input("tanh"))


def test_bad_arguments(tmp_path):
    with pytest.raises(ConfigError, match="float32 or float64.*float16"):
        to_onnx(one_per_input("tanh"), dtype="float16")
    with pytest.raises(TypeError, match="FeedForwardNetwork or RecurrentNetwork"):
        to_onnx(object())
    path = tmp_path / "g.json"
    path.write_text(json.dumps({"not": "a genome"}))
    with pytest.raises(NeatError, match="g.json.*not a genome"):
        export_genome_file(path, tmp_path / "out.onnx")
    assert not (tmp_path / "out.onnx").exists()


def test_export_errors_name_the_file(tmp_path, own_forms):
    """What the command line prints: the genome file, then what cannot be exported."""
    config = Config(
        genome={
            "num_inputs": 2,
            "num_outputs": 1,
            "activation_default": "double_tanh",
            "activation_options": ("double_tanh",),
        }
    )
    genome = new_genome(config, InnovationTracker.for_config(config), make_rng(0))
    save_genome(genome, tmp_path / "champion.json")
    with pytest.raises(ConfigError, match=r"champion\.json: cannot export activation 'double_tanh'"):
        export_genome_file(tmp_path / "champion.json", tmp_path / "net.onnx")
    assert not (tmp_path / "net.onnx").exists()


@pytest.mark.parametrize("name", BUILTIN_ACTIVATIONS)
def test_every_activation_is_accurate_near_zero_and_in_the_tails(name):
    """Relative accuracy, also where the values are tiny: pre-activations from 1e-3 down to 1e-30, where
    elu and selu need expm1, and down to -80, where softplus needs log1p (ONNX has neither: they are
    composed from Exp and Log with Kahan's formulas).  Not below 1e-30: onnxruntime's Tanh loses digits
    near the smallest normal float32 (1.2e-38) and flushes subnormals to 0."""
    network = one_per_input(name, n=2)
    tiny = np.concatenate([10.0 ** -np.arange(3.0, 31.0), [5.0, 10.0, 20.0, 40.0, 80.0]])
    X = np.stack([tiny, -tiny], axis=1).astype(np.float32)
    (y,) = session(to_onnx(network)).run(None, {"x": X})
    np.testing.assert_allclose(y, forward(network, X), rtol=1e-6, atol=0, err_msg=name)
