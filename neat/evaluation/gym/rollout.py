"""Episodes: their seeds, the networks that act in them, and the loop that steps them.

One generation's rollout::

    reset every (genome, episode) env with the episode's seed
    -> until every episode is over:
         observations (P, E, n_in) -> networks -> outputs (P, E, n_out)
         -> actions -> step -> rewards summed while the episode runs
    -> returns (P, E)

Two ways to step the envs (``envs``), with the same results:

- **serial**: one plain ``gymnasium.Env`` per slot, stepped one after
  another in Python; works with any env;
- **vectorized**: one ``gymnasium`` vector env (``gymnasium.make_vec``),
  stepped with one call.  CartPole's NumPy vector env
  (``vectorization_mode="vector_entry_point"``) makes this fast.

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

__all__ = ["episode_seeds", "replay_seeds", "Policy", "play", "check_int"]

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
    side from the first step (lockstep).  Once no pair waits and an eighth
    of the slots idle, envs that can (``VectorEnvs.shrink``: CartPole's)
    drop their idle sub-envs.  The rows of a call whose pair is not running
    keep their last inputs; their outputs are ignored (a row's outputs do
    not depend on the others').  What depends only on which slots run and on
    the policy's rows is recomputed when an episode ends or starts.

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
    can_shrink = hasattr(envs, "shrink")
    buffer: Any = None  # the policy's input rows (rows * E, n_in); those of pairs not running are left as they were
    actions: Any = None
    changed = True  # which slots run, their pairs or the policy's rows changed since the last step
    try:
        raw = envs.reset([seed_list[j % E] for j in range(S)])
        while True:
            if changed:
                # What only changes when an episode ends or starts, or the rows narrow.
                idx = running.nonzero()[0]
                all_running = len(idx) == len(running)
                k = len(policy.rows)
                live = pair[idx]
                flat = position[live // E] * E + live % E  # each running slot's row of the policy's call
                in_order = len(flat) == k * E and bool((flat == np.arange(k * E)).all())
                if buffer is not None and len(buffer) != k * E:
                    buffer = None
                changed = False
            X_slots = inputs(raw if all_running else raw[idx])
            if in_order:
                X = X_slots  # lockstep, every pair running: rows in slot order
            else:
                if buffer is None:
                    buffer = np.zeros((k * E, X_slots.shape[1]))
                X = buffer
                X[flat] = X_slots
            outputs = policy(X.reshape(k, E, X.shape[1])).reshape(k * E, -1)
            chosen = actions_of(outputs if in_order else outputs[flat])
            if all_running:
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
                if all_running:
                    slot_return += rewards
                    slot_length += 1
                else:
                    slot_return += np.where(running, rewards, 0.0)
                    slot_length += running
                done = terminated | truncated
                if max_steps is not None:
                    done |= slot_length >= max_steps
                if not all_running:
                    done &= running
                if np.count_nonzero(done):
                    ended.append(done.nonzero()[0])
                    running &= ~done
                    all_running, changed = False, True
                    if not np.count_nonzero(running):
                        break
            if ended:
                over = ended[0] if len(ended) == 1 else np.concatenate(ended)
                finished = pair[over]
                returns[finished] = slot_return[over]
                lengths[finished] = slot_length[over]
                left -= np.bincount(finished // E, minlength=P)
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
                count = np.count_nonzero(running)
                if not count:
                    break
                if queued == n and can_shrink and 8 * (len(running) - count) >= len(running):
                    # No pair waits and an eighth of the slots idle: a vector env
                    # that can drop sub-envs steps only the running ones from now on.
                    keep = running.nonzero()[0]
                    shrunk = envs.shrink(keep)
                    can_shrink = shrunk is not None
                    if can_shrink:
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
