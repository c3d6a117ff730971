"""Gymnasium spaces as network inputs and outputs.

Observations become network inputs as: ``Box`` flattened, ``Discrete(n)``
one-hot (``n`` inputs), ``MultiBinary`` as 0/1 values; then optionally
normalized (``observation_normalization``).

Actions from the outputs ``o`` of a network (``u = squash(o)`` in [-1, 1]):

- ``Discrete(n, start)``, ``n`` outputs: ``start + argmax(o)``;
- ``Box(low, high, shape)``, ``prod(shape)`` outputs: ``low + (u + 1) / 2 * (high - low)``;
  a dimension with an infinite bound takes ``o`` itself, clipped to the bounds;
- ``MultiBinary(shape)``, ``prod(shape)`` outputs: ``u > 0`` (``o`` above the middle
  of the output range);
- ``MultiDiscrete(nvec, start)``, ``sum(nvec)`` outputs: ``start[i] + argmax`` within
  the ``i``-th group of ``nvec[i]`` consecutive outputs.

``squash`` rescales linearly when the output activation is bounded (a sigmoid:
``(0, 1)``, so ``u = 2 o - 1``; ``tanh``: ``u = o``) and is ``tanh`` otherwise
(``identity``, ``relu``, ...).  See ``output_range_of``.

``gymnasium`` is imported inside the functions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ...errors import ConfigError

__all__ = [
    "OUTPUT_RANGES",
    "action_size",
    "actions_converter",
    "actions_from_outputs",
    "check_output_range",
    "genome_shape",
    "observation_normalization",
    "observation_size",
    "observations_to_inputs",
    "inputs_converter",
    "output_range_of",
]

"""Named reducers of a genome's episode returns, applied along the episode axis."""

OUTPUT_RANGES: dict[str, tuple[float, float]] = {
    "neat_sigmoid": (0.0, 1.0),
    "sigmoid": (0.0, 1.0),
    "neat_python_sigmoid": (0.0, 1.0),
    "gauss": (0.0, 1.0),
    "step": (0.0, 1.0),
    "tanh": (-1.0, 1.0),
    "clamped": (-1.0, 1.0),
    "sin": (-1.0, 1.0),
    "neat_python_tanh": (-1.0, 1.0),
    "neat_python_sin": (-1.0, 1.0),
    "hat": (0.0, 1.0),
}
"""Output ranges of the bounded built-in activations (others are squashed with tanh)."""


def _spaces() -> Any:
    import gymnasium.spaces

    return gymnasium.spaces


def observation_size(space: Any) -> int:
    """Number of network inputs for observations of ``space`` (``ConfigError`` if unsupported)."""
    spaces = _spaces()
    if isinstance(space, spaces.Box):
        return int(np.prod(space.shape, dtype=np.int64))
    if isinstance(space, spaces.Discrete):
        return int(space.n)
    if isinstance(space, spaces.MultiBinary):
        return int(np.prod(space.shape, dtype=np.int64))
    raise ConfigError(
        f"observation space {space!r} is not supported (supported: Box, Discrete, MultiBinary); "
        "wrap the env in a factory, e.g. lambda: gymnasium.wrappers.FlattenObservation(gymnasium.make(...))"
    )


def action_size(space: Any) -> int:
    """Number of network outputs for actions of ``space`` (``ConfigError`` if unsupported)."""
    spaces = _spaces()
    if isinstance(space, spaces.Discrete):
        return int(space.n)
    if isinstance(space, (spaces.Box, spaces.MultiBinary)):
        return int(np.prod(space.shape, dtype=np.int64))
    if isinstance(space, spaces.MultiDiscrete):
        return int(np.sum(space.nvec))
    raise ConfigError(
        f"action space {space!r} is not supported (supported: Discrete, Box, MultiBinary, MultiDiscrete)"
    )


def observations_to_inputs(space: Any, observations: Any) -> np.ndarray:
    """Network inputs of a batch of observations.

    Parameters
    ----------
    space
        The single (not batched) observation space.
    observations : (N, *space.shape)
        ``N`` observations.

    Returns
    -------
    (N, observation_size(space)) float64
        ``Box``: flattened; ``Discrete(n, start)``: one-hot of ``obs - start``;
        ``MultiBinary``: 0/1 values, flattened.
    """
    return inputs_converter(space)(observations)


def inputs_converter(space: Any) -> Callable[[Any], np.ndarray]:
    """``observations_to_inputs(space, ·)`` as one function, the space checked once (a rollout calls it every step)."""
    spaces = _spaces()
    if isinstance(space, spaces.Discrete):
        size, start = int(space.n), int(space.start)

        def one_hot(observations: Any) -> np.ndarray:
            obs = np.asarray(observations)
            n = obs.shape[0] if obs.ndim else 1
            inputs = np.zeros((n, size))
            inputs[np.arange(n), obs.reshape(n).astype(np.int64) - start] = 1.0
            return inputs

        return one_hot
    observation_size(space)  # raises for an unsupported space

    def flattened(observations: Any) -> np.ndarray:
        obs = np.asarray(observations)
        return obs.reshape(obs.shape[0] if obs.ndim else 1, -1).astype(np.float64)

    return flattened


def output_range_of(config: Any) -> tuple[float, float] | None:
    """Range of the output nodes' activation, or ``None`` when it is unbounded or unknown.

    ``config`` is a genome's ``GenomeConfig`` (``genome.config``) or a ``Config``.
    The activation is ``output_activation``, else ``activation_default``; a
    bounded built-in (see ``OUTPUT_RANGES``) gives its range, anything else
    (``identity``, ``relu``, ``"random"``, your own) ``None``.
    """
    genome_config = getattr(config, "genome", config)
    name = genome_config.output_activation or genome_config.activation_default
    return OUTPUT_RANGES.get(name)


def _unit(outputs: np.ndarray, output_range: tuple[float, float] | None) -> np.ndarray:
    """Outputs rescaled into [-1, 1]: linearly from ``output_range``, else by tanh."""
    if output_range is None:
        return np.tanh(outputs)
    lo, hi = output_range
    return np.clip((2.0 * outputs - (lo + hi)) / (hi - lo), -1.0, 1.0)


def actions_from_outputs(
    space: Any, outputs: Any, output_range: tuple[float, float] | None = None
) -> np.ndarray:
    """Actions of a batch of network outputs (see the module docstring's table).

    Parameters
    ----------
    space
        The single (not batched) action space: ``Discrete``, ``Box``,
        ``MultiBinary`` or ``MultiDiscrete`` (anything else is a ``ConfigError``).
    outputs : (N, action_size(space)) float
        Network outputs, one row per env.
    output_range
        ``(lo, hi)`` when the outputs are known to lie in it (bounded output
        activation): ``Box`` and ``MultiBinary`` rescale them linearly to
        [-1, 1].  ``None``: they are squashed with ``tanh``.

    Returns
    -------
    numpy.ndarray
        ``Discrete``: (N,) int64. ``Box``: (N, *shape) of ``space.dtype``, inside
        ``[low, high]``. ``MultiBinary``: (N, *shape) int8. ``MultiDiscrete``:
        (N, *nvec.shape) of ``space.dtype``.
    """
    return actions_converter(space, output_range)(outputs)


def actions_converter(
    space: Any, output_range: tuple[float, float] | None = None
) -> Callable[[Any], np.ndarray]:
    """``actions_from_outputs(space, ·, output_range)`` as one function, the space checked once."""
    spaces = _spaces()
    size = action_size(space)  # raises for an unsupported space

    def checked(outputs: Any) -> np.ndarray:
        o = np.asarray(outputs, dtype=np.float64)
        if o.ndim != 2 or o.shape[1] != size:
            raise ValueError(f"expected outputs of shape (N, {size}) for {space!r}, got {o.shape}")
        return o

    if isinstance(space, spaces.Discrete):
        start = int(space.start)
        return lambda outputs: np.argmax(checked(outputs), axis=1) + start
    if isinstance(space, spaces.MultiBinary):
        shape = tuple(space.shape)

        def binary(outputs: Any) -> np.ndarray:
            o = checked(outputs)
            return (_unit(o, output_range) > 0.0).astype(np.int8).reshape(o.shape[0], *shape)

        return binary
    if isinstance(space, spaces.MultiDiscrete):
        nvec = np.asarray(space.nvec).reshape(-1)
        bounds = np.concatenate(([0], np.cumsum(nvec))).tolist()
        starts = np.asarray(space.start, dtype=np.int64).reshape(-1)

        def groups(outputs: Any) -> np.ndarray:
            o = checked(outputs)
            choice = np.empty((o.shape[0], len(nvec)), dtype=np.int64)
            for i, (a, b) in enumerate(zip(bounds[:-1], bounds[1:])):
                choice[:, i] = np.argmax(o[:, a:b], axis=1)
            choice += starts
            return choice.reshape(o.shape[0], *np.shape(space.nvec)).astype(space.dtype)

        return groups
    # Box
    low = np.asarray(space.low, dtype=np.float64).reshape(-1)
    high = np.asarray(space.high, dtype=np.float64).reshape(-1)
    finite = np.isfinite(low) & np.isfinite(high)
    lo, hi = np.where(finite, low, 0.0), np.where(finite, high, 0.0)

    def box(outputs: Any) -> np.ndarray:
        o = checked(outputs)
        scaled = lo + (_unit(o, output_range) + 1.0) * 0.5 * (hi - lo)
        action = np.clip(np.where(finite, scaled, o), low, high)
        return action.reshape(o.shape[0], *space.shape).astype(space.dtype)

    return box


def observation_normalization(space: Any, spec: str | tuple[Any, Any], n: int) -> tuple[np.ndarray, np.ndarray]:
    """``(mean, std)``, each ``(n,)`` float64, that normalize inputs as ``(x - mean) / std``.

    Parameters
    ----------
    space
        The single observation space.
    spec
        ``"bounds"``: every ``Box`` dimension with finite bounds is rescaled
        linearly from ``[low, high]`` to ``[-1, 1]``, the others left as they
        are; or ``(mean, std)``: arrays broadcastable to ``(n,)``, mean finite,
        std finite and positive (``ConfigError`` otherwise).
    n
        The number of network inputs.
    """
    if isinstance(spec, str):
        if spec != "bounds":
            raise ConfigError(f'observation_normalization must be None, "bounds" or (mean, std), got {spec!r}')
        mean, std = np.zeros(n), np.ones(n)
        if isinstance(space, _spaces().Box):
            low = np.asarray(space.low, dtype=np.float64).reshape(-1)
            high = np.asarray(space.high, dtype=np.float64).reshape(-1)
            finite = np.isfinite(low) & np.isfinite(high) & (high > low)
            mean[finite] = (low[finite] + high[finite]) / 2
            std[finite] = (high[finite] - low[finite]) / 2
        return mean, std
    try:
        mean, std = (np.broadcast_to(np.asarray(a, dtype=np.float64), (n,)).copy() for a in spec)
    except (TypeError, ValueError) as exc:
        raise ConfigError(
            f"observation_normalization must be (mean, std), each broadcastable to ({n},): {exc}"
        ) from None
    if not (np.all(np.isfinite(mean)) and np.all(np.isfinite(std)) and np.all(std > 0)):
        raise ConfigError("observation_normalization: mean must be finite and std finite and > 0")
    return mean, std


def check_output_range(value: Any) -> tuple[float, float] | str | None:
    """``value`` if it is ``"auto"``, ``None`` or ``(lo, hi)`` with finite ``lo < hi``, else ``ConfigError``."""
    if value is None or (isinstance(value, str) and value == "auto"):
        return value
    try:
        lo, hi = value
        ok = bool(np.isfinite(lo) and np.isfinite(hi) and lo < hi)
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise ConfigError(f'output_range must be "auto", None or (lo, hi) with lo < hi, got {value!r}')
    return value


def genome_shape(env: Any, **env_kwargs: Any) -> tuple[int, int]:
    """``(num_inputs, num_outputs)`` a genome needs to play ``env`` (an env id or a zero-argument factory)."""
    if isinstance(env, str):
        import gymnasium

        made = gymnasium.make(env, **env_kwargs)
    elif callable(env) and not env_kwargs:
        made = env()
    else:
        raise ConfigError(f"env must be an env id string or a zero-argument factory (env_kwargs are for ids), got {env!r}")
    try:
        return observation_size(made.observation_space), action_size(made.action_space)
    finally:
        made.close()
