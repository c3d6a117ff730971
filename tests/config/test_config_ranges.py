"""Every numeric key states its range; inf/nan and values just outside are refused, naming the key.

Also: what ``[task]`` names (a dataset, a gymnasium env id) is checked when a config file is read.
"""

import dataclasses
import math
import pathlib
import re
import typing

import pytest

from neat import Config, ConfigError
from neat.config.options import Interval, numeric_type
from neat.config.sections import BUILTIN_DATASET_NAMES

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _keys():
    for name, cls in Config.sections().items():
        hints = typing.get_type_hints(cls)
        for f in dataclasses.fields(cls):
            yield name, f, hints[f.name]


NUMERIC = [(s, f, t) for s, f, t in _keys() if numeric_type(t) is not None]
IDS = [f"{s}.{f.name}" for s, f, _ in NUMERIC]


def _as_value(value, type_):
    """``value`` in the form the key takes: a list for list keys."""
    return [value] if typing.get_origin(type_) is tuple else value


def _refused(section, key, value, type_):
    with pytest.raises(ConfigError) as info:
        Config.from_dict({section: {key: _as_value(value, type_)}})
    assert f"[{section}] {key} = " in str(info.value), str(info.value)
    return str(info.value)


@pytest.mark.parametrize(("section", "f", "type_"), NUMERIC, ids=IDS)
def test_every_numeric_key_declares_its_range(section, f, type_):
    interval = f.metadata["range"]
    assert isinstance(interval, Interval), f"[{section}] {f.name} declares no range"
    default = f.default
    for value in default if isinstance(default, tuple) else ([] if default is None else [default]):
        assert value in interval


def test_only_numeric_keys_declare_a_range():
    names = {f"{s}.{f.name}" for s, f, _ in NUMERIC}
    assert {"genome.num_inputs", "genome.hidden_layers", "genome.weight_min", "mutation.node_add_prob",
            "speciation.compatibility_threshold", "run.fitness_threshold", "run.seed", "task.max_steps"} <= names
    assert len(NUMERIC) >= 60
    for section, f, type_ in _keys():
        if numeric_type(type_) is None:
            assert f.metadata["range"] is None, f"[{section}] {f.name}"


def test_no_key_takes_an_infinity():
    """The decision, per key, is in its range: an end written ``inf]`` would allow infinity. None is:
    an infinite rate, coefficient, threshold, power, size or weight bound makes a run meaningless."""
    allowing = [f"{s}.{f.name}" for s, f, _ in NUMERIC if not f.metadata["range"].finite_only]
    assert allowing == []


@pytest.mark.parametrize(("section", "f", "type_"), NUMERIC, ids=IDS)
def test_nan_and_the_infinities_the_range_excludes_are_refused_stating_the_range(section, f, type_):
    interval = f.metadata["range"]
    integer = numeric_type(type_) is int
    for value in (math.nan, math.inf, -math.inf):
        if value not in interval:
            message = _refused(section, f.name, value, type_)
            assert interval.words(integer) in message, message
            if not integer and interval.finite_only:
                assert "finite number" in message or " in [" in message or " in (" in message, message


def _just_outside(interval, integer):
    """The values nearest to the range that it excludes, one per finite end."""
    out = []
    if not math.isinf(interval.low):
        if not interval.low_closed:
            out.append(interval.low)
        else:
            out.append(interval.low - 1 if integer else math.nextafter(interval.low, -math.inf))
    if not math.isinf(interval.high):
        if not interval.high_closed:
            out.append(interval.high)
        else:
            out.append(interval.high + 1 if integer else math.nextafter(interval.high, math.inf))
    return [int(v) if integer else v for v in out]


@pytest.mark.parametrize(("section", "f", "type_"), NUMERIC, ids=IDS)
def test_values_just_outside_the_range_are_refused_naming_the_key_and_range(section, f, type_):
    interval = f.metadata["range"]
    integer = numeric_type(type_) is int
    for value in _just_outside(interval, integer):
        message = _refused(section, f.name, value, type_)
        assert "is not allowed: expected" in message
        assert interval.words(integer) in message, message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[0, 1]", Interval(0.0, 1.0, True, True)),
        ("(0, inf)", Interval(0.0, math.inf, False, False)),
        ("(-inf, 2.5]", Interval(-math.inf, 2.5, False, True)),
        ("[1e-3, 10)", Interval(0.001, 10.0, True, False)),
    ],
)
def test_interval_declarations(text, expected):
    assert Interval.parse(text) == expected


@pytest.mark.parametrize("text", ["0..1", "[1, 0]", "[0, 0]", "[inf, inf]", "{0, 1}", "[0, 1", ""])
def test_a_bad_interval_declaration_is_a_programming_error(text):
    with pytest.raises(ValueError, match="range"):
        Interval.parse(text)


def test_interval_membership_and_words():
    unit, positive, any_finite = Interval.parse("[0, 1]"), Interval.parse("(0, inf)"), Interval.parse("(-inf, inf)")
    assert 0 in unit and 1.0 in unit and 1.0000001 not in unit and math.nan not in unit and True not in unit
    assert 0.0 not in positive and 5e-324 in positive and math.inf not in positive
    assert 1e308 in any_finite and -math.inf not in any_finite and math.nan not in any_finite
    assert 10**400 in positive  # a big Python integer is still finite
    assert math.inf in Interval.parse("[0, inf]") and not Interval.parse("[0, inf]").finite_only
    assert (unit.words(), positive.words(), any_finite.words()) == ("in [0.0, 1.0]", "> 0.0", "")
    assert Interval.parse("[1, inf)").words(integer=True) == ">= 1"
    assert Interval.parse("(-inf, 3]").notation(integer=True) == "(-inf, 3]"


def test_messages_say_finite_for_unbounded_float_keys():
    assert _refused("genome", "weight_max", math.inf, float).endswith("expected a finite number")
    assert "a finite number >= 0.0" in _refused("mutation", "weight_mutate_power", math.inf, float)
    assert "a finite number (or omitted)" in _refused("run", "fitness_threshold", math.nan, float)
    assert "an integer >= 0 (or omitted)" in _refused("run", "seed", -1, int)
    assert "a list of integers each >= 1" in _refused("genome", "hidden_layers", 0, tuple[int, ...])


def test_the_reference_shows_every_numeric_range_in_a_column():
    from neat.config import reference_markdown

    text = reference_markdown()
    assert "| key | type | default | range | meaning |" in text
    for _section, f, type_ in NUMERIC:
        notation = f.metadata["range"].notation(integer=numeric_type(type_) is int)
        row = next(line for line in text.splitlines() if line.startswith(f"| `{f.name}` |"))
        assert f"`{notation}`" in row.split(" | ")[3], row


def test_the_examples_load_and_their_values_lie_in_the_declared_ranges():
    from neat import load_neat_python_config

    files = sorted((ROOT / "examples").glob("*.toml")) + sorted((ROOT / "examples" / "tasks").glob("*.toml"))
    assert len(files) >= 3
    configs = [Config.from_toml_file(path) for path in files]
    configs.append(load_neat_python_config(ROOT / "examples" / "config-feedforward"))
    for config in configs:
        for section, f, _type in NUMERIC:
            value = getattr(getattr(config, section), f.name)
            for item in value if isinstance(value, tuple) else ([] if value is None else [value]):
                assert item in f.metadata["range"], (section, f.name, item)


# --- [task]: checked when a config file is read --------------------------------------------------
def _task_file(folder, **keys):
    body = "".join(f'{k} = "{v}"\n' for k, v in keys.items())
    path = folder / "run.toml"
    path.write_text("[task]\n" + body)
    return path


def test_the_builtin_dataset_names_are_the_tables_names():
    from neat.evaluation.tasks import BUILTIN_DATASETS

    assert tuple(BUILTIN_DATASETS) == BUILTIN_DATASET_NAMES


def test_an_unknown_dataset_is_refused_when_the_file_is_read_with_a_suggestion(tmp_path):
    path = _task_file(tmp_path, kind="dataset", dataset="xr")
    with pytest.raises(ConfigError, match=r"run.toml: \[task\] dataset = 'xr' is not allowed: .*xor, and, or, nand, "
                                          r"parity3.*; did you mean 'xor'\?"):
        Config.from_toml_file(path)


def test_a_dataset_is_a_builtin_table_or_a_csv_file_next_to_the_config(tmp_path, monkeypatch):
    for name in BUILTIN_DATASET_NAMES:
        assert Config.from_toml_file(_task_file(tmp_path, kind="dataset", dataset=name)).task.dataset == name
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "table.csv").write_text("0,0,1\n")
    monkeypatch.chdir(ROOT)  # relative to the config file's folder, not to the working directory
    config = Config.from_toml_file(_task_file(tmp_path, kind="dataset", dataset="data/table.csv"))
    assert config.task.dataset == "data/table.csv"
    with pytest.raises(ConfigError, match=r"no file .*tabel.csv'; did you mean 'data/table.csv'\?"):
        Config.from_toml_file(_task_file(tmp_path, kind="dataset", dataset="data/tabel.csv"))


def test_a_config_built_in_python_is_checked_on_demand(tmp_path):
    config = Config(task={"kind": "dataset", "dataset": "somewhere/else.csv"})  # may exist where it is used
    with pytest.raises(ConfigError, match=r"\[task\] dataset = 'somewhere/else.csv'"):
        config.check_task(tmp_path)
    (tmp_path / "somewhere").mkdir()
    (tmp_path / "somewhere" / "else.csv").write_text("0,0,1\n")
    config.check_task(tmp_path)
    Config(task={"kind": "none", "dataset": "not checked"}).check_task(tmp_path)


@pytest.mark.parametrize("env_id", ["CartPole-v2", "Cartpole-v1"])
def test_an_unknown_env_id_is_refused_with_a_suggestion(tmp_path, env_id):
    pytest.importorskip("gymnasium")
    path = _task_file(tmp_path, kind="gym", env_id=env_id)
    with pytest.raises(ConfigError, match=rf"\[task\] env_id = '{env_id}' is not allowed: expected an env id "
                                          r"registered with gymnasium; did you mean 'CartPole-v1'\?"):
        Config.from_toml_file(path)


def test_registered_env_ids_load(tmp_path):
    pytest.importorskip("gymnasium")
    for env_id in ("CartPole-v1", "CartPole", "gymnasium.envs.classic_control:Acrobot-v1"):
        assert Config.from_toml_file(_task_file(tmp_path, kind="gym", env_id=env_id)).task.env_id == env_id
    with pytest.raises(ConfigError, match=r"cannot import 'no_such_module_xyz'"):
        Config.from_toml_file(_task_file(tmp_path, kind="gym", env_id="no_such_module_xyz:Foo-v0"))


def test_the_env_id_is_checked_only_when_gymnasium_is_installed(tmp_path, monkeypatch):
    import sys

    pytest.importorskip("gymnasium")
    with pytest.raises(ConfigError, match="Nothing-v9"):
        Config.from_toml_file(_task_file(tmp_path, kind="gym", env_id="Nothing-v9"))
    monkeypatch.setitem(sys.modules, "gymnasium", None)  # import gymnasium now raises ImportError
    monkeypatch.setitem(sys.modules, "gymnasium.envs.registration", None)
    assert Config.from_toml_file(_task_file(tmp_path, kind="gym", env_id="Nothing-v9")).task.env_id == "Nothing-v9"


def test_the_command_line_refuses_a_bad_task_before_writing_anything(tmp_path, capsys):
    from neat.cli import main

    path = tmp_path / "bad.toml"
    path.write_text('[task]\nkind = "dataset"\ndataset = "xr"\n[run]\nmax_generations = 2\n')
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out)]) != 0
    assert re.search(r"did you mean 'xor'", capsys.readouterr().err)
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["bad.toml"]
