"""Hypothesis strategies for property-testing NEAT code, yours and ours.

Needs the ``hypothesis`` extra (``pip install "neatlab[hypothesis]"``).

Strategies
----------
``genome_configs()``
    Valid ``GenomeConfig``s: small input/output counts, feed-forward or
    recurrent, any start topology, several activation options.
``configs()``
    Valid full ``Config``s with mutation rates that exercise every operator.
``grown_genomes(config)``
    Genomes grown from a start topology by a random sequence of operators.
``genome_families(config)``
    ``(config, tracker, genomes)``: several genomes grown with one shared
    ``InnovationTracker``, so they can be crossed and compared.
``gene_pools(config)``
    ``(config, tracker, pool)``: a ``GenePool`` of such a family's genomes.
``input_batches(n_inputs)``
    ``(batch, n_inputs)`` float64 arrays of finite inputs.

Each strategy builds its own tracker and generator from drawn seeds, so an
example replays exactly and shrinks well.
"""

from __future__ import annotations

import dataclasses
from typing import Any, NamedTuple

import numpy as np

try:
    from hypothesis import strategies as st
    from hypothesis.extra import numpy as hnp
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError('neat.testing needs hypothesis; install it with: pip install "neatlab[hypothesis]"') from exc

from .config import Config, GenomeConfig
from .functions import ACTIVATIONS, AGGREGATIONS
from .genome import Genome
from .genome.crossover import crossover
from .genome.innovation import InnovationTracker
from .genome.mutation import OPERATORS
from .genome.pool import GenePool
from .genome.topology import new_genome
from .rng import make_rng

__all__ = [
    "genome_configs",
    "configs",
    "grown_genomes",
    "genome_families",
    "GenomeFamily",
    "gene_pools",
    "PoolFamily",
    "input_batches",
    "grow",
    "STRESS_MUTATION",
]

STRESS_MUTATION: dict[str, Any] = {
    "conn_add_prob": 0.5,
    "conn_delete_prob": 0.2,
    "node_add_prob": 0.4,
    "node_delete_prob": 0.1,
    "enabled_mutate_rate": 0.1,
    "weight_mutate_prob": 1.0,
    "bias_mutate_prob": 1.0,
    "response_mutate_prob": 0.5,
    "response_perturb_rate": 0.5,
    "response_replace_rate": 0.1,
    "response_mutate_power": 0.2,
    "activation_mutate_rate": 0.2,
    "aggregation_mutate_rate": 0.2,
}
"""Mutation rates far above the paper's, so that few steps exercise every operator."""

_SAFE_ACTIVATIONS = sorted(ACTIVATIONS)
_SAFE_AGGREGATIONS = sorted(AGGREGATIONS)


@st.composite
def genome_configs(
    draw: st.DrawFn,
    *,
    feed_forward: bool | None = None,
    max_inputs: int = 4,
    max_outputs: int = 3,
    max_hidden_layers: int = 2,
) -> GenomeConfig:
    """Valid ``GenomeConfig``s (small networks, every start topology)."""
    activations = draw(st.lists(st.sampled_from(_SAFE_ACTIVATIONS), min_size=1, max_size=4, unique=True))
    aggregations = draw(st.lists(st.sampled_from(_SAFE_AGGREGATIONS), min_size=1, max_size=3, unique=True))
    recurrent = not (draw(st.booleans()) if feed_forward is None else feed_forward)
    return GenomeConfig(
        num_inputs=draw(st.integers(1, max_inputs)),
        num_outputs=draw(st.integers(1, max_outputs)),
        hidden_layers=tuple(draw(st.lists(st.integers(1, 3), max_size=max_hidden_layers))),
        initial_connection=draw(st.sampled_from(_START_TOPOLOGIES)),
        connection_fraction=draw(st.floats(0.0, 1.0)),
        connection_sampling=draw(st.sampled_from(["independent", "exact"])),
        initial_self_connections=recurrent and draw(st.booleans()),
        feed_forward=not recurrent,
        weight_init_scaling=draw(st.sampled_from(["none", "fan_in"])),
        activation_default=draw(st.sampled_from([*activations, "random"])),
        activation_options=tuple(activations),
        aggregation_default=draw(st.sampled_from([*aggregations, "random"])),
        aggregation_options=tuple(aggregations),
        weight_init_type=draw(st.sampled_from(["gaussian", "uniform"])),
        weight_init_stdev=draw(st.floats(0.0, 3.0)),
        weight_min=-draw(st.floats(0.5, 30.0)),
        weight_max=draw(st.floats(0.5, 30.0)),
        bias_init_stdev=draw(st.floats(0.0, 3.0)),
    )


_START_TOPOLOGIES = next(f for f in dataclasses.fields(GenomeConfig) if f.name == "initial_connection").metadata["choices"]


@st.composite
def configs(draw: st.DrawFn, *, feed_forward: bool | None = None, stress: bool = True) -> Config:
    """Valid ``Config``s; with ``stress`` the mutation rates exercise every operator."""
    genome = draw(genome_configs(feed_forward=feed_forward))
    mutation = dict(STRESS_MUTATION) if stress else {}
    mutation["single_structural_mutation"] = draw(st.booleans())
    mutation["weight_mutate_power"] = draw(st.floats(0.0, 2.0))
    return Config(
        genome=genome,
        mutation=mutation,
        speciation={
            "compatibility_threshold": draw(st.floats(0.1, 10.0)),
            "node_disjoint_coefficient": draw(st.sampled_from([0.0, 0.5])),
            "node_attribute_coefficient": draw(st.sampled_from([0.0, 0.5])),
            "normalize_min_genes": draw(st.sampled_from([0, 5, 20])),
            "distance_formula": draw(st.sampled_from(["neat", "neat_python"])),
        },
        reproduction={"disabled_inherit_prob": draw(st.floats(0.0, 1.0))},
        run={"population_size": draw(st.integers(2, 300)), "objective": draw(st.sampled_from(["max", "min"]))},
    )


def grow(
    genome: Genome, config: Config, tracker: InnovationTracker, rng: np.random.Generator, operators: list[str]
) -> Genome:
    """Apply the named operators of ``neat.genome.mutation.OPERATORS`` in order (``"mutate"`` is the composite)."""
    from .genome.mutation import mutate

    for name in operators:
        op = mutate if name == "mutate" else OPERATORS[name]
        genome = op(genome, config, tracker, rng)
    return genome


_OPERATOR_NAMES = [*OPERATORS, "mutate", "new_generation"]


@st.composite
def grown_genomes(draw: st.DrawFn, config: Config | None = None, *, max_steps: int = 20) -> Genome:
    """A genome grown from a start genome by a random sequence of operators."""
    return draw(genome_families(config, min_size=1, max_size=1, max_steps=max_steps)).genomes[0]


class GenomeFamily(NamedTuple):
    """Genomes that share one innovation history."""

    config: Config
    tracker: InnovationTracker
    genomes: list[Genome]


@st.composite
def genome_families(
    draw: st.DrawFn,
    config: Config | None = None,
    *,
    min_size: int = 2,
    max_size: int = 4,
    max_steps: int = 20,
    crossovers: bool = True,
) -> GenomeFamily:
    """Several genomes grown with one shared tracker (and crossed with each other)."""
    if config is None:
        config = draw(configs())
    tracker = InnovationTracker.for_config(config)
    rng = make_rng(draw(st.integers(0, 2**32 - 1)))
    size = draw(st.integers(min_size, max_size))
    genomes = [new_genome(config, tracker, rng) for _ in range(size)]
    steps = draw(st.lists(st.tuples(st.integers(0, size - 1), st.sampled_from(_OPERATOR_NAMES)), max_size=max_steps))
    for index, name in steps:
        if name == "new_generation":
            tracker.new_generation()
        else:
            genomes[index] = grow(genomes[index], config, tracker, rng, [name])
    if crossovers and size > 1:
        for _ in range(draw(st.integers(0, size))):
            i, j = draw(st.integers(0, size - 1)), draw(st.integers(0, size - 1))
            genomes[i] = crossover(genomes[i], genomes[j], config, rng, equal_fitness=draw(st.booleans()))
    return GenomeFamily(config, tracker, genomes)


class PoolFamily(NamedTuple):
    """A gene pool whose genomes share one innovation history."""

    config: Config
    tracker: InnovationTracker
    pool: GenePool


@st.composite
def gene_pools(
    draw: st.DrawFn, config: Config | None = None, *, min_size: int = 2, max_size: int = 6, max_steps: int = 20
) -> PoolFamily:
    """A ``GenePool`` of a ``genome_families`` family (keys 0, 1, ...)."""
    family = draw(genome_families(config, min_size=min_size, max_size=max_size, max_steps=max_steps))
    pool = GenePool.pack(family.genomes).with_keys(np.arange(len(family.genomes)))
    return PoolFamily(family.config, family.tracker, pool)


def input_batches(n_inputs: int, *, max_batch: int = 8, bound: float = 10.0) -> st.SearchStrategy[np.ndarray]:
    """``(batch, n_inputs)`` float64 arrays of finite values in ``[-bound, bound]``."""
    return hnp.arrays(
        np.float64,
        st.tuples(st.integers(1, max_batch), st.just(n_inputs)),
        elements=st.floats(-bound, bound, allow_nan=False, allow_infinity=False),
    )
