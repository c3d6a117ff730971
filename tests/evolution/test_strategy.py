"""Reproduction strategies take data and return data (``NextGeneration``); they never see a ``Population``."""

import numpy as np
import pytest

import neat
from neat import Config
from neat.evolution.population import Population, reproduction_strategy
from neat.evolution.reproduction import NeatReproduction
from neat.evolution.species import SpeciesSet
from neat.evolution.strategy import NextGeneration
from neat.evolution.truncation import TruncationReproduction
from neat.genome.innovation import InnovationTracker
from neat.genome.pool import GenePool
from neat.genome.topology import new_genomes
from neat.rng import make_rng


def xor_config(**sections):
    sections = {"run": {"population_size": 24}, **sections}
    return Config(genome={"num_inputs": 2, "num_outputs": 1}, **sections)


def test_neat_strategy_returns_children_and_what_happened_as_data():
    config = xor_config()
    tracker = InnovationTracker.for_config(config)
    rng = make_rng(3)
    pool = GenePool.pack(new_genomes(config, tracker, rng, 24)).with_keys(np.arange(24))
    scores = np.linspace(0.0, 1.0, 24)
    result = NeatReproduction(config).next_generation(pool, scores, SpeciesSet(threshold=3.0), 0, tracker, rng)
    assert isinstance(result, NextGeneration)
    assert len(result.pool) == 24 and all(g.is_valid() for g in result.pool)
    elites = result.pool.keys >= 0  # the elites keep their keys, the other children wait for new ones
    assert elites.any() and set(result.pool.keys[elites].tolist()) <= set(range(24))
    assert result.speciated and result.stagnant == () and not result.extinct
    members = np.sort(np.concatenate([s.members for s in result.speciated]))
    assert np.array_equal(members, np.arange(24))  # every parent in exactly one species
    assert tracker.generation == 1


def test_neat_strategy_reports_stagnation_and_extinction_as_data():
    config = xor_config(stagnation={"max_stagnation": 1, "species_elitism": 0}, run={"population_size": 24,
                        "on_extinction": "stop"})
    tracker = InnovationTracker.for_config(config)
    rng = make_rng(4)
    pool = GenePool.pack(new_genomes(config, tracker, rng, 24))
    strategy = NeatReproduction(config)
    first = strategy.next_generation(pool, np.ones(24), SpeciesSet(threshold=3.0), 0, tracker, rng)
    # The same (flat) scores two generations later: every species is stagnant, none may breed.
    later = strategy.next_generation(first.pool, np.ones(24), first.species, 2, tracker, rng)
    assert later.extinct and len(later.pool) == 0
    assert {s.key for s in later.stagnant} == {s.key for s in later.speciated}


def test_population_reports_the_strategys_events_in_order():
    calls = []

    class Recorder(neat.Reporter):
        def species_changed(self, population, species):
            calls.append(("species_changed", len(species)))

        def species_stagnant(self, population, species):
            calls.append(("species_stagnant", species.key))

        def extinction(self, population):
            calls.append(("extinction",))

    config = xor_config(stagnation={"max_stagnation": 1, "species_elitism": 0})
    pop = Population(config, seed=5, reporters=[Recorder()])
    for _ in range(3):
        pop.tell(np.ones(24))
    assert calls[0][0] == "species_changed"
    assert ("extinction",) in calls
    stagnant_at = [i for i, c in enumerate(calls) if c[0] == "species_stagnant"]
    assert stagnant_at and calls.index(("extinction",)) > max(stagnant_at)
    assert len(pop.genomes) == 24  # "restart": fresh genomes


def test_truncation_strategy_keeps_the_elite_and_one_species():
    config = neat.fixed_topology_ga(3, 2, (4,), population_size=10, truncation_size=2, seed=0)
    tracker = InnovationTracker.for_config(config)
    rng = make_rng(0)
    pool = GenePool.pack(new_genomes(config, tracker, rng, 10)).with_keys(np.arange(10))
    scores = np.arange(10.0)
    result = TruncationReproduction(config).next_generation(pool, scores, SpeciesSet(), 0, tracker, rng)
    assert result.pool[0] == pool[9] and result.pool.keys.tolist() == [9] + [-1] * 9
    assert len(result.speciated) == 1 and np.array_equal(result.speciated[0].members, np.arange(10))
    assert not result.extinct and result.stagnant == ()


def test_strategy_is_chosen_by_the_config():
    assert isinstance(reproduction_strategy(xor_config()), NeatReproduction)
    ga = neat.fixed_topology_ga(2, 1, (3,))
    assert isinstance(reproduction_strategy(ga), TruncationReproduction)
    with pytest.raises(neat.ConfigError, match="elite_evaluate"):
        reproduction_strategy(neat.fixed_topology_ga(2, 1, (3,), elite_candidates=2))


def test_state_round_trips_through_from_state():
    pop = Population(xor_config(), seed=9)
    pop.tell(np.arange(24.0))
    pop.ask()
    state = pop.state()
    rng = make_rng(0)
    rng.bit_generator.state = state.rng_state
    twin = Population.from_state(pop.config, state, rng=rng)
    for _ in range(3):
        a, b = pop.ask(), twin.ask()
        assert a == b
        fitness = np.arange(24.0)[::-1]
        pop.tell(fitness)
        twin.tell(fitness)
    assert pop.state().generation == twin.state().generation == 4
    assert pop.tracker is not twin.tracker and pop.tracker == twin.tracker  # the state is a snapshot
