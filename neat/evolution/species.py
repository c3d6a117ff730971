"""Speciation: compatibility threshold, representatives, stagnation bookkeeping.

Each genome joins the first species (in order of creation) whose
representative from the previous generation is within the compatibility
threshold; a genome close to none founds a new species.  The work is one
vectorized distance pass per species (``neat.distances``), never a
genome-by-genome comparison of the whole population.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from ..config import Config
from ..genome import Genome
from ..genome.distance import distances, pack_genomes

__all__ = ["Species", "SpeciesSet", "speciate", "species_score", "update_stagnation"]


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
    genomes: Sequence[Genome], previous: SpeciesSet, config: Config, generation: int
) -> SpeciesSet:
    """Divide ``genomes`` into species.

    Genomes are compared with the previous generation's representatives in
    the order species were created, then with the representatives of
    species founded this generation.  Each surviving species' new
    representative is its member closest to the old representative (the
    founder for a new species).  Species left without members disappear.
    With ``target_species > 0`` the threshold then moves one step toward
    that species count.

    Parameters
    ----------
    genomes
        The P genomes of the generation.
    previous
        The species of the previous generation (its ``threshold`` and
        ``next_key`` carry on).
    """
    sc = config.speciation
    p = len(genomes)
    threshold = previous.threshold
    packed = pack_genomes(genomes, nodes=bool(sc.node_disjoint_coefficient or sc.node_attribute_coefficient),
                          enabled=sc.distance_formula == "neat_python")
    unassigned = np.ones(p, dtype=bool)
    new_species: list[Species] = []

    for old in previous.species:
        if not unassigned.any():
            break
        d = distances(packed, old.representative, sc)
        joins = unassigned & (d < threshold)
        if joins.any():
            members = np.flatnonzero(joins)
            closest = int(members[np.argmin(d[members])])
            new_species.append(replace(old, representative=genomes[closest], members=members))
            unassigned &= ~joins

    next_key = previous.next_key
    while unassigned.any():
        founder = int(np.flatnonzero(unassigned)[0])
        d = distances(packed, genomes[founder], sc)
        joins = unassigned & (d < threshold)
        joins[founder] = True
        new_species.append(
            Species(
                key=next_key,
                created=generation,
                representative=genomes[founder],
                members=np.flatnonzero(joins),
                last_improved=generation,
            )
        )
        next_key += 1
        unassigned &= ~joins

    if sc.target_species > 0:
        if len(new_species) < sc.target_species:
            threshold = max(sc.threshold_min, threshold - sc.threshold_adjust_step)
        elif len(new_species) > sc.target_species:
            threshold = threshold + sc.threshold_adjust_step
    return SpeciesSet(tuple(new_species), threshold, next_key)


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
