"""Slot refill of rollouts: fewer envs or sub-envs than (genome, episode) pairs, the serial fitness exactly.

The reference is serial play with one env per pair (no refill)."""

import gymnasium as gym
import numpy as np
import pytest
from gymnasium import spaces
from gymnasium.vector import AutoresetMode

import neat
from neat.evaluation.gym import GymEvaluator, episode_seeds

from .test_gym import CARTPOLE, StepsEnv, config, constant_genome, oracle_returns, start_genomes


class DriftEnv(gym.Env):
    """Box actions, episodes of uneven lengths: the position drifts by the action and the
    episode ends (terminated) when it leaves [-1, 1], else truncated after ``horizon`` steps.
    The reward is the action's square: any action off by a bit changes the return."""

    def __init__(self, horizon=12):
        self.observation_space = spaces.Box(-2.0, 2.0, shape=(2,), dtype=np.float64)
        self.action_space = spaces.Box(-0.5, 0.5, shape=(1,), dtype=np.float64)
        self.horizon = horizon

    def _obs(self):
        return np.array([self.x, self.t / self.horizon])

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        self.x, self.t = float(self.np_random.uniform(-0.9, 0.9)), 0
        return self._obs(), {}

    def step(self, action):
        a = float(np.asarray(action).reshape(-1)[0])
        self.x += a
        self.t += 1
        return self._obs(), a * a + self.x, abs(self.x) > 1.0, self.t >= self.horizon, {}


def drift():
    return DriftEnv()


ONE_PER_PAIR = 10**9  # slots = min(pairs, this): every pair in its own env from the first step


def serial_and(vectorized, genomes, env, generations=(0, 1, 2), **kwargs):
    out = {}
    for mode in dict.fromkeys((False, vectorized)):  # serial_and(False, ...): the reference alone
        settings = {**kwargs, "slots": ONE_PER_PAIR} if mode is False else kwargs
        with GymEvaluator(env, vectorized=mode, **settings) as evaluator:
            out[mode] = np.stack([evaluator.episode_returns(genomes, generation=g) for g in generations])
            out[(mode, "steps")] = evaluator.env_steps
            out[(mode, "substeps")] = evaluator.env_substeps
            out[(mode, "sizes")] = sorted(evaluator._vectors)
    return out


@pytest.mark.parametrize("vectorized", ["vector_entry_point", "sync", None])
@pytest.mark.parametrize("slots", [1, 7, 16])
def test_cartpole_with_fewer_slots_than_pairs_gives_the_serial_returns(vectorized, slots):
    genomes = start_genomes(CARTPOLE, 12, seed=4)
    out = serial_and(vectorized, genomes, "CartPole-v1", episodes=3, seed=9, slots=slots)
    np.testing.assert_array_equal(out[vectorized], out[False])
    assert out[(vectorized, "sizes")] == [slots]  # slots sub-envs for 36 pairs
    assert out[(vectorized, "steps")] == out[(False, "steps")]
    lengths = out[False]  # CartPole: return == length; uneven, some long
    assert lengths.max() > 3 * np.median(lengths)


def test_box_actions_with_refills_give_the_serial_returns():
    cfg = config(2, 1, activation_default="tanh", activation_options=["tanh"])
    genomes = start_genomes(cfg, 9, seed=3)
    out = serial_and("sync", genomes, drift, episodes=4, seed=2, slots=5)
    np.testing.assert_array_equal(out["sync"], out[False])
    assert len(np.unique(out[False])) > 20  # continuous returns, not a few values
    assert out[("sync", "sizes")] == [5]


@pytest.mark.parametrize("mode", [AutoresetMode.NEXT_STEP, AutoresetMode.SAME_STEP])
def test_refills_in_both_autoreset_modes_count_nothing_after_an_episode_ends(mode):
    cfg = config(2, 2)
    quitter = constant_genome(cfg, [2.0, -2.0])  # 1 step
    stayer = constant_genome(cfg, [-2.0, 2.0])  # 5 steps (the horizon)
    genomes = [quitter, stayer, quitter, stayer, quitter]
    with GymEvaluator(
        lambda: StepsEnv(horizon=5), episodes=3, vectorized="sync", slots=2, vector_kwargs={"autoreset_mode": mode}
    ) as evaluator:
        returns = evaluator.episode_returns(genomes)
        assert evaluator.env_steps == 3 * (1 + 5 + 1 + 5 + 1)
    np.testing.assert_array_equal(returns, [[1] * 3, [5] * 3, [1] * 3, [5] * 3, [1] * 3])


def test_each_refill_resets_its_sub_env_with_its_episode_seed_in_pair_order():
    resets = []
    genomes = start_genomes(config(2, 2), 4)
    with GymEvaluator(lambda: StepsEnv(resets=resets), episodes=3, seed=11, vectorized="sync", slots=2) as evaluator:
        for generation in (0, 1):
            resets.clear()
            evaluator(genomes, generation=generation)
            seeded = [s for s in resets if s is not None]  # a vector env's autoresets pass no seed
            assert seeded == np.tile(episode_seeds(11, generation, 3), 4).tolist()
        assert sorted(evaluator._vectors) == [2]


def test_frame_skip_and_max_steps_with_refills_match_a_plain_loop():
    genomes = start_genomes(CARTPOLE, 6, seed=5)
    for vectorized in ("vector_entry_point", "sync"):
        with GymEvaluator(
            "CartPole-v1", episodes=3, seed=1, frame_skip=3, max_steps=40, vectorized=vectorized, slots=4
        ) as evaluator:
            returns = evaluator.episode_returns(genomes)
        for g, row in zip(genomes, returns):
            np.testing.assert_array_equal(row, oracle_returns(g, episode_seeds(1, 0, 3), frame_skip=3, max_steps=40))


def test_observation_normalization_with_refills():
    mean, std = np.array([0.0, 0.1, 0.0, -0.1]), np.array([2.0, 1.0, 0.5, 3.0])
    genomes = start_genomes(CARTPOLE, 5, seed=6)
    with GymEvaluator("CartPole-v1", episodes=3, observation_normalization=(mean, std), slots=3) as evaluator:
        returns = evaluator.episode_returns(genomes)
    for g, row in zip(genomes, returns):
        np.testing.assert_array_equal(row, oracle_returns(g, episode_seeds(0, 0, 3), normalization=(mean, std)))


def test_recurrent_genomes_run_every_pair_side_by_side_with_the_serial_returns():
    from .test_gym import grown_recurrent_genomes

    genomes = grown_recurrent_genomes(8, seed=7)
    out = serial_and("vector_entry_point", genomes, "CartPole-v1", episodes=3, seed=5, slots=4)
    np.testing.assert_array_equal(out["vector_entry_point"], out[False])
    assert out[("vector_entry_point", "sizes")] == [24]  # no refills: a state per pair from the start


def test_cartpole_vector_env_drops_finished_sub_envs_utilisation_at_least_0_9():
    genomes = start_genomes(CARTPOLE.replace(run={"population_size": 60}), 60, seed=1)
    out = serial_and(None, genomes, "CartPole-v1", episodes=5, seed=3)
    np.testing.assert_array_equal(out[None], out[False])
    assert out[(None, "steps")] / out[(None, "substeps")] >= 0.9
    assert out[(False, "steps")] == out[(False, "substeps")]  # serial steps only running episodes
    # A rollout ends with fewer sub-envs; the next one gets all 300 back.
    with GymEvaluator("CartPole-v1", episodes=5, seed=3) as evaluator:
        first = evaluator.episode_returns(genomes, generation=4)
        assert evaluator._vectors[300].env.num_envs < 300
        np.testing.assert_array_equal(evaluator.episode_returns(genomes, generation=4), first)


@pytest.mark.parametrize("slots", [1, 7, None])
def test_serial_play_refills_its_envs_with_the_returns_of_one_env_per_pair(slots):
    genomes = start_genomes(CARTPOLE, 30, seed=8)
    out = serial_and(False, genomes, "CartPole-v1", episodes=3, seed=4)  # 90 pairs, one env each
    with GymEvaluator("CartPole-v1", episodes=3, seed=4, vectorized=False, slots=slots) as evaluator:
        returns = np.stack([evaluator.episode_returns(genomes, generation=g) for g in (0, 1, 2)])
        assert len(evaluator._serial.envs) == (slots or 64)  # default: min(pairs, 64)
        assert evaluator.env_steps == evaluator.env_substeps == out[(False, "steps")]
    np.testing.assert_array_equal(returns, out[False])
    for g, row in zip(genomes, returns[0]):
        np.testing.assert_array_equal(row, oracle_returns(g, episode_seeds(4, 0, 3)))


def test_default_slots_of_a_sync_vector_env_and_bad_slots():
    genomes = start_genomes(CARTPOLE, 30, seed=2)
    with GymEvaluator("CartPole-v1", episodes=3, vectorized="sync") as evaluator:
        evaluator.episode_returns(genomes)
        assert sorted(evaluator._vectors) == [64]
    for bad in (0, -1, 2.5, True):
        with pytest.raises(neat.ConfigError, match="slots"):
            GymEvaluator("CartPole-v1", slots=bad)
