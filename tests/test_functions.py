"""The CPPN node functions: cos and the bipolar sigmoid, in the registry, in networks and in ONNX."""

import warnings

import numpy as np
import pytest

from neat import Config
from neat.functions import ACTIVATIONS, activation_function, activation_prescale, activation_unguarded
from neat.interop.onnx_functions import exportable_activations, onnx_activation
from neat.nn import compile, compile_population

from .oracle import build_genome, oracle_forward

CPPN_FUNCTIONS = ["sin", "cos", "gauss", "sigmoid", "bipolar_sigmoid", "tanh", "abs", "step", "identity", "hat"]


def test_every_cppn_function_is_registered_and_exports_to_onnx():
    assert set(CPPN_FUNCTIONS) <= set(ACTIVATIONS)
    assert set(CPPN_FUNCTIONS) <= set(exportable_activations())


def test_cos():
    z = np.array([0.0, np.pi / 3, -np.pi, 1e3])
    np.testing.assert_array_equal(activation_function("cos")(z), np.cos(z))
    assert activation_function("cos")(np.float32([1.0])).dtype == np.float32


def test_the_bipolar_sigmoid_is_two_sigmoids_minus_one():
    f = activation_function("bipolar_sigmoid")
    z = np.linspace(-30, 30, 601)
    np.testing.assert_allclose(f(z), 2.0 / (1.0 + np.exp(-z)) - 1.0, rtol=1e-12, atol=1e-15)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        edge = f(np.array([-1e308, -800.0, 0.0, 1e-300, 800.0, np.nan]))
    np.testing.assert_array_equal(edge[:5], [-1.0, -1.0, 0.0, 5e-301, 1.0])
    assert np.isnan(edge[5])
    assert f(np.float32([0.5])).dtype == np.float32
    assert f(np.array([1, 2])).dtype.kind == "f"
    # odd, in (-1, 1), accurate near 0 where 2 sigmoid(z) - 1 cancels
    small = np.array([1e-12, 1e-8])
    np.testing.assert_allclose(f(small), small / 2, rtol=1e-12)
    np.testing.assert_array_equal(f(-z), -f(z))


def test_the_bipolar_sigmoid_folds_its_half_into_the_weights():
    scale, inner = activation_prescale(ACTIVATIONS["bipolar_sigmoid"])
    assert scale == 0.5 and inner is np.tanh
    assert onnx_activation("bipolar_sigmoid")[0] == 0.5


@pytest.mark.parametrize("name", ["sigmoid", "neat_sigmoid"])
def test_the_sigmoids_inner_function_has_an_unguarded_twin_with_the_same_bits(name):
    _, inner = activation_prescale(ACTIVATIONS[name])
    bare, declared = activation_unguarded(inner)
    assert declared and bare is not inner
    u = np.concatenate([np.linspace(-800.0, 800.0, 4001), [709.78, 709.79, 1e308, -1e308, np.inf, -np.inf, np.nan]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        guarded = inner(u)  # silences its own overflow
    with pytest.warns(RuntimeWarning, match="overflow"):
        unguarded = bare(u)  # leaves it to its caller
    np.testing.assert_array_equal(unguarded, guarded)
    assert np.array_equal(np.signbit(unguarded), np.signbit(guarded))
    assert activation_unguarded(np.tanh) == (np.tanh, False)


@pytest.mark.parametrize("name", ["cos", "bipolar_sigmoid"])
def test_networks_of_the_new_functions_match_the_oracle(name):
    cfg = Config(genome={"num_inputs": 2, "num_outputs": 1, "activation_options": [name], "activation_default": name})
    genome = build_genome(
        cfg, hidden=[3, 4], conns=[(0, 3, 1.5), (1, 3, -0.5), (0, 4, 2.0), (3, 2, 0.7), (4, 2, -1.1), (1, 2, 0.3)],
        bias={2: 0.1, 3: -0.2, 4: 0.4}, response={3: 1.5},
    )
    X = np.random.default_rng(0).normal(size=(20, 2)) * 3
    want = oracle_forward(genome, X)
    np.testing.assert_allclose(compile(genome)(X), want, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(compile_population([genome, genome])(X)[1], want, rtol=1e-12, atol=1e-14)
