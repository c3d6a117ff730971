"""Start topologies: the genomes a run begins from.

``initial_connection`` (see ``GenomeConfig``) chooses among the start
topologies NEAT users know: inputs fully connected to outputs, no
connections, a random fraction of them, one random input connected to the
outputs (FS-NEAT), or full through given hidden layers (what the
fixed-topology GA starts from).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..config import Config, GenomeConfig
from .attributes import clamp_attribute, default_function_codes, sample_attribute
from .genes import ConnectionGenes, NodeGenes, NodeKind, default_time_constant, genome_config_of
from .genome import Genome
from .innovation import InnovationTracker

__all__ = ["layer_node_ids", "start_connections", "fan_in_scale", "StartStructure", "start_structure", "new_genome", "new_genomes"]


def layer_node_ids(config: GenomeConfig) -> list[np.ndarray]:
    """Node ids of each layer of the start topology: inputs, hidden layers, outputs.

    Returns
    -------
    list of (layer_size,) int64
    """
    layers = [np.arange(config.num_inputs, dtype=np.int64)]
    next_id = config.first_hidden_id
    for size in config.hidden_layers:
        layers.append(np.arange(next_id, next_id + size, dtype=np.int64))
        next_id += size
    layers.append(np.arange(config.num_inputs, config.first_hidden_id, dtype=np.int64))
    return layers


def start_connections(config: GenomeConfig) -> tuple[np.ndarray, np.ndarray]:
    """All candidate start connections, in the canonical order innovations are assigned.

    For ``fs_neat`` / ``fs_neat_hidden`` these are the connections from
    every input; each genome keeps those of one input.  With
    ``initial_self_connections`` the ``full`` and ``partial`` forms end
    with a self-loop of every hidden and output node.

    Returns
    -------
    src, dst : (m,) int64
    """
    mode = config.initial_connection
    if mode == "none":
        empty = np.empty(0, dtype=np.int64)
        return empty, empty
    layers = layer_node_ids(config)
    inputs, others = layers[0], np.concatenate(layers[1:])
    if mode.startswith("fs_neat"):
        targets = others if mode == "fs_neat_hidden" else layers[-1]
        return np.repeat(inputs, len(targets)), np.tile(targets, len(inputs))
    direct = mode.endswith("_direct")
    src_parts, dst_parts = [], []
    for i in range(len(layers) - 1):
        targets = np.concatenate(layers[i + 1 :]) if direct else layers[i + 1]
        src_parts.append(np.repeat(layers[i], len(targets)))
        dst_parts.append(np.tile(targets, len(layers[i])))
    if config.initial_self_connections:
        loops = np.sort(others)
        src_parts.append(loops)
        dst_parts.append(loops)
    return np.concatenate(src_parts), np.concatenate(dst_parts)


def _start_mask(config: GenomeConfig, src: np.ndarray, rng: np.random.Generator) -> np.ndarray | None:
    """Which candidate connections one start genome keeps (None: all of them)."""
    mode = config.initial_connection
    if mode.startswith("fs_neat"):
        return src == rng.integers(config.num_inputs)
    if not mode.startswith("partial"):
        return None
    n = len(src)
    if config.connection_sampling == "exact":
        keep = np.zeros(n, dtype=bool)
        keep[rng.choice(n, size=int(round(n * config.connection_fraction)), replace=False)] = True
        return keep
    return rng.random(n) < config.connection_fraction


def fan_in_scale(dst: np.ndarray) -> np.ndarray:
    """``1 / sqrt(fan-in)`` of each connection's target node, the fan-in counted over ``dst``.

    Returns
    -------
    (m,) float64
    """
    _, inverse, counts = np.unique(dst, return_inverse=True, return_counts=True)
    return 1.0 / np.sqrt(counts[inverse])


def _start_nodes(config: GenomeConfig, rng: np.random.Generator) -> NodeGenes:
    n_in, n_out, n_hidden = config.num_inputs, config.num_outputs, config.num_initial_hidden
    n = n_in + n_out + n_hidden
    kind = np.full(n, NodeKind.HIDDEN, dtype=np.int8)
    kind[:n_in] = NodeKind.INPUT
    kind[n_in : n_in + n_out] = NodeKind.OUTPUT
    bias = np.zeros(n)
    bias[n_in:] = sample_attribute(rng, config, "bias", n - n_in)
    response = np.ones(n)
    response[n_in:] = sample_attribute(rng, config, "response", n - n_in)
    activation = np.zeros(n, dtype=np.int16)
    activation[n_in:] = default_function_codes(rng, config, "activation", n - n_in)
    if config.output_activation is not None:
        activation[n_in : n_in + n_out] = config.activation_options.index(config.output_activation)
    aggregation = np.zeros(n, dtype=np.int16)
    aggregation[n_in:] = default_function_codes(rng, config, "aggregation", n - n_in)
    time_constant = np.full(n, default_time_constant(config))
    if config.time_constant_init_stdev > 0.0:  # no draw otherwise: runs without CTRNNs keep their random streams
        time_constant[n_in:] = sample_attribute(rng, config, "time_constant", n - n_in)
    return NodeGenes(np.arange(n, dtype=np.int64), kind, bias, response, activation, aggregation, time_constant)


class StartStructure(NamedTuple):
    """The start topology's connections, registered with a tracker: every start genome shares them.

    Attributes
    ----------
    innovation, src, dst : (m,) int64
        Sorted by innovation number.
    scale : (m,) float64 or None
        The start weights' factors with ``weight_init_scaling = "fan_in"``.
    """

    innovation: np.ndarray
    src: np.ndarray
    dst: np.ndarray
    scale: np.ndarray | None


def start_structure(config: Config | GenomeConfig, tracker: InnovationTracker) -> StartStructure:
    """Register the start topology's candidate connections with ``tracker`` (once per run is enough)."""
    cfg = genome_config_of(config)
    src, dst = start_connections(cfg)
    order = np.argsort(innovations := tracker.innovations(src, dst), kind="stable")
    src, dst, innovations = src[order], dst[order], innovations[order]
    return StartStructure(innovations, src, dst, fan_in_scale(dst) if cfg.weight_init_scaling == "fan_in" else None)


def new_genomes(
    config: Config | GenomeConfig,
    tracker: InnovationTracker,
    rng: np.random.Generator,
    count: int,
    *,
    structure: StartStructure | None = None,
) -> list[Genome]:
    """``count`` start genomes with fresh random attributes.

    The candidate connections and their innovation numbers are registered
    with ``tracker`` once, so every genome shares them; pass the
    ``structure`` of ``start_structure(config, tracker)`` to skip even that.
    """
    cfg = genome_config_of(config)
    innovations, src, dst, scale = structure if structure is not None else start_structure(cfg, tracker)
    # Genomes are immutable, so every full-topology genome shares one copy of
    # the structure arrays: a genome then costs little more than its weights.
    enabled = np.ones(len(src), dtype=bool)
    genomes = []
    for _ in range(count):
        nodes = _start_nodes(cfg, rng)
        weights = sample_attribute(rng, cfg, "weight", len(src))
        if scale is not None:
            weights = clamp_attribute(cfg, "weight", weights * scale)
        keep = _start_mask(cfg, src, rng)
        if keep is not None:
            conns = ConnectionGenes(innovations[keep], src[keep], dst[keep], weights[keep], enabled[keep])
        else:
            conns = ConnectionGenes(innovations, src, dst, weights, enabled)
        genomes.append(Genome._trusted(cfg, nodes, conns))
    return genomes


def new_genome(config: Config | GenomeConfig, tracker: InnovationTracker, rng: np.random.Generator) -> Genome:
    """One start genome (see ``new_genomes``)."""
    return new_genomes(config, tracker, rng, 1)[0]
