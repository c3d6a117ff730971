"""neat.gym: episode seeds, done masks, action mapping, serial == vectorized, the CartPole scripts."""

import json
import pathlib
import subprocess
import sys

import gymnasium as gym
import numpy as np
import pytest
from gymnasium import spaces
from gymnasium.vector import AutoresetMode
from hypothesis import given
from hypothesis import strategies as st

import neat
from neat.evaluation.gym import (
    GymEvaluator,
    action_size,
    actions_from_outputs,
    episode_seeds,
    genome_shape,
    observation_size,
    observations_to_inputs,
    output_range_of,
    replay_seeds,
)

ROOT = pathlib.Path(__file__).resolve().parents[2]
CARTPOLE = neat.Config.from_toml_file(ROOT / "examples" / "cartpole.toml")


# --- helpers -------------------------------------------------------------------
class StepsEnv(gym.Env):
    """Reward 1 per step.  Action 0 ends the episode (terminated); action 1 goes on
    until ``horizon`` steps (truncated).  A step after the end pays 100, so any
    reward counted after an episode's end shows."""

    metadata = {"render_modes": ["rgb_array"]}

    def __init__(self, horizon=5, render_mode=None, resets=None):
        self.observation_space = spaces.Box(-1.0, 1.0, shape=(2,), dtype=np.float32)
        self.action_space = spaces.Discrete(2)
        self.horizon = horizon
        self.render_mode = render_mode
        self.resets = resets

    def _obs(self):
        return np.array([self.start, self.t / self.horizon], dtype=np.float32)

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        if self.resets is not None:
            self.resets.append(seed)
        self.t, self.over = 0, False
        self.start = float(self.np_random.uniform(-1.0, 1.0))
        return self._obs(), {}

    def step(self, action):
        if self.over:
            return self._obs(), 100.0, True, False, {}
        self.t += 1
        terminated = int(action) == 0
        truncated = self.t >= self.horizon
        self.over = terminated or truncated
        return self._obs(), 1.0, terminated, truncated, {}

    def render(self):
        return np.zeros((4, 4, 3), dtype=np.uint8)


class SpacesEnv(gym.Env):
    """An env with the given spaces that ends after one step."""

    def __init__(self, observation_space, action_space):
        self.observation_space, self.action_space = observation_space, action_space

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        return self.observation_space.sample(), {}

    def step(self, action):
        assert self.action_space.contains(action), action
        return self.observation_space.sample(), 1.0, True, False, {}


gym.register(id="NeatTestSteps-v0", entry_point=StepsEnv)


def config(n_in, n_out, **genome):
    return neat.Config.from_dict({"genome": {"num_inputs": n_in, "num_outputs": n_out, **genome}})


def start_genomes(cfg, count, seed=0):
    return neat.new_genomes(cfg, neat.InnovationTracker.for_config(cfg), neat.make_rng(seed), count)


def constant_genome(cfg, biases):
    """A genome without connections whose outputs are act(bias): a constant action."""
    cfg = cfg.replace(genome={"initial_connection": "none"})
    g = start_genomes(cfg, 1)[0]
    bias = g.nodes.bias.copy()
    bias[g.nodes.kind == neat.NodeKind.OUTPUT] = biases
    return g.replace(nodes=g.nodes._replace(bias=bias))


def oracle_returns(genome, seeds, *, frame_skip=1, max_steps=None, normalization=None):
    """Episode returns by the obvious loop: one CartPole env, one network, argmax actions."""
    net = neat.compile(genome)
    env = gym.make("CartPole-v1")
    out = []
    for s in seeds.tolist():
        if hasattr(net, "reset"):
            net.reset()  # a recurrent network starts every episode from zeros
        obs, _ = env.reset(seed=s)
        total, steps, done = 0.0, 0, False
        while not done:
            x = obs.astype(np.float64)
            if normalization is not None:
                x = (x - normalization[0]) / normalization[1]
            action = int(np.argmax(net(x[None])[0]))
            for _ in range(frame_skip):
                obs, reward, terminated, truncated, _ = env.step(action)
                total += reward
                steps += 1
                done = terminated or truncated or (max_steps is not None and steps >= max_steps)
                if done:
                    break
        out.append(total)
    return np.array(out)


# --- seeds -----------------------------------------------------------------------
def test_episode_seeds_are_a_function_of_seed_and_generation():
    a = episode_seeds(7, 3, 5)
    assert a.shape == (5,) and a.dtype == np.int64 and np.all((a >= 0) & (a < 2**32))
    np.testing.assert_array_equal(a, episode_seeds(7, 3, 5))
    assert len(set(a.tolist())) == 5
    assert not np.array_equal(a, episode_seeds(7, 4, 5))
    assert not np.array_equal(a, episode_seeds(8, 3, 5))
    assert not set(replay_seeds(7, 50).tolist()) & set(episode_seeds(7, 0, 50).tolist())


@pytest.mark.parametrize("vectorized", [False, "sync"])
def test_every_genome_of_a_generation_meets_the_same_starts(vectorized):
    resets = []
    evaluator = GymEvaluator(lambda: StepsEnv(resets=resets), episodes=3, seed=11, vectorized=vectorized)
    genomes = start_genomes(config(2, 2), 4)
    for generation in (0, 1):
        resets.clear()
        evaluator(genomes, generation=generation)
        expected = np.tile(episode_seeds(11, generation, 3), 4).tolist()
        seeded = [s for s in resets if s is not None]  # a vector env's autoresets pass no seed
        assert seeded == expected  # env i plays (genome i // 3, episode i % 3)
    evaluator.close()


def test_population_run_gives_each_generation_its_own_starts():
    resets = []
    cfg = config(2, 2).replace(run={"population_size": 4})
    with GymEvaluator(lambda: StepsEnv(resets=resets), episodes=2, seed=4) as evaluator:
        neat.Population(cfg, seed=0).run(evaluator, 3)
    expected = [np.tile(episode_seeds(4, g, 2), 4).tolist() for g in range(3)]
    assert resets == expected[0] + expected[1] + expected[2]
    assert len({tuple(e) for e in expected}) == 3


def test_resumed_run_is_bit_identical(tmp_path):
    cfg = CARTPOLE.replace(run={"population_size": 12})

    class Fitness(neat.Reporter):
        def __init__(self):
            self.by_generation = {}

        def post_evaluate(self, population, fitness):
            self.by_generation[population.generation] = np.array(fitness)

    whole = Fitness()
    with GymEvaluator("CartPole-v1", episodes=2, seed=5) as evaluator:
        neat.Population(cfg, seed=3, reporters=[whole]).run(evaluator, 4)

    first = Fitness()
    with GymEvaluator("CartPole-v1", episodes=2, seed=5) as evaluator:
        checkpoints = neat.Checkpointer(tmp_path, every=1)
        neat.Population(cfg, seed=3, reporters=[first, checkpoints]).run(evaluator, 2)
    resumed = Fitness()
    with GymEvaluator("CartPole-v1", episodes=2, seed=5) as fresh_evaluator:  # no state carried over
        population = neat.load_checkpoint(tmp_path / "checkpoint-1.npz", reporters=[resumed])
        population.run(fresh_evaluator, 3)
    assert sorted(resumed.by_generation) == [1, 2, 3]
    for generation in range(4):
        expected = whole.by_generation[generation]
        got = first.by_generation[generation] if generation == 0 else resumed.by_generation[generation]
        np.testing.assert_array_equal(got, expected)


# --- done masks ------------------------------------------------------------------
@pytest.mark.parametrize(
    "vectorized, vector_kwargs",
    [(False, None), ("sync", None), ("sync", {"autoreset_mode": AutoresetMode.SAME_STEP})],
)
def test_nothing_after_an_episode_ends_counts(vectorized, vector_kwargs):
    cfg = config(2, 2)
    quitter = constant_genome(cfg, [2.0, -2.0])  # always action 0: terminated on the first step
    stayer = constant_genome(cfg, [-2.0, 2.0])  # always action 1: truncated at the horizon (5)
    with GymEvaluator(
        lambda: StepsEnv(horizon=5), episodes=3, vectorized=vectorized, vector_kwargs=vector_kwargs
    ) as evaluator:
        returns = evaluator.episode_returns([quitter, stayer, quitter])
        np.testing.assert_array_equal(returns, [[1, 1, 1], [5, 5, 5], [1, 1, 1]])
        assert evaluator.env_steps == 3 + 15 + 3
        limited = GymEvaluator(lambda: StepsEnv(horizon=5), episodes=2, max_steps=3, vectorized=vectorized)
        np.testing.assert_array_equal(limited.episode_returns([stayer, quitter]), [[3, 3], [1, 1]])
        limited.close()


@pytest.mark.parametrize("vectorized", [False, None])
def test_a_genome_that_fails_at_once_gets_a_small_return_on_cartpole(vectorized):
    left = constant_genome(CARTPOLE, [2.0, -2.0])  # always pushes left
    genomes = [left] + start_genomes(CARTPOLE, 5)
    with GymEvaluator("CartPole-v1", episodes=4, seed=2, vectorized=vectorized) as evaluator:
        returns = evaluator.episode_returns(genomes, generation=1)
    np.testing.assert_array_equal(returns[0], oracle_returns(left, episode_seeds(2, 1, 4)))
    assert np.all(returns[0] < 15)


# --- action and observation mapping -------------------------------------------------
def test_discrete_actions_are_the_argmax():
    space = spaces.Discrete(3, start=1)
    actions = actions_from_outputs(space, [[0.1, 0.9, 0.3], [2.0, 1.0, 0.0], [0.0, 0.0, 5.0]])
    np.testing.assert_array_equal(actions, [2, 1, 3])
    assert action_size(space) == 3


def test_box_actions_are_squashed_into_the_bounds():
    space = spaces.Box(low=np.array([-2.0, 0.0], np.float32), high=np.array([2.0, 10.0], np.float32))
    unbounded = actions_from_outputs(space, [[0.0, 0.0], [50.0, 50.0], [-50.0, -50.0], [0.5, -0.5]])
    np.testing.assert_allclose(unbounded[:3], [[0, 5], [2, 10], [-2, 0]])
    np.testing.assert_allclose(unbounded[3], [2 * np.tanh(0.5), 5 - 5 * np.tanh(0.5)], rtol=1e-6)
    assert unbounded.dtype == np.float32 and all(space.contains(a) for a in unbounded)
    sigmoid = actions_from_outputs(space, [[0.5, 0.5], [1.0, 0.0], [0.0, 1.5], [0.75, 0.25]], output_range=(0.0, 1.0))
    np.testing.assert_allclose(sigmoid, [[0, 5], [2, 0], [-2, 10], [1, 2.5]])


@given(
    bounds=st.lists(st.tuples(st.floats(-1e3, 1e3), st.floats(1e-3, 1e3)), min_size=1, max_size=4),
    data=st.data(),
    output_range=st.sampled_from([None, (0.0, 1.0), (-1.0, 1.0)]),
)
def test_box_actions_always_lie_inside_the_space(bounds, data, output_range):
    low = np.array([lo for lo, _ in bounds], dtype=np.float32)
    high = np.array([lo + width for lo, width in bounds], dtype=np.float32)
    space = spaces.Box(low=low, high=np.maximum(high, low), dtype=np.float32)
    outputs = data.draw(st.lists(st.floats(-1e300, 1e300), min_size=len(bounds), max_size=len(bounds)))
    action = actions_from_outputs(space, [outputs], output_range)[0]
    assert space.contains(action), (action, space)


def test_box_actions_with_infinite_bounds_are_the_raw_outputs():
    free = spaces.Box(-np.inf, np.inf, shape=(2,), dtype=np.float64)
    np.testing.assert_array_equal(actions_from_outputs(free, [[3.5, -7.0]]), [[3.5, -7.0]])
    half = spaces.Box(low=0.0, high=np.inf, shape=(2,), dtype=np.float32)
    np.testing.assert_array_equal(actions_from_outputs(half, [[3.5, -7.0]]), [[3.5, 0.0]])
    grid = spaces.Box(-1.0, 1.0, shape=(2, 3), dtype=np.float32)
    assert actions_from_outputs(grid, np.zeros((4, 6))).shape == (4, 2, 3) and action_size(grid) == 6


def test_multibinary_actions_threshold_at_the_middle_of_the_output_range():
    space = spaces.MultiBinary(3)
    out = [[0.2, -0.1, 0.6]]
    np.testing.assert_array_equal(actions_from_outputs(space, out), [[1, 0, 1]])  # tanh/identity: > 0
    np.testing.assert_array_equal(actions_from_outputs(space, out, output_range=(0.0, 1.0)), [[0, 0, 1]])  # > 0.5
    grid = spaces.MultiBinary([2, 2])
    actions = actions_from_outputs(grid, [[1.0, -1.0, -1.0, 1.0]])
    assert actions.dtype == np.int8 and actions.shape == (1, 2, 2) and grid.contains(actions[0])


def test_multidiscrete_actions_are_the_argmax_within_each_group():
    space = spaces.MultiDiscrete([2, 3], start=[1, -1])
    out = [[0.9, 0.1, 0.0, 0.0, 1.0], [0.0, 1.0, 0.0, 2.0, 1.0]]
    actions = actions_from_outputs(space, out)
    np.testing.assert_array_equal(actions, [[1, 1], [2, 0]])
    assert action_size(space) == 5 and all(space.contains(a) for a in actions)


def test_outputs_of_the_wrong_width_are_rejected():
    with pytest.raises(ValueError, match=r"\(N, 2\)"):
        actions_from_outputs(spaces.Discrete(2), np.zeros((4, 3)))


def test_observations_become_inputs():
    np.testing.assert_array_equal(
        observations_to_inputs(spaces.Discrete(3, start=2), np.array([2, 4])), [[1, 0, 0], [0, 0, 1]]
    )
    box = spaces.Box(-1.0, 1.0, shape=(2, 3))
    assert observations_to_inputs(box, np.ones((4, 2, 3), dtype=np.float32)).shape == (4, 6)
    assert observation_size(box) == 6 and observation_size(spaces.Discrete(5)) == 5


def test_output_range_follows_the_output_activation():
    assert output_range_of(CARTPOLE) == (0.0, 1.0)
    tanh_out = config(2, 1, activation_default="identity", output_activation="tanh", activation_options=["tanh", "identity"])
    assert output_range_of(tanh_out) == (-1, 1) and output_range_of(start_genomes(tanh_out, 1)[0].config) == (-1, 1)
    assert output_range_of(config(2, 1, activation_default="identity", activation_options=["identity"])) is None


@pytest.mark.parametrize(
    "observation_space, action_space, name",
    [
        (spaces.Box(-1, 1, (2,)), spaces.Tuple((spaces.Discrete(2), spaces.Discrete(2))), "Tuple"),
        (spaces.Dict({"a": spaces.Discrete(2)}), spaces.Discrete(2), "Dict"),
    ],
)
def test_an_unsupported_space_is_a_config_error_naming_it(observation_space, action_space, name):
    with pytest.raises(neat.ConfigError, match=name):
        actions_from_outputs(action_space, np.zeros((1, 2))) if name == "Tuple" else observation_size(
            observation_space
        )
    evaluator = GymEvaluator(lambda: SpacesEnv(observation_space, action_space))
    with pytest.raises(neat.ConfigError, match=name):
        evaluator(start_genomes(config(2, 2), 2))


def test_a_genome_of_the_wrong_shape_is_a_config_error():
    assert genome_shape("CartPole-v1") == (4, 2)
    with GymEvaluator("CartPole-v1") as evaluator:
        assert (evaluator.num_inputs, evaluator.num_outputs) == (4, 2)
        with pytest.raises(neat.ConfigError, match="num_inputs = 4 and num_outputs = 2"):
            evaluator(start_genomes(config(3, 2), 2))


def test_bad_arguments_are_config_errors():
    for kwargs in ({"episodes": 0}, {"reducer": "average"}, {"vectorized": "threads"}, {"frame_skip": 0},
                   {"max_steps": 0}, {"output_range": (1.0, 0.0)}):
        with pytest.raises(neat.ConfigError):
            GymEvaluator("CartPole-v1", **kwargs)
    with pytest.raises(neat.ConfigError, match="std"):
        GymEvaluator("CartPole-v1", observation_normalization=(0.0, 0.0))(start_genomes(CARTPOLE, 1))


# --- serial == vectorized, reducers, frame skip ------------------------------------------
def test_vectorized_and_serial_cartpole_give_the_same_fitness():
    genomes = start_genomes(CARTPOLE, 30, seed=4)
    results = {}
    for vectorized in (False, None, "sync"):
        with GymEvaluator("CartPole-v1", episodes=3, seed=9, vectorized=vectorized) as evaluator:
            assert evaluator._mode() == {False: None, None: "vector_entry_point", "sync": "sync"}[vectorized]
            results[vectorized] = np.stack([evaluator.episode_returns(genomes, generation=g) for g in range(3)])
    np.testing.assert_array_equal(results[None], results[False])
    np.testing.assert_array_equal(results["sync"], results[False])
    assert results[False].max() > 30  # some episodes run long enough for the done mask to matter


@pytest.mark.parametrize("vectorized", [False, None])
def test_a_used_evaluator_pickles_and_plays_the_same_after(vectorized):
    import pickle

    genomes = start_genomes(CARTPOLE, 5, seed=2)
    mean, std = np.zeros(4), np.full(4, 2.0)
    with GymEvaluator("CartPole-v1", episodes=2, seed=1, vectorized=vectorized,
                      observation_normalization=(mean, std)) as evaluator:
        before = evaluator.episode_returns(genomes, generation=3)
        copy = pickle.loads(pickle.dumps(evaluator))  # e.g. handed to a process pool as the fitness function
    with copy:
        np.testing.assert_array_equal(copy.episode_returns(genomes, generation=3), before)


def test_cartpole_returns_match_a_plain_loop():
    genomes = start_genomes(CARTPOLE, 4, seed=1)
    with GymEvaluator("CartPole-v1", episodes=3, seed=3) as evaluator:
        returns = evaluator.episode_returns(genomes, generation=2)
    for g, row in zip(genomes, returns):
        np.testing.assert_array_equal(row, oracle_returns(g, episode_seeds(3, 2, 3)))


def test_recurrent_genomes_are_evaluated_the_same_both_ways():
    cfg = CARTPOLE.replace(genome={"feed_forward": False})
    genomes = start_genomes(cfg, 6, seed=2)
    got = []
    for vectorized in (False, None):
        with GymEvaluator("CartPole-v1", episodes=2, vectorized=vectorized) as evaluator:
            got.append(evaluator.episode_returns(genomes))
    np.testing.assert_array_equal(got[0], got[1])


def grown_recurrent_genomes(count, seed):
    """CartPole genomes with cycles, self-loops and hidden nodes: some balance long, most fail fast."""
    cfg = CARTPOLE.replace(
        genome={"feed_forward": False, "initial_self_connections": True},
        mutation={"node_add_prob": 0.5, "conn_add_prob": 0.8},
    )
    tracker = neat.InnovationTracker.for_config(cfg)
    rng = neat.make_rng(seed)
    genomes = neat.new_genomes(cfg, tracker, rng, count)
    for _ in range(6):
        genomes = [neat.mutate(g, cfg, tracker, rng) for g in genomes]
    return genomes


@pytest.mark.parametrize("vectorized", [False, None])
def test_recurrent_genomes_are_stepped_as_one_stack_with_the_fitness_of_each_network_alone(vectorized, monkeypatch):
    from neat.nn import RecurrentNetwork, RecurrentPopulationNetwork

    genomes = grown_recurrent_genomes(16, seed=7)
    seeds = episode_seeds(5, 1, 3)
    want = np.stack([oracle_returns(g, seeds) for g in genomes])  # each network alone, reset every episode
    assert want.max() >= 4 * np.median(want)  # a few play on long after most have ended
    # No network is stepped alone any more, and the stack narrows to the genomes still playing.
    def alone(*args, **kwargs):
        raise AssertionError("a recurrent network was stepped on its own")

    monkeypatch.setattr(RecurrentNetwork, "step", alone)
    monkeypatch.setattr(RecurrentNetwork, "__call__", alone)
    subsets = []
    subset = RecurrentPopulationNetwork.subset
    monkeypatch.setattr(RecurrentPopulationNetwork, "subset", lambda self, rows: subsets.append(rows) or subset(self, rows))
    with GymEvaluator("CartPole-v1", episodes=3, seed=5, vectorized=vectorized) as evaluator:
        returns = evaluator.episode_returns(genomes, generation=1)
        fitness = evaluator(genomes, generation=1)
    np.testing.assert_array_equal(returns, want)
    np.testing.assert_array_equal(fitness, want.mean(axis=1))
    assert subsets


@pytest.mark.parametrize(
    "reducer, expected",
    [("mean", np.mean), ("min", np.min), ("median", np.median), ("max", np.max), (lambda r: r[0] - r[-1], None)],
)
def test_reducers(reducer, expected):
    genomes = start_genomes(CARTPOLE, 8, seed=3)
    with GymEvaluator("CartPole-v1", episodes=3, reducer=reducer) as evaluator:
        returns = evaluator.episode_returns(genomes)
        fitness = evaluator(genomes)
    want = expected(returns, axis=1) if expected else returns[:, 0] - returns[:, -1]
    np.testing.assert_array_equal(fitness, want)
    assert fitness.shape == (8,) and fitness.dtype == np.float64


@pytest.mark.parametrize("vectorized", [False, None])
def test_frame_skip_repeats_each_action_and_sums_the_rewards(vectorized):
    genomes = start_genomes(CARTPOLE, 4, seed=5)
    with GymEvaluator("CartPole-v1", episodes=2, seed=1, frame_skip=3, max_steps=40, vectorized=vectorized) as ev:
        returns = ev.episode_returns(genomes)
    for g, row in zip(genomes, returns):
        np.testing.assert_array_equal(row, oracle_returns(g, episode_seeds(1, 0, 2), frame_skip=3, max_steps=40))
    assert returns.max() <= 40


def test_observation_normalization():
    mean, std = np.array([0.0, 0.1, 0.0, -0.1]), np.array([2.0, 1.0, 0.5, 3.0])
    genomes = start_genomes(CARTPOLE, 3, seed=6)
    with GymEvaluator("CartPole-v1", episodes=2, observation_normalization=(mean, std)) as evaluator:
        returns = evaluator.episode_returns(genomes)
    for g, row in zip(genomes, returns):
        np.testing.assert_array_equal(row, oracle_returns(g, episode_seeds(0, 0, 2), normalization=(mean, std)))
    with GymEvaluator("CartPole-v1", observation_normalization="bounds") as evaluator:
        x = evaluator.inputs(np.array([[4.8, 3.0, -0.2094395, -1.0]], dtype=np.float32))
    np.testing.assert_allclose(x, [[1.0, 3.0, -0.5, -1.0]], rtol=1e-6)


# --- other spaces, replay ----------------------------------------------------------------
def test_discrete_observations_are_one_hot():
    assert genome_shape("FrozenLake-v1") == (16, 4)
    with GymEvaluator("FrozenLake-v1", episodes=2, max_steps=30) as evaluator:
        returns = evaluator.episode_returns(start_genomes(config(16, 4), 5))
    assert returns.shape == (5, 2) and np.all((returns == 0) | (returns == 1))


def test_box_actions_on_pendulum():
    cfg = config(3, 1, activation_default="tanh", activation_options=["tanh"])
    assert genome_shape("Pendulum-v1") == (3, 1)
    genomes = start_genomes(cfg, 4)
    got = []
    for vectorized in (False, "sync"):
        with GymEvaluator("Pendulum-v1", episodes=2, max_steps=20, vectorized=vectorized) as evaluator:
            got.append(evaluator(genomes))
    np.testing.assert_array_equal(got[0], got[1])
    assert np.all(got[0] < 0)


def test_replay_plays_fresh_episodes():
    genome = start_genomes(CARTPOLE, 1, seed=8)[0]
    with GymEvaluator("CartPole-v1", episodes=5) as evaluator:
        a = evaluator.replay(genome, episodes=5, seed=1)
        np.testing.assert_array_equal(a, evaluator.replay(genome, episodes=5, seed=1))
        np.testing.assert_array_equal(a, oracle_returns(genome, replay_seeds(1, 5)))
        assert a.shape == (5,)


def test_replay_with_a_render_mode_plays_one_episode_at_a_time():
    stayer = constant_genome(config(2, 2), [-2.0, 2.0])
    with GymEvaluator("NeatTestSteps-v0", env_kwargs={"horizon": 7}) as evaluator:
        np.testing.assert_array_equal(evaluator.replay(stayer, 3, seed=2, render_mode="rgb_array"), [7, 7, 7])
    with GymEvaluator(lambda: StepsEnv()) as evaluator, pytest.raises(neat.ConfigError, match="render_mode"):
        evaluator.replay(stayer, 1, render_mode="rgb_array")


def test_importing_neat_and_neat_gym_does_not_import_gymnasium():
    code = "import sys, neat, neat.gym; assert 'gymnasium' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


# --- scripts -----------------------------------------------------------------------------
def run(*args, check=True):
    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, check=check).stdout


def test_cartpole_example_runs(tmp_path):
    out = tmp_path / "cartpole"
    text = run("examples/cartpole.py", "--generations", "2", "--seed", "0", "--out", str(out), check=False)
    assert "gen    0" in text and "test on 100 fresh episodes: mean return" in text
    champion = neat.load_genome(out / "champion.json")
    # the topology picture names the observations and actions
    assert "pole angle" in (out / "champion.svg").read_text() and (out / "fitness.png").exists()
    assert (champion.config.num_inputs, champion.config.num_outputs) == (4, 2)


def test_gym_benchmarks_print_json_last():
    figures = json.loads(run("benchmarks/gym_eval.py", "--quick").strip().splitlines()[-1])
    for key in ("cartpole_bare_steps_per_s", "cartpole_serial_steps_per_s", "cartpole_vector_steps_per_s"):
        assert figures[key] > 0
    figures = json.loads(run("benchmarks/cartpole.py", "--quick").strip().splitlines()[-1])
    for key in ("success_rate", "generations_median", "env_steps_median", "seconds_median",
                "champion_test_return_mean"):
        assert key in figures


@pytest.mark.parametrize("vectorized", [False, None])
def test_ctrnn_genomes_play_as_one_stack_with_the_fitness_of_each_network_alone(vectorized):
    from neat.nn import CTRNNNetwork, RecurrentPopulationNetwork

    cfg = CARTPOLE.replace(
        genome={"feed_forward": False, "ctrnn": True, "ctrnn_dt": 0.05, "time_constant_init_stdev": 0.05,
                "time_constant_min": 0.05, "time_constant_max": 1.0, "time_constant_init_mean": 0.2},
        mutation={"node_add_prob": 0.5, "conn_add_prob": 0.8, "time_constant_mutate_prob": 0.5},
    )
    tracker, rng = neat.InnovationTracker.for_config(cfg), neat.make_rng(3)
    genomes = neat.new_genomes(cfg, tracker, rng, 12)
    for _ in range(4):
        genomes = [neat.mutate(g, cfg, tracker, rng) for g in genomes]
    assert isinstance(neat.compile(genomes[0]), CTRNNNetwork)
    assert isinstance(neat.compile_population(genomes), RecurrentPopulationNetwork)
    assert len({float(t) for g in genomes for t in g.nodes.time_constant}) > 3  # time constants differ
    seeds = episode_seeds(5, 1, 3)
    want = np.stack([oracle_returns(g, seeds) for g in genomes])  # each CTRNN alone, reset every episode
    with GymEvaluator("CartPole-v1", episodes=3, seed=5, vectorized=vectorized) as evaluator:
        np.testing.assert_array_equal(evaluator.episode_returns(genomes, generation=1), want)
