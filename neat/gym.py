"""Genomes as gymnasium agents: episodes in, fitness out.

``GymEvaluator(env)`` is an ``evaluate(genomes, *, generation) -> fitness``
function for ``Population.run``.  Each genome plays ``episodes`` episodes;
its fitness is the mean (or min, median, max, or your reducer) of their
returns.  One generation, as the evaluator reads::

    episode seeds (seed, generation) -> reset every (genome, episode) env
    -> until every episode is over:
         observations (P, E, n_in) -> networks -> outputs (P, E, n_out)
         -> actions -> step -> rewards summed while the episode runs
    -> returns (P, E) -> reducer -> fitness (P,)

Every genome of a generation meets the same ``episodes`` start states (the
seeds depend on the evaluator's ``seed`` and the generation number only, so a
run resumed from a checkpoint sees the same episodes); the starts change from
one generation to the next.

Two ways to step the envs, with the same results:

- **serial**: one plain ``gymnasium.Env`` per (genome, episode), stepped one
  after another in Python; works with any env;
- **vectorized**: one ``gymnasium`` vector env of ``P * E`` sub-envs
  (``gymnasium.make_vec``), stepped with one call.  CartPole's NumPy vector
  env (``vectorization_mode="vector_entry_point"``) makes this fast.

In both, all the genomes' actions of one step come from one network call
(``compile_population`` on ``(P, E, n_in)`` observations; recurrent genomes are
stepped one network at a time, each on its ``(E, n_in)`` batch).

Action mapping from the outputs ``o`` of a network (``u = squash(o)`` in [-1, 1]):

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

Observations become network inputs as: ``Box`` flattened, ``Discrete(n)`` one-hot
(``n`` inputs), ``MultiBinary`` as 0/1 values; then optionally normalized.

This module imports ``gymnasium`` inside its functions; nothing in the core
package imports this module.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from typing import Any

import numpy as np

from .errors import ConfigError, EvaluationError
from .genome import Genome
from .nn import PopulationNetwork, compile, compile_population

__all__ = [
    "GymEvaluator",
    "action_size",
    "actions_from_outputs",
    "episode_seeds",
    "genome_shape",
    "observation_size",
    "observations_to_inputs",
    "output_range_of",
    "replay_seeds",
]

EnvFactory = Callable[[], Any]
Reducer = str | Callable[[np.ndarray], float]

REDUCERS: dict[str, Callable[..., np.ndarray]] = {
    "mean": np.mean,
    "min": np.min,
    "median": np.median,
    "max": np.max,
}
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

VECTORIZATION_MODES = ("sync", "async", "vector_entry_point")

# Seeds of training episodes and of replays come from separate branches of the
# seed's SeedSequence tree: replays draw starts independent of training's.
_TRAINING, _REPLAY = 0, 1


# --- seeds ------------------------------------------------------------------
def episode_seeds(seed: int, generation: int, episodes: int) -> np.ndarray:
    """Reset seeds of the episodes of one generation.

    Parameters
    ----------
    seed
        The evaluator's seed (a non-negative integer).
    generation
        The generation number (``population.generation``).
    episodes
        Number of episodes per genome.

    Returns
    -------
    (episodes,) int64
        Seeds in ``[0, 2**32)``, a function of ``(seed, generation)`` only:
        every genome of a generation is reset with these, and a resumed run
        gets the same ones.
    """
    return _seeds(seed, (_TRAINING, _check_int(generation, "generation", 0)), episodes)


def replay_seeds(seed: int, episodes: int) -> np.ndarray:
    """``(episodes,)`` int64 reset seeds for ``GymEvaluator.replay``, never those of training."""
    return _seeds(seed, (_REPLAY,), episodes)


def _seeds(seed: int, key: tuple[int, ...], count: int) -> np.ndarray:
    sequence = np.random.SeedSequence(_check_int(seed, "seed", 0), spawn_key=key)
    return sequence.generate_state(_check_int(count, "episodes", 1), dtype=np.uint32).astype(np.int64)


def _check_int(value: Any, name: str, minimum: int) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ConfigError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


# --- spaces -------------------------------------------------------------------
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
    spaces = _spaces()
    obs = np.asarray(observations)
    n = obs.shape[0] if obs.ndim else 1
    if isinstance(space, spaces.Discrete):
        inputs = np.zeros((n, int(space.n)))
        inputs[np.arange(n), obs.reshape(n).astype(np.int64) - int(space.start)] = 1.0
        return inputs
    observation_size(space)  # raises for an unsupported space
    return obs.reshape(n, -1).astype(np.float64)


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
    spaces = _spaces()
    size = action_size(space)
    o = np.asarray(outputs, dtype=np.float64)
    if o.ndim != 2 or o.shape[1] != size:
        raise ValueError(f"expected outputs of shape (N, {size}) for {space!r}, got {o.shape}")
    n = o.shape[0]
    if isinstance(space, spaces.Discrete):
        return np.argmax(o, axis=1) + int(space.start)
    if isinstance(space, spaces.MultiBinary):
        return (_unit(o, output_range) > 0.0).astype(np.int8).reshape(n, *space.shape)
    if isinstance(space, spaces.MultiDiscrete):
        nvec = np.asarray(space.nvec).reshape(-1)
        bounds = np.concatenate(([0], np.cumsum(nvec)))
        choice = np.empty((n, len(nvec)), dtype=np.int64)
        for i, (a, b) in enumerate(zip(bounds[:-1].tolist(), bounds[1:].tolist())):
            choice[:, i] = np.argmax(o[:, a:b], axis=1)
        choice += np.asarray(space.start, dtype=np.int64).reshape(-1)
        return choice.reshape(n, *np.shape(space.nvec)).astype(space.dtype)
    # Box
    low = np.asarray(space.low, dtype=np.float64).reshape(-1)
    high = np.asarray(space.high, dtype=np.float64).reshape(-1)
    finite = np.isfinite(low) & np.isfinite(high)
    lo, hi = np.where(finite, low, 0.0), np.where(finite, high, 0.0)
    scaled = lo + (_unit(o, output_range) + 1.0) * 0.5 * (hi - lo)
    action = np.clip(np.where(finite, scaled, o), low, high)
    return action.reshape(n, *space.shape).astype(space.dtype)


# --- the envs -----------------------------------------------------------------
class _SerialEnvs:
    """``n`` plain envs stepped one after another; only running episodes are stepped."""

    def __init__(self, make_env: EnvFactory) -> None:
        self._make_env = make_env
        self.envs: list[Any] = []

    def reset(self, seeds: Sequence[int]) -> np.ndarray:
        n = len(seeds)
        while len(self.envs) < n:
            self.envs.append(self._make_env())
        self._steps = [env.step for env in self.envs[:n]]
        self._obs = np.array([env.reset(seed=s)[0] for env, s in zip(self.envs, seeds)])
        self._rewards = np.zeros(n)
        self._terminated = np.zeros(n, dtype=bool)
        self._truncated = np.zeros(n, dtype=bool)
        return self._obs

    def step(self, actions: Any, active: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        idx = np.flatnonzero(active).tolist()
        steps = self._steps
        # Envs whose episode ended are not stepped: their rows stay as they were.
        obs, rewards, terminated, truncated, _ = zip(*[steps[i](actions[i]) for i in idx])
        self._obs[idx] = obs
        self._rewards[idx] = rewards
        self._terminated[idx] = terminated
        self._truncated[idx] = truncated
        return self._obs, self._rewards, self._terminated, self._truncated

    def close(self) -> None:
        for env in self.envs:
            env.close()
        self.envs = []


class _VectorEnvs:
    """One gymnasium vector env of ``n`` sub-envs; every sub-env is stepped every step."""

    def __init__(self, env: Any, make_single: EnvFactory) -> None:
        from gymnasium.vector import AutoresetMode

        self.env = env
        self.num_envs = int(env.num_envs)
        self._make_single = make_single
        self._single: Any = None
        mode = env.metadata.get("autoreset_mode", AutoresetMode.NEXT_STEP)
        if isinstance(mode, str):
            mode = AutoresetMode(mode)
        # Both modes are handled by the done mask: a sub-env's rewards count up
        # to the step that ends its episode and never after; what the vector env
        # returns afterwards (a reset step, or the next episode) is ignored.
        if mode not in (AutoresetMode.NEXT_STEP, AutoresetMode.SAME_STEP):
            raise ConfigError(f"vector env {env!r} has autoreset mode {mode}; NEXT_STEP or SAME_STEP is needed")

    def reset(self, seeds: Sequence[int]) -> np.ndarray:
        if _is_cartpole_vector(self.env):
            return self._reset_cartpole(seeds)
        try:
            obs, _ = self.env.reset(seed=[int(s) for s in seeds])
        except Exception as exc:
            raise ConfigError(
                f"vector env {self.env!r} cannot be reset with one seed per sub-env ({type(exc).__name__}: {exc}); "
                'use vectorized="sync" or vectorized=False'
            ) from exc
        return obs

    def _reset_cartpole(self, seeds: Sequence[int]) -> np.ndarray:
        # CartPoleVectorEnv draws every sub-env's start from one generator and
        # takes one int seed.  Each sub-env is given instead the start state a
        # single CartPole env has after reset(seed=its episode seed): the same
        # episodes as serial evaluation.
        if self._single is None:
            self._single = self._make_single()
        unique, inverse = np.unique(np.asarray(seeds), return_inverse=True)
        starts = np.empty((len(unique), 4))
        for k, s in enumerate(unique.tolist()):
            self._single.reset(seed=s)
            starts[k] = self._single.unwrapped.state
        states = starts[inverse.reshape(-1)]
        self.env.reset(seed=int(seeds[0]))
        self.env.state = np.ascontiguousarray(states.T)
        return states.astype(np.float32)

    def step(self, actions: np.ndarray, active: np.ndarray) -> tuple[Any, np.ndarray, np.ndarray, np.ndarray]:
        obs, rewards, terminated, truncated, _ = self.env.step(actions)
        return obs, np.asarray(rewards, dtype=np.float64), np.asarray(terminated), np.asarray(truncated)

    def close(self) -> None:
        self.env.close()
        if self._single is not None:
            self._single.close()


def _is_cartpole_vector(env: Any) -> bool:
    from gymnasium.envs.classic_control.cartpole import CartPoleVectorEnv

    return type(env) is CartPoleVectorEnv


def _has_seedable_vector_entry_point(env_id: str) -> bool:
    """Whether ``env_id``'s vector entry point is one this module can reset with a seed per sub-env."""
    import gymnasium

    try:
        spec = gymnasium.spec(env_id)
    except Exception:  # an unknown id: let gymnasium.make say what is wrong
        return False
    entry = spec.vector_entry_point
    if entry is None:
        return False
    if not callable(entry):
        try:
            from gymnasium.envs.registration import load_env_creator

            entry = load_env_creator(entry)
        except Exception:
            return False
    from gymnasium.envs.classic_control.cartpole import CartPoleVectorEnv

    return entry is CartPoleVectorEnv and not spec.additional_wrappers


# --- the networks -------------------------------------------------------------
class _Policy:
    """The networks of ``P`` genomes: ``(k, E, n_in)`` observations -> ``(k, E, n_out)`` outputs.

    ``rows`` are the genomes evaluated, at first all of them.  Once the
    genomes with a running episode are at most a quarter of ``rows``, ``keep``
    narrows ``rows`` to them (restacking the compiled feed-forward networks),
    so that the long tail of a generation, a few genomes still balancing,
    costs little.  It depends only on which episodes run, so serial and
    vectorized rollouts evaluate the same stacks.
    """

    def __init__(self, genomes: Sequence[Genome]) -> None:
        self.rows = np.arange(len(genomes))
        if all(g.config.feed_forward for g in genomes):
            self._stack: PopulationNetwork | None = compile_population(genomes)
            self._nets: list[Any] = list(self._stack.networks)
        else:
            self._stack = None
            self._nets = [compile(g) for g in genomes]
            for net in self._nets:
                if hasattr(net, "reset"):
                    net.reset()

    def keep(self, live: np.ndarray) -> None:
        """Narrow ``rows`` to the genomes ``live`` ((P,) bool) when they are at most a quarter of them."""
        count = int(np.count_nonzero(live))
        if 0 < count <= len(self.rows) // 4:
            self.rows = np.flatnonzero(live)
            if self._stack is not None:
                self._stack = PopulationNetwork([self._nets[i] for i in self.rows.tolist()], self._stack.dtype)

    def __call__(self, X: np.ndarray) -> np.ndarray:
        if self._stack is not None:
            return self._stack.forward(X)
        return np.stack([self._nets[i](x) for i, x in zip(self.rows.tolist(), X)])


# --- the evaluator ------------------------------------------------------------
class GymEvaluator:
    """Fitness of genomes as agents of a gymnasium env: ``evaluator(genomes, generation=g) -> (P,)``.

    Parameters
    ----------
    env
        An env id (``"CartPole-v1"``, made with ``gymnasium.make`` /
        ``gymnasium.make_vec``) or a zero-argument factory returning a
        ``gymnasium.Env``.
    episodes
        Episodes per genome and generation; every genome meets the same starts.
    max_steps
        At most this many env steps per episode (frames: each repeat of
        ``frame_skip`` counts), on top of the env's own time limit; ``None``:
        the env's limit only.  To lengthen an env's limit, pass
        ``env_kwargs={"max_episode_steps": n}``.
    seed
        Seed of the episode starts: generation ``g`` resets its episodes with
        ``episode_seeds(seed, g, episodes)``.
    reducer
        Fitness from a genome's ``(episodes,)`` returns: ``"mean"`` (default),
        ``"min"``, ``"median"``, ``"max"``, or a function ``returns -> float``.
    observation_normalization
        ``None``: inputs as observed.  ``(mean, std)``: arrays broadcastable to
        ``(num_inputs,)``, inputs are ``(x - mean) / std``.  ``"bounds"``: every
        ``Box`` dimension with finite bounds is rescaled linearly from
        ``[low, high]`` to ``[-1, 1]``; the others are left as they are.
    frame_skip
        Each action is repeated this many env steps (rewards summed), as in
        Atari's frame skip; the episode may end in between.
    vectorized
        How envs are stepped.  ``None`` (default): a vector env where the env
        id has a NumPy vector entry point this module can seed per sub-env
        (CartPole), else serial.  ``False``: serial, one plain env per
        (genome, episode).  ``True``: ``gymnasium.make_vec``'s default (vector
        entry point, else ``"sync"``).  Or a ``make_vec`` mode: ``"sync"``,
        ``"async"``, ``"vector_entry_point"``.  A factory can only be
        vectorized as ``"sync"`` or ``"async"`` (``True`` means ``"sync"``).
    env_kwargs
        Keyword arguments of ``gymnasium.make`` / ``make_vec`` (env ids only).
    vector_kwargs
        Keyword arguments of the vector env (``"sync"`` / ``"async"`` modes),
        e.g. ``{"autoreset_mode": gymnasium.vector.AutoresetMode.SAME_STEP}``.
    output_range
        ``"auto"`` (default): taken from the genomes' output activation
        (``output_range_of``); ``None``: outputs are unbounded (``tanh``
        squash); or ``(lo, hi)``.  Used by ``Box`` and ``MultiBinary`` actions.
    executor
        A ``concurrent.futures.Executor`` (process pool, Dask
        ``client.get_executor()``): the genomes are split into one chunk per
        worker, each played there serially, and the returns come back in
        genome order, so the fitness is the same as without it.  ``env`` (a
        factory must then be a module-level function) and the settings travel
        to the workers; each worker keeps its envs between generations.
    workers
        Number of chunks per generation with an executor; default: the
        executor's worker count when it reports one, else 1.

    Attributes
    ----------
    env_steps : int
        Env steps counted so far (every step of every episode until it ended;
        steps a vector env takes after a sub-env's episode ended are not counted).
    episodes_run : int
        Episodes played so far.

    Notes
    -----
    Results do not depend on ``vectorized``: the serial and vectorized paths
    reset the same episodes and compute actions with the same network call.
    The envs are kept between calls; ``close()`` them (or use ``with``).
    """

    def __init__(
        self,
        env: str | EnvFactory,
        *,
        episodes: int = 1,
        max_steps: int | None = None,
        seed: int = 0,
        reducer: Reducer = "mean",
        observation_normalization: str | tuple[Any, Any] | None = None,
        frame_skip: int = 1,
        vectorized: bool | str | None = None,
        env_kwargs: dict[str, Any] | None = None,
        vector_kwargs: dict[str, Any] | None = None,
        output_range: tuple[float, float] | str | None = "auto",
        executor: Executor | None = None,
        workers: int | None = None,
    ) -> None:
        if not (isinstance(env, str) or callable(env)):
            raise ConfigError(f"env must be an env id string or a zero-argument factory, got {type(env).__name__}")
        if env_kwargs and not isinstance(env, str):
            raise ConfigError("env_kwargs are for env ids; a factory makes its env itself")
        self.env = env
        self.episodes = _check_int(episodes, "episodes", 1)
        self.max_steps = None if max_steps is None else _check_int(max_steps, "max_steps", 1)
        self.seed = _check_int(seed, "seed", 0)
        if not (callable(reducer) or reducer in REDUCERS):
            raise ConfigError(f"reducer must be one of {', '.join(map(repr, REDUCERS))} or a function, got {reducer!r}")
        self.reducer = reducer
        self.observation_normalization = observation_normalization
        self.frame_skip = _check_int(frame_skip, "frame_skip", 1)
        if not (vectorized is None or isinstance(vectorized, bool) or vectorized in VECTORIZATION_MODES):
            raise ConfigError(
                f"vectorized must be None, True, False or one of {', '.join(map(repr, VECTORIZATION_MODES))}, "
                f"got {vectorized!r}"
            )
        if not isinstance(env, str) and vectorized == "vector_entry_point":
            raise ConfigError('vectorized="vector_entry_point" needs an env id, not a factory')
        self.vectorized = vectorized
        self.env_kwargs = dict(env_kwargs or {})
        self.vector_kwargs = dict(vector_kwargs or {})
        if not (output_range is None or output_range == "auto" or _is_range(output_range)):
            raise ConfigError(f'output_range must be "auto", None or (lo, hi) with lo < hi, got {output_range!r}')
        self.output_range = output_range
        self.executor = executor
        self.workers = _check_int(workers, "workers", 1) if workers is not None else (
            getattr(executor, "_max_workers", None) or 1
        )
        self.env_steps = 0
        self.episodes_run = 0
        self._probe: Any = None
        self._serial: _SerialEnvs | None = None
        self._vectors: dict[int, _VectorEnvs] = {}  # by number of sub-envs
        self._normalization: tuple[np.ndarray, np.ndarray] | None = None

    # --- env construction --------------------------------------------------
    @property
    def env_name(self) -> str:
        """The env id, or the factory's name."""
        return self.env if isinstance(self.env, str) else getattr(self.env, "__name__", repr(self.env))

    def make_env(self, **kwargs: Any) -> Any:
        """A fresh single env (``kwargs`` such as ``render_mode`` go to ``gymnasium.make``)."""
        if isinstance(self.env, str):
            import gymnasium

            return gymnasium.make(self.env, **{**self.env_kwargs, **kwargs})
        if kwargs:
            raise ConfigError(f"{', '.join(kwargs)} needs an env id; a factory makes its env itself")
        return self.env()

    def _probe_env(self) -> Any:
        if self._probe is None:
            self._probe = self.make_env()
            observation_size(self._probe.observation_space)
            action_size(self._probe.action_space)
        return self._probe

    @property
    def observation_space(self) -> Any:
        """The env's (single) observation space."""
        return self._probe_env().observation_space

    @property
    def action_space(self) -> Any:
        """The env's (single) action space."""
        return self._probe_env().action_space

    @property
    def num_inputs(self) -> int:
        """``[genome] num_inputs`` a genome needs for this env."""
        return observation_size(self.observation_space)

    @property
    def num_outputs(self) -> int:
        """``[genome] num_outputs`` a genome needs for this env."""
        return action_size(self.action_space)

    def check_genome(self, genome: Genome) -> None:
        """Raise ``ConfigError`` unless ``genome`` has this env's numbers of inputs and outputs."""
        n_in, n_out = self.num_inputs, self.num_outputs
        cfg = genome.config
        if (cfg.num_inputs, cfg.num_outputs) != (n_in, n_out):
            raise ConfigError(
                f"{self.env_name} needs genomes with num_inputs = {n_in} and num_outputs = {n_out} "
                f"(observation space {self.observation_space}, action space {self.action_space}); "
                f"these genomes have num_inputs = {cfg.num_inputs} and num_outputs = {cfg.num_outputs}: "
                f"set [genome] num_inputs = {n_in} and num_outputs = {n_out}"
            )

    def _mode(self) -> str | None:
        """``None`` for serial, else a ``make_vec`` mode (``"default"``: make_vec's own choice)."""
        v = self.vectorized
        if v is None:
            seedable = isinstance(self.env, str) and _has_seedable_vector_entry_point(self.env)
            return "vector_entry_point" if seedable and not self.vector_kwargs else None
        if v is False:
            return None
        if v is True:
            return "default" if isinstance(self.env, str) else "sync"
        return v

    def _vector_envs(self, n: int, mode: str) -> _VectorEnvs:
        if n in self._vectors:
            return self._vectors[n]
        if len(self._vectors) >= 2:  # e.g. training and replay sizes; drop the oldest
            self._vectors.pop(next(iter(self._vectors))).close()
        import gymnasium

        if isinstance(self.env, str):
            env = gymnasium.make_vec(
                self.env,
                num_envs=n,
                vectorization_mode=None if mode == "default" else mode,
                vector_kwargs=self.vector_kwargs or None,
                **self.env_kwargs,
            )
        elif mode == "async":
            env = gymnasium.vector.AsyncVectorEnv([self.env] * n, **self.vector_kwargs)
        else:
            env = gymnasium.vector.SyncVectorEnv([self.env] * n, **self.vector_kwargs)
        self._vectors[n] = _VectorEnvs(env, self.make_env)
        return self._vectors[n]

    def close(self) -> None:
        """Close every env the evaluator made."""
        for envs in (self._serial, self._probe, *self._vectors.values()):
            if envs is not None:
                envs.close()
        self._serial = self._probe = None
        self._vectors = {}

    def __enter__(self) -> GymEvaluator:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # --- observations and actions -------------------------------------------
    def inputs(self, raw: Any) -> np.ndarray:
        """Network inputs of a batch of observations: flattened, one-hot, normalized.

        Parameters
        ----------
        raw : (N, *observation_space.shape)
            ``N`` observations as the env returns them.

        Returns
        -------
        (N, num_inputs) float64
        """
        space = self.observation_space
        X = observations_to_inputs(space, raw)
        norm = self._normalizer()
        if norm is not None:
            X = (X - norm[0]) / norm[1]
        return X

    def _normalizer(self) -> tuple[np.ndarray, np.ndarray] | None:
        spec = self.observation_normalization
        if spec is None:
            return None
        if self._normalization is None:
            n = self.num_inputs
            if isinstance(spec, str):
                if spec != "bounds":
                    raise ConfigError(f'observation_normalization must be None, "bounds" or (mean, std), got {spec!r}')
                mean, std = np.zeros(n), np.ones(n)
                space = self.observation_space
                if isinstance(space, _spaces().Box):
                    low = np.asarray(space.low, dtype=np.float64).reshape(-1)
                    high = np.asarray(space.high, dtype=np.float64).reshape(-1)
                    finite = np.isfinite(low) & np.isfinite(high) & (high > low)
                    mean[finite] = (low[finite] + high[finite]) / 2
                    std[finite] = (high[finite] - low[finite]) / 2
            else:
                try:
                    mean, std = (np.broadcast_to(np.asarray(a, dtype=np.float64), (n,)).copy() for a in spec)
                except (TypeError, ValueError) as exc:
                    raise ConfigError(
                        f"observation_normalization must be (mean, std), each broadcastable to ({n},): {exc}"
                    ) from None
                if not (np.all(np.isfinite(mean)) and np.all(np.isfinite(std)) and np.all(std > 0)):
                    raise ConfigError("observation_normalization: mean must be finite and std finite and > 0")
            self._normalization = (mean, std)
        return self._normalization

    def _output_range(self, genomes: Sequence[Genome]) -> tuple[float, float] | None:
        if self.output_range == "auto":
            return output_range_of(genomes[0].config)
        return self.output_range  # type: ignore[return-value]

    # --- evaluation ---------------------------------------------------------
    def __call__(self, genomes: Sequence[Genome], *, generation: int = 0) -> np.ndarray:
        """Fitness of each genome: its episode returns, reduced.

        Parameters
        ----------
        genomes
            ``P`` genomes with this env's numbers of inputs and outputs.
        generation
            The generation number (``Population.run`` passes it): the episode
            starts are ``episode_seeds(seed, generation, episodes)``.

        Returns
        -------
        (P,) float64
        """
        return self.reduce(self.episode_returns(genomes, generation=generation))

    def reduce(self, returns: np.ndarray) -> np.ndarray:
        """``(P, episodes)`` returns -> ``(P,)`` fitness with the evaluator's reducer."""
        returns = np.asarray(returns, dtype=np.float64)
        if callable(self.reducer):
            fitness = np.array([float(self.reducer(row)) for row in returns])
        else:
            fitness = np.asarray(REDUCERS[self.reducer](returns, axis=1), dtype=np.float64)
        return fitness

    def episode_returns(self, genomes: Sequence[Genome], *, generation: int = 0) -> np.ndarray:
        """``(P, episodes)`` float64 returns of every genome's episodes of ``generation``."""
        genomes = list(genomes)
        if not genomes:
            return np.empty((0, self.episodes))
        seeds = episode_seeds(self.seed, generation, self.episodes)
        if self.executor is not None:
            return self._play_on_executor(genomes, seeds)
        return self._play(genomes, seeds, self._mode())

    def _worker_settings(self) -> dict[str, Any]:
        """What a worker needs to play episodes exactly as this evaluator does."""
        return {
            "env": self.env,
            "episodes": self.episodes,
            "max_steps": self.max_steps,
            "seed": self.seed,
            "observation_normalization": self.observation_normalization,
            "frame_skip": self.frame_skip,
            "vectorized": False,
            "env_kwargs": self.env_kwargs,
            "output_range": self.output_range,
        }

    def _play_on_executor(self, genomes: list[Genome], seeds: np.ndarray) -> np.ndarray:
        for g in {id(g.config): g for g in genomes}.values():
            self.check_genome(g)
        size = -(-len(genomes) // self.workers)
        starts = list(range(0, len(genomes), size))
        settings = self._worker_settings()
        try:
            futures = [
                self.executor.submit(_play_chunk, settings, genomes[start : start + size], seeds) for start in starts
            ]
        except Exception as exc:
            raise EvaluationError(f"{self.env_name}: could not submit genomes to the executor: {exc}") from exc
        parts = []
        for start, future in zip(starts, futures):
            stop = min(start + size, len(genomes)) - 1
            try:
                returns, steps = future.result()
            except Exception as exc:
                raise EvaluationError(
                    f"{self.env_name}: a worker failed while playing genomes {start}..{stop}: "
                    f"{type(exc).__name__}: {exc}"
                ) from exc
            parts.append(returns)
            self.env_steps += steps
            self.episodes_run += returns.size
        return np.concatenate(parts)

    def replay(
        self, genome: Genome, episodes: int = 100, seed: int = 0, render_mode: str | None = None
    ) -> np.ndarray:
        """Play ``episodes`` fresh episodes with one genome, e.g. to test a champion.

        The starts come from ``replay_seeds(seed, episodes)``, a branch of the
        seeds that training never uses.  Episode length, frame skip and
        normalization are the evaluator's.

        Parameters
        ----------
        render_mode
            ``None``: the episodes run side by side, stepped as in training
            (``vectorized``), without rendering.  Otherwise (``"human"``, ``"rgb_array"``, ...; env ids only) they
            run one after another in one env made with that render mode.

        Returns
        -------
        (episodes,) float64 returns.
        """
        seeds = replay_seeds(seed, episodes)
        if render_mode is None:
            return self._play([genome], seeds, self._mode())[0]
        envs = _SerialEnvs(lambda: self.make_env(render_mode=render_mode))
        try:
            return np.array([self._play([genome], seeds[i : i + 1], None, envs)[0, 0] for i in range(len(seeds))])
        finally:
            envs.close()

    def _play(
        self, genomes: list[Genome], seeds: np.ndarray, mode: str | None, envs: Any = None
    ) -> np.ndarray:
        """``(P, E)`` returns of ``P`` genomes on ``E`` episodes (seeds), all in lockstep."""
        for g in {id(g.config): g for g in genomes}.values():
            self.check_genome(g)
        P, E = len(genomes), len(seeds)
        n = P * E
        if envs is None:
            if mode is None:
                if self._serial is None:
                    self._serial = _SerialEnvs(self.make_env)
                envs = self._serial
            else:
                envs = self._vector_envs(n, mode)
        policy = _Policy(genomes)
        action_space = self.action_space
        output_range = self._output_range(genomes)
        n_in = self.num_inputs
        limit, skip = self.max_steps, self.frame_skip

        raw = envs.reset(np.tile(seeds, P).tolist())
        returns = np.zeros(n)
        lengths = np.zeros(n, dtype=np.int64)
        active = np.ones(n, dtype=bool)
        actions: np.ndarray | None = None
        env_rows = np.arange(n)  # the envs of policy.rows' genomes
        try:
            while True:
                if len(policy.rows) > 1:
                    before = len(policy.rows)
                    policy.keep(active.reshape(P, E).any(axis=1))
                    if len(policy.rows) < before:
                        env_rows = (policy.rows[:, None] * E + np.arange(E)).reshape(-1)
                k = len(policy.rows)
                outputs = policy(self.inputs(raw[env_rows]).reshape(k, E, n_in)).reshape(k * E, -1)
                chosen = actions_from_outputs(action_space, outputs, output_range)
                if actions is None or len(env_rows) == n:
                    actions = chosen
                else:
                    # Envs of finished genomes keep their last (valid) action; a
                    # vector env steps them, their results are ignored.  A new
                    # array: an env may keep the action it was given.
                    actions = actions.copy()
                    actions[env_rows] = chosen
                for _ in range(skip):
                    raw, rewards, terminated, truncated = envs.step(actions, active)
                    # Only steps of running episodes count; a sub-env of a vector
                    # env that ended is autoreset and runs on, ignored.
                    returns += np.where(active, rewards, 0.0)
                    lengths += active
                    done = terminated | truncated
                    if limit is not None:
                        done |= lengths >= limit
                    active &= ~done
                    if not active.any():
                        break
                if not active.any():
                    break
        except ConfigError:
            raise
        except Exception as exc:
            raise EvaluationError(f"{self.env_name}: stepping the env failed: {type(exc).__name__}: {exc}") from exc
        self.env_steps += int(lengths.sum())
        self.episodes_run += n
        return returns.reshape(P, E)


_WORKER_EVALUATORS: dict[str, GymEvaluator] = {}
"""Per worker (process and thread): evaluators by their settings, so envs are made once, not every generation."""


def _play_chunk(settings: dict[str, Any], genomes: list[Genome], seeds: np.ndarray) -> tuple[np.ndarray, int]:
    """In a worker: ``(returns (P, E), env steps)`` of ``genomes`` on the episodes ``seeds``."""
    # One evaluator per thread: a thread pool's workers must not share envs.
    key = f"{threading.get_ident()}:{sorted(settings.items(), key=lambda item: item[0])!r}"
    evaluator = _WORKER_EVALUATORS.get(key)
    if evaluator is None:
        evaluator = _WORKER_EVALUATORS[key] = GymEvaluator(**settings)
    before = evaluator.env_steps
    returns = evaluator._play(list(genomes), seeds, None)
    return returns, evaluator.env_steps - before


def _is_range(value: Any) -> bool:
    try:
        lo, hi = value
        return bool(np.isfinite(lo) and np.isfinite(hi) and lo < hi)
    except (TypeError, ValueError):
        return False


def genome_shape(env: str | EnvFactory, **env_kwargs: Any) -> tuple[int, int]:
    """``(num_inputs, num_outputs)`` a genome needs to play ``env`` (an id or a factory)."""
    evaluator = GymEvaluator(env, env_kwargs=env_kwargs or None)
    try:
        return evaluator.num_inputs, evaluator.num_outputs
    finally:
        evaluator.close()
