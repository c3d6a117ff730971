"""Episodes: their seeds, the envs that play them (serial or vectorized), and the loop that steps them.

One generation's rollout::

    reset every (genome, episode) env with the episode's seed
    -> until every episode is over:
         observations (P, E, n_in) -> networks -> outputs (P, E, n_out)
         -> actions -> step -> rewards summed while the episode runs
    -> returns (P, E)

Two ways to step the envs, with the same results:

- **serial**: one plain ``gymnasium.Env`` per (genome, episode), stepped one
  after another in Python; works with any env;
- **vectorized**: one ``gymnasium`` vector env of ``P * E`` sub-envs
  (``gymnasium.make_vec``), stepped with one call.  CartPole's NumPy vector
  env (``vectorization_mode="vector_entry_point"``) makes this fast.

In both, all the genomes' actions of one step come from one network call
(``compile_population`` on ``(P, E, n_in)`` observations: a feed-forward
stack's forward, or one step of a recurrent stack, in which every genome's
``E`` episodes are ``E`` independent states that start from zeros).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ...errors import ConfigError, EvaluationError
from ...genome import Genome
from ...nn import PopulationNetwork, RecurrentPopulationNetwork, compile, compile_population

__all__ = ["EnvFactory", "episode_seeds", "replay_seeds", "SerialEnvs", "VectorEnvs", "Policy", "play", "check_int", "has_seedable_vector_entry_point"]

EnvFactory = Callable[[], Any]

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
    return _seeds(seed, (_TRAINING, check_int(generation, "generation", 0)), episodes)


def replay_seeds(seed: int, episodes: int) -> np.ndarray:
    """``(episodes,)`` int64 reset seeds for ``GymEvaluator.replay``, never those of training."""
    return _seeds(seed, (_REPLAY,), episodes)


def _seeds(seed: int, key: tuple[int, ...], count: int) -> np.ndarray:
    sequence = np.random.SeedSequence(check_int(seed, "seed", 0), spawn_key=key)
    return sequence.generate_state(check_int(count, "episodes", 1), dtype=np.uint32).astype(np.int64)



def check_int(value: Any, name: str, minimum: int) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ConfigError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)



# --- the envs -----------------------------------------------------------------
class SerialEnvs:
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


class VectorEnvs:
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


def has_seedable_vector_entry_point(env_id: str) -> bool:
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
class Policy:
    """The networks of ``P`` genomes: ``(k, E, n_in)`` observations -> ``(k, E, n_out)`` outputs.

    Feed-forward genomes are one ``PopulationNetwork``; recurrent ones one
    ``RecurrentPopulationNetwork``, made afresh for each rollout so every
    state starts from zeros, and stepped once per call.  Episodes all start
    together and none restarts (an env whose episode ended is ignored), so
    that one reset at the start is all the states need.  Genomes of
    feed-forward and recurrent configs mixed are compiled one by one.

    ``rows`` are the genomes evaluated, at first all of them.  Once the
    genomes with a running episode are at most a quarter of ``rows``, ``keep``
    narrows ``rows`` to them (a ``subset`` of the stack, sliced from its
    arrays; a recurrent stack's subset carries the states on), so that the
    long tail of a generation, a few genomes still balancing, costs little.
    It depends only on which episodes run, so serial and vectorized rollouts
    evaluate the same stacks.
    """

    def __init__(self, genomes: Sequence[Genome]) -> None:
        self.rows = np.arange(len(genomes))
        pool = getattr(genomes, "pool", None)  # a GenomeSequence: one config, no genome made to read it
        kinds = {pool.config.feed_forward} if pool is not None else {g.config.feed_forward for g in genomes}
        self._stack: PopulationNetwork | RecurrentPopulationNetwork | None = None
        self._nets: list[Any] = []
        if len(kinds) == 1:
            self._stack = compile_population(genomes)
        else:
            self._nets = [compile(g) for g in genomes]
            for net in self._nets:
                if hasattr(net, "reset"):
                    net.reset()

    def keep(self, live: np.ndarray) -> None:
        """Narrow ``rows`` to the genomes ``live`` ((P,) bool) when they are at most a quarter of them."""
        count = int(np.count_nonzero(live))
        if 0 < count <= len(self.rows) // 4:
            if self._stack is not None:
                # The stack holds the genomes `rows` (every live genome among
                # them: an episode never restarts): keep its live positions.
                self._stack = self._stack.subset(np.flatnonzero(live[self.rows]))
            self.rows = np.flatnonzero(live)

    def __call__(self, X: np.ndarray) -> np.ndarray:
        if self._stack is not None:
            return self._stack(X)
        return np.stack([self._nets[i](x) for i, x in zip(self.rows.tolist(), X)])


def play(
    envs: Any,
    policy: Policy,
    seeds: np.ndarray,
    num_genomes: int,
    inputs: Callable[[Any], np.ndarray],
    actions_of: Callable[[np.ndarray], np.ndarray],
    *,
    max_steps: int | None = None,
    frame_skip: int = 1,
    env_name: str = "env",
) -> tuple[np.ndarray, np.ndarray]:
    """Play every genome's episodes in lockstep until all are over.

    Parameters
    ----------
    envs
        ``SerialEnvs`` or ``VectorEnvs`` of ``num_genomes * len(seeds)`` envs:
        env ``p * E + e`` plays genome ``p``'s episode ``e``.
    policy
        The genomes' networks.
    seeds : (E,) int
        The episodes' reset seeds (the same for every genome).
    inputs
        ``raw observations (N, ...) -> network inputs (N, n_in)``.
    actions_of
        ``network outputs (N, n_out) -> actions (N, ...)``.
    max_steps
        Cut episodes after this many env steps (frames).
    frame_skip
        Each action is repeated this many env steps (rewards summed).

    Returns
    -------
    returns : (P, E) float64
    lengths : (P, E) int64
        Env steps of each episode.
    """
    P, E = num_genomes, len(seeds)
    n = P * E
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
            X = inputs(raw[env_rows])
            outputs = policy(X.reshape(k, E, X.shape[1])).reshape(k * E, -1)
            chosen = actions_of(outputs)
            if actions is None or len(env_rows) == n:
                actions = chosen
            else:
                # Envs of finished genomes keep their last (valid) action; a
                # vector env steps them, their results are ignored.  A new
                # array: an env may keep the action it was given.
                actions = actions.copy()
                actions[env_rows] = chosen
            for _ in range(frame_skip):
                raw, rewards, terminated, truncated = envs.step(actions, active)
                # Only steps of running episodes count; a sub-env of a vector
                # env that ended is autoreset and runs on, ignored.
                returns += np.where(active, rewards, 0.0)
                lengths += active
                done = terminated | truncated
                if max_steps is not None:
                    done |= lengths >= max_steps
                active &= ~done
                if not active.any():
                    break
            if not active.any():
                break
    except ConfigError:
        raise
    except Exception as exc:
        raise EvaluationError(f"{env_name}: stepping the env failed: {type(exc).__name__}: {exc}") from exc
    return returns.reshape(P, E), lengths.reshape(P, E)
