"""The gymnasium examples (examples/acrobot.py, ...): each runs end to end on a tiny budget.

Each example runs in a subprocess for one generation of a small population,
one training episode per genome and two test episodes (16 genomes: the
smallest population the configs with ``target_species = 8`` allow); it must print a
generation line and the test line, and save a champion that
``neat.load_genome`` reads, with the env's numbers of inputs and outputs.
The box2d and MuJoCo examples are skipped, with the reason, when that extra
is not installed.
"""

import pathlib
import re
import subprocess
import sys

import pytest

import neat

ROOT = pathlib.Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
TINY = ["--generations", "1", "--episodes", "1", "--test-episodes", "2", "--population", "16", "--seed", "3"]
SCRIPTS = [
    # (script, (num_inputs, num_outputs), module of the extra the env needs, or None)
    ("acrobot", (6, 3), None),
    ("cartpole_no_velocity", (2, 2), None),
    ("mountain_car", (2, 3), None),
    ("pendulum", (3, 1), None),
    ("lunar_lander", (8, 4), "Box2D"),
    ("bipedal_walker", (24, 4), "Box2D"),
    ("inverted_double_pendulum", (9, 1), "mujoco"),
]
MISSING_EXTRA = {
    "Box2D": 'box2d is not installed: pip install "neatlab[box2d]"',
    "mujoco": 'mujoco is not installed: pip install "neatlab[mujoco]"',
}


def run_example(name, *args):
    return subprocess.run(
        [sys.executable, str(EXAMPLES / f"{name}.py"), *args], cwd=ROOT, capture_output=True, text=True, check=False
    )


def generation_lines(stdout):
    """The generation lines without their timings."""
    return [re.sub(r"\s+[\d.]+s$", "", line) for line in stdout.splitlines() if line.startswith("gen ")]


@pytest.mark.parametrize(("name", "shape", "extra"), SCRIPTS, ids=[s[0] for s in SCRIPTS])
def test_example_runs_and_saves_its_champion(tmp_path, name, shape, extra):
    if extra is not None:
        pytest.importorskip(extra, reason=MISSING_EXTRA[extra])
    out = tmp_path / name
    proc = run_example(name, *TINY, "--out", str(out))
    assert proc.returncode in (0, 1) and "Traceback" not in proc.stderr, proc.stderr  # 1: not solved
    assert len(generation_lines(proc.stdout)) == 1 and "gen    0  best" in proc.stdout
    assert "test on 2 fresh episodes: mean return" in proc.stdout
    champion = neat.load_genome(out / "champion.json")
    assert (out / "champion.svg").exists() and (out / "fitness.png").exists()
    assert (champion.config.num_inputs, champion.config.num_outputs) == shape
    config = neat.Config.from_toml_file(EXAMPLES / f"{name}.toml")
    assert champion.config == config.genome


def test_lunar_lander_workers_give_the_same_generation(tmp_path):
    pytest.importorskip("Box2D", reason=MISSING_EXTRA["Box2D"])
    if "--workers" not in run_example("lunar_lander", "--help").stdout:
        pytest.skip("GymEvaluator takes no executor here: lunar_lander.py has no --workers")
    serial = run_example("lunar_lander", *TINY, "--out", str(tmp_path / "a"))
    pooled = run_example("lunar_lander", *TINY, "--workers", "2", "--out", str(tmp_path / "b"))
    assert pooled.returncode in (0, 1) and "Traceback" not in pooled.stderr, pooled.stderr
    assert generation_lines(pooled.stdout) == generation_lines(serial.stdout) != []
    assert neat.load_genome(tmp_path / "a" / "champion.json") == neat.load_genome(tmp_path / "b" / "champion.json")


def test_mountain_car_shaping_ranks_reaching_the_flag_first(monkeypatch):
    monkeypatch.syspath_prepend(str(EXAMPLES))
    import mountain_car

    env = mountain_car.shaped_env()
    try:
        env.reset(seed=0)
        total, done = 0.0, False
        while not done:  # always push right: too weak to climb out of the valley
            _, reward, terminated, truncated, _ = env.step(2)
            total += reward
            done = terminated or truncated
        assert not terminated and env.max_position < mountain_car.GOAL
        expected = -200.0 + mountain_car.SHAPING_SCALE * (env.max_position - mountain_car.GOAL)
        assert total == pytest.approx(expected) and total < -200.0
    finally:
        env.close()


def test_cartpole_no_velocity_sees_the_position_and_angle_of_cartpole(monkeypatch):
    monkeypatch.syspath_prepend(str(EXAMPLES))
    import pickle

    import cartpole_no_velocity as example
    import gymnasium

    assert example.TASK.train_env is example.no_velocity_env is example.TASK.test_env
    assert pickle.loads(pickle.dumps(example.no_velocity_env)) is example.no_velocity_env  # for worker processes
    env, plain = example.no_velocity_env(), gymnasium.make("CartPole-v1")
    try:
        assert env.observation_space.shape == (2,)
        assert neat.genome_shape(example.no_velocity_env) == (2, 2)
        observation, _ = env.reset(seed=5)
        full, _ = plain.reset(seed=5)
        assert observation.tolist() == full[[0, 2]].tolist() and observation in env.observation_space
        for action in (0, 1, 1, 0, 1):
            observation, *_ = env.step(action)
            full, *_ = plain.step(action)
            assert observation.tolist() == full[[0, 2]].tolist()
    finally:
        env.close()
        plain.close()
