"""The contract of a reproduction strategy: data in, the next generation and what happened out.

A strategy (``NeatReproduction``, ``TruncationReproduction``) is made once
per run from the config and is called once per generation with what it
needs: the generation's gene pool, the genomes' scores (higher is better: the population negates
fitness when it minimises), the previous species, the generation number,
the innovation tracker and the run's generator.  It returns the children
and, as data, what happened: the species formed, those removed for
stagnation, whether every species died.  It never sees the ``Population``;
the population reports the events.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple, Protocol

import numpy as np

from ..genome.innovation import InnovationTracker
from ..genome.pool import GenePool
from .species import Species, SpeciesSet

__all__ = ["NextGeneration", "ReproductionStrategy"]


class NextGeneration(NamedTuple):
    """What a reproduction strategy returns.

    Attributes
    ----------
    pool
        The children: the next generation, ``[run] population_size`` of them
        (none when every species died and ``[run] on_extinction = "stop"``).
        Elites keep their parent's key; the other children's keys are -1
        (the population gives them new ones).
    species
        The species the children were bred from (stagnant ones removed);
        their ``members`` index the parents' generation.
    speciated
        Every species of the parents' generation, stagnant ones included
        (what ``Reporter.species_changed`` receives).
    stagnant
        The species removed for stagnation (one ``species_stagnant`` report each).
    extinct
        True when no species was left to reproduce.
    lineages
        With compact genomes: each child's lineage of seeds.
    fallbacks
        Children made by a single-genome operator instead of the batched
        ones (a crossover cycle to repair; see ``neat.genome.pool_crossover``).
    """

    pool: GenePool
    species: SpeciesSet
    speciated: tuple[Species, ...] = ()
    stagnant: tuple[Species, ...] = ()
    extinct: bool = False
    lineages: list[tuple[int, ...]] | None = None
    fallbacks: int = 0


class ReproductionStrategy(Protocol):
    """What ``Population`` calls once per generation (see the module docstring)."""

    def next_generation(
        self,
        pool: GenePool,
        scores: np.ndarray,
        species: SpeciesSet,
        generation: int,
        tracker: InnovationTracker,
        rng: np.random.Generator,
        lineages: Sequence[tuple[int, ...]] | None = None,
    ) -> NextGeneration: ...
