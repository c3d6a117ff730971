"""The command line, end to end on tiny runs (python -m neat / neatlab)."""

import subprocess
import sys

import numpy as np
import pytest

import neat
from neat.cli import main
from neat.evolution.reporting import StatisticsReporter

XOR_TASK = """
[task]
kind = "dataset"
dataset = "{dataset}"

[genome]
num_inputs = {inputs}
num_outputs = 1

[run]
population_size = 20
max_generations = 4
"""

CARTPOLE_TASK = """
[task]
kind = "gym"
env_id = "CartPole-v1"
episodes = 1
max_steps = 50
test_episodes = 3

[genome]
num_inputs = 4
num_outputs = 2

[run]
population_size = 8
max_generations = 2
"""


@pytest.fixture
def xor_config(tmp_path):
    path = tmp_path / "xor.toml"
    path.write_text(XOR_TASK.format(dataset="xor", inputs=2))
    return path


def run_cli(capsys, *argv):
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_run_writes_the_champion_statistics_pictures_and_a_checkpoint(tmp_path, xor_config, capsys):
    out = tmp_path / "out"
    code, stdout, _ = run_cli(capsys, "run", xor_config, "--out", out, "--seed", 3)
    assert code == 0
    for name in ("champion.json", "stats.csv", "config.toml", "champion.svg", "fitness.png", "species.png"):
        assert (out / name).stat().st_size > 0, name
    assert "<svg" in (out / "champion.svg").read_text()
    assert (out / "fitness.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    stats = StatisticsReporter.read_csv(out / "stats.csv")
    assert [g.generation for g in stats] == [0, 1, 2, 3]
    champion = neat.load_genome(out / "champion.json")
    assert neat.Config.from_toml_file(out / "config.toml").task.dataset == "xor"
    # the champion's fitness is the task's: 4 - SSE over the XOR table
    outputs = neat.compile(champion).forward(np.array([[0, 0], [0, 1], [1, 0], [1, 1]]))[:, 0]
    assert f"best fitness {4 - np.sum((outputs - [0, 1, 1, 0]) ** 2):.6g}" in stdout
    assert (out / "checkpoints" / "checkpoint-3.npz").exists()


def test_resume_continues_the_run_and_keeps_its_statistics(tmp_path, xor_config, capsys):
    out = tmp_path / "out"
    assert run_cli(capsys, "run", xor_config, "--out", out, "--generations", 2)[0] == 0
    checkpoint = out / "checkpoints" / "checkpoint-1.npz"
    code, stdout, _ = run_cli(capsys, "run", xor_config, "--out", out, "--resume", checkpoint, "--generations", 2)
    assert code == 0 and "resumed" in stdout
    assert [g.generation for g in StatisticsReporter.read_csv(out / "stats.csv")] == [0, 1, 2, 3]
    # the same as one uninterrupted run of 4 generations
    straight = tmp_path / "straight"
    assert run_cli(capsys, "run", xor_config, "--out", straight, "--generations", 4)[0] == 0
    assert neat.load_genome(out / "champion.json") == neat.load_genome(straight / "champion.json")


def test_a_csv_dataset_task(tmp_path, capsys):
    (tmp_path / "and.csv").write_text("a,b,target\n0,0,0\n0,1,0\n1,0,0\n1,1,1\n")
    config = tmp_path / "and.toml"
    config.write_text(XOR_TASK.format(dataset="and.csv", inputs=2))
    code, stdout, _ = run_cli(capsys, "run", config, "--out", tmp_path / "out", "--quiet")
    assert code == 0 and "best fitness" in stdout


def test_a_gym_task_tests_its_champion_then_replay_render_and_info(tmp_path, capsys):
    config = tmp_path / "cartpole.toml"
    config.write_text(CARTPOLE_TASK)
    out = tmp_path / "out"
    code, stdout, _ = run_cli(capsys, "run", config, "--out", out)
    assert code == 0 and "champion on 3 fresh episodes of CartPole-v1" in stdout

    code, stdout, _ = run_cli(capsys, "replay", out / "champion.json", "--env", "CartPole-v1", "--episodes", 2,
                              "--max-steps", 20)
    assert code == 0 and "mean return" in stdout and stdout.count("episode ") == 2

    code, stdout, _ = run_cli(capsys, "render", out / "champion.json", "-o", tmp_path / "net.png", "--prune",
                              "--names", "x,v,theta,omega,left,right")
    assert code == 0 and (tmp_path / "net.png").read_bytes()[:4] == b"\x89PNG"
    assert run_cli(capsys, "render", out / "champion.json", "-o", tmp_path / "net.dot")[0] == 0
    assert '"theta"' not in (tmp_path / "net.dot").read_text() and "digraph" in (tmp_path / "net.dot").read_text()

    code, stdout, _ = run_cli(capsys, "info", out / "checkpoints" / "checkpoint-1.npz")
    assert code == 0
    assert "generation      1" in stdout and "task            gym CartPole-v1 (1 episodes)" in stdout


def test_plot_writes_fitness_and_species(tmp_path, xor_config, capsys):
    out = tmp_path / "out"
    run_cli(capsys, "run", xor_config, "--out", out, "--quiet")
    code, stdout, _ = run_cli(capsys, "plot", out / "stats.csv", "-o", tmp_path / "f.svg", "--species",
                              tmp_path / "s.png", "--log")
    assert code == 0 and "<svg" in (tmp_path / "f.svg").read_text()
    assert (tmp_path / "s.png").read_bytes()[:4] == b"\x89PNG"


def test_an_interrupt_saves_the_champion_and_a_resumable_checkpoint(tmp_path, xor_config, capsys, monkeypatch):
    from neat.evaluation.tasks import DatasetEvaluator

    calls = []
    original = DatasetEvaluator.__call__

    def interrupted(self, genomes):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return original(self, genomes)

    monkeypatch.setattr(DatasetEvaluator, "__call__", interrupted)
    out = tmp_path / "out"
    code, _, stderr = run_cli(capsys, "run", xor_config, "--out", out)
    assert code == 130 and "interrupted" in stderr
    assert neat.load_genome(out / "champion.json").is_valid()
    resumed = neat.load_checkpoint(out / "checkpoints" / "checkpoint-2.npz")
    assert resumed.generation == 2 and resumed.evaluations == 40  # generation 2 was not evaluated


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["info", "{tmp}/missing.npz"], "cannot read checkpoint"),
        (["render", "{tmp}/bad.json", "-o", "{tmp}/x.svg"], "is not valid JSON"),
        (["plot", "{tmp}/bad.json", "-o", "{tmp}/x.png"], "bad.json"),
        (["run", "{tmp}/notask.toml"], "the config has no task: add a [task] section"),
        (["run", "{tmp}/xor.toml", "--workers", "2"], "--workers is for gym tasks"),
        (["run", "{tmp}/typo.toml"], "[task] unknown key 'dataste'; did you mean 'dataset'?"),
        (["run", "{tmp}/badcsv.toml"], "row 2 has 2 columns; expected num_inputs + num_outputs = 3"),
        (["replay", "{tmp}/genome.json", "--env", "CartPole-v1"], "CartPole-v1 needs genomes with num_inputs = 4"),
    ],
)
def test_bad_input_is_one_line_and_exit_status_2(tmp_path, xor_config, capsys, argv, message):
    (tmp_path / "bad.json").write_text("not json")
    (tmp_path / "notask.toml").write_text("[run]\npopulation_size = 10\nmax_generations = 2\n")
    (tmp_path / "typo.toml").write_text('[task]\nkind = "dataset"\ndataste = "xor"\n')
    (tmp_path / "rows.csv").write_text("0,0,0\n0,1\n")
    (tmp_path / "badcsv.toml").write_text(XOR_TASK.format(dataset="rows.csv", inputs=2))
    neat.save_genome(neat.Population(neat.Config(run={"population_size": 2})).genomes[0], tmp_path / "genome.json")
    code, stdout, stderr = run_cli(capsys, *[a.format(tmp=tmp_path) for a in argv])
    assert code == 2
    assert message in stderr and stderr.count("\n") == 1 and "Traceback" not in stderr


def test_module_and_console_entry_points(tmp_path):
    result = subprocess.run([sys.executable, "-m", "neat", "info", str(tmp_path / "none.npz")],
                            capture_output=True, text=True)
    assert result.returncode == 2 and result.stderr.startswith("neatlab info: error: cannot read checkpoint")
    assert "Traceback" not in result.stderr
    help_text = subprocess.run([sys.executable, "-m", "neat", "--help"], capture_output=True, text=True).stdout
    for command in ("run", "render", "plot", "replay", "info", "convert"):
        assert command in help_text
    from importlib.metadata import entry_points

    scripts = {e.name: e.value for e in entry_points(group="console_scripts")}
    assert scripts.get("neatlab") == "neat.cli:main"


def test_convert_a_neat_python_config(tmp_path, capsys):
    from pathlib import Path

    ini = Path(__file__).parent / "data" / "neat_python" / "xor-feedforward.ini"
    code, stdout, _ = run_cli(capsys, "convert", ini, "-o", tmp_path / "xor.toml")
    assert code == 0 and "wrote" in stdout
    assert neat.Config.from_toml_file(tmp_path / "xor.toml") == neat.load_neat_python_config(ini)
    # a key with no equivalent: an error by default, a warning on request
    text = ini.read_text()
    assert "enabled_default         = True" in text
    (tmp_path / "odd.ini").write_text(text.replace("enabled_default         = True", "enabled_default = False"))
    code, _, stderr = run_cli(capsys, "convert", tmp_path / "odd.ini", "-o", tmp_path / "odd.toml")
    assert code == 2 and "enabled_default" in stderr and stderr.count("\n") == 1
    code, _, stderr = run_cli(capsys, "convert", tmp_path / "odd.ini", "-o", tmp_path / "odd.toml", "--unmapped", "warn")
    assert code == 0 and "warning:" in stderr and "enabled_default" in stderr
    assert (tmp_path / "odd.toml").exists()
