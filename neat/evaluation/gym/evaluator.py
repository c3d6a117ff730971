"""``GymEvaluator``: genomes as gymnasium agents, episodes in, fitness out.

``GymEvaluator(env)`` is an ``evaluate(genomes, *, generation) -> fitness``
function for ``Population.run``.  Each genome plays ``episodes`` episodes;
its fitness is the mean (or min, median, max, or your reducer) of their
returns.  Every genome of a generation meets the same ``episodes`` start
states (the seeds depend on the evaluator's ``seed`` and the generation
number only, so a run resumed from a checkpoint sees the same episodes); the
starts change from one generation to the next.

How episodes are stepped is ``neat.evaluation.gym.rollout``'s; how
observations and actions map to network inputs and outputs is
``neat.evaluation.gym.spaces``'.  This module imports ``gymnasium`` inside
its functions; nothing in the core package imports it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from typing import Any

import numpy as np

from ...errors import ConfigError, EvaluationError
from ...genome import Genome
from ...genome.pool import GenomeSequence
from ..evaluator import run_chunks
from .behaviour import BehaviourRecorder, behaviour_matrix, check_behaviour, check_behaviour_reduce
from .envs import EnvFactory, SerialEnvs, VectorEnvs, has_seedable_vector_entry_point, slot_count
from .rollout import Policy, check_int, episode_seeds, play, replay_seeds
from .spaces import (
    action_size,
    actions_converter,
    check_output_range,
    genome_shape,
    inputs_converter,
    observation_normalization,
    observation_size,
    output_range_of,
)

__all__ = ["GymEvaluator", "REDUCERS", "VECTORIZATION_MODES", "genome_shape"]

Reducer = str | Callable[[np.ndarray], float]

REDUCERS: dict[str, Callable[..., np.ndarray]] = {
    "mean": np.mean,
    "min": np.min,
    "median": np.median,
    "max": np.max,
}

VECTORIZATION_MODES = ("sync", "async", "vector_entry_point")


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
    slots
        Envs (serial) or sub-envs of a vector env, each playing one (genome,
        episode) pair at a time, then the next waiting one (``rollout.play``).
        Default: one per pair with a NumPy vector entry point (CartPole), else
        ``min(pairs, 64)`` (few envs stepped in turn stay in the CPU's caches:
        LunarLander's serial evaluation ran 9% faster with 64 envs than with
        450); recurrent genomes always one per pair.  Fitness does not depend on it.
    behaviour
        ``None`` (default): fitness only.  ``"final_observation"`` or a function
        ``behaviour(observations (T+1, ...), actions (T, ...), info) -> (d,)`` of one
        episode (``neat.evaluation.gym.behaviour``): the evaluator returns
        ``(fitness (P,), behaviours (P, d_total))`` (for ``NoveltySearch``), the
        same however the envs are stepped.  A process pool needs a module-level function.
    behaviour_reduce
        A genome's episodes' descriptors concatenated in episode order
        (``"concat"``, default; ``d_total = episodes * d``) or their ``"mean"`` (``d``).
    exact
        Networks in exact mode (``neat.nn.compile``): a genome plays the same bits in training, ``replay`` and alone.

    Attributes
    ----------
    env_steps : int
        Env steps counted so far (every step of every episode until it ended;
        steps a vector env takes after a sub-env's episode ended are not counted).
    env_substeps : int
        Env steps taken, sub-envs without a running episode included.
    episodes_run : int
        Episodes played so far.

    Notes
    -----
    Results do not depend on ``vectorized``: the serial and vectorized paths
    reset the same episodes and compute actions with the same network call.
    All genomes' actions of a step come from one call of a population stack
    (``neat.nn.compile_population``); for recurrent genomes (``feed_forward =
    false``) a ``RecurrentPopulationNetwork`` stepped once per env step, in
    which each episode has its own state, zero at the episode's start.
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
        slots: int | None = None,
        behaviour: str | Callable[..., Any] | None = None,
        behaviour_reduce: str = "concat",
        exact: bool = False,
    ) -> None:
        if not (isinstance(env, str) or callable(env)):
            raise ConfigError(f"env must be an env id string or a zero-argument factory, got {type(env).__name__}")
        if env_kwargs and not isinstance(env, str):
            raise ConfigError("env_kwargs are for env ids; a factory makes its env itself")
        self.env = env
        self.episodes = check_int(episodes, "episodes", 1)
        self.max_steps = None if max_steps is None else check_int(max_steps, "max_steps", 1)
        self.seed = check_int(seed, "seed", 0)
        if not (callable(reducer) or reducer in REDUCERS):
            raise ConfigError(f"reducer must be one of {', '.join(map(repr, REDUCERS))} or a function, got {reducer!r}")
        self.reducer = reducer
        self.observation_normalization = observation_normalization
        self.frame_skip = check_int(frame_skip, "frame_skip", 1)
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
        self.output_range = check_output_range(output_range)
        self.executor = executor
        self.workers = check_int(workers, "workers", 1) if workers is not None else (
            getattr(executor, "_max_workers", None) or 1
        )
        self.slots = None if slots is None else check_int(slots, "slots", 1)
        self.behaviour = check_behaviour(behaviour)
        self.behaviour_reduce = check_behaviour_reduce(behaviour_reduce)
        self.exact = bool(exact)
        self.env_steps = 0
        self.env_substeps = 0
        self.episodes_run = 0
        self._probe: Any = None
        self._serial: SerialEnvs | None = None
        self._vectors: dict[int, VectorEnvs] = {}  # by number of sub-envs
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

    def _mode_of_id(self) -> str | None:
        seedable = isinstance(self.env, str) and has_seedable_vector_entry_point(self.env)
        return "vector_entry_point" if seedable and not self.vector_kwargs else None

    def _mode(self) -> str | None:
        """``None`` for serial, else a ``make_vec`` mode (``"default"``: make_vec's own choice)."""
        v = self.vectorized
        if v is None:
            return self._mode_of_id()
        if v is False:
            return None
        if v is True:
            return "default" if isinstance(self.env, str) else "sync"
        return v

    def _vector_envs(self, n: int, mode: str) -> VectorEnvs:
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
        self._vectors[n] = VectorEnvs(env, self.make_env)
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
        """``(N, num_inputs)`` float64 network inputs of ``N`` observations ``raw`` as the env returns them
        (``(N, *observation_space.shape)``): flattened, one-hot, normalized."""
        return self._inputs_converter()(raw)

    def _inputs_converter(self) -> Callable[[Any], np.ndarray]:
        """``inputs`` as one function, the space checked once (a rollout calls it every step)."""
        convert, norm = inputs_converter(self.observation_space), self._normalizer()
        if norm is None:
            return convert
        mean, std = norm
        return lambda raw: (convert(raw) - mean) / std

    def _normalizer(self) -> tuple[np.ndarray, np.ndarray] | None:
        if self.observation_normalization is None:
            return None
        if self._normalization is None:
            self._normalization = observation_normalization(
                self.observation_space, self.observation_normalization, self.num_inputs
            )
        return self._normalization

    def _output_range(self, genomes: Sequence[Genome]) -> tuple[float, float] | None:
        if self.output_range == "auto":
            return output_range_of(genomes[0].config)
        return self.output_range  # type: ignore[return-value]

    # --- evaluation ---------------------------------------------------------
    def __call__(self, genomes: Sequence[Genome], *, generation: int = 0) -> Any:
        """Fitness of each genome (its episode returns, reduced) and, with ``behaviour``, its descriptor.

        Parameters
        ----------
        genomes
            ``P`` genomes with this env's numbers of inputs and outputs.
        generation
            The generation number (``Population.run`` passes it): the episode
            starts are ``episode_seeds(seed, generation, episodes)``.

        Returns
        -------
        (P,) float64, or with ``behaviour`` a pair ``(fitness (P,), behaviours (P, d_total))``.
        """
        if self.behaviour is None:
            return self.reduce(self.episode_returns(genomes, generation=generation))
        returns, outputs = self._episodes(genomes, generation, record=True)
        return self.reduce(returns), behaviour_matrix(outputs, len(returns), self.episodes, self.behaviour_reduce)

    def behaviours(self, genomes: Sequence[Genome], *, generation: int = 0) -> np.ndarray:
        """``(P, d_total)`` float64 descriptors of the genomes' episodes of ``generation`` (plays them)."""
        if self.behaviour is None:
            raise ConfigError("behaviours() needs a GymEvaluator made with behaviour=... (a name or a function)")
        return self(genomes, generation=generation)[1]

    def reduce(self, returns: np.ndarray) -> np.ndarray:
        """``(P, episodes)`` returns -> ``(P,)`` fitness with the evaluator's reducer."""
        returns = np.asarray(returns, dtype=np.float64)
        if callable(self.reducer):
            return np.array([float(self.reducer(row)) for row in returns])
        return np.asarray(REDUCERS[self.reducer](returns, axis=1), dtype=np.float64)

    def episode_returns(self, genomes: Sequence[Genome], *, generation: int = 0) -> np.ndarray:
        """``(P, episodes)`` float64 returns of every genome's episodes of ``generation``."""
        return self._episodes(genomes, generation, record=False)[0]

    def _episodes(self, genomes: Sequence[Genome], generation: int, record: bool) -> tuple[np.ndarray, list[Any]]:
        """Returns ``(P, episodes)`` and, if ``record``, the behaviour's outputs of the ``P * episodes`` pairs."""
        if not isinstance(genomes, GenomeSequence):  # a population's genomes stay a pool (compiled as one)
            genomes = list(genomes)
        if not len(genomes):
            return np.empty((0, self.episodes)), []
        seeds = episode_seeds(self.seed, generation, self.episodes)
        if self.executor is not None:
            return self._play_on_executor(genomes, seeds, record)
        return self._play(genomes, seeds, self._mode(), record=record)

    def _worker_settings(self) -> dict[str, Any]:
        """What a worker needs to play episodes exactly as this evaluator does (serially there)."""
        keys = ("env", "episodes", "max_steps", "seed", "observation_normalization", "frame_skip", "env_kwargs",
                "output_range", "behaviour", "exact")
        return {**{key: getattr(self, key) for key in keys}, "vectorized": False}

    def _check_genomes(self, genomes: Sequence[Genome]) -> None:
        """``check_genome`` once per genome config (once for a population's pool)."""
        one_config = isinstance(genomes, GenomeSequence)
        for g in [genomes[0]] if one_config else {id(g.config): g for g in genomes}.values():
            self.check_genome(g)

    def _play_on_executor(self, genomes: Sequence[Genome], seeds: np.ndarray, record: bool) -> tuple[np.ndarray, list]:
        self._check_genomes(genomes)
        genomes = list(genomes)
        size = -(-len(genomes) // self.workers)
        starts = list(range(0, len(genomes), size))
        settings = self._worker_settings()
        chunks = [(s, min(s + size, len(genomes)), (settings, genomes[s : s + size], seeds, record, s)) for s in starts]
        try:
            results = run_chunks(self.executor, _play_chunk, chunks, workers=self.workers, what="playing")
        except EvaluationError as exc:
            raise EvaluationError(f"{self.env_name}: {exc}") from exc.__cause__
        self.env_steps += sum(steps for _, steps, _ in results)
        self.episodes_run += sum(returns.size for returns, _, _ in results)
        return np.concatenate([r[0] for r in results]), [out for r in results for out in r[2]]

    def replay(self, genome: Genome, episodes: int = 100, seed: int = 0, render_mode: str | None = None) -> np.ndarray:
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
            return self._play([genome], seeds, self._mode())[0][0]
        envs = SerialEnvs(lambda: self.make_env(render_mode=render_mode))
        try:
            return np.array([self._play([genome], seeds[i : i + 1], None, envs)[0][0, 0] for i in range(len(seeds))])
        finally:
            envs.close()

    def _play(
        self, genomes: list[Genome], seeds: np.ndarray, mode: str | None, envs: Any = None, *,
        record: bool = False, offset: int = 0,
    ) -> tuple[np.ndarray, list[Any]]:
        """``(P, E)`` returns of ``P`` genomes on ``E`` episodes (seeds); if ``record``, the behaviour's outputs.

        ``offset``: the position of ``genomes[0]`` among those evaluated (named in errors)."""
        self._check_genomes(genomes)
        P, E = len(genomes), len(seeds)
        n = P * E
        policy = Policy(genomes, exact=self.exact)
        slots = n
        if envs is None:
            numpy_env = mode == "vector_entry_point" or (mode == "default" and self._mode_of_id() is not None)
            slots = slot_count(n, self.slots, numpy_env) if policy.refills else n
            if mode is None:
                if self._serial is None:
                    self._serial = SerialEnvs(self.make_env)
                envs = self._serial
            else:
                envs = self._vector_envs(slots, mode)
        action_space = self.action_space
        output_range = self._output_range(genomes)
        substeps = envs.substeps
        recorder = BehaviourRecorder(envs, self.behaviour, n) if record and self.behaviour is not None else None
        returns, lengths = play(
            envs if recorder is None else recorder,
            policy,
            seeds,
            P,
            self._inputs_converter(),
            actions_converter(action_space, output_range),
            max_steps=self.max_steps,
            frame_skip=self.frame_skip,
            env_name=self.env_name,
            slots=slots,
        )
        self.env_steps += int(lengths.sum())
        self.env_substeps += envs.substeps - substeps
        self.episodes_run += n
        return returns, ([] if recorder is None else recorder.outputs(E, offset))


_WORKER_EVALUATORS: dict[str, GymEvaluator] = {}
"""Per worker (process and thread): evaluators by their settings, so envs are made once, not every generation."""


def _play_chunk(
    settings: dict[str, Any], genomes: list[Genome], seeds: np.ndarray, record: bool = False, offset: int = 0
) -> tuple[np.ndarray, int, list[Any]]:
    """In a worker: ``(returns (P, E), env steps, behaviour outputs)`` of ``genomes`` on the episodes ``seeds``."""
    # One evaluator per thread: a thread pool's workers must not share envs.
    key = f"{threading.get_ident()}:{sorted(settings.items(), key=lambda item: item[0])!r}"
    evaluator = _WORKER_EVALUATORS.get(key)
    if evaluator is None:
        evaluator = _WORKER_EVALUATORS[key] = GymEvaluator(**settings)
    before = evaluator.env_steps
    returns, outputs = evaluator._play(list(genomes), seeds, None, record=record, offset=offset)
    return returns, evaluator.env_steps - before, outputs
