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

__all__ = [
    "EnvFactory", "episode_seeds", "replay_seeds", "SerialEnvs", "VectorEnvs", "Policy", "play", "check_int",
    "has_seedable_vector_entry_point", "slot_count", "DEFAULT_SLOTS",
]

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


DEFAULT_SLOTS = 64
"""Sub-envs of a vector env without a NumPy vector entry point when ``slots`` is not given."""


def slot_count(pairs: int, slots: int | None, numpy_env: bool) -> int:
    """Sub-envs of a vector env for ``pairs`` (genome, episode) pairs of genomes whose episodes may start late.

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
        next ``reset`` brings every sub-env back).  Used at the end of a
        rollout, when no pair waits and most sub-envs' episodes are over.
        """
        env = self.env
        if not _is_cartpole_vector(env):
            return None
        from gymnasium.vector.utils import batch_space

        env.state = env.state[:, keep]
        env.steps = env.steps[keep]
        env.prev_done = env.prev_done[keep]
        env.num_envs = len(keep)
        env.action_space = batch_space(env.single_action_space, len(keep))
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


# --- the networks -------------------------------------------------------------
class Policy:
    """The networks of ``P`` genomes: ``(k, E, n_in)`` observations -> ``(k, E, n_out)`` outputs.

    Row ``i`` of a call is genome ``rows[i]``, column ``e`` its episode ``e``:
    every call has that layout, however the episodes are scheduled on envs,
    so a genome's actions are the same whichever other episodes run.

    Feed-forward genomes are one ``PopulationNetwork``; recurrent ones one
    ``RecurrentPopulationNetwork``, made afresh for each rollout so every
    state starts from zeros, and stepped once per call.  The recurrent
    states of a genome's episodes start together at the first call: its
    episodes all start then and none restarts (``refills`` is False), so
    one reset at the start is all the states need.  Genomes of feed-forward
    and recurrent configs mixed are compiled one by one (no refills either).  ``exact``: in exact mode.

    ``rows`` are the genomes evaluated, at first all of them.  Once the
    genomes with an unfinished episode are at most a quarter of ``rows``,
    ``keep`` narrows ``rows`` to them (a ``subset`` of the stack, sliced from
    its arrays; a recurrent stack's subset carries the states on), so that
    the long tail of a generation, a few genomes still balancing, costs
    little.

    Attributes
    ----------
    refills : bool
        Whether an episode may start after the first call (feed-forward
        stacks, which keep no state): ``play`` then refills env slots.
    """

    def __init__(self, genomes: Sequence[Genome], *, exact: bool = False) -> None:
        self.rows = np.arange(len(genomes))
        pool = getattr(genomes, "pool", None)  # a GenomeSequence: one config, no genome made to read it
        kinds = {pool.config.feed_forward} if pool is not None else {g.config.feed_forward for g in genomes}
        self._stack: PopulationNetwork | RecurrentPopulationNetwork | None = None
        self._nets: list[Any] = []
        self.refills = kinds == {True}
        if len(kinds) == 1:
            self._stack = compile_population(genomes, exact=exact)
        else:
            self._nets = [compile(g, exact=exact) for g in genomes]
            for net in self._nets:
                if hasattr(net, "reset"):
                    net.reset()

    def keep(self, live: np.ndarray) -> bool:
        """Narrow ``rows`` to the genomes ``live`` ((P,) bool) when they are at most a quarter of them.

        Every live genome must be among ``rows``.  Returns whether ``rows`` changed.
        """
        count = int(np.count_nonzero(live))
        if 0 < count <= len(self.rows) // 4:
            if self._stack is not None:
                self._stack = self._stack.subset(np.flatnonzero(live[self.rows]))
            self.rows = np.flatnonzero(live)
            return True
        return False

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
    slots: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Play every genome's episodes on ``slots`` envs, refilling a slot when its episode ends.

    The ``P * E`` (genome, episode) pairs wait in a queue, genome by genome
    (pair ``p * E + e``: genome ``p``'s episode ``e``).  Each slot (an env)
    plays one pair at a time; the first ``slots`` pairs start together, and
    when a slot's episode ends, the next waiting pair starts there (the env
    reset with that episode's seed), so no slot idles while pairs wait.
    Every step, one network call gives every running pair its action
    (``Policy``: row = genome, column = episode).  With ``slots = P * E``, or
    a policy that does not refill (recurrent genomes), all pairs run side by
    side from the first step (lockstep).

    Parameters
    ----------
    envs
        ``SerialEnvs`` or ``VectorEnvs`` of ``slots`` envs.
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
    slots
        Number of envs; ``None``, or more than the pairs: one per pair.
        Only a policy that ``refills`` uses fewer.

    Returns
    -------
    returns : (P, E) float64
    lengths : (P, E) int64
        Env steps of each episode.
    """
    P, E = num_genomes, len(seeds)
    n = P * E
    S = n if slots is None or not policy.refills else max(1, min(int(slots), n))
    seed_list = np.asarray(seeds).tolist()
    returns = np.zeros(n)
    lengths = np.zeros(n, dtype=np.int64)
    left = np.full(P, E)  # unfinished episodes per genome
    pair = np.arange(S)  # the pair each slot plays; -1: none
    running = np.ones(S, dtype=bool)
    slot_return = np.zeros(S)
    slot_length = np.zeros(S, dtype=np.int64)
    queued = S  # the next pair to start
    position = np.arange(P)  # each genome's row in the policy's calls (-1: not there)
    actions: Any = None
    try:
        raw = envs.reset([seed_list[j % E] for j in range(S)])
        while True:
            idx = np.flatnonzero(running)
            if len(idx) == n and len(policy.rows) == P:
                X = inputs(raw)  # lockstep, every env running: rows and columns in env order
                k_pairs = None
            else:
                k_pairs = pair[idx]
                X_slots = inputs(raw[idx] if len(idx) < len(running) else raw)
                X = np.zeros((len(policy.rows) * E, X_slots.shape[1]))
                flat = position[k_pairs // E] * E + k_pairs % E
                X[flat] = X_slots
            k = len(policy.rows)
            outputs = policy(X.reshape(k, E, X.shape[1])).reshape(k * E, -1)
            if k_pairs is None:
                actions = actions_of(outputs)
            else:
                chosen = actions_of(outputs[flat])
                if len(idx) == len(running):
                    actions = chosen
                else:
                    # Slots without a running episode keep their last (valid)
                    # action; a vector env steps them, their results are
                    # ignored.  A new array: an env may keep the action it was given.
                    actions = actions.copy()
                    actions[idx] = chosen
            ended = []
            for _ in range(frame_skip):
                raw, rewards, terminated, truncated = envs.step(actions, running)
                # Only steps of running episodes count; a sub-env of a vector
                # env that ended is autoreset and runs on, ignored.
                slot_return += np.where(running, rewards, 0.0)
                slot_length += running
                done = terminated | truncated
                if max_steps is not None:
                    done |= slot_length >= max_steps
                done &= running
                if done.any():
                    ended.append(np.flatnonzero(done))
                    running &= ~done
                    if not running.any():
                        break
            if ended:
                over = np.concatenate(ended)
                finished = pair[over]
                returns[finished] = slot_return[over]
                lengths[finished] = slot_length[over]
                np.subtract.at(left, finished // E, 1)
                pair[over] = -1
                start = min(len(over), n - queued)
                if start:
                    free = np.sort(over)[:start]
                    new = np.arange(queued, queued + start)
                    queued += start
                    pair[free] = new
                    running[free] = True
                    slot_return[free] = 0.0
                    slot_length[free] = 0
                    raw = envs.reset_slots(free, [seed_list[j] for j in (new % E).tolist()])
                if not running.any():
                    break
                count = int(np.count_nonzero(running))
                if queued == n and count <= 0.9 * len(running) and len(running) - count >= 8:
                    # No pair waits and most slots idle: a vector env that can
                    # drop sub-envs steps only the running ones from now on.
                    keep = np.flatnonzero(running)
                    shrunk = envs.shrink(keep) if hasattr(envs, "shrink") else None
                    if shrunk is not None:
                        raw = shrunk
                        pair, running = pair[keep], running[keep]
                        slot_return, slot_length = slot_return[keep], slot_length[keep]
                        actions = actions[keep]
                if len(policy.rows) > 1 and policy.keep(left > 0):
                    position = np.full(P, -1)
                    position[policy.rows] = np.arange(len(policy.rows))
    except ConfigError:
        raise
    except Exception as exc:
        raise EvaluationError(f"{env_name}: stepping the env failed: {type(exc).__name__}: {exc}") from exc
    return returns.reshape(P, E), lengths.reshape(P, E)
