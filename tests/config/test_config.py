import dataclasses
import re

import pytest
from hypothesis import given

from neat import Config, ConfigError, GenomeConfig
from neat.testing import configs


def test_defaults_are_the_neat_papers():
    c = Config()
    assert c.speciation.excess_coefficient == 1.0
    assert c.speciation.disjoint_coefficient == 1.0
    assert c.speciation.weight_coefficient == 0.4
    assert c.speciation.compatibility_threshold == 3.0
    assert c.stagnation.max_stagnation == 15
    assert c.reproduction.mutate_only_fraction == 0.25
    assert c.reproduction.disabled_inherit_prob == 0.75
    assert c.reproduction.interspecies_mating_rate == 0.001
    assert c.reproduction.elitism_min_species_size == 5
    assert c.mutation.node_add_prob == 0.03
    assert c.mutation.conn_add_prob == 0.05
    assert c.mutation.weight_mutate_prob == 0.8
    assert c.mutation.weight_perturb_rate == 0.9
    assert c.run.population_size == 150
    assert c.genome.activation_default == "neat_sigmoid"


def test_sections_are_frozen():
    c = Config()
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.genome.num_inputs = 5  # type: ignore[misc]


@given(configs())
def test_toml_round_trip(config):
    assert Config.from_toml(config.to_toml()) == config


@given(configs())
def test_dict_round_trip(config):
    assert Config.from_dict(config.to_dict()) == config


def test_toml_file_round_trip(tmp_path):
    c = Config(genome={"num_inputs": 4, "hidden_layers": [16], "output_activation": "neat_sigmoid"}, run={"seed": 7})
    path = tmp_path / "c.toml"
    c.save_toml(path)
    assert Config.from_toml_file(path) == c


def test_optional_keys_omitted_from_toml_and_read_back_as_none():
    text = Config().to_toml()
    keys = {line.split(" = ")[0] for line in text.splitlines() if " = " in line}
    assert "seed" not in keys and "fitness_threshold" not in keys and "noise_table_seed" in keys
    assert Config.from_toml(text).run.seed is None


def test_unknown_key_names_section_key_and_suggests():
    with pytest.raises(ConfigError, match=r"\[genome\] unknown key 'num_input'; did you mean 'num_inputs'"):
        Config.from_toml("[genome]\nnum_input = 3\n")


def test_unknown_section():
    with pytest.raises(ConfigError, match=r"unknown section \[mutaton\]; did you mean \[mutation\]"):
        Config.from_dict({"mutaton": {}})


@pytest.mark.parametrize(
    "section, key, value, allowed",
    [
        ("genome", "num_inputs", 0, ">= 1"),
        ("genome", "num_inputs", 2.5, "an integer"),
        ("genome", "num_inputs", True, "an integer"),
        ("genome", "feed_forward", "yes", "true or false"),
        ("genome", "initial_connection", "fully", "one of 'full'"),
        ("genome", "hidden_layers", [4, 0], ">= 1"),
        ("genome", "hidden_layers", 4, "a list of integers"),
        ("mutation", "node_add_prob", 1.5, r"in \[0.0, 1.0\]"),
        ("mutation", "weight_mutate_power", -1.0, ">= 0.0"),
        ("speciation", "compatibility_threshold", 0.0, "> 0.0"),
        ("run", "objective", "maximize", "one of 'max', 'min'"),
        ("run", "population_size", 1, ">= 2"),
        ("reproduction", "survival_threshold", float("nan"), "in"),
    ],
)
def test_bad_values_name_section_key_value_and_allowed(section, key, value, allowed):
    with pytest.raises(ConfigError) as info:
        Config.from_dict({section: {key: value}})
    message = str(info.value)
    assert f"[{section}] {key} = " in message
    assert repr(value) in message or str(value) in message
    assert re.search(allowed, message), message


def test_cross_key_checks():
    with pytest.raises(ConfigError, match="activation_default"):
        GenomeConfig(activation_default="tanh")  # not among activation_options
    with pytest.raises(ConfigError, match="known activation names"):
        GenomeConfig(activation_options=("tanh", "no_such_fn"), activation_default="tanh")
    with pytest.raises(ConfigError, match="weight_min"):
        GenomeConfig(weight_min=5.0, weight_max=1.0)
    with pytest.raises(ConfigError, match="weight_perturb_rate \\+ weight_replace_rate"):
        Config(mutation={"weight_perturb_rate": 0.95, "weight_replace_rate": 0.1})
    with pytest.raises(ConfigError, match="output_activation"):
        GenomeConfig(output_activation="relu")


def test_invalid_toml_and_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="invalid TOML"):
        Config.from_toml("[genome\n")
    with pytest.raises(ConfigError, match="cannot read config file"):
        Config.from_toml_file(tmp_path / "nope.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[run]\npopulation_size = -3\n")
    with pytest.raises(ConfigError, match=r"bad.toml: \[run\] population_size = -3"):
        Config.from_toml_file(bad)


def test_replace_keeps_other_keys_and_checks():
    c = Config(genome={"num_inputs": 3})
    d = c.replace(genome={"num_outputs": 4})
    assert (d.genome.num_inputs, d.genome.num_outputs) == (3, 4)
    with pytest.raises(ConfigError):
        c.replace(genome={"num_outputs": 0})
    with pytest.raises(ConfigError, match="unknown section"):
        c.replace(genomes={})


def test_ints_accepted_for_float_keys():
    c = Config.from_toml("[genome]\nweight_max = 5\n")
    assert c.genome.weight_max == 5.0 and isinstance(c.genome.weight_max, float)
