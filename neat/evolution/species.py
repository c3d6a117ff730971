"""Speciation: compatibility threshold, representatives, stagnation bookkeeping.

Each genome joins the first species (in order of creation) whose
representative from the previous generation is within the compatibility
threshold; a genome close to none founds a new species.  The work is a
few vectorized distance passes over the gene pool, never a genome-by-genome
comparison of the whole population.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from ..config import Config
from ..genome import Genome
from ..genome.pool import GenePool
from ..genome.pool_distance import pool_distances

__all__ = ["Species", "SpeciesSet", "speciate", "species_score", "update_stagnation"]

_VALUES_PER_PASS = 1 << 21
"""About this many (representative, gene) comparisons per distance pass (bounds the pass's memory)."""


def _batch_size(pool: GenePool, rows: np.ndarray) -> int:
    """How many representatives one distance pass compares ``rows`` with (at least 4)."""
    genes = int(pool.conn_counts[rows].sum() + pool.node_counts[rows].sum()) + 1
    return max(4, min(32, _VALUES_PER_PASS // genes))


@dataclass(frozen=True)
class Species:
    """One species of the current generation.

    Attributes
    ----------
    key
        The species' number, unique for the run.
    created
        Generation the species was founded in.
    representative
        The genome new genomes are compared with next generation.
    members : (m,) int64
        Positions of the members in the population's genome list.
    best_score
        Best score any member ever had (scores: higher is better; see ``Population``).
    last_improved
        Generation in which ``best_score`` last rose.
    """

    key: int
    created: int
    representative: Genome
    members: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    best_score: float = -np.inf
    last_improved: int = 0

    @property
    def size(self) -> int:
        return len(self.members)

    def stagnation(self, generation: int) -> int:
        """Generations since the species last improved."""
        return generation - self.last_improved


@dataclass(frozen=True)
class SpeciesSet:
    """The species of one generation plus the state speciation carries across generations."""

    species: tuple[Species, ...] = ()
    threshold: float = 3.0
    next_key: int = 1
    threshold_step: float | None = None
    threshold_side: int = 0
    representative_pool: GenePool | None = field(default=None, compare=False, repr=False)
    """The representatives as one pool, its ``keys`` the species keys (a cache ``speciate`` fills and reads)."""

    def representatives(self, config: Config) -> GenePool:
        """The species' representatives as a pool, in species order (``keys``: the species keys)."""
        keys = np.array([s.key for s in self.species], dtype=np.int64)
        cached = self.representative_pool
        if cached is not None:
            at = np.minimum(np.searchsorted(cached.keys, keys), max(len(cached) - 1, 0))
            if len(cached) and np.array_equal(cached.keys[at], keys):
                return cached.take(at)
        return GenePool.pack([s.representative for s in self.species], config).with_keys(keys)

    def __len__(self) -> int:
        return len(self.species)

    def __iter__(self):
        return iter(self.species)

    def by_key(self) -> dict[int, Species]:
        return {s.key: s for s in self.species}

    def membership(self, population_size: int) -> np.ndarray:
        """(P,) int64: the species key of every genome."""
        out = np.zeros(population_size, dtype=np.int64)
        for s in self.species:
            out[s.members] = s.key
        return out


def speciate(
    genomes: GenePool | Sequence[Genome], previous: SpeciesSet, config: Config, generation: int
) -> SpeciesSet:
    """Divide ``genomes`` into species.

    Genomes are compared with the previous generation's representatives in
    the order species were created, then with the representatives of
    species founded this generation.  Each surviving species' new
    representative is its member closest to the old representative (the
    founder for a new species).  Species left without members disappear.
    With ``target_species > 0`` the threshold then moves toward that species
    count (``steer_threshold``).

    The distances of every genome still unassigned to a few representatives
    at a time come from one vectorized pass over the gene pool
    (``neat.genome.pool_distance.pool_distances``).

    Parameters
    ----------
    genomes
        The P genomes of the generation, or their ``GenePool``.
    previous
        The species of the previous generation (its ``threshold`` and
        ``next_key`` carry on).
    """
    sc = config.speciation
    pool = genomes if isinstance(genomes, GenePool) else GenePool.pack(genomes, config)
    threshold = previous.threshold
    remaining = np.arange(len(pool))
    new_species: list[tuple[Species | int, np.ndarray]] = []  # (old species or new key, members)

    # The previous representatives, a batch at a time: a genome joins the first one within the threshold.
    old = previous.species
    chosen = []  # pool rows of the new representatives, species after species
    if old and len(remaining):
        representatives = previous.representatives(config)
        first = 0
        while first < len(old) and len(remaining):
            batch = np.arange(first, min(len(old), first + _batch_size(pool, remaining)))
            reps = representatives if len(batch) == len(old) else representatives.take(batch)
            d = pool_distances(pool, remaining, reps, sc)  # (k, b)
            within = d < threshold
            joined = within.any(axis=1)
            match = np.where(joined, np.argmax(within, axis=1), -1)
            for j in np.unique(match[joined]).tolist():
                mine = match == j
                members = remaining[mine]
                chosen.append(int(members[np.argmin(d[mine, j])]))
                new_species.append((old[int(batch[j])], members))
            remaining = remaining[~joined]
            first = int(batch[-1]) + 1

    # New species: the first genome left founds one, which takes every genome left within the threshold.
    # The first few genomes left are compared with all at once; each that is still left when its turn
    # comes is the next founder.
    next_key = previous.next_key
    size = 2  # doubled while every candidate of a batch founds a species
    while len(remaining):
        candidates = remaining[: min(size, _batch_size(pool, remaining))]
        d = pool_distances(pool, remaining, pool.take(candidates), sc)  # (k, c)
        left = np.ones(len(remaining), dtype=bool)
        founded = 0
        for j in range(len(candidates)):
            if not left[j]:
                continue
            founded += 1
            joins = left & (d[:, j] < threshold)
            joins[j] = True
            chosen.append(int(candidates[j]))
            new_species.append((next_key, remaining[joins]))
            next_key += 1
            left &= ~joins
        remaining = remaining[left]
        if founded == len(candidates):
            size *= 2

    # The representatives: a small pool of their own (so they do not keep the generation's pool alive).
    chosen_rows = np.array(chosen, dtype=np.int64)
    species_keys = [s.key if isinstance(s, Species) else s for s, _ in new_species]
    representative_pool = pool.take(chosen_rows).with_keys(species_keys)
    genomes_of = pool.keys[chosen_rows].tolist()
    species = []
    for j, ((s, members), genome_key) in enumerate(zip(new_species, genomes_of)):
        representative = representative_pool[j].with_key(None if genome_key < 0 else genome_key)
        if isinstance(s, Species):
            species.append(Species(s.key, s.created, representative, members, s.best_score, s.last_improved))
        else:  # founded this generation
            species.append(Species(s, generation, representative, members, -np.inf, generation))
    threshold, step, side = steer_threshold(len(new_species), threshold, previous.threshold_step,
                                            previous.threshold_side, sc)
    return SpeciesSet(tuple(species), threshold, next_key, step, side, representative_pool=representative_pool)


def steer_threshold(count, threshold, step, side, sc):
    if sc.target_species <= 0:
        return threshold, step, side
    if step is None:
        step = sc.threshold_adjust_step
    error = count - sc.target_species
    if error == 0:
        return threshold, step, side
    new_side = 1 if error > 0 else -1
    if side == new_side:
        step = min(step * 1.2, 0.5)
    elif side == -new_side:
        step = max(step * 0.5, 0.01)
    threshold = threshold * (1.0 + step) if new_side > 0 else threshold / (1.0 + step)
    return max(threshold, sc.threshold_min), step, new_side


_SPECIES_FITNESS = {"best": np.max, "worst": np.min, "mean": np.mean, "median": np.median}


def species_score(member_scores: np.ndarray, species_fitness: str = "best") -> float:
    """A species' score from its members' scores (higher is better).

    ``species_fitness`` is ``[stagnation] species_fitness``: the ``"best"``,
    ``"worst"``, ``"mean"`` or ``"median"`` member score.
    """
    return float(_SPECIES_FITNESS[species_fitness](member_scores))


def update_stagnation(
    species_set: SpeciesSet, scores: np.ndarray, generation: int, species_fitness: str = "best"
) -> SpeciesSet:
    """Record each species' best score so far and when it last improved.

    Parameters
    ----------
    scores : (P,) float64
        Higher is better (the population negates fitness when minimising).
    species_fitness
        How a species' score this generation is made from its members'
        (``[stagnation] species_fitness``); the species improved when that
        score beats every earlier one.
    """
    updated = []
    for s in species_set.species:
        best = species_score(scores[s.members], species_fitness)
        if best > s.best_score:
            s = replace(s, best_score=best, last_improved=generation)
        updated.append(s)
    return replace(species_set, species=tuple(updated))
