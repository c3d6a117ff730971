"""Drawing fresh values for gene attributes (weights, biases, responses, node functions)."""

from __future__ import annotations

import numpy as np

from ..config import GenomeConfig

__all__ = ["sample_attribute", "clamp_attribute", "default_function_codes"]


def sample_attribute(rng: np.random.Generator, config: GenomeConfig, attribute: str, n: int) -> np.ndarray:
    """``n`` fresh values of ``attribute`` (``"weight"``, ``"bias"`` or ``"response"``).

    Drawn from the configured init distribution and clamped to the bounds.

    Returns
    -------
    (n,) float64
    """
    mean = getattr(config, f"{attribute}_init_mean")
    stdev = getattr(config, f"{attribute}_init_stdev")
    if getattr(config, f"{attribute}_init_type") == "gaussian":
        values = rng.standard_normal(n)
        values *= stdev
        values += mean
    else:
        values = rng.uniform(mean - 2.0 * stdev, mean + 2.0 * stdev, size=n)
    return clamp_attribute(config, attribute, values)


def clamp_attribute(config: GenomeConfig, attribute: str, values: np.ndarray) -> np.ndarray:
    """Clamp ``values`` in place to ``[<attribute>_min, <attribute>_max]`` and return them."""
    return np.clip(values, getattr(config, f"{attribute}_min"), getattr(config, f"{attribute}_max"), out=values)


def default_function_codes(rng: np.random.Generator, config: GenomeConfig, function: str, n: int) -> np.ndarray:
    """Codes of the default ``function`` (``"activation"``/``"aggregation"``) for ``n`` new nodes.

    A default of ``"random"`` draws each node's function uniformly from the options.

    Returns
    -------
    (n,) int16
    """
    options = getattr(config, f"{function}_options")
    default = getattr(config, f"{function}_default")
    if default == "random":
        return rng.integers(len(options), size=n).astype(np.int16)
    return np.full(n, options.index(default), dtype=np.int16)
