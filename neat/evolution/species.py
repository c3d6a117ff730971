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

from ..config import Config, SpeciationConfig
from ..genome import Genome
from ..genome.pool import GenePool
from ..genome.pool_distance import first_within, pool_distances

__all__ = ["Species", "SpeciesSet", "speciate", "steer_threshold", "species_score", "update_stagnation"]

_DENSE_PAIRS = 1 << 14
"""Up to this many (genome, representative) pairs, every distance is computed (fewer array operations);
above it ``first_within`` computes only those a bound cannot rule out."""

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
    """The species of one generation plus the state speciation carries across generations.

    Attributes
    ----------
    species
        The species, in order of creation.
    threshold
        The compatibility threshold the next generation is divided with.
    next_key
        Key of the next new species.
    threshold_step
        The adaptive steering's relative step of its last move (see
        ``steer_threshold``); ``None`` until it first moves.
    threshold_side
        ``+1`` / ``-1`` when the last generation that missed
        ``target_species`` had too many / too few species and none has hit it
        since; 0 otherwise.
    """

    species: tuple[Species, ...] = ()
    threshold: float = 3.0
    next_key: int = 1
    threshold_step: float | None = None
    threshold_side: int = 0
    representative_pool: tuple[tuple[int, ...], GenePool] | None = field(default=None, compare=False, repr=False)
    """A cache ``speciate`` fills and reads: the species keys and their representatives as one pool."""

    def representatives(self, config: Config) -> GenePool:
        """The species' representatives as a pool, in species order."""
        keys = tuple(s.key for s in self.species)
        if self.representative_pool is not None:
            cached_keys, cached = self.representative_pool
            if cached_keys == keys:
                return cached
            where = {k: i for i, k in enumerate(cached_keys)}
            if all(k in where for k in keys):  # species were removed since (stagnation)
                return cached.take(np.array([where[k] for k in keys], dtype=np.int64))
        return GenePool.pack([s.representative for s in self.species], config)

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
        The species of the previous generation (its ``threshold``, the
        steering state ``threshold_step`` / ``threshold_side`` and
        ``next_key`` carry on).
    """
    sc = config.speciation
    pool = genomes if isinstance(genomes, GenePool) else GenePool.pack(genomes, config)
    threshold = previous.threshold
    remaining = np.arange(len(pool))
    new_species: list[tuple[Species | int, np.ndarray]] = []  # (old species or new key, members)

    # The previous representatives: a genome joins the first one within the threshold.
    old = previous.species
    chosen = []  # pool rows of the new representatives, species after species
    if old and len(remaining):
        representatives = previous.representatives(config)
        if len(pool) * len(old) <= _DENSE_PAIRS:  # few pairs: every distance, in one pass
            d = pool_distances(pool, None, representatives, sc)
            within = d < threshold
            first = np.where(within.any(axis=1), np.argmax(within, axis=1), -1)
            distance = d[np.arange(len(pool)), np.maximum(first, 0)]
        else:  # many: only the pairs that can be within the threshold (a matching-count bound)
            first, distance = first_within(pool, representatives, threshold, sc)
        joined = first >= 0
        if joined.any():
            order = np.lexsort((distance[joined], first[joined]))  # by species, then closest first
            members = remaining[joined][order]
            species_of = first[joined][order]
            starts = np.flatnonzero(np.r_[True, species_of[1:] != species_of[:-1]])
            for j, lo, hi in zip(species_of[starts].tolist(), starts.tolist(), [*starts[1:].tolist(), len(order)]):
                mine = members[lo:hi]
                chosen.append(int(mine[0]))  # the member closest to the old representative
                new_species.append((old[j], np.sort(mine)))
        remaining = remaining[~joined]

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
    representative_pool = pool.take(chosen_rows)
    species = []
    for j, (s, members) in enumerate(new_species):
        representative = representative_pool[j]
        if isinstance(s, Species):
            species.append(Species(s.key, s.created, representative, members, s.best_score, s.last_improved))
        else:  # founded this generation
            species.append(Species(s, generation, representative, members, -np.inf, generation))
    threshold, step, side = steer_threshold(len(new_species), threshold, previous.threshold_step,
                                            previous.threshold_side, sc)
    return SpeciesSet(tuple(species), threshold, next_key, step, side,
                      representative_pool=(tuple(species_keys), representative_pool))


def steer_threshold(
    count: int, threshold: float, step: float | None, side: int, config: SpeciationConfig
) -> tuple[float, float | None, int]:
    """The compatibility threshold of the next generation, steered toward ``target_species``.

    With ``threshold_adjust = "adaptive"`` (an Rprop-like rule on a step
    relative to the threshold): the side is ``+1`` when there are more
    species than the target (the threshold rises), ``-1`` when fewer (it
    falls).  The relative step ``s`` grows by ``threshold_step_grow`` when
    the side is the same as last time, shrinks by ``threshold_step_shrink``
    when it flipped (the count crossed the target), and is kept within
    ``[threshold_step_min, threshold_step_max]``; then the threshold is
    multiplied (too many species) or divided (too few) by ``1 + s``.  When
    the count equals the target the threshold and step stay put and the side
    is forgotten, so the next move neither grows nor shrinks the step.

    With ``threshold_adjust = "fixed"``: the threshold moves by
    ``threshold_adjust_step`` toward the target count; ``step`` and ``side``
    are returned unchanged.

    Either way the threshold never falls below ``threshold_min``, and nothing
    changes when ``target_species`` is 0.

    Parameters
    ----------
    count
        Number of species this generation.
    threshold
        The threshold this generation was divided with.
    step
        The relative step of the last move (``SpeciesSet.threshold_step``);
        ``None`` before the first, which then uses ``threshold_step_initial``.
    side
        ``SpeciesSet.threshold_side``: ``+1`` / ``-1`` if the last generation
        that missed the target had too many / too few species and the
        count has not hit the target since, else 0.
    config
        The ``[speciation]`` section.

    Returns
    -------
    (threshold, step, side) of the next generation.
    """
    target = config.target_species
    if target <= 0 or count == target:
        return threshold, step, 0 if target > 0 else side
    new_side = 1 if count > target else -1
    if config.threshold_adjust == "fixed":
        return max(config.threshold_min, threshold + new_side * config.threshold_adjust_step), step, side
    if step is None:
        step = config.threshold_step_initial
    elif side == new_side:
        step = step * config.threshold_step_grow  # still on the same side: the steps were too small
    elif side == -new_side:
        step = step * config.threshold_step_shrink  # the count crossed the target: the last step overshot
    step = min(max(step, config.threshold_step_min), config.threshold_step_max)
    # Multiplying and dividing by the same factor makes a step up and a step down cancel, and
    # keeps the threshold positive whatever the scale of the distances.
    threshold = threshold * (1.0 + step) if new_side > 0 else threshold / (1.0 + step)
    return max(config.threshold_min, threshold), step, new_side


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
