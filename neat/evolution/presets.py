"""Ready-made configurations.

``cppn_config`` is NEAT evolving CPPNs (compositional pattern-producing
networks) for HyperNEAT (``neat.nn.hyperneat``) or pattern pictures: each
new node draws its activation from the CPPN functions (sine, cosine,
Gaussian, bipolar sigmoid, tanh, absolute value, identity) and mutates among
them.

``fixed_topology_ga`` is the fixed-topology, weight-only genetic algorithm
(the NumPy CartPole GA; Such et al.'s Deep GA) as a configuration of the
same engine: a fully connected layered start topology, no structural
mutation, no crossover, no species, truncation selection of the best T, a
Gaussian mutation of every weight and bias, the elite kept unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..config import Config

__all__ = ["fixed_topology_ga", "cppn_config", "CPPN_ACTIVATIONS"]

CPPN_ACTIVATIONS: tuple[str, ...] = ("sin", "cos", "gauss", "bipolar_sigmoid", "tanh", "abs", "identity")
"""The node functions ``cppn_config`` offers by default: periodic (sin, cos), symmetric (gauss, abs),
bounded and signed (bipolar_sigmoid, tanh), and linear (identity)."""


def fixed_topology_ga(
    num_inputs: int,
    num_outputs: int,
    hidden_layers: Sequence[int] = (16,),
    *,
    hidden_activation: str = "relu",
    output_activation: str = "identity",
    population_size: int = 64,
    truncation_size: int = 1,
    sigma: float = 0.1,
    elite_candidates: int = 0,
    compact: bool = False,
    noise_table_size: int = 0,
    weight_init_stdev: float = 1.0,
    weight_init_scaling: str = "none",
    bias_init_stdev: float = 0.0,
    seed: int | None = None,
    **sections: Mapping[str, Any],
) -> Config:
    """The fixed-topology GA as a ``Config``.

    Parameters
    ----------
    hidden_layers
        Sizes of the hidden layers; every layer fully connected to the next.
    truncation_size
        T: the number of best genomes that are parents.  1 (the default) is
        the NumPy CartPole GA, where every child is a mutated copy of the
        best; the Deep GA uses e.g. T = 20 of 1,000.
    sigma
        Standard deviation of the Gaussian added to every weight and bias.
    elite_candidates
        K > 0: the elite is the best of the top K re-scored by
        ``Population(elite_evaluate=...)`` (the Deep GA re-evaluates the top
        10 on 30 extra episodes).
    noise_table_size
        N > 0: read the mutation noise from a shared table of N standard
        normals (``neat.evolution.noise.NoiseTable``, the Deep GA's trick): for big
        genomes, mutation and compact rebuilds cost additions, not draws.
        N must be at least the genome's number of weights.
    weight_init_stdev, weight_init_scaling, bias_init_stdev
        The start weights are N(0, weight_init_stdev), divided by the square
        root of their target node's fan-in with ``weight_init_scaling =
        "fan_in"`` (advised for wide or deep nets, as in the Deep GA); the
        biases start as N(0, bias_init_stdev), zero by default as in the usual
        initialisation of layered networks.
    compact
        Track every genome's lineage of seeds (``population.lineages``),
        from which ``neat.evolution.compact.CompactDecoder`` rebuilds it bit for bit.
    sections
        More keys, by section, e.g. ``run={"max_generations": 50}``; they
        override the preset's.

    Examples
    --------
    The NumPy CartPole GA (4-16-2, ReLU hidden, population 64, sigma 0.1):

    >>> config = fixed_topology_ga(4, 2, (16,), population_size=64, sigma=0.1)
    """
    options = tuple(dict.fromkeys((hidden_activation, output_activation)))
    preset: dict[str, dict[str, Any]] = {
        "genome": {
            "num_inputs": num_inputs,
            "num_outputs": num_outputs,
            "hidden_layers": tuple(hidden_layers),
            "initial_connection": "full",
            "activation_default": hidden_activation,
            "activation_options": options,
            "output_activation": output_activation,
            "weight_init_stdev": weight_init_stdev,
            "weight_init_scaling": weight_init_scaling,
            "weight_min": -1e6,
            "weight_max": 1e6,
            "bias_init_stdev": bias_init_stdev,
            "bias_min": -1e6,
            "bias_max": 1e6,
        },
        "mutation": {
            "conn_add_prob": 0.0,
            "conn_delete_prob": 0.0,
            "node_add_prob": 0.0,
            "node_delete_prob": 0.0,
            "enabled_mutate_rate": 0.0,
            "activation_mutate_rate": 0.0,
            "aggregation_mutate_rate": 0.0,
            "weight_mutate_prob": 1.0,
            "weight_perturb_rate": 1.0,
            "weight_replace_rate": 0.0,
            "weight_mutate_power": sigma,
            "bias_mutate_prob": 1.0,
            "bias_perturb_rate": 1.0,
            "bias_replace_rate": 0.0,
            "bias_mutate_power": sigma,
            "response_mutate_prob": 0.0,
            "time_constant_mutate_prob": 0.0,
        },
        "reproduction": {
            "strategy": "truncation",
            "truncation_size": truncation_size,
            "elite_candidates": elite_candidates,
            "compact_genomes": compact,
            "noise_table_size": noise_table_size,
        },
        "run": {"population_size": population_size, **({"seed": seed} if seed is not None else {})},
    }
    for name, values in sections.items():
        preset[name] = {**preset.get(name, {}), **dict(values)}
    return Config.from_dict(preset)


def cppn_config(
    num_inputs: int,
    num_outputs: int,
    *,
    activations: Sequence[str] = CPPN_ACTIVATIONS,
    output_activation: str = "tanh",
    activation_mutate_rate: float = 0.1,
    population_size: int = 150,
    seed: int | None = None,
    **sections: Mapping[str, Any],
) -> Config:
    """NEAT evolving CPPNs, as a ``Config``.

    The genomes are feed-forward networks that start with every input
    connected to every output and no hidden node.  Every hidden node gets an
    activation drawn at random from ``activations`` when it is created, and
    each node's activation is redrawn with probability
    ``activation_mutate_rate`` per child (``[mutation]
    activation_mutate_rate``), so evolution composes the functions.  The
    outputs start with ``output_activation`` (tanh: a signed value in
    [-1, 1], what a HyperNEAT weight, LEO or bias output expects; the outputs
    may mutate to other functions too).  Structural mutation adds
    connections (probability 0.1 per child) and nodes (0.05); the rest is
    the library's NEAT defaults.

    Parameters
    ----------
    num_inputs, num_outputs
        For HyperNEAT: ``substrate.cppn_inputs`` and ``substrate.cppn_outputs``
        (e.g. 5 and 1: x1, y1, x2, y2, d -> weight).  For a picture: e.g. 3
        (x, y, d) and 1 or 3 (grey or RGB).
    activations
        Names of the node functions nodes draw from (registered activations);
        ``output_activation`` is added when missing.
    output_activation
        The outputs' activation at the start.
    activation_mutate_rate
        Per-node probability of a new activation in a child.
    population_size, seed
        ``[run] population_size`` and ``seed``.
    sections
        More keys, by section, e.g. ``mutation={"node_add_prob": 0.1}`` or
        ``run={"max_generations": 300}``; they override the preset's.

    Examples
    --------
    A CPPN for an 11 x 11 -> 11 x 11 substrate:

    >>> from neat.nn import Substrate, grid
    >>> substrate = Substrate(grid(11, 11), grid(11, 11))
    >>> config = cppn_config(substrate.cppn_inputs, substrate.cppn_outputs, seed=1)
    >>> config.genome.num_inputs, config.genome.activation_default
    (5, 'random')
    """
    options = tuple(dict.fromkeys((*activations, output_activation)))
    preset: dict[str, dict[str, Any]] = {
        "genome": {
            "num_inputs": num_inputs,
            "num_outputs": num_outputs,
            "hidden_layers": (),
            "initial_connection": "full",
            "feed_forward": True,
            "activation_default": "random",
            "activation_options": options,
            "output_activation": output_activation,
        },
        "mutation": {
            "conn_add_prob": 0.1,
            "node_add_prob": 0.05,
            "activation_mutate_rate": activation_mutate_rate,
        },
        "run": {"population_size": population_size, **({"seed": seed} if seed is not None else {})},
    }
    for name, values in sections.items():
        preset[name] = {**preset.get(name, {}), **dict(values)}
    return Config.from_dict(preset)
