"""Reproduction: stagnation, fitness sharing, offspring counts, parent selection, children.

Scores here are always "higher is better": the population negates fitness
before calling in when the objective is to minimise.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from .compact import mutated_child
from .config import Config
from .crossover import crossover
from .errors import EvaluationError, ExtinctionError
from .genome import Genome
from .innovation import InnovationTracker
from .mutation import mutate_attributes, mutate_structure
from .noise import noise_table_for
from .species import Species, SpeciesSet, speciate, species_score, update_stagnation
from .topology import new_genomes, start_connections

if TYPE_CHECKING:  # pragma: no cover
    from .population import Population

__all__ = [
    "NeatReproduction",
    "NextGeneration",
    "TruncationReproduction",
    "reproduction_strategy",
    "split_stagnant",
    "adjusted_fitness_shares",
    "offspring_counts",
    "make_offspring",
]


def split_stagnant(
    species_set: SpeciesSet, scores: np.ndarray, config: Config, generation: int
) -> tuple[SpeciesSet, list[Species]]:
    """Separate the species that may reproduce from the stagnant ones.

    A species is stagnant when its score has not risen for
    ``max_stagnation`` generations, unless it is among the
    ``species_elitism`` best species of this generation (by their score
    this generation, ``[stagnation] species_fitness``).

    Returns
    -------
    (surviving species set, list of stagnant species)
    """
    st = config.stagnation
    current_best = [species_score(scores[s.members], st.species_fitness) for s in species_set.species]
    protected = set(np.argsort(-np.asarray(current_best), kind="stable")[: st.species_elitism].tolist())
    surviving, stagnant = [], []
    for i, s in enumerate(species_set.species):
        if s.stagnation(generation) >= st.max_stagnation and i not in protected:
            stagnant.append(s)
        else:
            surviving.append(s)
    return replace(species_set, species=tuple(surviving)), stagnant


def adjusted_fitness_shares(species: Sequence[Species], scores: np.ndarray) -> np.ndarray:
    """Each species' share of the offspring under explicit fitness sharing.

    A member's adjusted fitness is its score (shifted so the worst member of
    any reproducing species has 0, and scaled to [0, 1]) divided by its
    species' size, so a species' share is the mean shifted score of its
    members.

    Returns
    -------
    (S,) float64, non-negative
    """
    member_scores = [scores[s.members] for s in species]
    lowest = min(float(m.min()) for m in member_scores)
    highest = max(float(m.max()) for m in member_scores)
    span = highest - lowest
    if not span > 0.0:
        return np.ones(len(species))
    return np.array([float(np.mean(m - lowest)) / span for m in member_scores])


def offspring_counts(shares: np.ndarray, population_size: int, min_species_size: int) -> np.ndarray:
    """Offspring per species, proportional to ``shares``, summing to ``population_size`` exactly.

    Every species first gets ``min_species_size`` (while that fits, best
    share first); the rest is split in proportion to the shares by the
    largest-remainder method, ties going to the better share and then to
    the older species.

    Parameters
    ----------
    shares : (S,) float64, non-negative

    Returns
    -------
    (S,) int64 with ``counts.sum() == population_size``
    """
    shares = np.asarray(shares, dtype=np.float64)
    s = len(shares)
    counts = np.zeros(s, dtype=np.int64)
    if s == 0:
        return counts
    rank = np.lexsort((np.arange(s), -shares))  # best share first, then older species
    # When not every species fits its minimum, the best-ranked ones get it.
    fits = s if min_species_size == 0 else min(s, population_size // min_species_size)
    counts[rank[:fits]] = min_species_size
    free = population_size - int(counts.sum())
    weights = shares.copy()
    if not weights.sum() > 0.0:
        weights = np.ones(s)
    quota = free * weights / weights.sum()
    base = np.floor(quota).astype(np.int64)
    counts += base
    leftover = population_size - int(counts.sum())
    if leftover:
        remainder = quota - base
        order = np.lexsort((np.arange(s), -shares, -remainder))
        counts[order[:leftover]] += 1
    return counts


def _ranked_members(species: Species, scores: np.ndarray) -> np.ndarray:
    """Members best first (ties: lower population index first)."""
    members = species.members
    return members[np.lexsort((members, -scores[members]))]


def make_offspring(
    genomes: Sequence[Genome],
    scores: np.ndarray,
    species: Sequence[Species],
    counts: np.ndarray,
    config: Config,
    tracker: InnovationTracker,
    rng: np.random.Generator,
) -> list[Genome]:
    """The next generation: ``counts[i]`` children of species ``i``.

    Per species: its champions (``elitism`` of them, when the species has
    more than ``elitism_min_species_size`` members) are copied unchanged;
    parents are drawn uniformly from the best ``survival_threshold``
    fraction (at least ``min_parents`` members); a ``mutate_only_fraction``
    of the other children are mutated copies of one parent, the rest are
    crossovers (the second parent from another species with probability
    ``interspecies_mating_rate``) that are then mutated.
    """
    rc = config.reproduction
    ranked = [_ranked_members(s, scores) for s in species]
    pools = [r[: max(rc.min_parents, math.ceil(rc.survival_threshold * len(r)))] for r in ranked]
    children: list[Genome] = []
    to_mutate: list[int] = []  # positions in children of those still to get attribute mutations
    for i, (order, pool, count) in enumerate(zip(ranked, pools, counts.tolist())):
        if count == 0:
            continue
        elites = min(rc.elitism, count, len(order)) if len(order) > rc.elitism_min_species_size else 0
        children.extend(genomes[j] for j in order[:elites])
        for _ in range(count - elites):
            a = int(pool[rng.integers(len(pool))])
            if rng.random() < rc.mutate_only_fraction:
                child = genomes[a]
            else:
                if len(pools) > 1 and rng.random() < rc.interspecies_mating_rate:
                    other = int(rng.integers(len(pools) - 1))
                    other += other >= i
                    b = int(pools[other][rng.integers(len(pools[other]))])
                else:
                    b = int(pool[rng.integers(len(pool))])
                if scores[b] > scores[a]:
                    a, b = b, a
                child = crossover(genomes[a], genomes[b], config, rng, equal_fitness=bool(scores[a] == scores[b]))
            to_mutate.append(len(children))
            children.append(mutate_structure(child, config, tracker, rng))
    # Weights, biases and responses of all children in one vectorized pass.
    for position, child in zip(to_mutate, mutate_attributes([children[p] for p in to_mutate], config, rng)):
        children[position] = child
    return children


class NextGeneration(NamedTuple):
    """What a reproduction strategy returns."""

    genomes: list[Genome]
    species: SpeciesSet
    lineages: list[tuple[int, ...]] | None = None


class NeatReproduction:
    """The NEAT paper's generation: speciate, drop stagnant species, share fitness, breed.

    ``next_generation(population, scores)`` returns the children and the
    species they were bred from.
    """

    def next_generation(self, population: Population, scores: np.ndarray) -> NextGeneration:
        config, generation = population.config, population.generation
        species = speciate(population.genomes, population.species, config, generation)
        species = update_stagnation(species, scores, generation, config.stagnation.species_fitness)
        population._report("species_changed", species.species)
        surviving, stagnant = split_stagnant(species, scores, config, generation)
        for s in stagnant:
            population._report("species_stagnant", s)
        population.tracker.new_generation()
        if surviving.species:
            shares = adjusted_fitness_shares(surviving.species, scores)
            counts = offspring_counts(shares, config.run.population_size, config.reproduction.min_species_size)
            children = make_offspring(
                population.genomes, scores, surviving.species, counts, config, population.tracker, population.rng
            )
            return NextGeneration(children, surviving)
        population._report("extinction")
        if config.run.on_extinction == "stop":
            raise ExtinctionError(
                f"every species died in generation {generation} "
                '([run] on_extinction = "stop"; set it to "restart" to start again from fresh genomes)'
            )
        return NextGeneration(new_genomes(config, population.tracker, population.rng, config.run.population_size), surviving)


class TruncationReproduction:
    """The fixed-topology GA (Such et al. 2017, "Deep GA"): truncation selection, Gaussian mutation, one elite.

    The elite, the best genome (or, with ``elite_candidates = K``, the best
    of the top K re-scored by ``population.elite_evaluate``), is kept
    unchanged; each other child is a copy of a parent drawn uniformly from
    the ``truncation_size`` best, with every weight and bias mutated
    (``[mutation] weight_*`` / ``bias_*``: sigma is ``*_mutate_power``).  There
    is no crossover and no structural change, and the population is one
    species (key 1), reported as such.  With ``[reproduction]
    noise_table_size`` > 0 the mutation noise comes from a shared
    ``neat.noise.NoiseTable``.
    """

    def __init__(self, config: Config) -> None:
        self.noise = noise_table_for(config)
        if self.noise is not None:
            self.noise.check_fits(len(start_connections(config.genome)[0]))

    def next_generation(self, population: Population, scores: np.ndarray) -> NextGeneration:
        config, genomes = population.config, population.genomes
        rc = config.reproduction
        order = np.lexsort((np.arange(len(scores)), -scores))  # best first, ties by position
        elite = int(order[0])
        if rc.elite_candidates > 0:
            elite = self._reevaluated_elite(population, order[: rc.elite_candidates])
        species = self._one_species(population, scores, elite)
        population._report("species_changed", species.species)
        parents = order[: rc.truncation_size]
        picks = parents[population.rng.integers(len(parents), size=config.run.population_size - 1)]
        population.tracker.new_generation()
        if rc.compact_genomes:
            # Each child mutated by its own seed, so its lineage rebuilds it (neat.compact).
            seeds = population.rng.integers(2**63 - 1, size=len(picks))
            lineages = population.lineages
            children = [mutated_child(genomes[int(i)], config, int(seed), self.noise) for i, seed in zip(picks, seeds)]
            child_lineages = [(*lineages[int(i)], int(seed)) for i, seed in zip(picks, seeds)]
            return NextGeneration([genomes[elite], *children], species, [lineages[elite], *child_lineages])
        if self.noise is not None:
            children = [self.noise.mutate(genomes[int(i)], config, population.rng) for i in picks]
        else:
            children = mutate_attributes([genomes[int(i)] for i in picks], config, population.rng)
        return NextGeneration([genomes[elite], *children], species)

    @staticmethod
    def _reevaluated_elite(population: Population, candidates: np.ndarray) -> int:
        evaluate = population.elite_evaluate
        genomes = [population.genomes[int(i)] for i in candidates]
        values = np.asarray(evaluate(genomes, generation=population.generation), dtype=np.float64)
        if values.shape != (len(genomes),) or not np.all(np.isfinite(values)):
            raise EvaluationError(
                f"elite_evaluate must return {len(genomes)} finite values, got {values!r}"
            )
        best = int(np.argmin(values) if population.minimize else np.argmax(values))
        return int(candidates[best])

    @staticmethod
    def _one_species(population: Population, scores: np.ndarray, elite: int) -> SpeciesSet:
        previous = population.species.species
        best = float(scores.max())
        if previous:
            s = previous[0]
            improved = best > s.best_score
            s = replace(
                s,
                representative=population.genomes[elite],
                members=np.arange(len(scores)),
                best_score=max(best, s.best_score),
                last_improved=population.generation if improved else s.last_improved,
            )
        else:
            s = Species(1, population.generation, population.genomes[elite], np.arange(len(scores)), best,
                        population.generation)
        return SpeciesSet((s,), population.species.threshold, 2)


def reproduction_strategy(config: Config) -> NeatReproduction | TruncationReproduction:
    """The strategy ``[reproduction] strategy`` names."""
    if config.reproduction.strategy == "truncation":
        return TruncationReproduction(config)
    return NeatReproduction()
