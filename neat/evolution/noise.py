"""A shared table of Gaussian noise for the fixed-topology GA (Such et al. 2017).

The Deep GA mutates a child as ``parent + sigma * eps`` with ``eps`` a slice
of one big table of standard normals made once from a fixed seed, at an
offset drawn by the child's generator.  Drawing fresh normals costs about a
nanosecond per weight; reading a slice costs nearly nothing, so mutating a
generation of 100,000-weight genomes, or rebuilding a compact genome from
its seeds, becomes a few additions per ancestor.

``[reproduction] noise_table_size = N`` (> 0) switches it on; the table is
``N`` float32 normals drawn from ``noise_table_seed``, so every process that
has the config has the same table.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..config import Config
from ..errors import ConfigError
from ..genome import Genome
from ..genome.attributes import clamp_attribute
from ..genome.pool import GenePool, ranges
from ..rng import make_rng

__all__ = ["NoiseTable", "noise_table_for"]


class NoiseTable:
    """``size`` standard normals (float32) drawn from ``seed``; slices of it are mutation noise.

    Parameters
    ----------
    size
        Number of values; must be at least the number of weights of a genome.
    seed
        Seed of the generator that draws the table.
    """

    def __init__(self, size: int, seed: int = 0) -> None:
        if int(size) < 1:
            raise ConfigError(f"a noise table needs at least one value, got size = {size}")
        self.size = int(size)
        self.seed = int(seed)
        self.values = make_rng(self.seed).standard_normal(self.size, dtype=np.float32)
        self.values.flags.writeable = False

    def offsets(self, rng: np.random.Generator, lengths: Sequence[int]) -> np.ndarray:
        """One random start per slice, so that ``values[start : start + length]`` fits in the table.

        Returns
        -------
        (len(lengths),) int64
        """
        lengths = np.asarray(lengths, dtype=np.int64)
        if lengths.size:
            self.check_fits(int(lengths.max()))
        return rng.integers(0, self.size - lengths + 1)

    def check_fits(self, length: int) -> None:
        """``ConfigError`` unless a slice of ``length`` values fits in the table."""
        if length > self.size:
            raise ConfigError(
                f"[reproduction] noise_table_size = {self.size} is too small: a genome needs {length} "
                "noise values at once (set noise_table_size to at least its number of weights)"
            )

    def mutate(self, genome: Genome, config: Config, rng: np.random.Generator) -> Genome:
        """``genome`` with every weight and non-input bias perturbed by sigma times a slice of the table.

        Sigma is ``[mutation] weight_mutate_power`` for weights and
        ``bias_mutate_power`` for biases; the two slices start at offsets drawn
        from ``rng`` (weights first); the results are clamped to the bounds.
        """
        # One genome by slices (no gathers): compact genomes replay this once per ancestor.
        n_in = genome.num_inputs
        n_weights, n_biases = genome.num_connections, genome.num_nodes - n_in
        start_w, start_b = self.offsets(rng, (n_weights, n_biases)).tolist()
        mc, gc = config.mutation, genome.config
        weight = genome.conns.weight + mc.weight_mutate_power * self.values[start_w : start_w + n_weights]
        bias = genome.nodes.bias.copy()
        bias[n_in:] += mc.bias_mutate_power * self.values[start_b : start_b + n_biases]
        return genome.replace(
            conns=genome.conns._replace(weight=clamp_attribute(gc, "weight", weight)),
            nodes=genome.nodes._replace(bias=clamp_attribute(gc, "bias", bias)),
        )

    def mutate_pool(self, pool: GenePool, mutable: np.ndarray, config: Config, rng: np.random.Generator) -> GenePool:
        """``mutate`` for the genomes ``mutable`` ((P,) bool) of a pool at once.

        Each genome draws its weights' and its biases' offsets, as ``mutate``
        does; the slices are read with one gather.
        """
        n_in = pool.config.num_inputs
        genomes = np.flatnonzero(mutable)
        n_weights = pool.conn_counts[genomes]
        n_biases = pool.node_counts[genomes] - n_in
        starts = self.offsets(rng, np.stack((n_weights, n_biases), axis=1).reshape(-1)).reshape(-1, 2)
        mc, gc = config.mutation, pool.config
        weight = pool.conns.weight.copy()
        rows = ranges(pool.conn_offsets[genomes], n_weights)
        weight[rows] += mc.weight_mutate_power * self.values[ranges(starts[:, 0], n_weights)]
        bias = pool.nodes.bias.copy()
        rows = ranges(pool.node_offsets[genomes] + n_in, n_biases)
        bias[rows] += mc.bias_mutate_power * self.values[ranges(starts[:, 1], n_biases)]
        return GenePool._trusted(
            pool.config,
            pool.nodes._replace(bias=clamp_attribute(gc, "bias", bias)),
            pool.conns._replace(weight=clamp_attribute(gc, "weight", weight)),
            pool.node_offsets,
            pool.conn_offsets,
            pool.keys,
        )._with_cache_of(pool)  # the same genes but for weights and biases


def noise_table_for(config: Config) -> NoiseTable | None:
    """The run's noise table (``[reproduction] noise_table_size`` > 0), else None."""
    rc = config.reproduction
    return NoiseTable(rc.noise_table_size, rc.noise_table_seed) if rc.noise_table_size > 0 else None
