"""The command line, end to end on tiny runs (python -m neat / neatlab)."""

import pathlib
import re
import subprocess
import sys

import numpy as np
import pytest

import neat
from neat.cli import main
from neat.evolution.reporting import StatisticsReporter

ROOT = pathlib.Path(__file__).resolve().parents[1]

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


def test_exact_mode_reaches_training_the_test_episodes_and_replay(tmp_path, capsys, monkeypatch):
    from neat.evaluation.gym import GymEvaluator

    made = []
    original = GymEvaluator.__init__

    def recording(self, *args, **kwargs):
        original(self, *args, **kwargs)
        made.append(self.exact)

    monkeypatch.setattr(GymEvaluator, "__init__", recording)
    config = tmp_path / "cartpole.toml"
    config.write_text(CARTPOLE_TASK.replace("test_episodes = 3", "test_episodes = 3\nexact = true"))
    out = tmp_path / "out"
    code, stdout, _ = run_cli(capsys, "run", config, "--out", out, "--quiet")
    assert code == 0 and made == [True]
    for flags, exact in ((["--exact"], True), ([], False)):
        code, stdout, _ = run_cli(capsys, "replay", out / "champion.json", "--env", "CartPole-v1", "--episodes", 2,
                                  "--max-steps", 20, *flags)
        assert code == 0 and made[-1] is exact and stdout.count("episode ") == 2


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
        (["info", "{tmp}/missing.npz"], "cannot read"),
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
    assert result.returncode == 2 and result.stderr.startswith("neatlab info: error: cannot read")
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


# --- a failed run writes nothing -----------------------------------------------
def files_under(folder):
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


BAD_RUNS = [
    # ([task] lines, (num_inputs, num_outputs), what the error says); the dataset ones wrote nothing before either
    ('kind = "gym"\nenv_id = "NoSuchEnv-v9"', (4, 2), "NoSuchEnv"),
    ('kind = "gym"\nenv_id = "CartPole-v1"', (3, 2), "CartPole-v1 needs genomes with num_inputs = 4"),
    ('kind = "dataset"\ndataset = "missing.csv"', (2, 1), "missing.csv"),
    ('kind = "dataset"\ndataset = "rows.csv"', (2, 1), "row 2"),
]


def test_a_failed_run_writes_nothing(tmp_path, capsys, monkeypatch):
    (tmp_path / "rows.csv").write_text("0,0,0\n0,1\n")
    monkeypatch.chdir(tmp_path)  # the default folder, runs/NAME-seedS, is relative to here
    for task, genome, message in BAD_RUNS:
        config = tmp_path / "bad.toml"
        config.write_text(f"[task]\n{task}\n\n[genome]\nnum_inputs = {genome[0]}\nnum_outputs = {genome[1]}\n\n"
                          "[run]\npopulation_size = 8\nmax_generations = 2\n")
        before = files_under(tmp_path)
        for options in ([], ["--out", tmp_path / "out"], ["--checkpoint-dir", tmp_path / "ckpt"]):
            code, _, stderr = run_cli(capsys, "run", "bad.toml", *options)
            assert code == 2 and message in stderr and stderr.count("\n") == 1 and "Traceback" not in stderr, stderr
            assert files_under(tmp_path) == before, (task, options)


# --- a missing extra names what to install ---------------------------------------
MISSING_EXTRAS_SCRIPT = """
import contextlib, io, json, runpy, sys, traceback
sys.modules.update({"Box2D": None, "mujoco": None, "pygame": None})  # as if not installed
from neat.cli import main
results = {}
for name, argv in json.loads(sys.argv[1]).items():
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            if argv[0].endswith(".py"):
                sys.argv = argv
                sys.path.insert(0, "examples")
                runpy.run_path(argv[0], run_name="__main__")
                code = 0
            else:
                code = main(argv)
        except SystemExit as exc:
            code = exc.code
        except BaseException:
            code, _ = None, err.write(traceback.format_exc())
    results[name] = [code, err.getvalue()]
print(json.dumps(results))
"""


def test_a_missing_extra_is_one_line_naming_what_to_install(tmp_path):
    import json

    from neat.cli import EXTRAS

    def genome(inputs, outputs):
        path = tmp_path / f"genome-{inputs}-{outputs}.json"
        config = neat.Config(genome={"num_inputs": inputs, "num_outputs": outputs}, run={"population_size": 2})
        neat.save_genome(neat.Population(config).genomes[0], path)
        return str(path)

    lunar = tmp_path / "lunar.toml"
    lunar.write_text(CARTPOLE_TASK.replace("CartPole-v1", "LunarLander-v3").replace("num_inputs = 4", "num_inputs = 8")
                     .replace("num_outputs = 2", "num_outputs = 4"))
    out = tmp_path / "out"
    cases = {
        "replay --render": (["replay", genome(4, 2), "--env", "CartPole-v1", "--render", "--episodes", "1"], "pygame"),
        "replay box2d": (["replay", genome(8, 4), "--env", "LunarLander-v3"], "box2d"),
        "replay mujoco": (["replay", genome(9, 1), "--env", "InvertedDoublePendulum-v5"], "mujoco"),
        "run box2d": (["run", str(lunar), "--out", str(out)], "box2d"),
        "lunar_lander.py": (["examples/lunar_lander.py", "--out", str(out), "--generations", "1"], "box2d"),
        "bipedal_walker.py": (["examples/bipedal_walker.py", "--out", str(out), "--generations", "1"], "box2d"),
        "inverted_double_pendulum.py": (["examples/inverted_double_pendulum.py", "--out", str(out)], "mujoco"),
    }
    result = subprocess.run(
        [sys.executable, "-c", MISSING_EXTRAS_SCRIPT, json.dumps({name: argv for name, (argv, _) in cases.items()})],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr
    results = json.loads(result.stdout.splitlines()[-1])
    for name, (_, module) in cases.items():
        code, stderr = results[name]
        package, extra = EXTRAS[module]
        assert code == 2 and "Traceback" not in stderr and stderr.count("\n") == 1, (name, code, stderr)
        assert f"{package}, which is not installed: pip install \"neatlab[{extra}]\"" in stderr, (name, stderr)
    assert not out.exists()


# --- info: checkpoints, genomes, networks, and what a file is not -------------
def test_info_describes_a_genome_json_and_a_network_file(tmp_path, capsys):
    config = neat.Config(genome={"num_inputs": 3, "num_outputs": 2, "activation_options": ["tanh", "relu"],
                                 "activation_default": "random"},
                         mutation={"activation_mutate_rate": 0.5, "node_add_prob": 0.9, "conn_add_prob": 0.9},
                         run={"population_size": 10})
    population = neat.Population(config, seed=5)
    population.run(lambda genomes: np.array([g.num_hidden + 0.1 * g.num_connections for g in genomes]), 6)
    champion = population.best_genome
    assert champion.num_hidden > 0 and not champion.conns.enabled.all()  # something to count
    neat.save_genome(champion, tmp_path / "champion.json")
    code, stdout, _ = run_cli(capsys, "info", tmp_path / "champion.json")
    assert code == 0
    hidden = champion.num_hidden
    disabled = int((~champion.conns.enabled).sum())
    assert f"key             {champion.key}" in stdout
    assert f"nodes           3 inputs, 2 outputs, {hidden} hidden" in stdout
    assert f"connections     {champion.num_enabled} enabled, {disabled} disabled" in stdout
    names = champion.activation_names()[3:]
    for name in set(names):
        assert f"{name} ({names.count(name)})" in stdout
    net = neat.compile(champion)
    assert f"network         feed-forward, depth {net.num_layers}" in stdout

    neat.save_network(net, tmp_path / "champion.npz")
    code, stdout, _ = run_cli(capsys, "info", tmp_path / "champion.npz")
    assert code == 0 and "kind            feedforward, float64" in stdout
    assert f"connections     {net.num_connections}" in stdout and f"depth           {net.num_layers}" in stdout

    recurrent = neat.Config(genome={"num_inputs": 2, "num_outputs": 1, "feed_forward": False},
                            run={"population_size": 2})
    neat.save_genome(neat.Population(recurrent).genomes[0], tmp_path / "recurrent.json")
    code, stdout, _ = run_cli(capsys, "info", tmp_path / "recurrent.json")
    assert code == 0 and "network         recurrent, no cycles" in stdout


def test_info_on_anything_else_says_what_the_file_is_not(tmp_path, xor_config, capsys):
    np.savez(tmp_path / "arrays.npz", weights=np.zeros(3))
    (tmp_path / "notes.json").write_text('{"format": "something else"}')
    (tmp_path / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    from neat.interop.jsonfiles import save_config_json

    save_config_json(neat.Config(), tmp_path / "config.json")
    for name, what in [("arrays.npz", "zip (.npz) archive with the entries weights"), ("notes.json", "JSON without"),
                       ("image.png", "neither JSON nor an .npz archive"), ("config.json", "JSON without"),
                       (xor_config, "neither JSON nor an .npz archive")]:
        path = tmp_path / name
        code, stdout, stderr = run_cli(capsys, "info", path)
        assert code == 2 and stdout == "" and stderr.count("\n") == 1 and "Traceback" not in stderr
        assert f"{path} is not a checkpoint, genome JSON or network file: it is " in stderr and what in stderr


# --- help texts and hints in the command line's terms ---------------------------
def test_every_option_has_a_help_text():
    import argparse

    from neat.cli import build_parser

    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    without = []
    for name, sub in commands.choices.items():
        for action in sub._actions:
            if not isinstance(action, argparse._HelpAction) and not (action.help or "").strip():
                without.append(f"{name} {'/'.join(action.option_strings) or action.dest}")
    assert not without, f"options without a help text: {without}"
    assert {c.dest for c in commands._choices_actions if c.help} == set(commands.choices)


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["run", "{tmp}/xor.toml", "--seed", "-1"], "--seed must be >= 0, got -1"),
        (["run", "{tmp}/cartpole.toml", "--workers", "0"], "--workers must be >= 1, got 0"),
        (["replay", "{tmp}/g.json", "--env", "CartPole-v1", "--max-steps", "0"], "--max-steps must be >= 1, got 0"),
        (["replay", "{tmp}/g.json", "--env", "CartPole-v1", "--seed", "-3"], "--seed must be >= 0, got -3"),
        (["replay", "{tmp}/g.json", "--env", "CartPole-v1", "--render", "bogus"],
         "--render bogus: CartPole-v1 renders as human, rgb_array"),
        (["replay", "{tmp}/g.json", "--env", "NoSuchEnv-v9"], "--env NoSuchEnv-v9: NameNotFound"),
        (["render", "{tmp}/g.json", "-o", "{tmp}/net.svg", "--names", "a,b"],
         "--names lists 2 names but the genome has 4 inputs and 2 outputs: give 6 comma-separated names"),
        (["render", "{tmp}/g.json", "-o", "{tmp}/net.jpg"], "-o {tmp}/net.jpg: give a file name ending in .svg"),
        (["convert", "{tmp}/odd.ini", "-o", "{tmp}/odd.toml"], "pass --unmapped warn"),
    ],
    ids=["run-seed", "run-workers", "replay-max-steps", "replay-seed", "replay-render-mode", "replay-env",
         "render-names", "render-output", "convert-unmapped"],
)
def test_hints_name_command_line_options_not_python_arguments(tmp_path, xor_config, capsys, argv, says):
    (tmp_path / "cartpole.toml").write_text(CARTPOLE_TASK)
    config = neat.Config(genome={"num_inputs": 4, "num_outputs": 2}, run={"population_size": 2})
    neat.save_genome(neat.Population(config).genomes[0], tmp_path / "g.json")
    ini = (ROOT / "tests" / "data" / "neat_python" / "xor-feedforward.ini").read_text()
    (tmp_path / "odd.ini").write_text(ini.replace("enabled_default         = True", "enabled_default = False"))
    code, _, stderr = run_cli(capsys, *[a.format(tmp=tmp_path) for a in argv])
    assert code == 2 and stderr.count("\n") == 1 and "Traceback" not in stderr
    assert says.format(tmp=tmp_path) in stderr
    assert not re.search(r"\b[a-z_]+=(?!=)|node_names|max_steps", stderr), stderr  # no Python keyword arguments


def test_export_writes_an_onnx_model_of_the_genome(tmp_path, capsys):
    pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    config = neat.Config(genome={"num_inputs": 2, "num_outputs": 1})
    genome = neat.new_genome(config, neat.InnovationTracker.for_config(config), neat.make_rng(0))
    neat.save_genome(genome, tmp_path / "champion.json")
    assert main(["export", str(tmp_path / "champion.json"), "-o", str(tmp_path / "net.onnx")]) == 0
    assert "feed-forward, x (batch, 2) -> y (batch, 1), float32" in capsys.readouterr().out
    session = ort.InferenceSession(str(tmp_path / "net.onnx"))
    x = np.array([[0.5, -1.0], [2.0, 0.25]], dtype=np.float32)
    (y,) = session.run(None, {"x": x})
    np.testing.assert_allclose(y, neat.nn.compile(genome).forward(x.astype(np.float64)), rtol=1e-6, atol=1e-6)
