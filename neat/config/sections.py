"""The config sections: one frozen dataclass per concern.

Every key is declared with its type, default (from the NEAT paper, Stanley &
Miikkulainen 2002, where the paper gives one), allowed range and meaning.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ..functions import ACTIVATIONS, AGGREGATIONS
from .options import Section, option
from .run_sections import BUILTIN_DATASET_NAMES, RunConfig, TaskConfig

__all__ = [
    "GenomeConfig",
    "MutationConfig",
    "SpeciationConfig",
    "ReproductionConfig",
    "StagnationConfig",
    "RunConfig",
    "TaskConfig",
    "SECTIONS",
    "BUILTIN_DATASET_NAMES",
]


@dataclass(frozen=True)
class GenomeConfig(Section):
    """What a genome is: its inputs and outputs, start topology, node functions and attribute bounds."""

    SECTION: ClassVar[str] = "genome"

    num_inputs: int = option(2, "Number of input nodes (fixed for the run).", range="[1, inf)")
    num_outputs: int = option(1, "Number of output nodes (fixed for the run).", range="[1, inf)")
    hidden_layers: tuple[int, ...] = option(
        (), "Sizes of the hidden layers of the start topology, input side first.", range="[1, inf)"
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
        0.5, "Probability of each start connection with a 'partial' start topology.", range="[0, 1]"
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
    weight_init_mean: float = option(0.0, "Mean of new connection weights.", range="(-inf, inf)")
    weight_init_stdev: float = option(1.0, "Standard deviation of new connection weights.", range="[0, inf)")
    weight_min: float = option(-30.0, "Smallest allowed connection weight.", range="(-inf, inf)")
    weight_max: float = option(30.0, "Largest allowed connection weight.", range="(-inf, inf)")
    bias_init_type: str = option(
        "gaussian", "Distribution of new biases (as weight_init_type).", choices=("gaussian", "uniform")
    )
    bias_init_mean: float = option(0.0, "Mean of new node biases.", range="(-inf, inf)")
    bias_init_stdev: float = option(1.0, "Standard deviation of new node biases.", range="[0, inf)")
    bias_min: float = option(-30.0, "Smallest allowed bias.", range="(-inf, inf)")
    bias_max: float = option(30.0, "Largest allowed bias.", range="(-inf, inf)")
    response_init_type: str = option(
        "gaussian", "Distribution of new responses (as weight_init_type).", choices=("gaussian", "uniform")
    )
    response_init_mean: float = option(
        1.0, "Mean of new node responses (the multiplier of the aggregated input).", range="(-inf, inf)"
    )
    response_init_stdev: float = option(0.0, "Standard deviation of new node responses.", range="[0, inf)")
    response_min: float = option(-30.0, "Smallest allowed response.", range="(-inf, inf)")
    response_max: float = option(30.0, "Largest allowed response.", range="(-inf, inf)")
    ctrnn: bool = option(False, "With feed_forward = false: compile continuous-time recurrent networks (CTRNN, "
                         "docs/recurrent.md): y += a (f(bias + response agg(w y)) - y) per step, a from dt/tau.")
    ctrnn_dt: float = option(0.01, "With ctrnn = true: the time step dt of one network call.", range="(0, inf)")
    ctrnn_integration: str = option("euler", "With ctrnn = true: a = dt/tau ('euler', forward Euler) or "
                                    "1 - exp(-dt/tau) ('exponential', neat-python 2.0).", choices=("euler", "exponential"))
    time_constant_init_type: str = option("gaussian", "Distribution of new time constants (as weight_init_type).",
                                          choices=("gaussian", "uniform"))
    time_constant_init_mean: float = option(1.0, "Mean of new node time constants tau (CTRNN).", range="(0, inf)")
    time_constant_init_stdev: float = option(0.0, "Standard deviation of new time constants (0: no draw, "
                                             "every node gets the clamped mean).", range="[0, inf)")
    time_constant_min: float = option(0.01, "Smallest allowed time constant.", range="(0, inf)")
    time_constant_max: float = option(10.0, "Largest allowed time constant.", range="(0, inf)")

    def _check(self) -> None:
        for attr in ("weight", "bias", "response", "time_constant"):
            lo, hi = getattr(self, f"{attr}_min"), getattr(self, f"{attr}_max")
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
        if self.ctrnn and self.feed_forward:
            self._fail("ctrnn", True, "false when feed_forward = true (a CTRNN is recurrent)")
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
class MutationConfig(Section):
    """How often and how strongly each mutation operator acts."""

    SECTION: ClassVar[str] = "mutation"

    conn_add_prob: float = option(0.05, "Probability that a child gains a new connection.", range="[0, 1]")
    conn_delete_prob: float = option(0.0, "Probability that a child loses a random connection.", range="[0, 1]")
    node_add_prob: float = option(
        0.03, "Probability that a child splits a connection with a new node.", range="[0, 1]"
    )
    node_delete_prob: float = option(
        0.0, "Probability that a child loses a hidden node and its connections.", range="[0, 1]"
    )
    single_structural_mutation: bool = option(
        False, "If true at most one structural mutation (add/delete node/connection) happens per child."
    )
    max_add_connection_attempts: int = option(
        20, "Random (source, target) pairs tried before add-connection gives up.", range="[1, inf)"
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
        0.0, "Per-connection probability that its enabled flag flips.", range="[0, 1]"
    )
    weight_mutate_prob: float = option(0.8, "Probability that a child's weights are mutated at all.", range="[0, 1]")
    weight_perturb_rate: float = option(
        0.9, "Per-weight probability of a Gaussian perturbation (when weights are mutated).", range="[0, 1]"
    )
    weight_replace_rate: float = option(
        0.1, "Per-weight probability of a fresh random value (when weights are mutated).", range="[0, 1]"
    )
    weight_mutate_power: float = option(0.5, "Standard deviation of a weight perturbation.", range="[0, inf)")
    bias_mutate_prob: float = option(0.8, "Probability that a child's biases are mutated at all.", range="[0, 1]")
    bias_perturb_rate: float = option(0.7, "Per-node probability of a bias perturbation.", range="[0, 1]")
    bias_replace_rate: float = option(0.1, "Per-node probability of a fresh random bias.", range="[0, 1]")
    bias_mutate_power: float = option(0.5, "Standard deviation of a bias perturbation.", range="[0, inf)")
    response_mutate_prob: float = option(
        0.0, "Probability that a child's responses are mutated at all.", range="[0, 1]"
    )
    response_perturb_rate: float = option(0.0, "Per-node probability of a response perturbation.", range="[0, 1]")
    response_replace_rate: float = option(0.0, "Per-node probability of a fresh random response.", range="[0, 1]")
    response_mutate_power: float = option(0.0, "Standard deviation of a response perturbation.", range="[0, inf)")
    time_constant_mutate_prob: float = option(0.0, "Probability that a child's time constants are mutated at all.",
                                              range="[0, 1]")
    time_constant_perturb_rate: float = option(0.0, "Per-node probability of a time constant perturbation.",
                                               range="[0, 1]")
    time_constant_replace_rate: float = option(0.0, "Per-node probability of a fresh time constant.", range="[0, 1]")
    time_constant_mutate_power: float = option(0.0, "Standard deviation of a time constant perturbation.",
                                               range="[0, inf)")
    activation_mutate_rate: float = option(
        0.0, "Per-node probability of a new activation drawn from activation_options.", range="[0, 1]"
    )
    aggregation_mutate_rate: float = option(
        0.0, "Per-node probability of a new aggregation drawn from aggregation_options.", range="[0, 1]"
    )

    def _check(self) -> None:
        for attr in ("weight", "bias", "response", "time_constant"):
            total = getattr(self, f"{attr}_perturb_rate") + getattr(self, f"{attr}_replace_rate")
            if total > 1.0 + 1e-12:
                self._fail(
                    f"{attr}_replace_rate",
                    getattr(self, f"{attr}_replace_rate"),
                    f"a rate with {attr}_perturb_rate + {attr}_replace_rate <= 1",
                )


@dataclass(frozen=True)
class SpeciationConfig(Section):
    """Compatibility distance and how species are formed."""

    SECTION: ClassVar[str] = "speciation"

    compatibility_threshold: float = option(
        3.0, "A genome joins a species whose representative is within this distance.", range="(0, inf)"
    )
    excess_coefficient: float = option(1.0, "c1: weight of excess genes in the distance.", range="[0, inf)")
    disjoint_coefficient: float = option(1.0, "c2: weight of disjoint genes in the distance.", range="[0, inf)")
    weight_coefficient: float = option(
        0.4, "c3: weight of the mean absolute weight difference of matching genes.", range="[0, inf)"
    )
    node_disjoint_coefficient: float = option(
        0.0, "Weight of non-matching node genes (per node, normalized like connections).", range="[0, inf)"
    )
    node_attribute_coefficient: float = option(
        0.0,
        "Weight of the mean difference of matching node genes (|bias| + |response| + |time_constant| differences, "
        "plus 1 for a different activation and 1 for a different aggregation).",
        range="[0, inf)",
    )
    normalize_min_genes: int = option(
        20,
        "N (the normalizer of E and D) is 1 when both genomes have fewer genes than this; else the larger gene count.",
        range="[0, inf)",
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
    target_species: int = option(
        0,
        "If > 0, the threshold is steered each generation toward this many species (see threshold_adjust); "
        "0: compatibility_threshold stays fixed.",
        range="[0, inf)",
    )
    threshold_adjust: str = option(
        "adaptive",
        "How the threshold is steered toward target_species. 'adaptive': it is multiplied by (1 + s) when "
        "there are too many species and divided by (1 + s) when too few; the relative step s starts at "
        "threshold_step_initial, grows by threshold_step_grow while the count stays on the same side of the "
        "target, shrinks by threshold_step_shrink when the count crosses it (Rprop), stays within "
        "[threshold_step_min, threshold_step_max], and the threshold stays put when the count equals the "
        "target. 'fixed': it moves by threshold_adjust_step every generation the count differs from the "
        "target (neat-python forks' threshold_adjust_rate); it oscillates when the distances cluster "
        "within a few steps.",
        choices=("adaptive", "fixed"),
    )
    threshold_adjust_step: float = option(
        0.3,
        "With threshold_adjust = 'fixed': the distance the threshold moves per generation (in the units of "
        "compatibility_threshold).",
        range="[0, inf)",
    )
    threshold_step_initial: float = option(
        0.1,
        "With threshold_adjust = 'adaptive': the first relative step s (0.1: the threshold moves by 10%); "
        "in [threshold_step_min, threshold_step_max].",
        range="(0, 10]",
    )
    threshold_step_min: float = option(
        0.01,
        "With threshold_adjust = 'adaptive': the smallest relative step (it keeps the threshold able to "
        "follow a drifting population after the step has shrunk); in (0, threshold_step_max].",
        range="(0, 10]",
    )
    threshold_step_max: float = option(
        0.5,
        "With threshold_adjust = 'adaptive': the largest relative step (0.5: the threshold changes by at "
        "most a factor 1.5 per generation); in [threshold_step_min, 10].",
        range="(0, 10]",
    )
    threshold_step_grow: float = option(
        1.2,
        "With threshold_adjust = 'adaptive': the factor the relative step is multiplied by while the species "
        "count stays on the same side of the target; in [1, 10] (1: the step never grows).",
        range="[1, 10]",
    )
    threshold_step_shrink: float = option(
        0.5,
        "With threshold_adjust = 'adaptive': the factor the relative step is multiplied by when the species "
        "count crosses the target; in (0, 1] (1: the step never shrinks).",
        range="(0, 1]",
    )
    threshold_min: float = option(0.1, "Lower bound of the steered threshold.", range="(0, inf)")

    def _check(self) -> None:
        if self.threshold_step_min > self.threshold_step_max:
            self._fail(
                "threshold_step_min", self.threshold_step_min, f"a number <= threshold_step_max ({self.threshold_step_max})"
            )
        if not self.threshold_step_min <= self.threshold_step_initial <= self.threshold_step_max:
            self._fail(
                "threshold_step_initial",
                self.threshold_step_initial,
                f"a number in [threshold_step_min, threshold_step_max] = "
                f"[{self.threshold_step_min}, {self.threshold_step_max}]",
            )


@dataclass(frozen=True)
class ReproductionConfig(Section):
    """How species turn into offspring: elitism, selection, crossover."""

    SECTION: ClassVar[str] = "reproduction"

    elitism: int = option(1, "Champions of each large-enough species copied unchanged.", range="[0, inf)")
    elitism_min_species_size: int = option(
        5, "A species needs more members than this for its champions to be copied (paper: 5).", range="[0, inf)"
    )
    survival_threshold: float = option(
        0.2, "Fraction of each species (best first) allowed to be parents.", range="(0, 1]"
    )
    min_parents: int = option(
        1,
        "Fewest members of a species allowed to be parents (all of them when it has fewer); neat-python uses 2.",
        range="[1, inf)",
    )
    min_species_size: int = option(2, "Fewest offspring a surviving species gets.", range="[0, inf)")
    mutate_only_fraction: float = option(
        0.25, "Fraction of offspring made by mutation alone, without crossover (paper: 25%).", range="[0, 1]"
    )
    interspecies_mating_rate: float = option(
        0.001, "Probability that a crossover takes its second parent from another species.", range="[0, 1]"
    )
    disabled_inherit_prob: float = option(
        0.75, "Probability that a gene disabled in either parent is disabled in the child.", range="[0, 1]"
    )
    strategy: str = option(
        "neat",
        "How the next generation is made. 'neat': speciation, fitness sharing, elitism, crossover (the "
        "NEAT paper). 'truncation': the fixed-topology GA (Such et al.'s Deep GA): the best genome is "
        "kept unchanged and every other child is a mutated copy of one of the truncation_size best; no "
        "species, no crossover, no structural mutation (see neat.evolution.presets.fixed_topology_ga).",
        choices=("neat", "truncation"),
    )
    truncation_size: int = option(
        20, "With strategy = 'truncation': the number T of best genomes that are parents.", range="[1, inf)"
    )
    elite_candidates: int = option(
        0,
        "With strategy = 'truncation': if > 0, the elite is the best of the top K genomes re-evaluated by "
        "Population(elite_evaluate=...) (e.g. on extra episodes); 0: the elite is the best genome.",
        range="[0, inf)",
    )
    compact_genomes: bool = option(
        False,
        "With strategy = 'truncation': every genome is also known by its ancestry of seeds "
        "(population.lineages), from which neat.evolution.compact rebuilds its weights bit for bit; each child is "
        "mutated by a generator seeded from its own seed.",
    )
    noise_table_size: int = option(
        0,
        "With strategy = 'truncation': if > 0, mutation noise is read from a shared table of this many "
        "standard normals (float32) at offsets each child draws, as in Such et al.'s Deep GA: mutating and "
        "rebuilding big genomes costs additions instead of fresh draws. It must hold a genome's weights. "
        "Needs every weight and bias perturbed (weight_/bias_mutate_prob 1, *_perturb_rate 1, *_replace_rate "
        "0) and responses not mutated. 0: fresh normals for every mutation. At most 2**30 (a 4 GiB table).",
        range="[0, 1073741824]",
    )
    noise_table_seed: int = option(0, "Seed of the generator that draws the noise table.", range="[0, inf)")
    complexity_regulation: str = option("none", "SharpNEAT's phased search (docs/complexity.md). 'absolute': when the "
        "mean complexity exceeds complexity_ceiling, reproduction switches to a simplifying phase (deletions only, "
        "mutated copies only, no crossover); 'relative': when it exceeds the mean at the end of the last simplifying "
        "phase (at first: generation 0's) plus complexity_ceiling. The phase goes back to complexifying once it has "
        "lasted min_simplify_generations, the mean is under the ceiling and its moving average over complexity_window "
        "generations stopped falling. 'none': no regulation.", choices=("none", "absolute", "relative"))
    complexity_ceiling: float = option(30.0, "With complexity_regulation: the ceiling of the mean complexity "
                                       "('absolute') or its margin above the last simplified mean ('relative').",
                                       range="(0, inf)")
    complexity_metric: str = option("connections", "A genome's complexity: its enabled 'connections', or its "
                                    "'genes' (connection genes, enabled or not, plus hidden nodes).",
                                    choices=("connections", "genes"))
    min_simplify_generations: int = option(10, "Fewest generations of a simplifying phase.", range="[1, inf)")
    complexity_window: int = option(5, "Generations of the moving average of the mean complexity that ends a "
                                    "simplifying phase when it stops falling (over the phase's generations only).",
                                    range="[1, inf)")
    simplify_conn_delete_prob: float = option(0.3, "conn_delete_prob of the simplifying phase.", range="[0, 1]")
    simplify_node_delete_prob: float = option(0.1, "node_delete_prob of the simplifying phase.", range="[0, 1]")

    def _check(self) -> None:
        if self.complexity_regulation != "none" and self.strategy != "neat":
            self._fail("complexity_regulation", self.complexity_regulation, "'none' with strategy = 'truncation' "
                       "(the fixed-topology GA never changes structure)")
        if self.complexity_regulation != "none" and not (self.simplify_conn_delete_prob or self.simplify_node_delete_prob):
            self._fail("simplify_conn_delete_prob", 0.0, "a probability > 0 (or simplify_node_delete_prob > 0) with "
                       "complexity regulation: a simplifying phase must be able to delete")


@dataclass(frozen=True)
class StagnationConfig(Section):
    """When a species that stopped improving loses its offspring."""

    SECTION: ClassVar[str] = "stagnation"

    max_stagnation: int = option(
        15, "Generations without improvement after which a species gets no offspring.", range="[1, inf)"
    )
    species_elitism: int = option(2, "The best this-many species are never removed for stagnation.", range="[0, inf)")
    species_fitness: str = option(
        "best",
        "A species' fitness, for stagnation and species_elitism: the 'best', 'worst', 'mean' or 'median' "
        "fitness of its members this generation.",
        choices=("best", "worst", "mean", "median"),
    )


SECTIONS: dict[str, type[Section]] = {
    cls.SECTION: cls
    for cls in (GenomeConfig, MutationConfig, SpeciationConfig, ReproductionConfig, StagnationConfig, RunConfig,
                TaskConfig)
}
