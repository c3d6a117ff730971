"""Behaviour descriptors of gymnasium episodes, recorded while ``rollout.play`` steps the envs.

``GymEvaluator(..., behaviour=...)`` returns, besides fitness, one
descriptor per genome (for ``neat.evaluation.novelty.NoveltySearch``).  A
behaviour is ``"final_observation"`` (the episode's last observation,
flattened) or a function of one episode ``behaviour(observations, actions,
info) -> (d,)``:

- ``observations``: ``(T + 1, *observation_shape)``, the reset observation
  and every env step's, as the env returned them (before input scaling);
- ``actions``: ``(T, *action_shape)``, the action sent at each env step (a
  ``frame_skip`` repeat is a step of its own);
- ``info``: the info dict of the episode's last step.  From a vector env,
  that sub-env's entries (the per-sub-env values of gymnasium's vector info
  dict, taken where its ``_key`` masks are set); where the vector env reset
  the sub-env in the same step (``AutoresetMode.SAME_STEP``), the episode's
  final observation and info (``final_obs``, ``final_info``), not the reset's.

``"final_observation"`` is ``neat.evaluation.novelty.final_observation_behaviour``
of the episode, recorded without keeping the episode's history.

``BehaviourRecorder`` wraps the envs ``play`` steps (serial or vector, any
number of slots): it follows which (genome, episode) pair each slot plays,
the same way ``play`` hands them out, and keeps, for the pairs' episodes,
only what the behaviour needs: the last observation for
``"final_observation"``; every observation and action, and the last info,
for a function (in memory until the rollout ends: mind large observations).
Its ``outputs()`` are the descriptors of the ``P * E`` pairs in pair order;
``behaviour_matrix`` checks them and makes the ``(P, d)`` rows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ...errors import ConfigError, EvaluationError
from ..novelty import final_observation_behaviour
from .envs import SerialEnvs

__all__ = ["BEHAVIOURS", "BEHAVIOUR_REDUCERS", "BehaviourRecorder", "behaviour_matrix", "check_behaviour",
           "check_behaviour_reduce", "sub_env_info"]

Behaviour = Callable[[np.ndarray, np.ndarray, dict], Any]

BEHAVIOURS = ("final_observation",)
"""Named behaviours of ``GymEvaluator``."""

BEHAVIOUR_REDUCERS = ("concat", "mean")
"""How a genome's per-episode descriptors become its row: concatenated in episode order, or their mean."""


def check_behaviour(behaviour: Any) -> str | Behaviour | None:
    """``behaviour`` if it is ``None``, ``"final_observation"`` or a function, else ``ConfigError``."""
    if behaviour is None or callable(behaviour) or (isinstance(behaviour, str) and behaviour in BEHAVIOURS):
        return behaviour
    raise ConfigError(
        f"behaviour must be None, {', '.join(map(repr, BEHAVIOURS))} or a function "
        f"behaviour(observations, actions, info) -> (d,) array of one episode, got {behaviour!r}"
    )


def check_behaviour_reduce(reduce: Any) -> str:
    """``reduce`` if it is one of ``BEHAVIOUR_REDUCERS``, else ``ConfigError``."""
    if isinstance(reduce, str) and reduce in BEHAVIOUR_REDUCERS:
        return reduce
    raise ConfigError(f"behaviour_reduce must be one of {', '.join(map(repr, BEHAVIOUR_REDUCERS))}, got {reduce!r}")


def sub_env_info(info: dict[str, Any], i: int) -> dict[str, Any]:
    """Sub-env ``i``'s entries of a gymnasium vector info dict (``key`` where ``_key[i]``; nested dicts too)."""
    out: dict[str, Any] = {}
    for key, value in info.items():
        if key.startswith("_") and key[1:] in info:  # a mask
            continue
        mask = info.get("_" + key)
        if mask is not None and not mask[i]:
            continue
        if isinstance(value, dict):
            out[key] = sub_env_info(value, i)
        else:
            item = value[i]
            out[key] = item.copy() if isinstance(item, np.ndarray) else item
    return out


def _final(info: dict[str, Any], key: str, i: int) -> bool:
    """Whether a vector env's ``info`` holds the episode-end ``key`` (``final_obs`` / ``final_info``) of sub-env ``i``."""
    mask = info.get("_" + key)
    return mask is not None and bool(mask[i])


class BehaviourRecorder:
    """The envs of one ``play`` call, recording what ``behaviour`` needs of every (genome, episode) pair.

    Parameters
    ----------
    envs
        ``envs.SerialEnvs`` or ``envs.VectorEnvs``; their ``step``
        leaves the step's info in ``infos`` (serial: one per stepped env) or
        ``info`` (vector: gymnasium's vector info dict).
    behaviour
        ``"final_observation"`` or a function of one episode.
    pairs
        The number of (genome, episode) pairs ``play`` plays.
    """

    def __init__(self, envs: Any, behaviour: str | Behaviour, pairs: int) -> None:
        self._envs = envs
        self._history = callable(behaviour)
        self._behaviour = behaviour
        self._pairs = pairs
        self._serial = isinstance(envs, SerialEnvs)
        self._queued = 0
        self._last: list[Any] = [None] * pairs  # final-observation: each pair's last observation
        self._infos: list[Any] = [None] * pairs  # a function: each pair's (step info, position) at its end
        self._obs_log: list[tuple[np.ndarray, np.ndarray]] = []  # (pairs, observations) of every reset and step
        self._action_log: list[tuple[np.ndarray, np.ndarray]] = []  # (pairs, actions) of every step
        self._step_infos: list[Any] = []

    # --- the envs' interface, as play uses it --------------------------------------------------
    def reset(self, seeds: Sequence[int]) -> Any:
        raw = self._envs.reset(seeds)
        n = len(seeds)
        self._slot_pair = np.arange(n)
        self._queued = n
        self._slot_step = np.full(n, -1)  # the last step each slot's pair took (index into _step_infos)
        self._slot_pos = np.zeros(n, dtype=np.int64)  # and the slot's position in that step's info
        if self._history:
            self._obs_log.append((self._slot_pair.copy(), np.array(raw, copy=True)))
        else:
            self._slot_last = np.array(raw, copy=True)
        return raw

    def reset_slots(self, slots: np.ndarray, seeds: Sequence[int]) -> Any:
        self._finish(slots)
        raw = self._envs.reset_slots(slots, seeds)
        new = np.arange(self._queued, self._queued + len(slots))
        self._queued += len(slots)
        self._slot_pair[slots] = new
        self._slot_step[slots] = -1
        if self._history:
            self._obs_log.append((new, np.asarray(raw)[slots]))
        else:
            self._slot_last[slots] = np.asarray(raw)[slots]
        return raw

    def step(self, actions: Any, active: np.ndarray) -> tuple[Any, np.ndarray, np.ndarray, np.ndarray]:
        idx = np.flatnonzero(active)
        out = self._envs.step(actions, active)
        raw = out[0]
        rows = np.asarray(raw)[idx]  # a copy: the envs may reuse their arrays
        info = (idx, self._envs.infos) if self._serial else self._envs.info
        if not self._serial and "_final_obs" in info:  # SAME_STEP autoreset: the episode's end, not the reset
            for j, s in enumerate(idx.tolist()):
                if _final(info, "final_obs", s):
                    rows[j] = info["final_obs"][s]
        if self._history:
            pairs = self._slot_pair[idx]
            self._obs_log.append((pairs, rows))
            self._action_log.append((pairs, np.asarray(actions)[idx]))
            self._slot_step[idx] = len(self._step_infos)
            self._slot_pos[idx] = np.arange(len(idx)) if self._serial else idx
            self._step_infos.append(info)
        else:
            self._slot_last[idx] = rows
        return out

    def shrink(self, keep: np.ndarray) -> Any:
        shrink = getattr(self._envs, "shrink", None)
        raw = shrink(keep) if shrink is not None else None
        if raw is not None:
            dropped = np.setdiff1d(np.arange(len(self._slot_pair)), keep)
            self._finish(dropped)
            self._slot_pair, self._slot_step, self._slot_pos = (
                self._slot_pair[keep], self._slot_step[keep], self._slot_pos[keep])
            if not self._history:
                self._slot_last = self._slot_last[keep]
        return raw

    def _finish(self, slots: np.ndarray) -> None:
        """The pairs last played in ``slots`` are over: keep their ends."""
        for s in np.asarray(slots).tolist():
            p = int(self._slot_pair[s])
            if p < 0:
                continue
            if self._history:
                self._infos[p] = (int(self._slot_step[s]), int(self._slot_pos[s]))
            else:
                self._last[p] = self._slot_last[s].copy()
            self._slot_pair[s] = -1

    # --- the descriptors ------------------------------------------------------------------------
    def outputs(self, episodes: int, offset: int = 0) -> list[Any]:
        """What the behaviour gave for each pair ``p * episodes + e`` (genome ``offset + p``), unchecked."""
        self._finish(np.arange(len(self._slot_pair)))
        if not self._history:
            return [final_observation_behaviour([last]) for last in self._last]
        observations = _by_pair(self._obs_log, self._pairs)
        actions = _by_pair(self._action_log, self._pairs)
        out = []
        for p in range(self._pairs):
            step, pos = self._infos[p]
            info = self._info_at(step, pos)
            try:
                out.append(self._behaviour(observations[p], actions[p], info))  # type: ignore[operator]
            except Exception as exc:
                raise EvaluationError(
                    f"the behaviour function raised {type(exc).__name__}: {exc} on episode {p % episodes} of "
                    f"the genome at position {offset + p // episodes}"
                ) from exc
        return out

    def _info_at(self, step: int, pos: int) -> dict[str, Any]:
        if step < 0:
            return {}
        info = self._step_infos[step]
        if self._serial:
            return info[1][pos]
        if _final(info, "final_info", pos):
            return sub_env_info(info["final_info"], pos)
        return sub_env_info(info, pos)


def _by_pair(log: list[tuple[np.ndarray, np.ndarray]], pairs: int) -> list[np.ndarray]:
    """Each pair's rows of a chronological ``(pairs, rows)`` log, in time order."""
    if not log:
        return [np.empty(0)] * pairs
    who = np.concatenate([entry[0] for entry in log])
    rows = np.concatenate([entry[1] for entry in log])
    order = np.argsort(who, kind="stable")
    counts = np.bincount(who, minlength=pairs)
    return np.split(rows[order], np.cumsum(counts)[:-1])


def behaviour_matrix(outputs: Sequence[Any], genomes: int, episodes: int, reduce: str) -> np.ndarray:
    """``(genomes, d_total)`` float64 rows of the pairs' descriptors ``outputs`` (pair ``p * episodes + e``).

    Each descriptor must be a ``(d,)`` array-like (a number is ``(1,)``) of
    finite numbers with the same ``d`` for every episode; a genome's row is
    its episodes' descriptors concatenated in episode order
    (``reduce="concat"``, ``d_total = episodes * d``) or their mean
    (``"mean"``, ``d_total = d``).  Otherwise ``EvaluationError`` naming the
    genome's position, the episode and what the behaviour returned.
    """
    rows: list[np.ndarray] = []
    d: int | None = None
    for p, value in enumerate(outputs):
        where = f"episode {p % episodes} of the genome at position {p // episodes}"
        try:
            a = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            a = None
        if a is None or a.ndim > 1:
            shape = f" of shape {a.shape}" if a is not None else ""
            raise EvaluationError(
                f"the behaviour of {where} is {type(value).__name__}{shape} {_show(value)}; "
                "expected a (d,) array of numbers (one descriptor of the episode)"
            )
        a = a.reshape(-1)
        if a.size == 0:
            raise EvaluationError(f"the behaviour of {where} is empty; expected d >= 1 numbers")
        if d is None:
            d = a.size
        if a.size != d:
            raise EvaluationError(
                f"the behaviour of {where} has {a.size} numbers, the first episode's had {d}; "
                "every episode's descriptor must have the same length d"
            )
        if not np.isfinite(a).all():
            raise EvaluationError(
                f"the behaviour of {where} is not finite: {_show(a)}; every descriptor must be finite numbers"
            )
        rows.append(a)
    if not rows:
        return np.empty((genomes, 0))
    table = np.stack(rows).reshape(genomes, episodes, -1)
    return table.mean(axis=1) if reduce == "mean" else table.reshape(genomes, -1)


def _show(value: Any) -> str:
    text = " ".join(repr(value).split())
    return text if len(text) <= 80 else text[:77] + "..."
