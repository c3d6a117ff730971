"""The deceptive maze (neat.envs): geometry, collisions, seeds, deception, registration, pictures."""

from __future__ import annotations

import subprocess
import sys

import gymnasium
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import neat
import neat.envs
from neat.envs import MAZES, MazeEnv, plot_maze, render_maze
from neat.envs.geometry import point_segment_distances, ray_distances, segments_cross
from neat.envs.maze import MAX_TURN, ROBOT_RADIUS

HARD_PATH = [(180, 30), (180, 100), (80, 100), (80, 180), (175, 180), (175, 260), (25, 265)]
MEDIUM_PATH = [(170, 35), (170, 112), (30, 112), (30, 160), (175, 170)]


# --- geometry ------------------------------------------------------------------------------
def test_rays_meet_walls_at_hand_computed_distances():
    walls = np.array([(5, -10, 5, 10), (-3, -1, -3, 1), (0, 4, 1, 4)], dtype=float)
    angles = np.array([0.0, np.pi / 4, np.pi, np.pi / 2, -np.pi / 2, np.arctan2(1, -3)])
    got = ray_distances(np.zeros(2), angles, walls, 100.0)
    # east: x = 5; north-east: x = 5 at 5 * sqrt 2; west: x = -3; north: y = 4;
    # south: nothing (range); towards (-3, 1): the end point of the short wall.
    np.testing.assert_allclose(got, [5.0, 5 * np.sqrt(2), 3.0, 4.0, 100.0, np.sqrt(10)], rtol=1e-12)


def test_a_ray_parallel_to_a_wall_or_beyond_range_misses_it():
    walls = np.array([(1, 0, 9, 0), (0, 1, 200, 1)], dtype=float)  # along the ray; far to the side
    assert ray_distances(np.zeros(2), np.array([0.0]), walls, 50.0)[0] == 50.0
    assert ray_distances(np.zeros(2), np.array([np.pi / 2]), walls, 0.5)[0] == 0.5  # y = 1 out of range
    assert ray_distances(np.zeros(2), np.array([np.pi / 2]), walls, 50.0)[0] == pytest.approx(1.0)


def test_point_segment_distances_and_crossings():
    walls = np.array([(0, 0, 10, 0), (0, 0, 0, 10)], dtype=float)
    d = point_segment_distances(np.array([(5, 3), (-3, -4), (12, 0)]), walls)
    np.testing.assert_allclose(d, [[3, 5], [5, 5], [2, 12]])
    assert segments_cross(np.array([5.0, -1.0]), np.array([5.0, 1.0]), walls).tolist() == [True, False]
    assert segments_cross(np.array([1.0, 1.0]), np.array([2.0, 2.0]), walls).tolist() == [False, False]


# --- the env -------------------------------------------------------------------------------
def test_sensors_at_the_start_of_the_hard_maze():
    obs, info = MazeEnv("hard").reset(seed=0)
    # heading north at (25, 25): east free (range), north-east the corner (60, 60), north free,
    # north-west and west the wall x = 0, south the wall y = 0; the goal (25, 265) is ahead.
    np.testing.assert_allclose(obs[:6], [1.0, 35 * np.sqrt(2) / 100, 1.0, 25 * np.sqrt(2) / 100, 0.25, 0.25], rtol=1e-6)
    assert obs[6:].tolist() == [1, 0, 0, 0]
    assert info["position"].tolist() == [25.0, 25.0] and info["distance"] == 240.0


def test_radars_name_the_goal_slice():
    env = MazeEnv("medium")
    env.reset()
    env.position = np.array([100.0, 170.0])
    for heading, slice_ in [(0.0, 0), (np.pi / 2, 3), (np.pi, 2), (-np.pi / 2, 1)]:
        env.heading = heading
        assert env._observe()[6:].tolist() == [float(i == slice_) for i in range(4)]


def drive(env: MazeEnv, waypoints, steps: int | None = None) -> list[np.ndarray]:
    """Actions of a scripted waypoint follower (turn towards the next point, go when facing it)."""
    actions, k = [], 0
    for _ in range(steps or env.max_steps):
        if k < len(waypoints) - 1 and np.hypot(*(np.asarray(waypoints[k]) - env.position)) < 5:
            k += 1
        dx, dy = np.asarray(waypoints[k], dtype=float) - env.position
        error = (np.arctan2(dy, dx) - env.heading + np.pi) % (2 * np.pi) - np.pi
        action = np.array([np.clip(error / MAX_TURN, -1, 1), 1.0 if abs(error) < 0.3 else -1.0])
        actions.append(action)
        _, _, terminated, truncated, _ = env.step(action)
        if terminated or truncated:
            break
    return actions


@pytest.mark.parametrize(("maze", "path"), [("hard", HARD_PATH), ("medium", MEDIUM_PATH)])
def test_a_scripted_action_sequence_reaches_the_goal(maze, path):
    env = MazeEnv(maze)
    env.reset(seed=0)
    actions = drive(env, path)
    replay = gymnasium.make(f"neat/Maze-{maze}-v0")
    replay.reset(seed=123)
    total = 0.0
    for action in actions:
        _, reward, terminated, truncated, info = replay.step(action)
        total += reward
        assert not truncated
    assert terminated and len(actions) < 400 and total == 1.0 and info["fitness"] == 1.0


def greedy(obs: np.ndarray) -> np.ndarray:
    """Turn towards the goal's radar slice, full speed ahead: the straight-line policy."""
    front, left, back, right = obs[6:]
    return np.array([1.0 if (left or back) else -1.0 if right else 0.0, 1.0])


def test_the_hard_maze_is_deceptive():
    env = MazeEnv("hard")
    obs, info = env.reset(seed=0)
    for _ in range(400):
        obs, reward, terminated, truncated, info = env.step(greedy(obs))
        if terminated or truncated:
            break
    assert truncated and not terminated
    assert info["distance"] > 40 and info["position"][1] < 220  # stuck under the goal, in the dead end
    # ... and that dead end scores better than the way to the goal halfway along it.
    for waypoint in HARD_PATH[:5]:
        assert reward > env.fitness_of(float(np.hypot(*(np.asarray(waypoint) - MAZES["hard"].goal))))


actions = st.lists(
    st.tuples(st.floats(-1, 1), st.floats(-1, 1), st.integers(1, 60)), min_size=1, max_size=15
)


@given(maze=st.sampled_from(["medium", "hard"]), plan=actions, seed=st.integers(0, 2**16))
def test_the_robot_never_crosses_a_wall(maze, plan, seed):
    env = MazeEnv(maze, start_noise=3.0)
    _, info = env.reset(seed=seed)
    walls = MAZES[maze].walls
    for turn, speed, repeat in plan:
        for _ in range(repeat):
            before = info["position"]
            _, _, terminated, truncated, info = env.step([turn, speed])
            after = info["position"]
            assert point_segment_distances(after, walls).min() >= ROBOT_RADIUS
            assert not segments_cross(before, after, walls).any() or np.array_equal(before, after)
            assert np.hypot(*(after - before)) <= 3.0 + 1e-9
            if terminated or truncated:
                return


def test_seeded_resets_are_deterministic():
    def run(seed, noise):
        env = MazeEnv("hard", start_noise=noise)
        obs, _ = env.reset(seed=seed)
        rng = np.random.default_rng(0)
        out = [obs]
        for _ in range(50):
            out.append(env.step(rng.uniform(-1, 1, 2))[0])
        return np.array(out), np.array(env.trajectory)

    a, b, c = run(5, 2.0), run(5, 2.0), run(6, 2.0)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[1][0], c[1][0])
    assert run(5, 0.0)[1][0].tolist() == run(6, 0.0)[1][0].tolist() == [25.0, 25.0]


def test_bad_arguments_are_config_errors():
    with pytest.raises(neat.ConfigError, match="'medium', 'hard'"):
        MazeEnv("easy")
    with pytest.raises(neat.ConfigError, match="max_steps"):
        MazeEnv(max_steps=0)
    env = MazeEnv()
    env.reset()
    with pytest.raises(neat.ConfigError, match="turn, speed"):
        env.step([0.0, 1.0, 2.0])


def test_episodes_end_after_max_steps_with_the_fitness_as_the_only_reward():
    env = gymnasium.make("neat/Maze-medium-v0", max_steps=7)
    env.reset(seed=0)
    rewards = [env.step(np.zeros(2))[1:4] for _ in range(7)]
    assert [r for r, _, _ in rewards[:-1]] == [0.0] * 6 and rewards[-1][2] is True
    assert 0 < rewards[-1][0] < 1


# --- registration and the evaluator --------------------------------------------------------
def test_the_module_prefixed_id_registers_in_a_fresh_process():
    code = (
        "import sys, gymnasium\n"
        "env = gymnasium.make('neat.envs:neat/Maze-hard-v0')\n"
        "print(type(env.unwrapped).__name__, env.unwrapped.maze.name, 'neat/Maze-medium-v0' in gymnasium.registry)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["MazeEnv", "hard", "True"]


def test_import_neat_leaves_the_envs_unregistered():
    code = "import sys, neat; print('neat.envs' in sys.modules, 'gymnasium' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


@pytest.mark.parametrize("env_id", ["neat/Maze-hard-v0", "neat.envs:neat/Maze-medium-v0"])
def test_gym_evaluator_scores_start_genomes(env_id):
    cfg = neat.Config.from_dict({"genome": {"num_inputs": 10, "num_outputs": 2}})
    genomes = neat.new_genomes(cfg, neat.InnovationTracker.for_config(cfg), neat.make_rng(1), 4)
    with neat.GymEvaluator(env_id, episodes=1, seed=3) as evaluator:
        assert (evaluator.num_inputs, evaluator.num_outputs) == (10, 2)
        fitness = evaluator(genomes)
        again = evaluator(genomes)
    assert fitness.shape == (4,) and np.all((fitness > 0) & (fitness <= 1))
    np.testing.assert_array_equal(fitness, again)


# --- pictures ------------------------------------------------------------------------------
def test_render_draws_walls_goal_and_robot():
    env = gymnasium.make("neat/Maze-hard-v0", render_mode="rgb_array")
    env.reset(seed=0)
    for _ in range(20):
        env.step([0.0, 1.0])
    image = env.render()
    assert image.shape == (601, 401, 3) and image.dtype == np.uint8
    colours = {tuple(c) for c in image.reshape(-1, 3)}
    assert {(0, 0, 0), (0, 170, 0), (210, 30, 30), (255, 255, 255)} <= colours
    assert image[600 - 2 * 220, 2 * 100].tolist() == [0, 0, 0]  # a point on the wall y = 220
    assert render_maze("medium").shape == (401, 401, 3)


def test_plot_maze_writes_a_picture(tmp_path):
    pytest.importorskip("matplotlib")
    env = MazeEnv("medium")
    env.reset(seed=0)
    drive(env, MEDIUM_PATH, steps=100)
    path = plot_maze("medium", trajectories=[env.trajectory], positions=[env.position], path=tmp_path / "m.png")
    assert path.read_bytes().startswith(b"\x89PNG")
    with pytest.raises(neat.ConfigError, match=r"\.png"):
        plot_maze("hard", path=tmp_path / "m.gif")
