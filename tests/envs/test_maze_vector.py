"""MazeVectorEnv: every sub-env is a MazeEnv, bit for bit (observations, rewards, ends, positions, resets)."""

from __future__ import annotations

import gymnasium
import numpy as np
import pytest
from gymnasium.vector import AutoresetMode
from hypothesis import given
from hypothesis import strategies as st

import neat
import neat.envs
from neat.envs import MAZES, MazeEnv
from neat.envs.geometry import (
    point_segment_distances,
    ray_distances,
    ray_distances_batch,
)
from neat.envs.maze_vector import MazeVectorEnv

from .test_maze import HARD_PATH, MEDIUM_PATH, drive


def scripted_actions(maze: str, waypoints, steps: int = 400) -> np.ndarray:
    """Actions of test_maze.py's waypoint follower that reaches the goal, from a MazeEnv."""
    env = MazeEnv(maze)
    env.reset(seed=0)
    return np.array(drive(env, waypoints, steps))


class Reference:
    """``n`` MazeEnvs with a vector env's NEXT_STEP autoreset, stepped one by one."""

    def __init__(self, n: int, **kwargs) -> None:
        self.envs = [MazeEnv(**kwargs) for _ in range(n)]
        self.done = np.zeros(n, dtype=bool)

    def reset(self, seeds):
        out = [env.reset(seed=s) for env, s in zip(self.envs, seeds)]
        self.done[:] = False
        return np.array([o for o, _ in out]), [i for _, i in out]

    def step(self, actions):
        rows = []
        for i, env in enumerate(self.envs):
            if self.done[i]:
                obs, info = env.reset()
                rows.append((obs, 0.0, False, False, info))
            else:
                rows.append(env.step(actions[i]))
        obs, rewards, terminated, truncated, infos = zip(*rows)
        self.done = np.array(terminated) | np.array(truncated)
        return np.array(obs), np.array(rewards), np.array(terminated), np.array(truncated), list(infos)


def assert_same_step(vector_out, reference_out):
    obs, rewards, terminated, truncated, info = vector_out
    r_obs, r_rewards, r_terminated, r_truncated, r_infos = reference_out
    assert obs.dtype == np.float32 and obs.tobytes() == r_obs.astype(np.float32).tobytes()
    assert rewards.tobytes() == r_rewards.astype(np.float64).tobytes()
    assert terminated.tolist() == r_terminated.tolist() and truncated.tolist() == r_truncated.tolist()
    positions = np.array([i["position"] for i in r_infos])
    assert info["position"].tobytes() == positions.tobytes() and info["_position"].all()
    for key in ("heading", "distance", "fitness"):
        assert info[key].tobytes() == np.array([i[key] for i in r_infos], dtype=np.float64).tobytes(), key


def run_both(maze: str, actions: np.ndarray, seeds, **kwargs) -> tuple[list, list]:
    """Step a MazeVectorEnv and the reference with ``(T, n, 2)`` actions; every step's outputs of each."""
    n = actions.shape[1]
    vector = MazeVectorEnv(n, maze=maze, **kwargs)
    reference = Reference(n, maze=maze, **kwargs)
    v_obs, v_info = vector.reset(seed=seeds)
    r_obs, r_infos = reference.reset(seeds)
    assert v_obs.tobytes() == r_obs.tobytes()
    assert v_info["position"].tobytes() == np.array([i["position"] for i in r_infos]).tobytes()
    steps = [(vector.step(a), reference.step(a)) for a in actions]
    return steps, vector


# --- the property: vector == single, bit for bit -------------------------------------------------
@given(
    maze=st.sampled_from(["medium", "hard"]),
    n=st.integers(1, 6),
    steps=st.integers(1, 120),
    max_steps=st.integers(5, 60),
    start_noise=st.sampled_from([0.0, 2.5]),
    seed=st.integers(0, 2**20),
)
def test_every_sub_env_steps_exactly_as_a_maze_env(maze, n, steps, max_steps, start_noise, seed):
    rng = np.random.default_rng(seed)
    # Out-of-range actions too (both clip them); speeds biased forward so robots meet walls.
    actions = rng.uniform(-1.5, 1.5, size=(steps, n, 2)).astype(np.float32)
    actions[..., 1] = np.abs(actions[..., 1])
    seeds = [int(s) for s in rng.integers(0, 2**31, size=n)]
    pairs, _ = run_both(maze, actions, seeds, max_steps=max_steps, start_noise=start_noise)
    for vector_out, reference_out in pairs:  # episodes end (truncated) and autoreset along the way
        assert_same_step(vector_out, reference_out)


@pytest.mark.parametrize(("maze", "path"), [("hard", HARD_PATH), ("medium", MEDIUM_PATH)])
def test_the_goal_terminates_a_sub_env_with_fitness_one_and_it_restarts_next_step(maze, path):
    to_goal = scripted_actions(maze, path)
    T = len(to_goal) + 3
    rng = np.random.default_rng(1)
    actions = rng.uniform(-1, 1, size=(T, 3, 2))
    actions[: len(to_goal), 1] = to_goal  # sub-env 1 drives to the goal, the others wander
    pairs, vector = run_both(maze, actions, [0, 1, 2])
    for vector_out, reference_out in pairs:
        assert_same_step(vector_out, reference_out)
    last = pairs[len(to_goal) - 1][0]
    assert last[2].tolist() == [False, True, False] and last[1][1] == 1.0 and last[4]["fitness"][1] == 1.0
    assert np.hypot(*(last[4]["position"][1] - MAZES[maze].goal)) <= 8.0
    restart = pairs[len(to_goal)][0]  # NEXT_STEP: the next step resets sub-env 1 to the start
    assert restart[4]["position"][1].tolist() == list(MAZES[maze].start[:2]) and restart[1][1] == 0.0
    assert not restart[2][1] and not restart[3][1]


def test_the_geometry_batches_are_their_single_forms_row_by_row():
    rng = np.random.default_rng(0)
    walls = MAZES["hard"].walls
    origins = rng.uniform(0, 200, size=(40, 2))
    angles = rng.uniform(-4, 4, size=(40, 6))
    batch = ray_distances_batch(origins, angles, walls, 100.0)
    for i in range(40):
        assert batch[i].tobytes() == ray_distances(origins[i], angles[i], walls, 100.0).tobytes()
    distances = point_segment_distances(origins, walls)
    for i in range(40):
        assert distances[i].tobytes() == point_segment_distances(origins[i], walls)[0].tobytes()


# --- the vector API -----------------------------------------------------------------------------
@pytest.mark.parametrize("env_id", ["neat/Maze-hard-v0", "neat/Maze-medium-v0"])
def test_make_vec_uses_the_vector_entry_point(env_id):
    envs = gymnasium.make_vec(env_id, num_envs=5, vectorization_mode="vector_entry_point", max_steps=50)
    assert isinstance(envs.unwrapped, MazeVectorEnv) and envs.num_envs == 5
    assert envs.unwrapped.maze.name == env_id.split("-")[1] and envs.unwrapped.max_steps == 50
    assert envs.metadata["autoreset_mode"] == AutoresetMode.NEXT_STEP
    assert envs.single_observation_space == MazeEnv().observation_space
    assert envs.observation_space.shape == (5, 10) and envs.action_space.shape == (5, 2)
    obs, _ = envs.reset(seed=0)
    assert obs.shape == (5, 10) and obs in envs.observation_space


def test_seeds_an_int_seed_counts_up_and_none_keeps_each_generator():
    vector = MazeVectorEnv(3, "medium", start_noise=2.0)
    obs, info = vector.reset(seed=10)
    singles = [MazeEnv("medium", start_noise=2.0) for _ in range(3)]
    expected = [env.reset(seed=10 + i)[1]["position"] for i, env in enumerate(singles)]
    assert info["position"].tobytes() == np.array(expected).tobytes()
    _, info = vector.reset()  # seed None: every sub-env draws its next start from its own generator
    expected = [env.reset()[1]["position"] for env in singles]
    assert info["position"].tobytes() == np.array(expected).tobytes()


def test_a_reset_mask_resets_only_the_chosen_sub_envs():
    vector = MazeVectorEnv(4, "hard")
    vector.reset(seed=0)
    for _ in range(10):
        vector.step(np.tile([0.3, 1.0], (4, 1)))
    moved = vector.positions.copy()
    mask = np.array([False, True, False, True])
    obs, info = vector.reset(seed=[None, 5, None, 6], options={"reset_mask": mask})
    assert vector.positions[[0, 2]].tobytes() == moved[[0, 2]].tobytes()
    assert vector.positions[[1, 3]].tolist() == [[25.0, 25.0]] * 2 and vector.steps.tolist() == [10, 0, 10, 0]
    assert info["_position"].tolist() == mask.tolist()
    assert obs[1].tobytes() == MazeEnv("hard").reset(seed=5)[0].tobytes()


def test_gym_evaluator_on_the_vector_entry_point_gives_the_serial_fitness():
    cfg = neat.Config.from_dict({"genome": {"num_inputs": 10, "num_outputs": 2}})
    genomes = neat.new_genomes(cfg, neat.InnovationTracker.for_config(cfg), neat.make_rng(2), 12)
    with neat.GymEvaluator("neat/Maze-medium-v0", episodes=2, seed=4, vectorized=False,
                           env_kwargs={"max_steps": 150}) as serial:
        expected = serial.episode_returns(genomes, generation=3)
    with neat.GymEvaluator("neat/Maze-medium-v0", episodes=2, seed=4,  # the vector env is the default
                           env_kwargs={"max_steps": 150}) as vector:
        got = vector.episode_returns(genomes, generation=3)
        assert isinstance(next(iter(vector._vectors.values())).env.unwrapped, MazeVectorEnv)
    assert got.tobytes() == expected.tobytes()


def test_bad_arguments_are_config_errors():
    with pytest.raises(neat.ConfigError, match="num_envs"):
        MazeVectorEnv(0)
    with pytest.raises(neat.ConfigError, match="'medium', 'hard'"):
        MazeVectorEnv(2, "easy")
    with pytest.raises(neat.ConfigError, match="MazeVectorEnv: max_steps"):
        MazeVectorEnv(2, max_steps=0)
    vector = MazeVectorEnv(2)
    with pytest.raises(neat.ConfigError, match="3 seeds for 2 sub-envs"):
        vector.reset(seed=[1, 2, 3])
    with pytest.raises(neat.ConfigError, match="reset_mask"):
        vector.reset(options={"reset_mask": np.array([1, 0])})
    vector.reset(seed=0)
    with pytest.raises(neat.ConfigError, match=r"expected \(2, 2\)"):
        vector.step(np.zeros((3, 2)))
    with pytest.raises(neat.ConfigError, match=r"sub-env\(s\) \[1\]"):
        vector.step(np.array([[0.0, 1.0], [np.nan, 1.0]]))


def test_render_gives_a_picture_per_sub_env():
    vector = MazeVectorEnv(2, "medium", render_mode="rgb_array")
    vector.reset(seed=0)
    images = vector.render()
    assert len(images) == 2 and images[0].shape == (401, 401, 3)
    assert MazeVectorEnv(1).render() is None
