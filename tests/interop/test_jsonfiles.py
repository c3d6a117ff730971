import json
import os

import pytest
from hypothesis import given

from neat import CheckpointError, Genome, InvalidGenomeError, load_genome, save_genome
from neat.files import atomic_write_text
from neat.interop.jsonfiles import load_config_json, save_config_json
from neat.testing import configs, grown_genomes


@given(grown_genomes())
def test_genome_json_round_trip_is_exact(genome):
    text = json.dumps(genome.to_dict())
    assert Genome.from_dict(json.loads(text)) == genome


def test_save_and_load_genome(tmp_path):
    from neat import Config, InnovationTracker, make_rng, new_genome

    cfg = Config(genome={"activation_options": ("tanh", "relu"), "activation_default": "relu"})
    g = new_genome(cfg, InnovationTracker.for_config(cfg), make_rng(0))
    path = tmp_path / "sub" / "g.json"
    save_genome(g, path)
    assert load_genome(path) == g
    data = json.loads(path.read_text())
    assert data["nodes"]["activation"][2] == "relu" and data["nodes"]["kind"][:3] == ["input", "input", "output"]


@given(configs())
def test_config_json_round_trip(config):
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        save_config_json(config, os.path.join(d, "c.json"))
        assert load_config_json(os.path.join(d, "c.json")) == config


def test_bad_files_give_clear_errors(tmp_path):
    with pytest.raises(CheckpointError, match="cannot read genome file"):
        load_genome(tmp_path / "missing.json")
    (tmp_path / "junk.json").write_text("{not json")
    with pytest.raises(CheckpointError, match="not valid JSON"):
        load_genome(tmp_path / "junk.json")
    (tmp_path / "other.json").write_text('{"format": "something-else"}')
    with pytest.raises(InvalidGenomeError, match="not a genome"):
        load_genome(tmp_path / "other.json")


def test_tampered_genome_file_is_rejected(tmp_path):
    from neat import Config, InnovationTracker, make_rng, new_genome

    g = new_genome(Config(), InnovationTracker.for_config(Config()), make_rng(0))
    data = g.to_dict()
    data["connections"]["dst"][0] = 99
    (tmp_path / "g.json").write_text(json.dumps(data))
    with pytest.raises(InvalidGenomeError, match="g.json: .*target node 99 does not exist"):
        load_genome(tmp_path / "g.json")
    data = g.to_dict()
    data["nodes"]["activation"][2] = "nope"
    with pytest.raises(InvalidGenomeError, match="'nope' is not among activation_options"):
        Genome.from_dict(data)


def test_atomic_write_keeps_the_old_file_when_interrupted(tmp_path, monkeypatch):
    path = tmp_path / "f.txt"
    atomic_write_text(path, "old")

    def boom(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(KeyboardInterrupt):
        atomic_write_text(path, "new")
    assert path.read_text() == "old"
    assert os.listdir(tmp_path) == ["f.txt"]  # no temporary file left behind


def test_atomic_writes_get_the_mode_a_plain_open_gives(tmp_path):
    atomic_write_text(tmp_path / "atomic.txt", "x")
    (tmp_path / "plain.txt").write_text("x")
    mode = lambda name: (tmp_path / name).stat().st_mode & 0o777  # noqa: E731
    assert mode("atomic.txt") == mode("plain.txt")


@pytest.mark.parametrize(
    ("group", "field", "value", "message"),
    [
        ("connections", "weight", "0.5", "connections.weight[0] is '0.5' (a string); expected a number"),
        ("connections", "enabled", "false", "connections.enabled[0] is 'false' (a string); expected true or false"),
        ("nodes", "id", 0.0, "nodes.id[0] is 0.0 (a number with a decimal point); expected an integer"),
        ("nodes", "bias", None, "nodes.bias[0] is None (null); expected a number"),
    ],
)
def test_a_genome_file_with_a_field_of_the_wrong_type_is_refused(tmp_path, group, field, value, message):
    import re

    from neat import Config, InnovationTracker, make_rng, new_genome

    data = new_genome(Config(), InnovationTracker.for_config(Config()), make_rng(0)).to_dict()
    data[group][field][0] = value
    (tmp_path / "g.json").write_text(json.dumps(data))
    with pytest.raises(InvalidGenomeError, match=r"g\.json: genome " + re.escape(message)):
        load_genome(tmp_path / "g.json")
