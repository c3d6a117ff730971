"""Saving and loading compiled networks as .npz files, and what a network reports about itself."""

import io
import os
import pickle
import zipfile

import numpy as np
import pytest

import neat
from neat import CheckpointError, Config
from neat.functions import ACTIVATIONS
from neat.nn import FeedForwardNetwork, RecurrentNetwork, compile, load_network, save_network

from ..oracle import build_genome


def grown(config, seed=0, steps=10):
    tracker = neat.InnovationTracker.for_config(config)
    rng = neat.make_rng(seed)
    genome = neat.new_genome(config, tracker, rng)
    for _ in range(steps):
        genome = neat.add_node(genome, config, tracker, rng)
        genome = neat.add_connection(genome, config, tracker, rng)
    return genome


MIXED = {
    "activation_options": ["tanh", "relu", "neat_sigmoid"],
    "activation_default": "random",
    "aggregation_options": ["sum", "max", "product"],
    "aggregation_default": "random",
}


@pytest.mark.parametrize("feed_forward", [True, False])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_save_and_load_round_trip(tmp_path, feed_forward, dtype):
    cfg = Config(genome={"num_inputs": 4, "num_outputs": 2, "feed_forward": feed_forward, **MIXED})
    net = compile(grown(cfg), dtype)
    path = tmp_path / "agent.npz"
    net.save(path)
    assert sorted(os.listdir(tmp_path)) == ["agent.npz"]  # written in place, no temporary left
    loaded = load_network(path)
    assert type(loaded) is type(net) and loaded.dtype == net.dtype
    for key, value in net.arrays().items():
        if isinstance(value, np.ndarray):
            np.testing.assert_array_equal(getattr(loaded, key), value)
        else:
            assert getattr(loaded, key) == value
    X = np.random.default_rng(0).normal(size=(3, 5, 4))
    for x in X:  # several steps for the recurrent one
        np.testing.assert_array_equal(loaded(x), net(x))


def test_the_file_is_plain_arrays(tmp_path):
    cfg = Config(genome={"num_inputs": 3, "num_outputs": 1, "hidden_layers": [4]})
    net = compile(grown(cfg))
    save_network(net, tmp_path / "net")  # no suffix is added
    with np.load(tmp_path / "net", allow_pickle=False) as data:
        files = set(data.files)
        assert data["format"].item() == "neat-network" and data["kind"].item() == "feedforward"
        assert data["activation_names"].tolist() == ["neat_sigmoid"]
        assert all(data[key].dtype != object for key in files)
    assert {
        "node_ids",
        "layer_bounds",
        "output_indices",
        "bias",
        "response",
        "activation_codes",
        "aggregation_codes",
        "edge_src",
        "edge_dst",
        "edge_weight",
    } <= files


def test_a_network_reports_its_shape():
    cfg = Config(genome={"num_inputs": 4, "num_outputs": 2, "hidden_layers": [16]})
    net = compile(neat.new_genome(cfg, neat.InnovationTracker.for_config(cfg), neat.make_rng(0)))
    assert net.layer_shapes == [(4, 16), (20, 2)]
    assert net.num_connections == 96 and net.num_layers == 2 and net.num_nodes == 22
    assert net.node_ids[:4].tolist() == [0, 1, 2, 3]
    assert sorted(net.node_ids[4:20].tolist()) == list(range(6, 22))
    assert net.node_ids[net.output_indices].tolist() == [4, 5]
    assert net.activation_of(5) == "neat_sigmoid" and net.aggregation_of(5) == "sum"


def test_a_loaded_network_needs_its_functions_registered(tmp_path, monkeypatch):
    monkeypatch.setitem(ACTIVATIONS, "double", lambda z: 2 * z)
    cfg = Config(
        genome={"num_inputs": 1, "num_outputs": 1, "activation_options": ["double"], "activation_default": "double"}
    )
    net = compile(build_genome(cfg, conns=[(0, 1, 1.5)]))
    net.save(tmp_path / "n.npz")
    assert load_network(tmp_path / "n.npz")([1.0]) == pytest.approx([3.0])
    monkeypatch.delitem(ACTIVATIONS, "double")
    with pytest.raises(CheckpointError, match="double.*register"):
        load_network(tmp_path / "n.npz")


def _rewrite(path, **changes):
    with np.load(path, allow_pickle=False) as data:
        arrays = {key: data[key] for key in data.files}
    for key, value in changes.items():
        if value is None:
            del arrays[key]
        else:
            arrays[key] = value(arrays[key]) if callable(value) else value
    np.savez(path, **arrays)


@pytest.fixture
def saved(tmp_path):
    cfg = Config(genome={"num_inputs": 2, "num_outputs": 1, "hidden_layers": [2]})
    path = tmp_path / "net.npz"
    compile(grown(cfg, steps=2)).save(path)
    return path


def test_bad_files_are_checkpoint_errors(tmp_path, saved):
    with pytest.raises(CheckpointError, match="cannot read"):
        load_network(tmp_path / "missing.npz")
    (tmp_path / "junk.npz").write_bytes(b"not a zip file at all")
    with pytest.raises(CheckpointError, match="cannot read"):
        load_network(tmp_path / "junk.npz")
    np.save(tmp_path / "one.npy", np.zeros(3))
    with pytest.raises(CheckpointError, match="single array"):
        load_network(tmp_path / "one.npy")
    (tmp_path / "pickle.npz").write_bytes(pickle.dumps({"a": 1}))
    with pytest.raises(CheckpointError, match="cannot read"):
        load_network(tmp_path / "pickle.npz")
    buffer = io.BytesIO()
    np.savez(buffer, format=np.array("neat-network"), junk=np.array([object()], dtype=object))
    (tmp_path / "object.npz").write_bytes(buffer.getvalue())
    with pytest.raises(CheckpointError, match="cannot read"):
        load_network(tmp_path / "object.npz")
    with zipfile.ZipFile(tmp_path / "empty.npz", "w"):
        pass
    with pytest.raises(CheckpointError, match="not a network file"):
        load_network(tmp_path / "empty.npz")


@pytest.mark.parametrize(
    "changes, match",
    [
        ({"format": np.array("something-else")}, "not a network file"),
        ({"version": np.array(99)}, "version 99"),
        ({"kind": np.array("convolutional")}, "kind"),
        ({"dtype": np.array("int8")}, "dtype"),
        ({"edge_weight": None}, "lacks the array 'edge_weight'"),
        ({"bias": np.array(["a", "b"])}, "'bias' must be a 1-D float array"),
        ({"node_ids": np.zeros((2, 2), dtype=np.int64)}, "'node_ids' must be a 1-D integer array"),
        ({"activation_codes": np.full(5, 7, dtype=np.int16)}, "activation_codes must lie in"),
        ({"layer_bounds": np.array([2, 1, 5])}, "layer_bounds"),
        ({"edge_src": lambda src: np.where(np.arange(len(src)) == 0, src.max() + 1, src)}, "earlier layer"),
        ({"output_indices": np.array([0])}, "output_indices"),
    ],
)
def test_inconsistent_files_are_checkpoint_errors(saved, changes, match):
    _rewrite(saved, **changes)
    with pytest.raises(CheckpointError, match=match):
        load_network(saved)


def test_save_refuses_other_objects(tmp_path):
    with pytest.raises(TypeError, match="FeedForwardNetwork or RecurrentNetwork"):
        save_network(object(), tmp_path / "x.npz")


def test_constructing_from_arrays_checks_them():
    cfg = Config(genome={"num_inputs": 2, "num_outputs": 1})
    net = compile(grown(cfg, steps=1))
    arrays = net.arrays()
    assert isinstance(FeedForwardNetwork(**arrays), FeedForwardNetwork)
    with pytest.raises(ValueError, match="edge"):
        FeedForwardNetwork(**{**arrays, "edge_dst": arrays["edge_dst"][:-1]})
    rcfg = Config(genome={"num_inputs": 2, "num_outputs": 1, "feed_forward": False})
    rnet = compile(grown(rcfg, steps=1))
    rarrays = rnet.arrays()
    assert isinstance(RecurrentNetwork(**rarrays), RecurrentNetwork)
    with pytest.raises(ValueError, match="edges"):
        RecurrentNetwork(**{**rarrays, "edge_dst": np.zeros_like(rarrays["edge_dst"])})


def test_networks_travel_to_worker_processes_as_arrays():
    cfg = Config(genome={"num_inputs": 3, "num_outputs": 2, **MIXED})
    rcfg = Config(genome={"num_inputs": 3, "num_outputs": 2, "feed_forward": False, **MIXED})
    X = np.random.default_rng(0).normal(size=(4, 3))
    for net in (compile(grown(cfg)), compile(grown(rcfg)), neat.nn.compile_population([grown(cfg), grown(cfg, 1)])):
        copy = pickle.loads(pickle.dumps(net))
        assert type(copy) is type(net)
        np.testing.assert_array_equal(copy(X), net(X))
