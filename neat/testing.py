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

Checks and machines
-------------------
``check_genome(genome, tracker)``, ``pool_problems(pool, tracker)``
    Every invariant of a genome, or of each genome of a gene pool together
    with the derived arrays (counts, keys, edge rows) its operators handed
    down, plus agreement with the run's ``InnovationTracker``.
``GenomeOperators``
    A Hypothesis ``RuleBasedStateMachine`` whose rules are the genome and
    gene-pool operators and which checks every genome they make.
"""

from __future__ import annotations

import dataclasses
from typing import Any, NamedTuple

import numpy as np

try:
    from hypothesis import strategies as st
    from hypothesis.extra import numpy as hnp
    from hypothesis.stateful import Bundle, RuleBasedStateMachine, initialize, rule
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError('neat.testing needs hypothesis; install it with: pip install "neatlab[hypothesis]"') from exc

from .config import Config, GenomeConfig
from .errors import InvalidGenomeError
from .functions import ACTIVATIONS, AGGREGATIONS
from .genome import Genome
from .genome.crossover import crossover
from .genome.innovation import InnovationTracker
from .genome.mutation import OPERATORS, mutate
from .genome.pool import GenePool
from .genome.pool_crossover import cross_pool
from .genome.pool_mutation import mutate_pool, mutate_pool_attributes
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
    "check_genome",
    "pool_problems",
    "check_pool",
    "GenomeOperators",
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


# --- checks -------------------------------------------------------------------------
def check_genome(genome: Genome, tracker: InnovationTracker | None = None) -> Genome:
    """``genome.validate()`` and, given the run's ``tracker``, agreement with it.

    With a tracker, every connection's innovation number must be the one the
    tracker gave its ``(src, dst)`` pair, and every node id one it handed out.
    Raises ``InvalidGenomeError`` naming the first problem; returns the genome.
    """
    genome.validate()
    if tracker is None:
        return genome
    if genome.num_hidden and int(genome.nodes.id[-1]) >= tracker.next_node_id:
        raise InvalidGenomeError(
            f"hidden node id {int(genome.nodes.id[-1])} was never handed out by the innovation tracker "
            f"(its next id is {tracker.next_node_id}): node ids must come from the run's tracker"
        )
    c = genome.conns
    if len(c.innovation):
        # Numbers above the tracker's next one were never issued; checked first, so that
        # ``innovations`` (which numbers an unseen pair) can only disagree, never match by chance.
        unissued = np.flatnonzero(c.innovation >= tracker.next_innovation)
        expected = c.innovation if unissued.size else tracker.innovations(c.src, c.dst)
        bad = unissued if unissued.size else np.flatnonzero(expected != c.innovation)
        if bad.size:
            i = int(bad[0])
            number = "no number yet" if unissued.size else f"innovation {int(expected[i])}"
            raise InvalidGenomeError(
                f"connection {int(c.src[i])} -> {int(c.dst[i])} has innovation {int(c.innovation[i])}, but the "
                f"innovation tracker gave that pair {number}: a genome's innovation numbers must be its tracker's"
            )
    return genome


_PER_GENOME, _PER_NODE, _PER_CONN = "genome", "node", "conn"
_DERIVED = {  # the derived arrays a pool may carry, by cache name: what indexes their rows
    "node_counts": _PER_GENOME, "conn_counts": _PER_GENOME, "node_genome": _PER_NODE, "node_keys": _PER_NODE,
    "conn_genome": _PER_CONN, "conn_keys": _PER_CONN, "edge_src": _PER_CONN, "edge_dst": _PER_CONN,
}


def pool_problems(pool: GenePool, tracker: InnovationTracker | None = None) -> dict[int, str]:
    """Every genome of ``pool`` that breaks an invariant, with the first problem found (empty: all good).

    Checks the layout (offsets), ``check_genome`` on each genome, and every
    derived array the pool carries (genome counts, sort keys, the edge rows
    a batched operator handed down) against a fresh computation from the
    genes.  A broken layout is reported for every genome (for ``-1`` when
    the pool has none).
    """
    try:
        pool._check_shape()
    except InvalidGenomeError as exc:
        return {i: str(exc) for i in range(len(pool))} or {-1: str(exc)}
    problems: dict[int, str] = {}
    for i, genome in enumerate(pool):
        try:
            check_genome(genome, tracker)
        except InvalidGenomeError as exc:
            problems[i] = str(exc)
    # A pool made from the same arrays but with nothing cached computes every derived array afresh.
    fresh = GenePool._trusted(pool.config, pool.nodes, pool.conns, pool.node_offsets, pool.conn_offsets, pool.keys)
    for name, held in list(pool._cache.items()):
        rows_of = _DERIVED.get(name)
        if rows_of is None:
            continue
        expected = fresh.edge_nodes()[name == "edge_dst"] if name.startswith("edge_") else getattr(fresh, name)
        if held.shape != expected.shape:
            bad = np.arange(len(pool))
        else:
            rows = np.flatnonzero(held != expected)
            owner = {_PER_GENOME: None, _PER_NODE: fresh.node_genome, _PER_CONN: fresh.conn_genome}[rows_of]
            bad = rows if owner is None else owner[rows]
        for i in np.unique(bad).tolist():
            problems.setdefault(
                i, f"the pool's derived array {name} disagrees with its genes at genome {i}: a stale array handed down"
            )
    return dict(sorted(problems.items()))


def check_pool(pool: GenePool, tracker: InnovationTracker | None = None) -> GenePool:
    """``InvalidGenomeError`` naming the first genome ``pool_problems`` finds; returns the pool."""
    problems = pool_problems(pool, tracker)
    if problems:
        i, message = next(iter(problems.items()))
        raise InvalidGenomeError(f"genome {i} of the pool: {message}")
    return pool


# --- the state machine ----------------------------------------------------------------
def _indices(data: st.DataObject, n: int, low: int = 0, size: int | None = None) -> np.ndarray:
    """``size`` (or 1 to 8) drawn indices in ``[low, n)``, as an int64 array."""
    k = data.draw(st.integers(1, 8)) if size is None else size
    return np.array(data.draw(st.lists(st.integers(low, n - 1), min_size=k, max_size=k)), dtype=np.int64)


def _mask(data: st.DataObject, n: int) -> np.ndarray:
    return np.array(data.draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool)


class GenomeOperators(RuleBasedStateMachine):
    """A Hypothesis state machine whose rules are the genome operators; every genome they make is checked.

    An example draws a config (``configs()``) and a seed, makes a start
    genome, then runs a random sequence of rules: the single-genome
    operators (each of ``neat.genome.mutation.OPERATORS``, ``mutate``,
    ``crossover``), new start genomes, ``tracker.new_generation()``, and the
    batched operators (``mutate_pool``, ``cross_pool``,
    ``mutate_pool_attributes``, ``GenePool.take``) on gene pools packed from
    the genomes made so far; their results feed later rules.  Every result
    goes to ``check``, which runs ``check_genome`` / ``check_pool`` with the
    run's tracker: a failure shrinks to the shortest sequence of operators
    that breaks a genome.

    Run it as a test with ``TestOperators = GenomeOperators.TestCase``.
    Subclass it to add rules for your own operators (pass their results to
    ``self.check``), or override ``check`` to count the steps.
    """

    genomes = Bundle("genomes")
    pools = Bundle("pools")

    def check(self, operator: str, result: Genome | GenePool, steps: int) -> None:
        """Check what ``steps`` applications of ``operator`` made (``InvalidGenomeError`` on a problem).

        ``steps`` counts genomes an operator acted on: 1 for a single-genome
        operator, the children or mutated genomes of a batched one, 0 for
        packing, taking and new start genomes.
        """
        if isinstance(result, GenePool):
            check_pool(result, self.tracker)
            self.held.extend(result)
        else:
            check_genome(result, self.tracker)
            self.held.append(result)

    def teardown(self) -> None:
        """Every genome made is still valid: operators never change their inputs."""
        for genome in getattr(self, "held", []):
            genome.validate()

    def _made(self, operator: str, result: Any, steps: int = 1) -> Any:
        self.check(operator, result, steps)
        return result

    @initialize(target=genomes, config=configs(), seed=st.integers(0, 2**32 - 1))
    def start(self, config: Config, seed: int) -> Genome:
        self.config = config
        self.tracker = InnovationTracker.for_config(config)
        self.rng = make_rng(seed)
        self.held: list[Genome] = []
        return self._made("new_genome", new_genome(config, self.tracker, self.rng), 0)

    @rule(target=genomes, parent=genomes, name=st.sampled_from(sorted(OPERATORS)))
    def operator(self, parent: Genome, name: str) -> Genome:
        return self._made(name, OPERATORS[name](parent, self.config, self.tracker, self.rng))

    @rule(target=genomes, parent=genomes)
    def mutate(self, parent: Genome) -> Genome:
        return self._made("mutate", mutate(parent, self.config, self.tracker, self.rng))

    @rule(target=genomes, a=genomes, b=genomes, equal=st.booleans())
    def cross(self, a: Genome, b: Genome, equal: bool) -> Genome:
        return self._made("crossover", crossover(a, b, self.config, self.rng, equal_fitness=equal))

    @rule(target=genomes)
    def fresh(self) -> Genome:
        return self._made("new_genome", new_genome(self.config, self.tracker, self.rng), 0)

    @rule()
    def next_generation(self) -> None:
        self.tracker.new_generation()

    @rule(target=pools, members=st.lists(genomes, min_size=1, max_size=6))
    def pack(self, members: list[Genome]) -> GenePool:
        return self._made("pack", GenePool.pack(members).with_keys(np.arange(len(members))), 0)

    @rule(target=pools, pool=pools, data=st.data())
    def pool_mutate(self, pool: GenePool, data: st.DataObject) -> GenePool:
        mutable = _mask(data, len(pool))
        mutated = mutate_pool(pool, mutable, self.config, self.tracker, self.rng).pool
        return self._made("mutate_pool", mutated, int(mutable.sum()))

    @rule(target=pools, pool=pools, data=st.data())
    def pool_attributes(self, pool: GenePool, data: st.DataObject) -> GenePool:
        mutable = _mask(data, len(pool))
        mutated = mutate_pool_attributes(pool, mutable, self.config, self.rng)
        return self._made("mutate_pool_attributes", mutated, int(mutable.sum()))

    @rule(target=pools, pool=pools, data=st.data())
    def pool_cross(self, pool: GenePool, data: st.DataObject) -> GenePool:
        a = _indices(data, len(pool))
        b = _indices(data, len(pool), low=-1, size=len(a))  # -1: a copy of parent a
        equal = _mask(data, len(a))
        return self._made("cross_pool", cross_pool(pool, a, b, equal, self.config, self.rng).pool, len(a))

    @rule(target=pools, pool=pools, data=st.data())
    def take(self, pool: GenePool, data: st.DataObject) -> GenePool:
        return self._made("take", pool.take(_indices(data, len(pool))), 0)

    @rule(target=genomes, pool=pools, data=st.data())
    def unpack(self, pool: GenePool, data: st.DataObject) -> Genome:
        return pool[data.draw(st.integers(0, len(pool) - 1))]
