"""Configuration: frozen dataclasses, one per concern, read from and written to TOML.

A config file has one table per section::

    [genome]
    num_inputs = 2
    num_outputs = 1

    [mutation]
    node_add_prob = 0.03

Every key is declared below with its type, default (from the NEAT paper,
Stanley & Miikkulainen 2002, where the paper gives one), allowed range and
meaning.  Unknown sections or keys, wrong types and out-of-range values raise
``ConfigError`` naming the section, the key, the bad value and what is allowed.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import math
import sys
import types
import typing
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Any, ClassVar

from .errors import ConfigError
from .functions import ACTIVATIONS, AGGREGATIONS

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

__all__ = [
    "Config",
    "GenomeConfig",
    "MutationConfig",
    "SpeciationConfig",
    "ReproductionConfig",
    "StagnationConfig",
    "RunConfig",
    "TaskConfig",
]


def option(
    default: Any,
    doc: str,
    *,
    min: float | None = None,
    max: float | None = None,
    min_exclusive: bool = False,
    choices: tuple[Any, ...] | None = None,
) -> Any:
    """Declare a config key: its default, meaning and allowed values."""
    metadata = {"doc": doc, "min": min, "max": max, "min_exclusive": min_exclusive, "choices": choices}
    return field(default=default, metadata=metadata)


def _allowed(f: dataclasses.Field, type_: Any) -> str:
    """Describe in words what ``f`` accepts."""
    meta = f.metadata
    if meta.get("choices"):
        return "one of " + ", ".join(repr(c) for c in meta["choices"])
    parts = [_type_name(type_)]
    lo, hi = meta.get("min"), meta.get("max")
    if lo is not None and hi is not None:
        parts.append(f"in {'(' if meta.get('min_exclusive') else '['}{lo}, {hi}]")
    elif lo is not None:
        parts.append(f"{'>' if meta.get('min_exclusive') else '>='} {lo}")
    elif hi is not None:
        parts.append(f"<= {hi}")
    return " ".join(parts)


def _type_name(type_: Any) -> str:
    origin = typing.get_origin(type_)
    if origin is tuple:
        item = typing.get_args(type_)[0]
        return "a list of " + {int: "integers", float: "numbers", str: "strings"}.get(item, str(item))
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(type_) if a is not type(None)]
        return _type_name(args[0]) + " (or omitted)"
    return {int: "an integer", float: "a number", bool: "true or false", str: "a string"}.get(type_, str(type_))


def _coerce_scalar(value: Any, type_: type) -> Any:
    """Return ``value`` as ``type_`` or raise ``TypeError``; no lossy conversions."""
    if type_ is bool:
        if isinstance(value, bool):
            return value
    elif type_ is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return int(value)
    elif type_ is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
    elif type_ is str:
        if isinstance(value, str):
            return value
    raise TypeError


def _coerce(value: Any, type_: Any) -> Any:
    origin = typing.get_origin(type_)
    if origin is tuple:
        if not isinstance(value, (list, tuple)):
            raise TypeError
        item_type = typing.get_args(type_)[0]
        return tuple(_coerce_scalar(v, item_type) for v in value)
    if origin is not None:  # Optional[X]
        if value is None:
            return None
        inner = [a for a in typing.get_args(type_) if a is not type(None)][0]
        return _coerce(value, inner)
    return _coerce_scalar(value, type_)


def _in_range(value: Any, meta: typing.Mapping[str, Any]) -> bool:
    lo, hi = meta.get("min"), meta.get("max")
    values = value if isinstance(value, tuple) else (value,)
    for v in values:
        if v is None or isinstance(v, (str, bool)):
            continue
        if isinstance(v, float) and math.isnan(v):
            return False
        if lo is not None and (v <= lo if meta.get("min_exclusive") else v < lo):
            return False
        if hi is not None and v > hi:
            return False
    return True


@dataclass(frozen=True)
class _Section:
    """Shared checking for every config section."""

    SECTION: ClassVar[str] = ""

    def __post_init__(self) -> None:
        hints = typing.get_type_hints(type(self))
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            type_ = hints[f.name]
            try:
                coerced = _coerce(value, type_)
            except TypeError:
                self._fail(f.name, value, _allowed(f, type_))
            object.__setattr__(self, f.name, coerced)
            choices = f.metadata.get("choices")
            if choices is not None and coerced not in choices:
                self._fail(f.name, coerced, _allowed(f, type_))
            if not _in_range(coerced, f.metadata):
                self._fail(f.name, coerced, _allowed(f, type_))
        self._check()

    def _check(self) -> None:
        """Cross-key checks; overridden by sections that have them."""

    def _fail(self, key: str, value: Any, allowed: str) -> typing.NoReturn:
        value = list(value) if isinstance(value, tuple) else value
        raise ConfigError(f"[{self.SECTION}] {key} = {value!r} is not allowed: expected {allowed}")

    @classmethod
    def from_dict(cls, data: typing.Mapping[str, Any]) -> Any:
        """Build the section from a mapping of keys to values (unknown keys are errors)."""
        if not isinstance(data, typing.Mapping):
            raise ConfigError(f"[{cls.SECTION}] must be a table of keys, got {type(data).__name__}")
        names = [f.name for f in dataclasses.fields(cls)]
        for key in data:
            if key not in names:
                hint = difflib.get_close_matches(str(key), names, n=1)
                suggestion = f"; did you mean {hint[0]!r}?" if hint else ""
                raise ConfigError(f"[{cls.SECTION}] unknown key {key!r}{suggestion} (allowed keys: {', '.join(names)})")
        return cls(**data)

    def to_dict(self) -> dict[str, Any]:
        """Keys to plain values (tuples become lists); keys set to ``None`` are left out."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if value is None:
                continue
            out[f.name] = list(value) if isinstance(value, tuple) else value
        return out


@dataclass(frozen=True)
class GenomeConfig(_Section):
    """What a genome is: its inputs and outputs, start topology, node functions and attribute bounds."""

    SECTION: ClassVar[str] = "genome"

    num_inputs: int = option(2, "Number of input nodes (fixed for the run).", min=1)
    num_outputs: int = option(1, "Number of output nodes (fixed for the run).", min=1)
    hidden_layers: tuple[int, ...] = option(
        (), "Sizes of the hidden layers of the start topology, input side first.", min=1
    )
    initial_connection: str = option(
        "full",
        "Start topology. 'full': every layer fully connected to the next (inputs to outputs "
        "when there are no hidden layers); 'full_direct': every node also to every node of all "
        "later layers; 'partial' / 'partial_direct': each of those connections present with "
        "probability connection_fraction; 'fs_neat': one input, drawn per genome, connected to "
        "every output (FS-NEAT); 'fs_neat_hidden': that input connected to every hidden and "
        "output node; 'none': no connections.",
        choices=("full", "full_direct", "partial", "partial_direct", "fs_neat", "fs_neat_hidden", "none"),
    )
    connection_fraction: float = option(
        0.5, "Probability of each start connection with a 'partial' start topology.", min=0.0, max=1.0
    )
    connection_sampling: str = option(
        "independent",
        "How a 'partial' start topology draws its connections: 'independent': each one with "
        "probability connection_fraction; 'exact': round(connection_fraction x candidates) of them, "
        "drawn without replacement (neat-python's partial).",
        choices=("independent", "exact"),
    )
    initial_self_connections: bool = option(
        False,
        "With feed_forward = false: the 'full' and 'partial' start topologies also connect every "
        "hidden and output node to itself (as neat-python's do for recurrent genomes).",
    )
    feed_forward: bool = option(
        True, "If true the enabled connections never form a cycle; if false recurrent connections are allowed."
    )
    activation_default: str = option("neat_sigmoid", "Activation of new nodes: one of activation_options, or 'random'.")
    activation_options: tuple[str, ...] = option(("neat_sigmoid",), "Activations a node may have (and mutate among).")
    output_activation: str | None = option(
        None, "Activation of the output nodes at the start; omitted: activation_default."
    )
    aggregation_default: str = option("sum", "Aggregation of new nodes: one of aggregation_options, or 'random'.")
    aggregation_options: tuple[str, ...] = option(("sum",), "Aggregations a node may have.")
    weight_init_type: str = option(
        "gaussian",
        "Distribution of new weights: 'gaussian' N(mean, stdev), or 'uniform' on "
        "[mean - 2 stdev, mean + 2 stdev]; both clamped to [min, max].",
        choices=("gaussian", "uniform"),
    )
    weight_init_scaling: str = option(
        "none",
        "Scaling of the start topology's weights: 'none', or 'fan_in' to divide each by the square root of "
        "the number of start connections into its target node (LeCun-style; keeps deep layered nets in range).",
        choices=("none", "fan_in"),
    )
    weight_init_mean: float = option(0.0, "Mean of new connection weights.")
    weight_init_stdev: float = option(1.0, "Standard deviation of new connection weights.", min=0.0)
    weight_min: float = option(-30.0, "Smallest allowed connection weight.")
    weight_max: float = option(30.0, "Largest allowed connection weight.")
    bias_init_type: str = option(
        "gaussian", "Distribution of new biases (as weight_init_type).", choices=("gaussian", "uniform")
    )
    bias_init_mean: float = option(0.0, "Mean of new node biases.")
    bias_init_stdev: float = option(1.0, "Standard deviation of new node biases.", min=0.0)
    bias_min: float = option(-30.0, "Smallest allowed bias.")
    bias_max: float = option(30.0, "Largest allowed bias.")
    response_init_type: str = option(
        "gaussian", "Distribution of new responses (as weight_init_type).", choices=("gaussian", "uniform")
    )
    response_init_mean: float = option(1.0, "Mean of new node responses (the multiplier of the aggregated input).")
    response_init_stdev: float = option(0.0, "Standard deviation of new node responses.", min=0.0)
    response_min: float = option(-30.0, "Smallest allowed response.")
    response_max: float = option(30.0, "Largest allowed response.")

    def _check(self) -> None:
        for attr in ("weight", "bias", "response"):
            lo, hi = getattr(self, f"{attr}_min"), getattr(self, f"{attr}_max")
            for key in (f"{attr}_min", f"{attr}_max", f"{attr}_init_mean"):
                value = getattr(self, key)
                if not math.isfinite(value):
                    self._fail(key, value, "a finite number")
            if lo > hi:
                self._fail(f"{attr}_min", lo, f"a number <= {attr}_max ({hi})")
        for kind, registry in (("activation", ACTIVATIONS), ("aggregation", AGGREGATIONS)):
            options = getattr(self, f"{kind}_options")
            if not options:
                self._fail(f"{kind}_options", options, f"a non-empty list of {kind} names")
            if len(set(options)) != len(options):
                self._fail(f"{kind}_options", options, "a list without repeated names")
            for name in options:
                if name not in registry:
                    self._fail(f"{kind}_options", options, f"known {kind} names: {', '.join(sorted(registry))}")
            default = getattr(self, f"{kind}_default")
            if default != "random" and default not in options:
                self._fail(f"{kind}_default", default, f"one of {kind}_options {list(options)} or 'random'")
        if self.initial_self_connections and self.feed_forward:
            self._fail("initial_self_connections", True, "false when feed_forward = true (a self-loop is a cycle)")
        if self.output_activation is not None and self.output_activation not in self.activation_options:
            self._fail(
                "output_activation",
                self.output_activation,
                f"one of activation_options {list(self.activation_options)}",
            )

    @property
    def num_initial_hidden(self) -> int:
        """Number of hidden nodes in the start topology."""
        return sum(self.hidden_layers)

    @property
    def first_hidden_id(self) -> int:
        """Node id of the first hidden node: inputs are ``0..I-1``, outputs ``I..I+O-1``."""
        return self.num_inputs + self.num_outputs


@dataclass(frozen=True)
class MutationConfig(_Section):
    """How often and how strongly each mutation operator acts."""

    SECTION: ClassVar[str] = "mutation"

    conn_add_prob: float = option(0.05, "Probability that a child gains a new connection.", min=0.0, max=1.0)
    conn_delete_prob: float = option(0.0, "Probability that a child loses a random connection.", min=0.0, max=1.0)
    node_add_prob: float = option(
        0.03, "Probability that a child splits a connection with a new node.", min=0.0, max=1.0
    )
    node_delete_prob: float = option(
        0.0, "Probability that a child loses a hidden node and its connections.", min=0.0, max=1.0
    )
    single_structural_mutation: bool = option(
        False, "If true at most one structural mutation (add/delete node/connection) happens per child."
    )
    max_add_connection_attempts: int = option(
        20, "Random (source, target) pairs tried before add-connection gives up.", min=1
    )
    add_connection_reenables: bool = option(
        True,
        "When add-connection draws a pair whose connection exists but is disabled: true re-enables it; "
        "false leaves it (and tries another pair).",
    )
    add_node_fallback: bool = option(
        False, "When add-node finds no enabled connection to split: true adds a connection instead."
    )
    enabled_mutate_rate: float = option(
        0.0, "Per-connection probability that its enabled flag flips.", min=0.0, max=1.0
    )
    weight_mutate_prob: float = option(0.8, "Probability that a child's weights are mutated at all.", min=0.0, max=1.0)
    weight_perturb_rate: float = option(
        0.9, "Per-weight probability of a Gaussian perturbation (when weights are mutated).", min=0.0, max=1.0
    )
    weight_replace_rate: float = option(
        0.1, "Per-weight probability of a fresh random value (when weights are mutated).", min=0.0, max=1.0
    )
    weight_mutate_power: float = option(0.5, "Standard deviation of a weight perturbation.", min=0.0)
    bias_mutate_prob: float = option(0.8, "Probability that a child's biases are mutated at all.", min=0.0, max=1.0)
    bias_perturb_rate: float = option(0.7, "Per-node probability of a bias perturbation.", min=0.0, max=1.0)
    bias_replace_rate: float = option(0.1, "Per-node probability of a fresh random bias.", min=0.0, max=1.0)
    bias_mutate_power: float = option(0.5, "Standard deviation of a bias perturbation.", min=0.0)
    response_mutate_prob: float = option(
        0.0, "Probability that a child's responses are mutated at all.", min=0.0, max=1.0
    )
    response_perturb_rate: float = option(0.0, "Per-node probability of a response perturbation.", min=0.0, max=1.0)
    response_replace_rate: float = option(0.0, "Per-node probability of a fresh random response.", min=0.0, max=1.0)
    response_mutate_power: float = option(0.0, "Standard deviation of a response perturbation.", min=0.0)
    activation_mutate_rate: float = option(
        0.0, "Per-node probability of a new activation drawn from activation_options.", min=0.0, max=1.0
    )
    aggregation_mutate_rate: float = option(
        0.0, "Per-node probability of a new aggregation drawn from aggregation_options.", min=0.0, max=1.0
    )

    def _check(self) -> None:
        for attr in ("weight", "bias", "response"):
            total = getattr(self, f"{attr}_perturb_rate") + getattr(self, f"{attr}_replace_rate")
            if total > 1.0 + 1e-12:
                self._fail(
                    f"{attr}_replace_rate",
                    getattr(self, f"{attr}_replace_rate"),
                    f"a rate with {attr}_perturb_rate + {attr}_replace_rate <= 1",
                )


@dataclass(frozen=True)
class SpeciationConfig(_Section):
    """Compatibility distance and how species are formed."""

    SECTION: ClassVar[str] = "speciation"

    compatibility_threshold: float = option(
        3.0, "A genome joins a species whose representative is within this distance.", min=0.0, min_exclusive=True
    )
    excess_coefficient: float = option(1.0, "c1: weight of excess genes in the distance.", min=0.0)
    disjoint_coefficient: float = option(1.0, "c2: weight of disjoint genes in the distance.", min=0.0)
    weight_coefficient: float = option(
        0.4, "c3: weight of the mean absolute weight difference of matching genes.", min=0.0
    )
    node_disjoint_coefficient: float = option(
        0.0, "Weight of non-matching node genes (per node, normalized like connections).", min=0.0
    )
    node_attribute_coefficient: float = option(
        0.0,
        "Weight of the mean difference of matching node genes (|bias| + |response| differences, "
        "plus 1 for a different activation and 1 for a different aggregation).",
        min=0.0,
    )
    normalize_min_genes: int = option(
        20,
        "N (the normalizer of E and D) is 1 when both genomes have fewer genes than this; else the larger gene count.",
        min=0,
    )
    distance_formula: str = option(
        "neat",
        "'neat': the paper's c1 E/N + c2 D/N + c3 W with W the mean weight difference of matching genes, "
        "plus the node terms (node counts include inputs; the attribute term is a mean). 'neat_python': "
        "neat-python's genomic distance: (c1 E + c2 D + c3 sum over matching genes of (|weight "
        "difference| + 1 if their enabled flags differ)) / N, plus (node_disjoint_coefficient x "
        "non-matching nodes + node_attribute_coefficient x summed node attribute differences) / the "
        "larger count of non-input nodes.",
        choices=("neat", "neat_python"),
    )
    target_species: int = option(0, "If > 0, the threshold is steered each generation toward this many species.", min=0)
    threshold_adjust_step: float = option(
        0.3, "How much the threshold moves per generation when steering toward target_species.", min=0.0
    )
    threshold_min: float = option(0.1, "Lower bound of the steered threshold.", min=0.0, min_exclusive=True)


@dataclass(frozen=True)
class ReproductionConfig(_Section):
    """How species turn into offspring: elitism, selection, crossover."""

    SECTION: ClassVar[str] = "reproduction"

    elitism: int = option(1, "Champions of each large-enough species copied unchanged.", min=0)
    elitism_min_species_size: int = option(
        5, "A species needs more members than this for its champions to be copied (paper: 5).", min=0
    )
    survival_threshold: float = option(
        0.2, "Fraction of each species (best first) allowed to be parents.", min=0.0, max=1.0, min_exclusive=True
    )
    min_parents: int = option(
        1,
        "Fewest members of a species allowed to be parents (all of them when it has fewer); neat-python uses 2.",
        min=1,
    )
    min_species_size: int = option(2, "Fewest offspring a surviving species gets.", min=0)
    mutate_only_fraction: float = option(
        0.25, "Fraction of offspring made by mutation alone, without crossover (paper: 25%).", min=0.0, max=1.0
    )
    interspecies_mating_rate: float = option(
        0.001, "Probability that a crossover takes its second parent from another species.", min=0.0, max=1.0
    )
    disabled_inherit_prob: float = option(
        0.75, "Probability that a gene disabled in either parent is disabled in the child.", min=0.0, max=1.0
    )
    strategy: str = option(
        "neat",
        "How the next generation is made. 'neat': speciation, fitness sharing, elitism, crossover (the "
        "NEAT paper). 'truncation': the fixed-topology GA (Such et al.'s Deep GA): the best genome is "
        "kept unchanged and every other child is a mutated copy of one of the truncation_size best; no "
        "species, no crossover, no structural mutation (see neat.presets.fixed_topology_ga).",
        choices=("neat", "truncation"),
    )
    truncation_size: int = option(
        20, "With strategy = 'truncation': the number T of best genomes that are parents.", min=1
    )
    elite_candidates: int = option(
        0,
        "With strategy = 'truncation': if > 0, the elite is the best of the top K genomes re-evaluated by "
        "Population(elite_evaluate=...) (e.g. on extra episodes); 0: the elite is the best genome.",
        min=0,
    )
    compact_genomes: bool = option(
        False,
        "With strategy = 'truncation': every genome is also known by its ancestry of seeds "
        "(population.lineages), from which neat.compact rebuilds its weights bit for bit; each child is "
        "mutated by a generator seeded from its own seed.",
    )
    noise_table_size: int = option(
        0,
        "With strategy = 'truncation': if > 0, mutation noise is read from a shared table of this many "
        "standard normals (float32) at offsets each child draws, as in Such et al.'s Deep GA: mutating and "
        "rebuilding big genomes costs additions instead of fresh draws. It must hold a genome's weights. "
        "Needs every weight and bias perturbed (weight_/bias_mutate_prob 1, *_perturb_rate 1, *_replace_rate "
        "0) and responses not mutated. 0: fresh normals for every mutation.",
        min=0,
    )
    noise_table_seed: int = option(0, "Seed of the generator that draws the noise table.", min=0)


@dataclass(frozen=True)
class StagnationConfig(_Section):
    """When a species that stopped improving loses its offspring."""

    SECTION: ClassVar[str] = "stagnation"

    max_stagnation: int = option(15, "Generations without improvement after which a species gets no offspring.", min=1)
    species_elitism: int = option(2, "The best this-many species are never removed for stagnation.", min=0)
    species_fitness: str = option(
        "best",
        "A species' fitness, for stagnation and species_elitism: the 'best', 'worst', 'mean' or 'median' "
        "fitness of its members this generation.",
        choices=("best", "worst", "mean", "median"),
    )


@dataclass(frozen=True)
class RunConfig(_Section):
    """The run as a whole: population size, objective, termination, seed."""

    SECTION: ClassVar[str] = "run"

    population_size: int = option(150, "Number of genomes per generation.", min=2)
    objective: str = option("max", "'max' to maximise fitness, 'min' to minimise it.", choices=("max", "min"))
    fitness_threshold: float | None = option(
        None,
        "Stop once the fitness threshold_criterion names reaches this (>= for 'max', <= for 'min'); "
        "omitted: no threshold.",
    )
    threshold_criterion: str = option(
        "best",
        "What is compared with fitness_threshold: 'best' (the best fitness so far), or the 'worst' or "
        "'mean' fitness of the generation just evaluated.",
        choices=("best", "worst", "mean"),
    )
    max_generations: int | None = option(None, "Stop after this many generations; omitted: no limit.", min=1)
    seed: int | None = option(None, "Seed of the run's random generator; omitted: fresh entropy.", min=0)
    on_extinction: str = option(
        "restart",
        "When every species dies: 'restart' from fresh genomes or 'stop' with an ExtinctionError.",
        choices=("restart", "stop"),
    )
    invalid_fitness: str = option(
        "error",
        "A NaN or infinite fitness: 'error' raises EvaluationError naming the genomes; "
        "'worst' gives them the worst fitness of the generation and warns.",
        choices=("error", "worst"),
    )

    @property
    def minimize(self) -> bool:
        """True when lower fitness is better."""
        return self.objective == "min"


@dataclass(frozen=True)
class TaskConfig(_Section):
    """What ``python -m neat run`` evolves the genomes for (the library itself never reads this section).

    A ``dataset`` task scores a genome as rows x outputs minus the sum of
    squared errors of its outputs over the table (neat-python's XOR fitness,
    ``4 - SSE``, generalised: perfect = rows x outputs); a ``gym`` task by the
    reduced return of ``episodes`` episodes of ``env_id`` (``neat.GymEvaluator``).
    """

    SECTION: ClassVar[str] = "task"

    kind: str = option(
        "none", "'dataset', 'gym', or 'none' (no task: the config is used from Python).",
        choices=("none", "dataset", "gym"),
    )
    dataset: str | None = option(
        None,
        "With kind = 'dataset': a built-in table ('xor', 'and', 'or', 'nand', 'parity3') or the path of a CSV "
        "file (relative to the config file) whose rows are num_inputs inputs then num_outputs targets; a "
        "first row of column names is skipped.",
    )
    env_id: str | None = option(None, "With kind = 'gym': the gymnasium env id, e.g. 'CartPole-v1'.")
    episodes: int = option(5, "With kind = 'gym': episodes per genome and generation.", min=1)
    max_steps: int | None = option(None, "With kind = 'gym': cut episodes after this many steps; omitted: the env's limit.", min=1)
    reducer: str = option(
        "mean", "With kind = 'gym': how a genome's episode returns become its fitness.",
        choices=("mean", "median", "min", "max"),
    )
    test_episodes: int = option(100, "With kind = 'gym': fresh episodes the champion is tested on after the run.", min=0)

    def _check(self) -> None:
        if self.kind == "dataset" and not self.dataset:
            self._fail("dataset", self.dataset, "a built-in table name or a CSV path when kind = 'dataset'")
        if self.kind == "gym" and not self.env_id:
            self._fail("env_id", self.env_id, "a gymnasium env id when kind = 'gym'")


_SECTIONS: dict[str, type[_Section]] = {
    cls.SECTION: cls
    for cls in (GenomeConfig, MutationConfig, SpeciationConfig, ReproductionConfig, StagnationConfig, RunConfig,
                TaskConfig)
}


@dataclass(frozen=True)
class Config:
    """The whole configuration: one frozen section per concern.

    Build one from keyword sections (dicts or section objects), a dict of
    dicts, or TOML::

        Config(genome={"num_inputs": 2, "num_outputs": 1})
        Config.from_toml_file("xor.toml")
    """

    genome: GenomeConfig = field(default_factory=GenomeConfig)
    mutation: MutationConfig = field(default_factory=MutationConfig)
    speciation: SpeciationConfig = field(default_factory=SpeciationConfig)
    reproduction: ReproductionConfig = field(default_factory=ReproductionConfig)
    stagnation: StagnationConfig = field(default_factory=StagnationConfig)
    run: RunConfig = field(default_factory=RunConfig)
    task: TaskConfig = field(default_factory=TaskConfig)

    def __post_init__(self) -> None:
        for name, cls in _SECTIONS.items():
            value = getattr(self, name)
            if isinstance(value, typing.Mapping):
                object.__setattr__(self, name, cls.from_dict(value))
            elif not isinstance(value, cls):
                raise ConfigError(f"[{name}] must be a table of keys or a {cls.__name__}, got {type(value).__name__}")
        self._check_population_split()

    def _check_population_split(self) -> None:
        """Offspring counts must be able to honour the per-species minimum."""
        size = self.run.population_size
        minimum = self.reproduction.min_species_size
        if minimum > size:
            raise ConfigError(
                f"[reproduction] min_species_size = {minimum} is not allowed: it exceeds "
                f"[run] population_size = {size}"
            )
        if self.reproduction.strategy == "truncation":
            self._check_truncation()
        elif self.reproduction.compact_genomes:
            raise ConfigError(
                "[reproduction] compact_genomes = true is not allowed with strategy = \"neat\": compact genomes "
                "are for the fixed-topology GA (strategy = \"truncation\")"
            )
        elif self.reproduction.noise_table_size > 0:
            raise ConfigError(
                f"[reproduction] noise_table_size = {self.reproduction.noise_table_size} is not allowed with "
                "strategy = \"neat\": the noise table is for the fixed-topology GA (strategy = \"truncation\")"
            )
        target = self.speciation.target_species
        if target and target * minimum > size:
            raise ConfigError(
                f"[speciation] target_species = {target} is not allowed: {target} species x "
                f"[reproduction] min_species_size = {minimum} exceed [run] population_size = {size}"
            )

    def _check_truncation(self) -> None:
        """The fixed-topology GA has no structural change and needs a real mutation."""
        size, rc, mc = self.run.population_size, self.reproduction, self.mutation
        for key in ("truncation_size", "elite_candidates"):
            if getattr(rc, key) > size:
                raise ConfigError(
                    f"[reproduction] {key} = {getattr(rc, key)} is not allowed: it exceeds [run] population_size = {size}"
                )
        structural = ("conn_add_prob", "conn_delete_prob", "node_add_prob", "node_delete_prob",
                      "enabled_mutate_rate", "activation_mutate_rate", "aggregation_mutate_rate")
        for key in structural:
            if getattr(mc, key) != 0.0:
                raise ConfigError(
                    f"[mutation] {key} = {getattr(mc, key)} is not allowed with [reproduction] strategy = "
                    "\"truncation\" (the fixed-topology GA changes weights only): set it to 0"
                )
        if rc.noise_table_size > 0:
            self._check_noise_table()
        if mc.weight_mutate_power <= 0.0 or mc.weight_mutate_prob == 0.0:
            raise ConfigError(
                f"[mutation] weight_mutate_power = {mc.weight_mutate_power} is not allowed with [reproduction] "
                "strategy = \"truncation\": the GA's sigma must be > 0 (and weight_mutate_prob > 0)"
            )

    def _check_noise_table(self) -> None:
        """A noise table perturbs every weight and bias by sigma times its values, and nothing else."""
        mc = self.mutation
        required = {"weight_mutate_prob": 1.0, "weight_perturb_rate": 1.0, "weight_replace_rate": 0.0,
                    "bias_mutate_prob": 1.0, "bias_perturb_rate": 1.0, "bias_replace_rate": 0.0,
                    "response_mutate_prob": 0.0}
        for key, value in required.items():
            if getattr(mc, key) != value:
                raise ConfigError(
                    f"[mutation] {key} = {getattr(mc, key)} is not allowed with [reproduction] noise_table_size > 0 "
                    f"(the noise table perturbs every weight and bias, and nothing else): set it to {value:g}"
                )

    @classmethod
    def sections(cls) -> dict[str, type[_Section]]:
        """The section classes by section name."""
        return dict(_SECTIONS)

    @classmethod
    def from_dict(cls, data: typing.Mapping[str, Any]) -> Config:
        """Build a config from ``{section: {key: value}}``; missing keys take their defaults."""
        if not isinstance(data, typing.Mapping):
            raise ConfigError(f"a config must be a table of sections, got {type(data).__name__}")
        for name in data:
            if name not in _SECTIONS:
                hint = difflib.get_close_matches(str(name), list(_SECTIONS), n=1)
                suggestion = f"; did you mean [{hint[0]}]?" if hint else ""
                raise ConfigError(f"unknown section [{name}]{suggestion} (allowed sections: {', '.join(_SECTIONS)})")
        return cls(**{name: _SECTIONS[name].from_dict(values) for name, values in data.items()})

    def to_dict(self) -> dict[str, dict[str, Any]]:
        """``{section: {key: value}}`` with plain Python values (JSON- and TOML-ready)."""
        return {name: getattr(self, name).to_dict() for name in _SECTIONS}

    def replace(self, **sections: typing.Mapping[str, Any]) -> Config:
        """A copy with some keys changed: ``config.replace(genome={"num_inputs": 3})``."""
        changed = {}
        for name, values in sections.items():
            if name not in _SECTIONS:
                raise ConfigError(f"unknown section [{name}] (allowed sections: {', '.join(_SECTIONS)})")
            merged = {**getattr(self, name).to_dict(), **values}
            changed[name] = _SECTIONS[name].from_dict(merged)
        return dataclasses.replace(self, **changed)

    # --- TOML -------------------------------------------------------------
    @classmethod
    def from_toml(cls, text: str) -> Config:
        """Parse a config from TOML text."""
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"invalid TOML: {exc}") from None
        return cls.from_dict(data)

    @classmethod
    def from_toml_file(cls, path: str | PathLike[str]) -> Config:
        """Read a config from a TOML file."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"cannot read config file {str(path)!r}: {exc.strerror or exc}") from None
        try:
            return cls.from_toml(text)
        except ConfigError as exc:
            raise ConfigError(f"{path}: {exc}") from None

    def to_toml(self) -> str:
        """The config as TOML text; ``Config.from_toml(c.to_toml()) == c``."""
        lines: list[str] = []
        for name, values in self.to_dict().items():
            if name == "task" and self.task == TaskConfig():
                continue  # no task: the section only matters to the command line
            lines.append(f"[{name}]")
            lines.extend(f"{key} = {_toml_value(value)}" for key, value in values.items())
            lines.append("")
        return "\n".join(lines)

    def save_toml(self, path: str | PathLike[str]) -> None:
        """Write the config to a TOML file (atomically)."""
        from .io import atomic_write_text

        atomic_write_text(path, self.to_toml())

    # --- neat-python ------------------------------------------------------
    @classmethod
    def from_neat_python(cls, path: str | PathLike[str], *, unmapped: str = "error") -> Config:
        """Read a neat-python config file (its INI format) as it is.

        Every neat-python key maps to the keys of ours with the same effect
        (docs/neat_python.md).  A setting with no equivalent raises a
        ``ConfigError`` naming it, or with ``unmapped="warn"`` is left out
        with a ``neat.NeatPythonConfigWarning``.  See ``neat.neat_python``.
        """
        from .neat_python import read_neat_python

        return read_neat_python(path, unmapped=unmapped)[0]


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {value!r} as TOML")


def reference_markdown() -> str:
    """The configuration reference as Markdown, generated from the dataclasses.

    ``docs/config.md`` is this text; a test keeps the two identical.
    """
    lines = [
        "# Configuration reference",
        "",
        "<!-- generated by neat.config.reference_markdown(); do not edit by hand -->",
        "",
        "A config is a TOML file with one table per section. Every key is optional; a missing key",
        "takes its default (from the NEAT paper where the paper gives one). Unknown sections or keys,",
        "wrong types and out-of-range values are a `ConfigError` naming the section, key, value and",
        "what is allowed.",
        "",
        "```python",
        "config = neat.Config.from_toml_file(\"run.toml\")",
        "config.save_toml(\"copy.toml\")   # reads back equal",
        "```",
        "",
    ]
    for name, cls in _SECTIONS.items():
        hints = typing.get_type_hints(cls)
        lines += [f"## [{name}]", "", (cls.__doc__ or "").strip(), "", "| key | type | default | allowed | meaning |",
                  "| --- | --- | --- | --- | --- |"]
        for f in dataclasses.fields(cls):
            default = f.default
            shown = "omitted" if default is None else _toml_value(list(default) if isinstance(default, tuple) else default)
            allowed = _allowed(f, hints[f.name]).replace("|", "\\|")
            doc = f.metadata["doc"].replace("|", "\\|")
            lines.append(f"| `{f.name}` | {_type_name(hints[f.name])} | `{shown}` | {allowed} | {doc} |")
        lines.append("")
    return "\n".join(lines)
