"""GymEvaluator(behaviour=...): episode descriptors, the same on every stepping path, checked, fed to NoveltySearch."""

from concurrent.futures import ProcessPoolExecutor

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.vector import AutoresetMode

import neat
import neat.envs  # noqa: F401  (registers neat/Maze-*-v0)
from neat import ConfigError, EvaluationError
from neat.evaluation.gym import GymEvaluator, episode_seeds
from neat.evaluation.novelty import NoveltySearch

from .test_gym import CARTPOLE, StepsEnv, start_genomes

MAZE = "neat.envs:neat/Maze-medium-v0"  # importable by name in worker processes too
MAZE_KWARGS = {"start_noise": 3.0, "max_steps": 60}  # the env itself ends every episode (reward, final info)
SAME_STEP = {"autoreset_mode": AutoresetMode.SAME_STEP}


def maze_position(observations, actions, info):
    """The maze robot's final position: the behaviour of novelty search in the maze."""
    return info["position"]


def whole_episode(observations, actions, info):
    """Everything an episode gives, so any difference between two paths shows."""
    return np.concatenate([
        np.ravel(observations[-1]), np.ravel(observations[0]), [len(observations), len(actions)],
        [np.sum(actions), np.sum(observations)], np.ravel(info.get("position", [])),
    ])


def has_vector_entry_point(env_id):
    return gym.spec(env_id.split(":")[-1]).vector_entry_point is not None


def maze_genomes(count, seed, **genome):
    cfg = neat.Config(genome={"num_inputs": 10, "num_outputs": 2, **genome})
    return start_genomes(cfg, count, seed=seed)


PATHS = {
    "serial": {"vectorized": False},
    "sync": {"vectorized": "sync"},
    "sync, 7 slots": {"vectorized": "sync", "slots": 7},
    "sync, same-step autoreset": {"vectorized": "sync", "vector_kwargs": SAME_STEP},
}
CARTPOLE_PATHS = {
    **PATHS,
    "vector entry point": {"vectorized": "vector_entry_point"},
    "vector entry point, 5 slots": {"vectorized": "vector_entry_point", "slots": 5},
}


def evaluate_on_paths(env, genomes, paths, *, pool=True, generation=2, **kwargs):
    out = {}
    for name, path in paths.items():
        with GymEvaluator(env, **path, **kwargs) as evaluator:
            out[name] = evaluator(genomes, generation=generation)
    if pool:
        with ProcessPoolExecutor(2) as executor:
            with GymEvaluator(env, executor=executor, workers=2, **kwargs) as evaluator:
                out["process pool"] = evaluator(genomes, generation=generation)
    return out


def assert_all_equal(out):
    fitness, behaviours = out["serial"]
    for name, (f, b) in out.items():
        np.testing.assert_array_equal(f, fitness, err_msg=name)
        np.testing.assert_array_equal(b, behaviours, err_msg=name)


# --- every path, the same descriptors --------------------------------------------------------
@pytest.mark.parametrize("behaviour", ["final_observation", whole_episode])
@pytest.mark.parametrize("feed_forward", [True, False])
def test_cartpole_paths_agree(behaviour, feed_forward):
    cfg = CARTPOLE.replace(genome={"feed_forward": feed_forward})
    genomes = start_genomes(cfg, 12, seed=4)
    out = evaluate_on_paths("CartPole-v1", genomes, CARTPOLE_PATHS, episodes=3, seed=9, behaviour=behaviour)
    assert_all_equal(out)
    fitness, behaviours = out["serial"]
    d = 4 if behaviour == "final_observation" else 12
    assert behaviours.shape == (12, 3 * d)
    if d == 12:  # one action per env step: the episode's length, CartPole's return
        np.testing.assert_array_equal(behaviours.reshape(12, 3, d)[:, :, 9].mean(axis=1), fitness)


@pytest.mark.parametrize("behaviour", [maze_position, whole_episode])
def test_maze_paths_agree(behaviour):
    genomes = maze_genomes(10, seed=3)
    paths = dict(PATHS)
    if has_vector_entry_point(MAZE):  # a NumPy maze vector env, when neat.envs has one
        paths.update({"vector entry point": {"vectorized": "vector_entry_point"},
                      "vector entry point, 7 slots": {"vectorized": "vector_entry_point", "slots": 7}})
    out = evaluate_on_paths(MAZE, genomes, paths, episodes=2, seed=5, env_kwargs=MAZE_KWARGS, behaviour=behaviour)
    assert_all_equal(out)
    fitness, behaviours = out["serial"]
    assert behaviours.shape == (10, 4 if behaviour is maze_position else 2 * 26)
    assert len(np.unique(behaviours[:, :2], axis=0)) > 1  # the genomes go to different places


def test_maze_recurrent_stacks_agree_and_frame_skip():
    genomes = maze_genomes(8, seed=6, feed_forward=False)
    out = evaluate_on_paths(MAZE, genomes, PATHS, episodes=2, seed=1, env_kwargs=MAZE_KWARGS, frame_skip=3,
                            behaviour=maze_position, behaviour_reduce="mean")
    assert_all_equal(out)
    assert out["serial"][1].shape == (8, 2)


def test_the_final_position_is_where_the_robot_ended():
    genomes = maze_genomes(6, seed=2)
    episodes = []

    def record(observations, actions, info):
        episodes.append((observations, actions, info))
        return info["position"]

    with GymEvaluator(MAZE, episodes=2, seed=4, vectorized="sync", slots=4, env_kwargs=MAZE_KWARGS,
                      behaviour=record) as evaluator:
        _, behaviours = evaluator(genomes, generation=1)
    seeds = episode_seeds(4, 1, 2)
    env = gym.make(MAZE, **MAZE_KWARGS)
    for p, (observations, actions, _) in enumerate(episodes):  # pairs in order: genome p // 2, episode p % 2
        obs, _ = env.reset(seed=int(seeds[p % 2]))
        for action in actions:
            obs, *_ = env.step(action)
        np.testing.assert_array_equal(env.unwrapped.position, behaviours[p // 2, 2 * (p % 2) : 2 * (p % 2) + 2])
        np.testing.assert_array_equal(obs, observations[-1])


# --- what a behaviour function sees ------------------------------------------------------------
@pytest.mark.parametrize("vectorized", [False, "vector_entry_point"])
def test_observations_and_actions_are_the_env_s_and_the_final_observation_is_the_last(vectorized):
    genomes = start_genomes(CARTPOLE, 8, seed=1)
    episodes = []

    def record(observations, actions, info):
        episodes.append((observations, actions, info))
        return observations[-1]

    kwargs = {"episodes": 2, "seed": 3, "vectorized": vectorized, "slots": 5,
              "observation_normalization": ([0.0, 0.0, 0.0, 0.0], [2.0, 2.0, 0.2, 2.0])}  # the inputs, not what is recorded
    with GymEvaluator("CartPole-v1", behaviour=record, **kwargs) as evaluator:
        fitness, recorded = evaluator(genomes, generation=3)
    with GymEvaluator("CartPole-v1", behaviour="final_observation", **kwargs) as evaluator:
        assert np.array_equal(evaluator.behaviours(genomes, generation=3), recorded)
    seeds = episode_seeds(3, 3, 2)
    env = gym.make("CartPole-v1")
    assert len(episodes) == 16
    for p, (observations, actions, info) in enumerate(episodes):  # a serial replay of the actions taken
        assert observations.dtype == np.float32 and observations.shape == (len(actions) + 1, 4)
        assert actions.dtype == np.int64 and info == {}
        obs, _ = env.reset(seed=int(seeds[p % 2]))
        replayed = [obs]
        for action in actions:
            obs, _, terminated, truncated, _ = env.step(int(action))
            replayed.append(obs)
        assert terminated or truncated
        np.testing.assert_array_equal(np.array(replayed), observations)
        np.testing.assert_array_equal(recorded[p // 2, 4 * (p % 2) : 4 * (p % 2) + 4], replayed[-1])
    np.testing.assert_array_equal(fitness, [np.mean([len(episodes[2 * g + e][1]) for e in (0, 1)]) for g in range(8)])


def test_a_vector_env_gives_each_sub_env_its_own_info():
    from neat.evaluation.gym.behaviour import sub_env_info

    info = {
        "position": np.array([[1.0, 2.0], [3.0, 4.0], [0.0, 0.0]]), "_position": np.array([True, True, False]),
        "final_info": {"x": np.array([0, 7, 0]), "_x": np.array([False, True, False])},
        "_final_info": np.array([False, True, False]),
    }
    first = sub_env_info(info, 0)
    assert list(first) == ["position"] and np.array_equal(first["position"], [1.0, 2.0])
    second = sub_env_info(info, 1)
    assert second["final_info"] == {"x": 7} and np.array_equal(second["position"], [3.0, 4.0])
    assert sub_env_info(info, 2) == {}


# --- reducing and checking ---------------------------------------------------------------------
def test_concat_and_mean_shapes():
    genomes = start_genomes(CARTPOLE, 5, seed=2)
    made = {}
    for reduce in ("concat", "mean"):
        with GymEvaluator("CartPole-v1", episodes=3, behaviour=lambda o, a, info: [len(a), o[-1, 0]],
                          behaviour_reduce=reduce) as evaluator:
            made[reduce] = evaluator(genomes, generation=1)
            returns = evaluator.episode_returns(genomes, generation=1)  # still there, behaviours or not
    assert made["concat"][1].shape == (5, 6) and made["mean"][1].shape == (5, 2)
    np.testing.assert_array_equal(made["concat"][1].reshape(5, 3, 2)[:, :, 0], returns)
    np.testing.assert_allclose(made["mean"][1], made["concat"][1].reshape(5, 3, 2).mean(axis=1))
    np.testing.assert_array_equal(made["mean"][0], made["concat"][0])


def test_replay_and_fitness_alone_are_unchanged():
    genomes = start_genomes(CARTPOLE, 4, seed=5)
    with GymEvaluator("CartPole-v1", episodes=2) as plain, \
            GymEvaluator("CartPole-v1", episodes=2, behaviour="final_observation") as described:
        fitness = plain(genomes, generation=2)
        assert isinstance(fitness, np.ndarray)
        np.testing.assert_array_equal(described(genomes, generation=2)[0], fitness)
        np.testing.assert_array_equal(described.replay(genomes[0], 3), plain.replay(genomes[0], 3))
        with pytest.raises(ConfigError, match="behaviour="):
            plain.behaviours(genomes)


def failing_from(call, value):
    """A behaviour that returns ``value`` from its ``call``-th call on (pairs come in order), else (2,)."""
    calls = []

    def behaviour(observations, actions, info):
        calls.append(None)
        if len(calls) - 1 == call:
            if isinstance(value, Exception):
                raise value
            return value
        return [1.0, 2.0]

    return behaviour


@pytest.mark.parametrize(
    "value, message",
    [
        ([1.0, np.nan], r"episode 1 of the genome at position 2 is not finite: .*nan"),
        ([1.0, 2.0, 3.0], r"episode 1 of the genome at position 2 has 3 numbers, the first episode's had 2"),
        (np.ones((2, 2)), r"episode 1 of the genome at position 2 is ndarray of shape \(2, 2\).*expected a \(d,\) array"),
        ("far", r"episode 1 of the genome at position 2 is str 'far'; expected a \(d,\) array"),
        (KeyError("position"), r"behaviour function raised KeyError: 'position' on episode 1 of the genome at position 2"),
    ],
)
@pytest.mark.parametrize("vectorized", [False, "vector_entry_point"])
def test_bad_behaviour_outputs_are_errors_naming_the_genome(value, message, vectorized):
    genomes = start_genomes(CARTPOLE, 4, seed=1)
    with GymEvaluator("CartPole-v1", episodes=2, vectorized=vectorized, slots=3,
                      behaviour=failing_from(5, value)) as evaluator:
        with pytest.raises(EvaluationError, match=message):
            evaluator(genomes)


def test_an_empty_descriptor_is_an_error():
    with GymEvaluator("CartPole-v1", behaviour=lambda o, a, info: []) as evaluator:
        with pytest.raises(EvaluationError, match=r"episode 0 of the genome at position 0 is empty; expected d >= 1 numbers"):
            evaluator(start_genomes(CARTPOLE, 2))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"behaviour": "last_observation"}, r"behaviour must be None, 'final_observation' or a function"),
        ({"behaviour": 3}, r"behaviour must be None"),
        ({"behaviour": "final_observation", "behaviour_reduce": "sum"}, r"behaviour_reduce must be one of 'concat', 'mean'"),
    ],
)
def test_bad_behaviour_settings_are_config_errors(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        GymEvaluator("CartPole-v1", **kwargs)


# --- novelty search in the maze ------------------------------------------------------------------
def test_novelty_search_runs_on_the_maze_behaviours():
    config = neat.Config(genome={"num_inputs": 10, "num_outputs": 2}, run={"population_size": 16, "seed": 3})
    with GymEvaluator("neat/Maze-medium-v0", env_kwargs={"max_steps": 40}, behaviour=maze_position) as evaluator:
        search = NoveltySearch(evaluator, k=5, archive_random=2, seed=0)
        population = neat.Population(config)
        population.run(search, generations=3)
    assert search.generation == 2 and search.behaviours.shape == (16, 2)
    assert len(search.archive) >= 6 and search.archive.shape[1] == 2
    assert 0.0 < search.best_fitness <= 1.0 and np.all(search.novelty >= 0)


# --- a NumPy vector env that takes a seed per sub-env is the default -------------------------------
class SeededStepsVector(gym.vector.SyncVectorEnv):
    """A vector entry point that resets each sub-env with its own seed and says so."""

    seed_per_sub_env = True

    def __init__(self, num_envs, **kwargs):
        super().__init__([StepsEnv for _ in range(num_envs)])


gym.register(id="NeatTestSeededVector-v0", entry_point=StepsEnv, vector_entry_point=SeededStepsVector)


def test_a_vector_entry_point_with_a_seed_per_sub_env_is_used_by_default():
    genomes = start_genomes(neat.Config(genome={"num_inputs": 2, "num_outputs": 2}), 6, seed=3)
    with GymEvaluator("NeatTestSeededVector-v0", episodes=2, behaviour=whole_episode) as default, \
            GymEvaluator("NeatTestSeededVector-v0", episodes=2, behaviour=whole_episode, vectorized=False) as serial:
        assert default._mode() == "vector_entry_point"
        fitness, behaviours = default(genomes, generation=1)
        assert isinstance(next(iter(default._vectors.values())).env, SeededStepsVector)
        np.testing.assert_array_equal(fitness, serial(genomes, generation=1)[0])
        np.testing.assert_array_equal(behaviours, serial(genomes, generation=1)[1])
