"""neat-python config files (INI) load as they are: every key mapped, unmapped ones named, bad ones refused."""

import math
import pathlib
import subprocess
import sys
import warnings
from functools import reduce
from operator import mul

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import neat
from neat import Config, ConfigError, NeatPythonConfigWarning, load_neat_python_config
from neat.evolution.reproduction import make_offspring
from neat.evolution.species import Species, SpeciesSet, update_stagnation
from neat.functions import ACTIVATIONS, AGGREGATIONS
from neat.genome.distance import distance, distances
from neat.genome.innovation import InnovationTracker
from neat.genome.mutation import add_connection, add_node
from neat.genome.topology import new_genomes
from neat.interop.neat_python import (
    NEAT_PYTHON_ACTIVATIONS,
    NEAT_PYTHON_AGGREGATIONS,
    convert,
    parse_neat_python,
    read_neat_python,
)
from neat.rng import make_rng

from ..helpers import hand_genome

ROOT = pathlib.Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "neat_python"
XOR = DATA / "xor-feedforward.ini"
POLE = DATA / "single-pole-feedforward.ini"
MEMORY = DATA / "memory-recurrent.ini"


def edit(source: pathlib.Path | str, section: str, key: str, value: str | None) -> str:
    """The INI text of ``source`` (a path or text) with ``[section] key`` set to ``value``.

    The key is added at the end of the section if absent, and removed if ``value`` is None.
    """
    text = source.read_text() if isinstance(source, pathlib.Path) else source
    current, out, done = None, [], False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("[") and stripped.endswith("]"):
            if current == section and not done and value is not None:
                out.append(f"{key} = {value}")
                done = True
            current = stripped[1:-1]
        elif current == section and stripped.split("=")[0].strip() == key:
            done = True
            if value is not None:
                out.append(f"{key} = {value}")
            continue
        out.append(line)
    if current == section and not done and value is not None:
        out.append(f"{key} = {value}")
    return "\n".join(out) + "\n"


def load(text: str, **kwargs) -> Config:
    return parse_neat_python(text, filename="test.ini", **kwargs)[0]


# --- the three example files ------------------------------------------------------
def test_xor_config_maps_every_key():
    config, issues = read_neat_python(XOR)
    assert issues == []
    g, m, s, r, st_, run = (config.genome, config.mutation, config.speciation, config.reproduction,
                            config.stagnation, config.run)
    # [NEAT]
    assert (run.population_size, run.fitness_threshold, run.threshold_criterion) == (150, 3.9, "best")
    assert run.objective == "max" and run.on_extinction == "stop" and run.seed is None
    # [DefaultGenome]: network
    assert (g.num_inputs, g.num_outputs, g.hidden_layers, g.feed_forward) == (2, 1, (), True)
    assert g.initial_connection == "full" and not g.initial_self_connections
    assert g.activation_options == ("neat_python_sigmoid",) and g.activation_default == "neat_python_sigmoid"
    assert g.aggregation_options == ("sum",) and g.aggregation_default == "sum"
    assert (m.activation_mutate_rate, m.aggregation_mutate_rate) == (0.0, 0.0)
    # attributes: init, bounds, per-gene perturb / replace rates, no per-genome gate
    assert (g.bias_init_type, g.bias_init_mean, g.bias_init_stdev, g.bias_min, g.bias_max) == (
        "gaussian", 0.0, 1.0, -30.0, 30.0)
    assert (m.bias_mutate_prob, m.bias_perturb_rate, m.bias_replace_rate, m.bias_mutate_power) == (1.0, 0.7, 0.1, 0.5)
    assert (g.response_init_mean, g.response_init_stdev, g.response_min, g.response_max) == (1.0, 0.0, -30.0, 30.0)
    assert (m.response_mutate_prob, m.response_perturb_rate, m.response_replace_rate, m.response_mutate_power) == (
        1.0, 0.0, 0.0, 0.0)
    assert (g.weight_init_mean, g.weight_init_stdev, g.weight_min, g.weight_max) == (0.0, 1.0, -30.0, 30.0)
    assert (m.weight_mutate_prob, m.weight_perturb_rate, m.weight_replace_rate, m.weight_mutate_power) == (
        1.0, 0.8, 0.1, 0.5)
    # structure
    assert (m.conn_add_prob, m.conn_delete_prob, m.node_add_prob, m.node_delete_prob) == (0.5, 0.5, 0.2, 0.2)
    assert m.max_add_connection_attempts == 1 and not m.single_structural_mutation
    assert not m.add_connection_reenables and not m.add_node_fallback  # structural_mutation_surer = default -> false
    assert m.enabled_mutate_rate == pytest.approx(0.005)  # neat-python's 0.01 sets a fair coin: flips half as often
    # compatibility
    assert s.distance_formula == "neat_python" and s.normalize_min_genes == 0
    assert s.excess_coefficient == s.disjoint_coefficient == s.node_disjoint_coefficient == 1.0
    assert s.weight_coefficient == s.node_attribute_coefficient == 0.5
    assert s.compatibility_threshold == 3.0 and s.target_species == 0
    # [DefaultStagnation], [DefaultReproduction]
    assert (st_.species_fitness, st_.max_stagnation, st_.species_elitism) == ("best", 20, 2)
    assert (r.strategy, r.elitism, r.elitism_min_species_size, r.survival_threshold) == ("neat", 2, 0, 0.2)
    assert (r.min_parents, r.min_species_size, r.mutate_only_fraction, r.interspecies_mating_rate) == (2, 2, 0.0, 0.0)


def test_single_pole_config_partial_direct_with_a_hidden_node():
    config = load_neat_python_config(POLE)
    g = config.genome
    assert (g.num_inputs, g.hidden_layers, g.initial_connection) == (4, (1,), "partial_direct")
    assert (g.connection_fraction, g.connection_sampling) == (0.5, "exact")
    assert config.run.on_extinction == "stop"  # reset_on_extinction = 0
    assert config.run.population_size == 250 and config.run.fitness_threshold == 60.0
    assert config.speciation.weight_coefficient == 0.6
    # absent keys take neat-python's defaults
    assert config.stagnation.species_elitism == 0
    assert config.reproduction.min_species_size == 2
    # partial_direct 0.5 of 4 inputs, 1 hidden, 1 output: 4 + 1 + 4 candidates, exactly round(4.5) = 4 kept
    genomes = new_genomes(config, InnovationTracker.for_config(config), make_rng(0), 20)
    counts = {g.num_connections for g in genomes}
    assert counts == {4}
    assert len({tuple(zip(g.conns.src.tolist(), g.conns.dst.tolist())) for g in genomes}) > 1


def test_recurrent_config():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        config = load_neat_python_config(MEMORY)
    g, m = config.genome, config.mutation
    assert not g.feed_forward and g.initial_self_connections
    assert config.run.threshold_criterion == "mean" and config.run.seed == 7
    assert config.run.on_extinction == "restart"
    # space-separated option lists (a double space too), "random" default
    assert g.activation_options == ("neat_python_sigmoid", "neat_python_tanh", "gauss", "relu")
    assert g.activation_default == "neat_python_tanh"
    assert g.aggregation_options == ("sum", "product", "max") and g.aggregation_default == "random"
    assert (m.activation_mutate_rate, m.aggregation_mutate_rate) == (0.1, 0.05)
    assert g.bias_init_type == "gaussian"  # "normal"
    assert (g.response_init_type, g.response_init_stdev) == ("uniform", 0.1)
    assert (m.response_perturb_rate, m.response_replace_rate, m.response_mutate_power) == (0.1, 0.1, 0.1)
    # single_structural_mutation = True and structural_mutation_surer = default -> surer
    assert m.single_structural_mutation and m.add_connection_reenables and m.add_node_fallback
    assert config.stagnation.species_fitness == "median" and config.stagnation.species_elitism == 1
    assert config.reproduction.min_species_size == 2  # raised to the elitism, as neat-python does
    # the start genomes: half of in->hidden, hidden->out, in->out and the two self-loops
    genomes = new_genomes(config, InnovationTracker.for_config(config), make_rng(3), 30)
    candidates = 2 + 1 + 2 + 2
    assert {g.num_connections for g in genomes} == {round(candidates * 0.5)}
    loops = [g for g in genomes if np.any(g.conns.src == g.conns.dst)]
    assert loops and all(set(g.conns.src[g.conns.src == g.conns.dst].tolist()) <= {2, 3} for g in loops)
    population = neat.Population(config)
    for genome in population.genomes:
        genome.validate()
        neat.compile(genome)


# --- initial_connection ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "feed_forward", "expected"),
    [
        ("unconnected", "True", {"initial_connection": "none"}),
        ("fs_neat_nohidden", "True", {"initial_connection": "fs_neat"}),
        ("fs_neat", "True", {"initial_connection": "fs_neat"}),
        ("fs_neat_hidden", "True", {"initial_connection": "fs_neat_hidden"}),
        ("full_nodirect", "True", {"initial_connection": "full"}),
        ("full", "True", {"initial_connection": "full"}),
        ("full_direct", "True", {"initial_connection": "full_direct"}),
        ("full_direct", "False", {"initial_connection": "full_direct", "initial_self_connections": True}),
        ("fs_neat_hidden", "False", {"initial_connection": "fs_neat_hidden", "initial_self_connections": False}),
        ("partial_nodirect 0.25", "True", {"initial_connection": "partial", "connection_fraction": 0.25}),
        ("partial 0.3", "True", {"initial_connection": "partial", "connection_fraction": 0.3}),
        ("partial_direct 0.5", "True", {"initial_connection": "partial_direct", "connection_fraction": 0.5,
                                        "connection_sampling": "exact"}),
        ("partial_direct 0.5", "False", {"initial_connection": "partial_direct", "initial_self_connections": True}),
    ],
)
def test_initial_connection_forms(value, feed_forward, expected):
    text = edit(XOR, "DefaultGenome", "initial_connection", value)
    config = load(edit(text, "DefaultGenome", "feed_forward", feed_forward))
    for key, want in expected.items():
        assert getattr(config.genome, key) == want


def start_pairs(value: str, feed_forward: str = "True", seed: int = 0) -> list[set[tuple[int, int]]]:
    text = edit(XOR, "DefaultGenome", "initial_connection", value)
    text = edit(text, "DefaultGenome", "num_inputs", "3")
    text = edit(text, "DefaultGenome", "num_outputs", "2")
    text = edit(text, "DefaultGenome", "num_hidden", "2")
    config = load(edit(text, "DefaultGenome", "feed_forward", feed_forward))
    genomes = new_genomes(config, InnovationTracker.for_config(config), make_rng(seed), 12)
    return [set(zip(g.conns.src.tolist(), g.conns.dst.tolist())) for g in genomes]


INPUTS, OUTPUTS, HIDDEN = {0, 1, 2}, {3, 4}, {5, 6}


def pairs(sources, targets):
    return {(s, t) for s in sources for t in targets}


def test_start_topologies_are_neat_pythons():
    nodirect = pairs(INPUTS, HIDDEN) | pairs(HIDDEN, OUTPUTS)
    assert all(p == nodirect for p in start_pairs("full_nodirect"))
    assert all(p == nodirect for p in start_pairs("full"))  # neat-python's full: no input -> output
    assert all(p == nodirect | pairs(INPUTS, OUTPUTS) for p in start_pairs("full_direct"))
    loops = {(n, n) for n in HIDDEN | OUTPUTS}
    assert all(p == nodirect | loops for p in start_pairs("full", feed_forward="False"))
    assert all(p == set() for p in start_pairs("unconnected"))
    for p in start_pairs("fs_neat_nohidden"):
        (source,) = {s for s, _ in p}
        assert p == pairs({source}, OUTPUTS)
    chosen = set()
    for p in start_pairs("fs_neat_hidden"):
        (source,) = {s for s, _ in p}
        chosen.add(source)
        assert p == pairs({source}, HIDDEN | OUTPUTS)
    assert len(chosen) > 1  # one input drawn per genome
    for p in start_pairs("partial_direct 0.5"):
        assert p <= nodirect | pairs(INPUTS, OUTPUTS) and len(p) == round(16 * 0.5)
    for p in start_pairs("partial_nodirect 0.3"):
        assert p <= nodirect and len(p) == round(10 * 0.3)


# --- [NEAT] --------------------------------------------------------------------------------
@pytest.mark.parametrize(("criterion", "ours"), [("max", "best"), ("min", "worst"), ("mean", "mean")])
def test_fitness_criterion(criterion, ours):
    config = load(edit(XOR, "NEAT", "fitness_criterion", criterion))
    assert config.run.threshold_criterion == ours and config.run.objective == "max"


def test_no_fitness_termination_drops_the_threshold():
    text = edit(XOR, "NEAT", "no_fitness_termination", "True")
    config = load(edit(text, "NEAT", "fitness_criterion", "whatever"))  # neat-python ignores it then
    assert config.run.fitness_threshold is None
    assert load(edit(XOR, "NEAT", "no_fitness_termination", "False")).run.fitness_threshold == 3.9


@pytest.mark.parametrize(("criterion", "fitness", "solved"), [
    ("best", [4.0, 0.0, 0.0], True),
    ("worst", [4.0, 0.0, 0.0], False),
    ("worst", [4.0, 3.5, 3.0], True),
    ("mean", [4.0, 3.0, 1.0], False),
    ("mean", [4.0, 3.0, 2.0], True),
])
def test_threshold_criterion_decides_when_the_run_stops(criterion, fitness, solved):
    config = Config(run={"population_size": 3, "fitness_threshold": 3.0, "threshold_criterion": criterion},
                    reproduction={"min_species_size": 1})
    population = neat.Population(config, seed=0)
    population.run(lambda genomes: fitness, 2)
    assert population.solved() is solved
    assert population.generation == (0 if solved else 1)


def test_threshold_criterion_when_minimising():
    config = Config(run={"population_size": 3, "fitness_threshold": 1.0, "objective": "min",
                         "threshold_criterion": "worst"}, reproduction={"min_species_size": 1})
    population = neat.Population(config, seed=0)
    population.run(lambda genomes: [0.0, 0.5, 1.5], 1)
    assert not population.solved()
    population = neat.Population(config, seed=0)
    population.run(lambda genomes: [0.0, 0.5, 1.0], 1)
    assert population.solved()


# --- species ------------------------------------------------------------------------------
def test_target_num_species_and_threshold_steering():
    text = edit(XOR, "DefaultSpeciesSet", "target_num_species", "5")
    text = edit(text, "DefaultSpeciesSet", "threshold_adjust_rate", "0.1")
    config = load(edit(text, "DefaultSpeciesSet", "threshold_min", "0.5"))
    assert (config.speciation.target_species, config.speciation.threshold_adjust_step,
            config.speciation.threshold_min) == (5, 0.1, 0.5)
    # the forks move the threshold by a fixed distance every generation: our 'fixed' rule
    assert config.speciation.threshold_adjust == "fixed"
    assert load(edit(XOR, "DefaultSpeciesSet", "target_num_species", "5")).speciation.threshold_adjust == "fixed"
    assert load(XOR.read_text()).speciation.threshold_adjust == "adaptive"  # no steering: the default, unused
    with pytest.raises(ConfigError, match=r"\[DefaultSpeciesSet\] threshold_max = 10"):
        load(edit(XOR, "DefaultSpeciesSet", "threshold_max", "10"))


@pytest.mark.parametrize(("func", "ours"), [("max", "best"), ("min", "worst"), ("mean", "mean"),
                                            ("median", "median")])
def test_species_fitness_func(func, ours):
    assert load(edit(XOR, "DefaultStagnation", "species_fitness_func", func)).stagnation.species_fitness == ours


def test_species_fitness_func_defaults_to_mean():
    assert load(edit(XOR, "DefaultStagnation", "species_fitness_func", None)).stagnation.species_fitness == "mean"


@pytest.mark.parametrize(("how", "score"), [("best", 3.0), ("worst", 0.0), ("mean", 1.25), ("median", 1.0)])
def test_species_fitness_decides_improvement(how, score):
    genome = neat.new_genome(Config(), InnovationTracker.for_config(Config()), make_rng(0))
    species = Species(1, 0, genome, members=np.arange(4), best_score=score - 0.5, last_improved=0)
    scores = np.array([0.0, 1.0, 3.0, 1.0])
    improved = update_stagnation(SpeciesSet((species,)), scores, 5, how).species[0]
    assert improved.best_score == score and improved.last_improved == 5
    species = Species(1, 0, genome, members=np.arange(4), best_score=score, last_improved=0)
    same = update_stagnation(SpeciesSet((species,)), scores, 5, how).species[0]
    assert same.last_improved == 0


# --- core options the mapping relies on ------------------------------------------------------
def test_min_parents_and_small_species_keep_their_size():
    config = Config(
        genome={"num_inputs": 2, "num_outputs": 1},
        mutation={"conn_add_prob": 0.0, "node_add_prob": 0.0, "weight_mutate_prob": 0.0, "bias_mutate_prob": 0.0},
        reproduction={"elitism": 0, "mutate_only_fraction": 1.0, "survival_threshold": 0.2},
    )
    tracker = InnovationTracker.for_config(config)
    genomes = new_genomes(config, tracker, make_rng(0), 3)
    species = [Species(1, 0, genomes[0], members=np.arange(3))]
    scores = np.array([3.0, 2.0, 1.0])
    for min_parents, parents in ((1, {0}), (2, {0, 1})):
        cfg = config.replace(reproduction={"min_parents": min_parents})
        children = make_offspring(genomes, scores, species, np.array([60]), cfg, tracker, make_rng(1))
        assert {next(i for i, g in enumerate(genomes) if g is child) for child in children} == parents
    # a species smaller than the elitism still gets all its offspring
    cfg = config.replace(reproduction={"elitism": 2, "elitism_min_species_size": 0})
    one = [Species(1, 0, genomes[0], members=np.array([0]))]
    children = make_offspring(genomes, scores, one, np.array([5]), cfg, tracker, make_rng(1))
    assert len(children) == 5 and children[0] is genomes[0]


def test_add_connection_reenables_and_add_node_fallback():
    base = Config(genome={"num_inputs": 1, "num_outputs": 1},
                  mutation={"max_add_connection_attempts": 1})
    genome = hand_genome(base, [(0, 0), (1, 1)], [(0, 0, 1, 0.5, False)])
    tracker = InnovationTracker.for_config(base)
    for seed in range(10):
        on = add_connection(genome, base, tracker, make_rng(seed))
        off = add_connection(genome, base.replace(mutation={"add_connection_reenables": False}), tracker,
                             make_rng(seed))
        assert off is genome
        assert on is genome or on.conns.enabled.tolist() == [True]
    assert any(add_connection(genome, base, tracker, make_rng(s)) is not genome for s in range(10))
    # no enabled connection to split
    assert add_node(genome, base, tracker, make_rng(0)) is genome
    fallback = base.replace(mutation={"add_node_fallback": True})
    grown = [add_node(genome, fallback, tracker, make_rng(s)) for s in range(10)]
    assert any(g.conns.enabled.any() for g in grown) and all(g.num_nodes == 2 for g in grown)


def test_config_checks_the_new_keys():
    with pytest.raises(ConfigError, match="initial_self_connections"):
        Config(genome={"initial_self_connections": True})
    with pytest.raises(ConfigError, match="connection_sampling"):
        Config(genome={"connection_sampling": "sometimes"})
    with pytest.raises(ConfigError, match="distance_formula"):
        Config(speciation={"distance_formula": "euclid"})
    with pytest.raises(ConfigError, match="min_parents"):
        Config(reproduction={"min_parents": 0})


def neat_python_distance(a: neat.Genome, b: neat.Genome, cd: float, cw: float) -> float:
    """neat-python's DefaultGenome.distance, on dicts keyed as neat-python keys its genes."""

    def nodes(g):
        n = g.nodes
        return {int(i): (n.bias[k], n.response[k], n.activation[k], n.aggregation[k])
                for k, i in enumerate(n.id.tolist()) if i >= g.num_inputs}

    def conns(g):
        c = g.conns
        return {(int(s), int(d)): (c.weight[k], bool(c.enabled[k]))
                for k, (s, d) in enumerate(zip(c.src.tolist(), c.dst.tolist()))}

    total = 0.0
    for mine, other, gene_distance in (
        (nodes(a), nodes(b), lambda x, y: abs(x[0] - y[0]) + abs(x[1] - y[1]) + (x[2] != y[2]) + (x[3] != y[3])),
        (conns(a), conns(b), lambda x, y: abs(x[0] - y[0]) + (x[1] != y[1])),
    ):
        if not (mine or other):
            continue
        disjoint = sum(1 for k in other if k not in mine)
        homologous = 0.0
        for k, gene in mine.items():
            if k in other:
                homologous += gene_distance(gene, other[k]) * cw
            else:
                disjoint += 1
        total += (homologous + cd * disjoint) / max(len(mine), len(other))
    return total


def test_neat_python_distance_is_neat_pythons():
    config = load_neat_python_config(MEMORY)  # recurrent, several activations and aggregations
    config = config.replace(mutation={"conn_add_prob": 0.5, "node_add_prob": 0.3, "enabled_mutate_rate": 0.2,
                                      "single_structural_mutation": False},
                            run={"population_size": 40})
    population = neat.Population(config, seed=2)
    rng = np.random.default_rng(0)
    for _ in range(6):
        population.tell(rng.random(population.size))
    genomes = population.genomes
    assert any(g.num_nodes > 4 for g in genomes) and any(not g.conns.enabled.all() for g in genomes)
    cd, cw = 1.0, 0.6
    for rep in genomes[:5]:
        expected = np.array([neat_python_distance(g, rep, cd, cw) for g in genomes])
        np.testing.assert_allclose([distance(g, rep, config) for g in genomes], expected, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(distances(genomes, rep, config), expected, rtol=1e-12, atol=1e-12)


# --- unmapped keys ------------------------------------------------------------------------------
def test_unmapped_key_is_an_error_naming_it():
    text = edit(XOR, "DefaultGenome", "enabled_default", "False")
    with pytest.raises(ConfigError) as info:
        load(text)
    message = str(info.value)
    assert "test.ini" in message and "[DefaultGenome] enabled_default = False" in message
    assert "unmapped='warn'" in message


def test_unmapped_key_warns_when_asked():
    text = edit(XOR, "DefaultGenome", "enabled_rate_to_true_add", "0.2")
    with pytest.warns(NeatPythonConfigWarning, match=r"\[DefaultGenome\] enabled_rate_to_true_add = 0.2") as record:
        config, issues = parse_neat_python(text, filename="test.ini", unmapped="warn")
    assert len(record) == 1
    assert len(issues) == 1 and "enabled_rate_to_true_add" in issues[0]
    assert config.mutation.enabled_mutate_rate == pytest.approx(0.005)


def test_equal_enabled_rate_adds_are_mapped():
    text = edit(XOR, "DefaultGenome", "enabled_rate_to_true_add", "0.1")
    config = load(edit(text, "DefaultGenome", "enabled_rate_to_false_add", "0.1"))
    assert config.mutation.enabled_mutate_rate == pytest.approx((0.01 + 0.1) / 2)


def test_uniform_init_is_mapped_only_inside_the_bounds():
    text = edit(XOR, "DefaultGenome", "weight_init_type", "uniform")
    assert load(text).genome.weight_init_type == "uniform"
    with pytest.raises(ConfigError, match=r"\[DefaultGenome\] weight_init_type = uniform"):
        load(edit(text, "DefaultGenome", "weight_max_value", "1.0"))


def test_several_unmapped_keys_are_all_named():
    text = edit(XOR, "DefaultGenome", "enabled_default", "random")
    text = edit(text, "DefaultSpeciesSet", "threshold_max", "5")
    with pytest.raises(ConfigError) as info:
        load(text)
    assert "enabled_default = random" in str(info.value) and "threshold_max = 5" in str(info.value)


def test_unmapped_must_be_error_or_warn():
    with pytest.raises(ValueError, match="unmapped"):
        read_neat_python(XOR, unmapped="ignore")


# --- typos and bad values ---------------------------------------------------------------------
def test_unknown_section_is_named():
    text = XOR.read_text().replace("[DefaultSpeciesSet]", "[DefaultSpecieSet]")
    with pytest.raises(ConfigError, match=r"test.ini: unknown section \[DefaultSpecieSet\]; did you mean "
                                          r"\[DefaultSpeciesSet\]"):
        load(text)


def test_unknown_key_is_named():
    text = edit(XOR, "DefaultGenome", "conn_ad_prob", "0.1")
    with pytest.raises(ConfigError, match=r"test.ini: \[DefaultGenome\] unknown key 'conn_ad_prob'; did you mean "
                                          r"'conn_add_prob'"):
        load(text)


@pytest.mark.parametrize(
    ("section", "key", "value", "allowed"),
    [
        ("NEAT", "pop_size", "many", "an integer"),
        ("NEAT", "reset_on_extinction", "maybe", "True or False"),
        ("NEAT", "fitness_criterion", "median", "max, min or mean"),
        ("DefaultGenome", "conn_add_prob", "1.5", r"a probability in \[0.0, 1.0\]"),
        ("DefaultGenome", "weight_mutate_rate", "-0.1", "a probability"),
        ("DefaultGenome", "initial_connection", "fully", "unconnected, fs_neat_nohidden"),
        ("DefaultGenome", "initial_connection", "partial_direct", "partial_direct followed by a probability"),
        ("DefaultGenome", "initial_connection", "partial_direct 1.5", r"in \[0.0, 1.0\]"),
        ("DefaultGenome", "activation_options", "sigmoid swish", "neat-python's built-in activation names"),
        ("DefaultGenome", "activation_default", "tanh", "one of activation_options"),
        ("DefaultGenome", "aggregation_options", "sum sum", "names without repeats"),
        ("DefaultGenome", "bias_init_type", "cauchy", "gaussian, normal or uniform"),
        ("DefaultGenome", "structural_mutation_surer", "sometimes", "True, False or default"),
        ("DefaultGenome", "enabled_default", "perhaps", "True, False or random"),
        ("DefaultGenome", "num_hidden", "-1", "an integer >= 0"),
        ("DefaultStagnation", "species_fitness_func", "sum", "max, min, mean or median"),
        ("DefaultReproduction", "elitism", "2.5", "an integer"),
    ],
)
def test_bad_values_are_named(section, key, value, allowed):
    with pytest.raises(ConfigError, match=rf"test.ini: \[{section}\] {key} = '{value}' is not allowed: expected "
                                          rf".*{allowed}"):
        load(edit(XOR, section, key, value))


def test_inline_comments_are_explained():
    with pytest.raises(ConfigError, match="no comment after a value"):
        load(edit(XOR, "NEAT", "pop_size", "150  # individuals"))


def test_missing_required_key_and_section():
    with pytest.raises(ConfigError, match=r"\[DefaultGenome\] num_inputs is missing; neat-python requires it"):
        load(edit(XOR, "DefaultGenome", "num_inputs", None))
    with pytest.raises(ConfigError, match=r"no \[NEAT\] section"):
        load("[DefaultGenome]" + XOR.read_text().split("[DefaultGenome]")[1])  # every section but [NEAT]
    with pytest.raises(ConfigError, match=r"\[DefaultSpeciesSet\] compatibility_threshold is missing"):
        load("\n".join(line for line in XOR.read_text().splitlines() if "compatibility_threshold" not in line))


def test_a_value_our_config_refuses_names_the_neat_python_key():
    with pytest.raises(ConfigError, match=r"test.ini: \[NEAT\] pop_size = 1 gives \[run\] population_size = 1"):
        load(edit(XOR, "NEAT", "pop_size", "1"))
    with pytest.raises(ConfigError, match=r"\[DefaultGenome\] bias_min_value = 40 gives \[genome\] bias_min"):
        load(edit(XOR, "DefaultGenome", "bias_min_value", "40"))


def test_not_ini_and_unreadable_files():
    with pytest.raises(ConfigError, match="not a valid neat-python config"):
        load("pop_size = 3\n")
    with pytest.raises(ConfigError, match="cannot read neat-python config file"):
        read_neat_python(DATA / "missing.ini")
    with pytest.raises(ConfigError, match=r"unknown section \[DEFAULT\]"):
        load("[DEFAULT]\npop_size = 3\n" + XOR.read_text())


def test_custom_activation_registered_under_its_neat_python_name(monkeypatch):
    text = edit(XOR, "DefaultGenome", "activation_options", "sigmoid my_sinc_function")
    with pytest.raises(ConfigError, match="'my_sinc_function' is neither"):
        load(text)
    monkeypatch.setitem(ACTIVATIONS, "my_sinc_function", np.sinc)
    assert load(text).genome.activation_options == ("neat_python_sigmoid", "my_sinc_function")


# --- converting --------------------------------------------------------------------------------
@pytest.mark.parametrize("path", [XOR, POLE, MEMORY])
def test_convert_round_trip(tmp_path, path):
    out = tmp_path / "converted.toml"
    assert convert(path, out) == []
    text = out.read_text()
    assert text.startswith(f"# Converted from the neat-python config {path.name}")
    assert Config.from_toml_file(out) == load_neat_python_config(path)


def test_convert_lists_what_it_left_out(tmp_path):
    src = tmp_path / "old.ini"
    src.write_text(edit(XOR, "DefaultGenome", "enabled_default", "False"))
    with pytest.raises(ConfigError):
        convert(src, tmp_path / "new.toml")
    assert not (tmp_path / "new.toml").exists()
    with pytest.warns(NeatPythonConfigWarning):
        issues = convert(src, tmp_path / "new.toml", unmapped="warn")
    assert issues and "enabled_default" in (tmp_path / "new.toml").read_text()


def test_public_api():
    assert neat.NeatPythonConfigWarning is NeatPythonConfigWarning and neat.read_neat_python is read_neat_python
    assert issubclass(NeatPythonConfigWarning, UserWarning)


# --- neat-python's node functions --------------------------------------------------------------
def _clamp(lo, hi, z):
    return max(lo, min(hi, z))


def _inv(z):
    try:
        return 1.0 / z
    except ArithmeticError:
        return 0.0


# neat-python's definitions (neat/activations.py), one Python float at a time.
NEAT_PYTHON_FORMULAS = {
    "sigmoid": lambda z: 1.0 / (1.0 + math.exp(-_clamp(-60.0, 60.0, 5.0 * z))),
    "tanh": lambda z: math.tanh(_clamp(-60.0, 60.0, 2.5 * z)),
    "sin": lambda z: math.sin(_clamp(-60.0, 60.0, 5.0 * z)),
    "gauss": lambda z: math.exp(-5.0 * _clamp(-3.4, 3.4, z) ** 2),
    "relu": lambda z: z if z > 0.0 else 0.0,
    "elu": lambda z: z if z > 0.0 else math.exp(z) - 1,
    "lelu": lambda z: z if z > 0.0 else 0.005 * z,
    "selu": lambda z: (1.0507009873554804934193349852946 * z if z > 0.0
                       else 1.0507009873554804934193349852946 * 1.6732632423543772848170429916717 * (math.exp(z) - 1)),
    "softplus": lambda z: 0.2 * math.log(1 + math.exp(_clamp(-60.0, 60.0, 5.0 * z))),
    "identity": lambda z: z,
    "clamped": lambda z: _clamp(-1.0, 1.0, z),
    "inv": _inv,
    "log": lambda z: math.log(max(1e-7, z)),
    "exp": lambda z: math.exp(_clamp(-60.0, 60.0, z)),
    "abs": abs,
    "hat": lambda z: max(0.0, 1 - abs(z)),
    "square": lambda z: z**2,
    "cube": lambda z: z**3,
}

EDGES = [0.0, -0.0, 1e-320, -1e-320, 1e-9, -1e-9, 0.5, -0.5, 1.0, -1.0, 3.4, -3.4, 3.5, -3.5, 12.0, -12.0,
         24.0, -24.0, 59.0, -59.0, 60.0, -60.0, 61.0, -61.0, 1e3, -1e3, 1e-7, 2e-7, 1e6, -1e6]


def check_activation(name: str, values) -> None:
    z = np.array(values, dtype=np.float64)
    ours = ACTIVATIONS[NEAT_PYTHON_ACTIVATIONS[name]](z)
    expected = np.array([NEAT_PYTHON_FORMULAS[name](float(v)) for v in values])
    np.testing.assert_allclose(ours, expected, rtol=1e-12, atol=1e-15, err_msg=name)


def test_every_neat_python_function_has_a_formula_and_a_name_here():
    assert set(NEAT_PYTHON_FORMULAS) == set(NEAT_PYTHON_ACTIVATIONS)
    assert set(NEAT_PYTHON_ACTIVATIONS.values()) <= set(ACTIVATIONS)
    assert set(NEAT_PYTHON_AGGREGATIONS.values()) <= set(AGGREGATIONS)


@pytest.mark.parametrize("name", sorted(NEAT_PYTHON_FORMULAS))
def test_activation_matches_neat_python_at_the_clamps(name):
    values = [v for v in EDGES if not (name in ("square", "cube") and abs(v) > 1e100)]
    with np.errstate(over="ignore"):
        check_activation(name, values)


@pytest.mark.parametrize("name", sorted(NEAT_PYTHON_FORMULAS))
@given(values=st.lists(st.floats(-200.0, 200.0, allow_nan=False), min_size=1, max_size=20))
def test_activation_matches_neat_python(name, values):
    check_activation(name, values)


def test_activations_keep_float32():
    for name in NEAT_PYTHON_ACTIVATIONS.values():
        assert ACTIVATIONS[name](np.float32([0.5, -2.0])).dtype == np.float32, name


def _median2(values):
    values = sorted(values)
    n = len(values)
    if n <= 2:
        return sum(values) / n
    return values[n // 2] if n % 2 else (values[n // 2 - 1] + values[n // 2]) / 2.0


NEAT_PYTHON_AGGREGATION_FORMULAS = {
    "sum": sum,
    "product": lambda x: reduce(mul, x, 1.0),
    "max": max,
    "min": min,
    "maxabs": lambda x: max(x, key=abs),
    "median": _median2,
    "mean": lambda x: sum(x) / len(x),
}


@pytest.mark.parametrize("name", sorted(NEAT_PYTHON_AGGREGATION_FORMULAS))
@given(values=st.lists(st.floats(-100.0, 100.0, allow_nan=False), min_size=1, max_size=8))
def test_aggregation_matches_neat_python(name, values):
    assert set(NEAT_PYTHON_AGGREGATION_FORMULAS) == set(NEAT_PYTHON_AGGREGATIONS)
    ours = AGGREGATIONS[NEAT_PYTHON_AGGREGATIONS[name]](np.array([values]))[0]
    assert ours == pytest.approx(NEAT_PYTHON_AGGREGATION_FORMULAS[name](values), rel=1e-12, abs=1e-12)


# --- evolving from a neat-python file ------------------------------------------------------------
def xor_fitness(genomes):
    inputs = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    outputs = neat.compile_population(genomes).forward(inputs)[:, :, 0]
    return 4.0 - ((outputs - np.array([0.0, 1.0, 1.0, 0.0])) ** 2).sum(axis=1)


def test_xor_evolves_from_the_converted_neat_python_config(tmp_path):
    convert(XOR, tmp_path / "xor.toml")
    config = Config.from_toml_file(tmp_path / "xor.toml")
    solved = 0
    for seed in (0, 4, 7):
        population = neat.Population(config, seed=seed)
        first = float(xor_fitness(population.ask()).max())
        population.run(xor_fitness, 300)
        assert population.best_fitness > first
        assert len(population.genomes) == 150
        solved += population.solved()
    assert solved >= 1


def test_xor_neat_python_example_runs():
    result = subprocess.run(
        [sys.executable, "examples/xor_neat_python.py", "--quiet", "--generations", "300"],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert result.returncode in (0, 1), result.stderr
    out = result.stdout
    assert "generations" in out and "best genome:" in out and out.count("expected output") == 4
    assert ("not solved" in out) == (result.returncode == 1)
