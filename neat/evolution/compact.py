"""Compact genomes: a fixed-topology genome named by the seeds that made it.

With ``[reproduction] strategy = "truncation"`` and ``compact_genomes =
true`` every genome of the GA is determined by its *lineage*, a tuple of
integers: the first seeds the start genome's random weights, each later one
seeds the Gaussian mutation that made a child from its parent.  A
4-million-weight network then travels as a few integers, and
``CompactDecoder`` rebuilds its weights, bit for bit the ones the run
evolved, replaying the seeds with a cache of recent ancestors so that a
generation does not replay every chain from the start (Such et al. 2017).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence

from ..config import Config
from ..genome import Genome
from ..genome.innovation import InnovationTracker
from ..genome.mutation import mutate_attributes
from ..genome.topology import StartStructure, new_genomes, start_structure
from ..rng import make_rng
from .noise import NoiseTable, noise_table_for

__all__ = ["CompactDecoder", "start_genomes", "mutated_child"]


def start_genomes(
    config: Config, tracker: InnovationTracker, seeds: Sequence[int], structure: StartStructure | None = None
) -> list[Genome]:
    """The start genomes of lineages ``(seed,)``: the start topology with weights drawn from each seed."""
    structure = structure if structure is not None else start_structure(config, tracker)
    return [new_genomes(config, tracker, make_rng(int(seed)), 1, structure=structure)[0] for seed in seeds]


def mutated_child(parent: Genome, config: Config, seed: int, noise: NoiseTable | None = None) -> Genome:
    """The child of ``parent`` whose lineage ends in ``seed``: every weight and bias mutated by ``seed``'s generator.

    With a ``noise`` table (``[reproduction] noise_table_size`` > 0) the
    generator draws where the child's noise starts in the table.
    """
    if noise is not None:
        return noise.mutate(parent, config, make_rng(seed))
    return mutate_attributes([parent], config, make_rng(seed))[0]


class CompactDecoder:
    """Rebuild genomes from lineages, caching recent ones.

    Parameters
    ----------
    config
        The run's config (a truncation-strategy config).
    cache_size
        How many decoded genomes to keep (least recently used go first).  A
        generation's parents are the previous generation's genomes, so a
        cache of about two population sizes replays one seed per genome.
    """

    def __init__(self, config: Config, cache_size: int = 256) -> None:
        self.config = config
        self.tracker = InnovationTracker.for_config(config)
        self.noise = noise_table_for(config)
        self.structure = start_structure(config, self.tracker)
        self.cache_size = cache_size
        self._cache: OrderedDict[tuple[int, ...], Genome] = OrderedDict()
        self.replayed = 0  # seeds replayed so far (mutations plus start genomes)

    def remember(self, lineage: Sequence[int], genome: Genome) -> None:
        """Put an already built genome in the cache."""
        key = tuple(int(s) for s in lineage)
        self._cache[key] = genome
        self._cache.move_to_end(key)
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)

    def decode(self, lineage: Sequence[int]) -> Genome:
        """The genome of ``lineage`` (``(start seed, mutation seed, ...)``)."""
        lineage = tuple(int(s) for s in lineage)
        if not lineage:
            raise ValueError("a lineage needs at least its start seed")
        known = len(lineage)
        while known and lineage[:known] not in self._cache:
            known -= 1
        if known:
            genome = self._cache[lineage[:known]]
            self._cache.move_to_end(lineage[:known])
        else:
            genome = start_genomes(self.config, self.tracker, lineage[:1], self.structure)[0]
            self.replayed += 1
            known = 1
            self.remember(lineage[:1], genome)
        for depth in range(known, len(lineage)):
            genome = mutated_child(genome, self.config, lineage[depth], self.noise)
            self.replayed += 1
            self.remember(lineage[: depth + 1], genome)
        return genome
