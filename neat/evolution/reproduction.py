"""NEAT reproduction: stagnation, fitness sharing, offspring counts, parent selection, children.

Scores here are always "higher is better": the population negates fitness
before calling in when the objective is to minimise.

A generation is bred in a few vectorized passes over the gene pool:
``plan_offspring`` describes every child as arrays (parent a, parent b or
none, elite or not), ``neat.genome.pool_crossover.cross_pool`` makes them
all, ``neat.genome.pool_mutation.mutate_pool`` mutates all but the elites.
``make_offspring`` is the same rule one child at a time with the
single-genome operators: the reference the batched form is tested against.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from typing import NamedTuple

import numpy as np

from ..config import Config
from ..genome import Genome
from ..genome.crossover import crossover
from ..genome.innovation import InnovationTracker
from ..genome.mutation import mutate_attributes, mutate_structure
from ..genome.pool import GenePool, offsets_of, ranges
from ..genome.pool_crossover import cross_pool
from ..genome.pool_mutation import mutate_pool
from ..genome.topology import new_genomes
from .complexity import simplifying_config
from .species import Species, SpeciesSet, speciate, species_score, update_stagnation
from .strategy import NextGeneration

__all__ = [
    "NeatReproduction",
    "split_stagnant",
    "adjusted_fitness_shares",
    "offspring_counts",
    "OffspringPlan",
    "plan_offspring",
    "breed",
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


class OffspringPlan(NamedTuple):
    """The next generation described as arrays, one entry per child, species after species.

    Attributes
    ----------
    parent_a : (C,) int64
        The fitter parent (the only one for elites and mutated copies).
    parent_b : (C,) int64
        The other parent of a crossover, -1 for none.
    equal_fitness : (C,) bool
        Both parents equally fit (the child takes the genes of both).
    elite : (C,) bool
        An unchanged copy of ``parent_a`` (keeps its key).
    """

    parent_a: np.ndarray
    parent_b: np.ndarray
    equal_fitness: np.ndarray
    elite: np.ndarray


def plan_offspring(
    scores: np.ndarray, species: Sequence[Species], counts: np.ndarray, config: Config, rng: np.random.Generator
) -> OffspringPlan:
    """``counts[i]`` children of species ``i``, as ``make_offspring`` chooses them, drawn for all at once.

    Per species: its champions (``elitism`` of them, when the species has
    more than ``elitism_min_species_size`` members) are kept; every other
    child's first parent is drawn uniformly from the best
    ``survival_threshold`` fraction (at least ``min_parents`` members); a
    ``mutate_only_fraction`` of them are mutated copies, the others
    crossovers whose second parent comes from another species with
    probability ``interspecies_mating_rate``, else from the same pool.
    """
    rc = config.reproduction
    n_species = len(species)
    counts = np.asarray(counts, dtype=np.int64)
    sizes = np.array([s.size for s in species], dtype=np.int64)
    members = np.concatenate([s.members for s in species]).astype(np.int64)
    label = np.repeat(np.arange(n_species), sizes)
    ranked = members[np.lexsort((members, -scores[members], label))]  # species after species, best first
    start = offsets_of(sizes)[:-1]
    parents = np.minimum(sizes, np.maximum(rc.min_parents, np.ceil(rc.survival_threshold * sizes).astype(np.int64)))
    elites = np.where(sizes > rc.elitism_min_species_size, np.minimum(np.minimum(rc.elitism, counts), sizes), 0)
    others = counts - elites
    species_of = np.repeat(np.arange(n_species), others)
    n = len(species_of)
    a = ranked[start[species_of] + (rng.random(n) * parents[species_of]).astype(np.int64)]
    copy = rng.random(n) < rc.mutate_only_fraction
    mate = species_of
    if n_species > 1 and rc.interspecies_mating_rate > 0.0:
        elsewhere = rng.random(n) < rc.interspecies_mating_rate
        other = rng.integers(n_species - 1, size=n)
        mate = np.where(elsewhere, other + (other >= species_of), species_of)
    b = ranked[start[mate] + (rng.random(n) * parents[mate]).astype(np.int64)]
    b[copy] = -1
    swap = (b >= 0) & (scores[np.maximum(b, 0)] > scores[a])
    a, b = np.where(swap, b, a), np.where(swap, a, b)
    equal = (b >= 0) & (scores[np.maximum(b, 0)] == scores[a])
    # Species after species, its elites first (as make_offspring orders them).
    child_species = np.concatenate((np.repeat(np.arange(n_species), elites), species_of))
    is_elite = np.concatenate((np.ones(int(elites.sum()), dtype=bool), np.zeros(n, dtype=bool)))
    order = np.lexsort((~is_elite, child_species))
    elite_parents = ranked[ranges(start, elites)]
    return OffspringPlan(
        np.concatenate((elite_parents, a))[order],
        np.concatenate((np.full(len(elite_parents), -1, dtype=np.int64), b))[order],
        np.concatenate((np.zeros(len(elite_parents), dtype=bool), equal))[order],
        is_elite[order],
    )


class Breeding(NamedTuple):
    """What ``breed`` returns: the children (elites keep their keys, others have -1) and the fallback count."""

    pool: GenePool
    fallbacks: int


def breed(
    pool: GenePool,
    scores: np.ndarray,
    species: Sequence[Species],
    counts: np.ndarray,
    config: Config,
    tracker: InnovationTracker,
    rng: np.random.Generator,
) -> Breeding:
    """The next generation from ``pool``: ``plan_offspring``, then crossover and mutation of all children at once.

    ``fallbacks`` counts the children that needed a single-genome operator
    (a crossover child with a cycle to repair, a toggle closing a cycle).
    """
    plan = plan_offspring(scores, species, counts, config, rng)
    crossed = cross_pool(pool, plan.parent_a, plan.parent_b, plan.equal_fitness, config, rng)
    mutated = mutate_pool(crossed.pool, ~plan.elite, config, tracker, rng)
    keys = np.where(plan.elite, pool.keys[plan.parent_a], -1)
    return Breeding(mutated.pool.with_keys(keys), crossed.repaired + mutated.fallbacks)


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


class NeatReproduction:
    """The NEAT paper's generation: speciate, drop stagnant species, share fitness, breed.

    Parameters
    ----------
    config
        The run's config.
    """

    def __init__(self, config: Config) -> None:
        self.config = config

    def next_generation(
        self,
        pool: GenePool,
        scores: np.ndarray,
        species: SpeciesSet,
        generation: int,
        tracker: InnovationTracker,
        rng: np.random.Generator,
        lineages: Sequence[tuple[int, ...]] | None = None,
        phase: str = "complexify",
    ) -> NextGeneration:
        """Speciate the genomes of ``pool``, then breed the next generation from the species that may reproduce.

        ``phase = "simplify"`` (complexity regulation, ``neat.evolution.complexity``) breeds the children with
        ``simplifying_config(config)``: deletions only, mutated copies only.
        """
        config = self.config
        speciated = speciate(pool, species, config, generation)
        speciated = update_stagnation(speciated, scores, generation, config.stagnation.species_fitness)
        surviving, stagnant = split_stagnant(speciated, scores, config, generation)
        tracker.new_generation()
        events = {"speciated": speciated.species, "stagnant": tuple(stagnant)}
        if surviving.species:
            shares = adjusted_fitness_shares(surviving.species, scores)
            counts = offspring_counts(shares, config.run.population_size, config.reproduction.min_species_size)
            if phase == "simplify":
                config = simplifying_config(config)
            elif phase != "complexify":
                raise ValueError(f"phase is {phase!r}; expected 'complexify' or 'simplify'")
            children, fallbacks = breed(pool, scores, surviving.species, counts, config, tracker, rng)
            return NextGeneration(children, surviving, **events, fallbacks=fallbacks)
        if config.run.on_extinction == "stop":
            return NextGeneration(GenePool.pack([], config), surviving, **events, extinct=True)
        fresh = GenePool.pack(new_genomes(config, tracker, rng, config.run.population_size))
        return NextGeneration(fresh, surviving, **events, extinct=True)
