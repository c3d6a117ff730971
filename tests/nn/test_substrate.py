"""Substrates: grid coordinates, what a substrate asks of its CPPN, and every bad value a ConfigError."""

import numpy as np
import pytest

from neat import ConfigError
from neat.nn import Substrate, grid


# --- grid -------------------------------------------------------------------------
def test_grid_is_row_major_over_minus_one_to_one():
    g = grid(2, 3)
    np.testing.assert_array_equal(g, [[-1, -1], [0, -1], [1, -1], [-1, 1], [0, 1], [1, 1]])
    big = grid(11, 11)
    assert big.shape == (121, 2) and big.min() == -1.0 and big.max() == 1.0
    # node r * cols + c is row r, column c
    assert tuple(big[3 * 11 + 7]) == (np.linspace(-1, 1, 11)[7], np.linspace(-1, 1, 11)[3])
    assert Substrate.grid is grid


def test_grid_in_3d_single_rows_and_ranges():
    g = grid(1, 3, z=0.5)
    np.testing.assert_array_equal(g, [[-1, 0, 0.5], [0, 0, 0.5], [1, 0, 0.5]])
    np.testing.assert_array_equal(grid(1, 1), [[0.0, 0.0]])
    np.testing.assert_array_equal(grid(2, 1, x_range=(0, 4), y_range=(2, 3)), [[2.0, 2.0], [2.0, 3.0]])


@pytest.mark.parametrize(
    "args, kwargs, message",
    [
        ((0, 3), {}, "rows must be an integer >= 1, got 0"),
        ((2, 2.5), {}, "cols must be an integer >= 1, got 2.5"),
        ((2, True), {}, "cols must be an integer >= 1"),
        ((2, 2), {"z": float("nan")}, "z must be a finite number"),
        ((2, 2), {"x_range": (0, float("inf"))}, "x_range must be two finite numbers"),
    ],
)
def test_grid_rejects(args, kwargs, message):
    with pytest.raises(ConfigError, match=message):
        grid(*args, **kwargs)


# --- what a substrate needs of its CPPN ---------------------------------------------
def test_an_11x11_sheet_to_sheet():
    s = Substrate(grid(11, 11), grid(11, 11))
    assert (s.num_inputs, s.num_outputs, s.num_hidden, s.num_nodes) == (121, 121, 0, 242)
    assert s.num_connections == 14641
    assert s.dimension == 2
    assert (s.cppn_inputs, s.cppn_outputs) == (5, 1)
    assert s.cppn_input_names == ("x1", "y1", "x2", "y2", "d")
    assert s.cppn_output_names == ("weight",)
    assert s.layer_pairs == ((0, 1),)
    np.testing.assert_array_equal(s.layer_bounds, [0, 121, 242])
    assert s.weight_threshold == 0.2 and s.max_weight == 3.0 and s.activation == "tanh"


@pytest.mark.parametrize("leo", [False, True])
@pytest.mark.parametrize("bias", [False, True])
@pytest.mark.parametrize("distance", [False, True])
def test_cppn_inputs_and_outputs_in_3d(leo, bias, distance):
    s = Substrate(grid(2, 2, z=-1), grid(1, 3, z=1), leo=leo, bias_output=bias, distance_input=distance)
    assert s.dimension == 3
    assert s.cppn_inputs == 6 + distance
    assert s.cppn_outputs == 1 + leo + bias
    assert s.cppn_input_names[:6] == ("x1", "y1", "z1", "x2", "y2", "z2")
    assert ("d" in s.cppn_input_names) == distance
    assert s.cppn_output_names == ("weight",) + (("leo",) if leo else ()) + (("bias",) if bias else ())


def test_hidden_layers_and_chosen_connections():
    inputs, h1, h2, outputs = grid(1, 4), grid(2, 3), grid(1, 5), grid(1, 2)
    s = Substrate(inputs, outputs, hidden=[h1, h2])
    assert s.layer_pairs == ((0, 1), (1, 2), (2, 3))
    assert s.num_connections == 4 * 6 + 6 * 5 + 5 * 2
    assert s.num_hidden == 11
    np.testing.assert_array_equal(s.layer_bounds, [0, 4, 10, 15, 17])
    np.testing.assert_array_equal(s.node_coordinates, np.concatenate([inputs, h1, h2, outputs]))
    skip = Substrate(inputs, outputs, hidden=[h1, h2], connections=[(0, 1), (1, 2), (2, 3), (0, 3)])
    assert skip.num_connections == s.num_connections + 4 * 2
    assert skip.connections == ((0, 1), (1, 2), (2, 3), (0, 3))


def test_coordinates_are_read_only_float64_copies():
    points = [[0, 1], [1, 0]]
    s = Substrate(points, np.array([[0.5, 0.5]], dtype=np.float32))
    assert s.inputs.dtype == s.outputs.dtype == np.float64
    with pytest.raises(ValueError):
        s.inputs[0, 0] = 3.0
    array = grid(2, 2)
    s = Substrate(array, array)
    array[0, 0] = 9.0
    assert s.inputs[0, 0] == -1.0


def test_equality_and_dict_round_trip():
    s = Substrate(grid(2, 2), grid(1, 2), hidden=[grid(1, 3)], leo=True, weight_threshold=0.0, max_weight=5.0,
                  output_activation="identity", connections=[(0, 1), (1, 2), (0, 2)])
    again = Substrate.from_dict(s.to_dict())
    assert again == s and again is not s
    assert s != Substrate(grid(2, 2), grid(1, 2), hidden=[grid(1, 3)])
    assert s != Substrate(grid(2, 2), grid(1, 2))
    assert Substrate(grid(2, 2), grid(1, 2)) == Substrate(grid(2, 2).tolist(), grid(1, 2))
    import json

    assert Substrate.from_dict(json.loads(json.dumps(s.to_dict()))) == s


# --- every bad value is a ConfigError naming it ---------------------------------------
GOOD = grid(2, 2)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"inputs": [[0.0, 1.0, 2.0, 3.0]]}, r"inputs: expected an \(n, 2\) or \(n, 3\) array .* got shape \(1, 4\)"),
        ({"inputs": np.zeros((0, 2))}, r"inputs: .* with n >= 1, got shape \(0, 2\)"),
        ({"outputs": [0.0, 1.0]}, r"outputs: .* got shape \(2,\)"),
        ({"outputs": [[0.0, 1.0], [2.0]]}, "outputs: expected .* not a rectangular array of numbers"),
        ({"outputs": [["a", "b"]]}, "outputs: expected .* not a rectangular array of numbers"),
        ({"inputs": [[True, False]]}, "inputs: expected real coordinates, got booleans"),
        ({"inputs": [[0.0, 1.0], [np.nan, 0.0]]}, "inputs: coordinates must be finite; node 1 has nan at axis 0"),
        ({"hidden": [[[0.0, np.inf]]]}, r"hidden\[0\]: coordinates must be finite; node 0 has inf at axis 1"),
        ({"hidden": grid(2, 2)}, r"hidden: .*got one array of shape \(4, 2\) \(wrap one layer in a list: hidden=\[layer\]\)"),
        ({"hidden": 3}, "hidden: expected a sequence of"),
        ({"outputs": grid(2, 2, z=0.0)}, r"Substrate: every layer must have the same dimension D .* inputs \(4, 2\), outputs \(4, 3\)"),
        ({"weight_threshold": 1.0}, r"weight_threshold = 1.0: must lie in \[0, 1\)"),
        ({"weight_threshold": -0.1}, r"weight_threshold = -0.1: must lie in \[0, 1\)"),
        ({"weight_threshold": "0.2"}, "weight_threshold: expected a number, got '0.2'"),
        ({"max_weight": 0.0}, "max_weight = 0.0: must be a finite number > 0"),
        ({"max_weight": float("inf")}, "max_weight = inf: must be a finite number > 0"),
        ({"leo": 1}, "leo = 1: must be true or false"),
        ({"bias_output": "yes"}, "bias_output = 'yes': must be true or false"),
        ({"activation": "nope"}, "activation = 'nope': must be a registered activation: .*tanh"),
        ({"output_activation": 3}, "output_activation = 3: must be a registered activation"),
        ({"connections": []}, "connections: the list is empty"),
        ({"connections": [(1, 0)]}, r"connections: \(1, 0\) is not allowed; expected .* 0 <= source < target <= 1"),
        ({"connections": [(0, 2)]}, r"connections: \(0, 2\) is not allowed"),
        ({"connections": [(0, 1, 2)]}, r"connections: \(0, 1, 2\) is not allowed"),
        ({"connections": [(0, 1), (0, 1)]}, r"connections: \(0, 1\) is listed twice"),
        ({"connections": 5}, "connections = 5: expected a list of"),
    ],
)
def test_bad_values(kwargs, message):
    args = {"inputs": GOOD, "outputs": GOOD, **kwargs}
    with pytest.raises(ConfigError, match=f"Substrate {message}" if not message.startswith("Substrate") else message):
        Substrate(**args)


def test_from_dict_rejects_unknown_and_missing_keys():
    with pytest.raises(ConfigError, match=r"unknown substrate key\(s\) \['threshold'\]; known: inputs, outputs"):
        Substrate.from_dict({"inputs": GOOD, "outputs": GOOD, "threshold": 0.1})
    with pytest.raises(ConfigError, match="a substrate needs outputs"):
        Substrate.from_dict({"inputs": GOOD})
    with pytest.raises(ConfigError, match="a substrate must be a mapping"):
        Substrate.from_dict([GOOD, GOOD])
