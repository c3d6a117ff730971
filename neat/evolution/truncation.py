"""The fixed-topology GA's reproduction (Such et al. 2017, "Deep GA"): truncation selection, mutation, one elite."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from ..config import Config
from ..errors import ConfigError, EvaluationError
from ..genome import Genome
from ..genome.innovation import InnovationTracker
from ..genome.pool import GenePool
from ..genome.pool_mutation import mutate_pool_attributes
from ..genome.topology import start_connections
from .compact import mutated_child
from .fitness import Evaluate, takes_generation
from .noise import noise_table_for
from .species import Species, SpeciesSet
from .strategy import NextGeneration

__all__ = ["TruncationReproduction"]


class TruncationReproduction:
    """The fixed-topology GA: truncation selection, Gaussian mutation, one elite.

    The elite, the best genome (or, with ``elite_candidates = K``, the best
    of the top K re-scored by ``elite_evaluate``), is kept unchanged; each
    other child is a copy of a parent drawn uniformly from the
    ``truncation_size`` best, with every weight and bias mutated
    (``[mutation] weight_*`` / ``bias_*``: sigma is ``*_mutate_power``).  There
    is no crossover and no structural change, and the population is one
    species (key 1), reported as such.  With ``[reproduction]
    noise_table_size`` > 0 the mutation noise comes from a shared
    ``neat.evolution.noise.NoiseTable``.

    Parameters
    ----------
    config
        A config with ``[reproduction] strategy = "truncation"``.
    elite_evaluate
        ``elite_evaluate(genomes, generation=g) -> fitness``: re-scores the
        ``elite_candidates`` best (needed when that is > 0).
    """

    def __init__(self, config: Config, elite_evaluate: Evaluate | None = None) -> None:
        self.config = config
        self.elite_evaluate = elite_evaluate
        candidates = config.reproduction.elite_candidates
        if candidates:
            if elite_evaluate is None:
                raise ConfigError(
                    f"[reproduction] elite_candidates = {candidates} needs Population(..., elite_evaluate=...): "
                    "the function that re-scores the candidates (e.g. a GymEvaluator with more episodes)"
                )
            if not takes_generation(elite_evaluate):
                raise ConfigError("elite_evaluate must take the genomes and a generation keyword")
        self.noise = noise_table_for(config)
        if self.noise is not None:
            self.noise.check_fits(len(start_connections(config.genome)[0]))

    def next_generation(
        self,
        pool: GenePool,
        scores: np.ndarray,
        species: SpeciesSet,
        generation: int,
        tracker: InnovationTracker,
        rng: np.random.Generator,
        lineages: Sequence[tuple[int, ...]] | None = None,
    ) -> NextGeneration:
        """The elite, then mutated copies of parents drawn from the ``truncation_size`` best."""
        config = self.config
        rc = config.reproduction
        order = np.lexsort((np.arange(len(scores)), -scores))  # best first, ties by position
        elite = int(order[0])
        if rc.elite_candidates > 0:
            elite = self._reevaluated_elite(pool, order[: rc.elite_candidates], generation)
        one = _one_species(species, pool[elite].copy(), scores, generation)
        parents = order[: rc.truncation_size]
        picks = parents[rng.integers(len(parents), size=config.run.population_size - 1)]
        tracker.new_generation()
        keys = np.concatenate(([pool.keys[elite]], np.full(len(picks), -1, dtype=np.int64)))
        if rc.compact_genomes:
            if lineages is None:
                raise ValueError("compact genomes need the parents' lineages")
            # Each child mutated by its own seed, so its lineage rebuilds it (neat.evolution.compact).
            seeds = rng.integers(2**63 - 1, size=len(picks))
            children = [mutated_child(pool[int(i)], config, int(seed), self.noise) for i, seed in zip(picks, seeds)]
            child_lineages = [(*lineages[int(i)], int(seed)) for i, seed in zip(picks, seeds)]
            return NextGeneration(
                GenePool.pack([pool[elite], *children]).with_keys(keys), one, speciated=one.species,
                lineages=[lineages[elite], *child_lineages],
            )
        children = pool.take(np.concatenate(([elite], picks))).with_keys(keys)
        mutable = np.ones(len(children), dtype=bool)
        mutable[0] = False
        if self.noise is not None:
            children = self.noise.mutate_pool(children, mutable, config, rng)
        else:
            children = mutate_pool_attributes(children, mutable, config, rng)
        return NextGeneration(children, one, speciated=one.species)

    def _reevaluated_elite(self, pool: GenePool, candidates: np.ndarray, generation: int) -> int:
        chosen = [pool[int(i)] for i in candidates]
        values = np.asarray(self.elite_evaluate(chosen, generation=generation), dtype=np.float64)
        if values.shape != (len(chosen),) or not np.all(np.isfinite(values)):
            raise EvaluationError(f"elite_evaluate must return {len(chosen)} finite values, got {values!r}")
        best = int(np.argmin(values) if self.config.run.minimize else np.argmax(values))
        return int(candidates[best])


def _one_species(previous: SpeciesSet, elite: Genome, scores: np.ndarray, generation: int) -> SpeciesSet:
    """The whole population as species 1, its stagnation bookkeeping carried on."""
    best = float(scores.max())
    members = np.arange(len(scores))
    if previous.species:
        s = previous.species[0]
        improved = best > s.best_score
        s = replace(
            s,
            representative=elite,
            members=members,
            best_score=max(best, s.best_score),
            last_improved=generation if improved else s.last_improved,
        )
    else:
        s = Species(1, generation, elite, members, best, generation)
    return SpeciesSet((s,), previous.threshold, 2)
