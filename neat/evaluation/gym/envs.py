"""The envs that play episodes: plain envs stepped one after another, or one gymnasium vector env.

- ``SerialEnvs``: one plain ``gymnasium.Env`` per slot, stepped in Python;
  works with any env;
- ``VectorEnvs``: one vector env (``gymnasium.make_vec``, ``SyncVectorEnv``,
  ...) of ``n`` sub-envs stepped with one call.  CartPole's NumPy vector env
  gets each sub-env's start state from a single env reset with the episode's
  seed (the same episodes as serial play), and drops sub-envs whose episodes
  ended (``shrink``).

Both have the interface ``rollout.play`` steps: ``reset(seeds)``,
``reset_slots(slots, seeds)``, ``step(actions, active)``, ``substeps``,
``close()``; ``VectorEnvs`` also ``shrink(keep)``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ...errors import ConfigError

__all__ = [
    "EnvFactory", "SerialEnvs", "VectorEnvs", "has_seedable_vector_entry_point", "slot_count", "DEFAULT_SLOTS",
]

EnvFactory = Callable[[], Any]

DEFAULT_SLOTS = 64
"""Serial envs, or sub-envs of a vector env without a NumPy vector entry point, when ``slots`` is not given."""


def slot_count(pairs: int, slots: int | None, numpy_env: bool) -> int:
    """Envs (serial or sub-envs) for ``pairs`` (genome, episode) pairs of genomes whose episodes may start late.

    ``slots`` when given; else one per pair for a NumPy vector env (its
    sub-env steps are cheap and ``VectorEnvs.shrink`` drops those whose
    episodes ended), else ``DEFAULT_SLOTS``; never more than ``pairs``.
    """
    return min(pairs, slots if slots is not None else pairs if numpy_env else DEFAULT_SLOTS)


# --- the envs -----------------------------------------------------------------
class SerialEnvs:
    """``n`` plain envs stepped one after another; only running episodes are stepped.

    ``infos``: the info dicts of the last ``step``, one per env stepped (in env order).
    """

    def __init__(self, make_env: EnvFactory) -> None:
        self._make_env = make_env
        self.envs: list[Any] = []
        self.substeps = 0  # env steps taken

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

    def reset_slots(self, slots: np.ndarray, seeds: Sequence[int]) -> np.ndarray:
        """Start new episodes in envs ``slots`` (reset with ``seeds``); all the observations, those updated."""
        for i, s in zip(slots.tolist(), seeds):
            self._obs[i] = self.envs[i].reset(seed=int(s))[0]
        self._terminated[slots] = False
        self._truncated[slots] = False
        return self._obs

    def step(self, actions: Any, active: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        idx = np.flatnonzero(active).tolist()
        steps = self._steps
        # Envs whose episode ended are not stepped: their rows stay as they were.
        obs, rewards, terminated, truncated, self.infos = zip(*[steps[i](actions[i]) for i in idx])
        self.substeps += len(idx)
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
    """One gymnasium vector env of ``n`` sub-envs; every sub-env is stepped every step.

    ``info``: the vector info dict of the last ``step``.
    """

    def __init__(self, env: Any, make_single: EnvFactory) -> None:
        from gymnasium.vector import AutoresetMode

        self.env = env
        self.num_envs = int(env.num_envs)
        self._make_single = make_single
        self._single: Any = None
        self._starts: dict[int, np.ndarray] = {}
        self._obs: Any = None
        self.substeps = 0  # sub-env steps taken, those of sub-envs without a running episode included
        self._full_action_space = env.action_space
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
        self._obs = obs
        return obs

    def _cartpole_starts(self, seeds: Sequence[int]) -> np.ndarray:
        # CartPoleVectorEnv draws every sub-env's start from one generator and
        # takes one int seed.  Each sub-env is given instead the start state a
        # single CartPole env has after reset(seed=its episode seed): the same
        # episodes as serial evaluation.  (n, 4) float64.
        if self._single is None:
            self._single = self._make_single()
        unique, inverse = np.unique(np.asarray(seeds), return_inverse=True)
        starts = np.empty((len(unique), 4))
        for k, s in enumerate(unique.tolist()):
            start = self._starts.get(s)
            if start is None:
                self._single.reset(seed=s)
                start = self._starts[s] = np.array(self._single.unwrapped.state, dtype=np.float64)
            starts[k] = start
        return starts[inverse.reshape(-1)]

    def _reset_cartpole(self, seeds: Sequence[int]) -> np.ndarray:
        env = self.env
        if env.num_envs != self.num_envs:  # shrunk by the last rollout: every sub-env back
            env.num_envs = self.num_envs
            env.action_space = self._full_action_space
        self._starts = {}  # a rollout's seeds: its episodes' start states, kept for the slots' refills
        states = self._cartpole_starts(seeds)
        env.reset(seed=int(seeds[0]))
        env.state = np.ascontiguousarray(states.T)
        self._obs = states.astype(np.float32)
        return self._obs

    def reset_slots(self, slots: np.ndarray, seeds: Sequence[int]) -> Any:
        """Start new episodes in sub-envs ``slots`` (reset with ``seeds``); all the observations, those updated.

        CartPole's vector env: the sub-envs' states are set (and their step
        counts and pending autoresets cleared).  Others: ``reset(seed=[...],
        options={"reset_mask": mask})``, gymnasium's reset of some sub-envs.
        """
        env = self.env
        if _is_cartpole_vector(env):
            states = self._cartpole_starts(seeds)
            env.state[:, slots] = states.T
            env.steps[slots] = 0
            env.prev_done[slots] = False
            self._obs[slots] = states
            return self._obs
        mask = np.zeros(self.num_envs, dtype=bool)
        mask[slots] = True
        all_seeds: list[int | None] = [None] * self.num_envs
        for i, s in zip(slots.tolist(), seeds):
            all_seeds[i] = int(s)
        try:
            obs, _ = env.reset(seed=all_seeds, options={"reset_mask": mask})
        except Exception as exc:
            raise ConfigError(
                f"vector env {env!r} cannot reset some of its sub-envs with reset(seed=[...], "
                f'options={{"reset_mask": ...}}) ({type(exc).__name__}: {exc}); '
                'use vectorized="sync" or vectorized=False'
            ) from exc
        self._obs = obs
        return obs

    def shrink(self, keep: np.ndarray) -> Any:
        """Keep only sub-envs ``keep`` (in that order), the others dropped; their observations, or None if unsupported.

        CartPole's vector env only: its arrays are cut to those columns (the
        next ``reset`` brings every sub-env back).  ``play`` calls it once no
        pair waits and an eighth of the sub-envs have no running episode.
        """
        env = self.env
        if not _is_cartpole_vector(env):
            return None
        from gymnasium.spaces import MultiDiscrete

        env.state = env.state[:, keep]
        env.steps = env.steps[keep]
        env.prev_done = env.prev_done[keep]
        env.num_envs = len(keep)
        space = env.action_space  # batch_space(Discrete) of the sub-envs, cut the same way (without its deep copy)
        env.action_space = MultiDiscrete(space.nvec[keep], dtype=space.dtype, start=space.start[keep])
        self._obs = self._obs[keep]
        return self._obs

    def step(self, actions: np.ndarray, active: np.ndarray) -> tuple[Any, np.ndarray, np.ndarray, np.ndarray]:
        obs, rewards, terminated, truncated, self.info = self.env.step(actions)
        self.substeps += self.env.num_envs
        self._obs = obs
        return obs, np.asarray(rewards, dtype=np.float64), np.asarray(terminated), np.asarray(truncated)

    def close(self) -> None:
        self.env.close()
        if self._single is not None:
            self._single.close()


def _is_cartpole_vector(env: Any) -> bool:
    from gymnasium.envs.classic_control.cartpole import CartPoleVectorEnv

    return type(env) is CartPoleVectorEnv


def has_seedable_vector_entry_point(env_id: str) -> bool:
    """Whether ``env_id``'s vector entry point is CartPole's, or a class with ``seed_per_sub_env = True`` (NumPy
    sub-envs, ``reset(seed=[...])`` and ``options={"reset_mask": ...}`` as ``SyncVectorEnv``): the default then."""
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

    return (entry is CartPoleVectorEnv or getattr(entry, "seed_per_sub_env", False) is True) and not spec.additional_wrappers
