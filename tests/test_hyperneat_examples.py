"""The HyperNEAT and CPPN examples (examples/hyperneat_boxes.py, cppn_pictures.py, hyperneat_walker.py) and
benchmarks/hyperneat.py run end to end.

Each runs in a subprocess on a tiny budget and must print what it promises
and write its files; the walker is skipped, with the reason, without box2d.
"""

import importlib
import json
import pathlib
import subprocess
import sys

import numpy as np
import pytest

import neat
from neat.nn.hyperneat import decode
from neat.nn.substrate import Substrate

ROOT = pathlib.Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


def run_example(name, *args):
    proc = subprocess.run([sys.executable, str(EXAMPLES / f"{name}.py"), *args], cwd=ROOT, capture_output=True,
                          text=True, check=False)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def is_png(path):
    return path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_boxes_example_evolves_and_tests_its_champion_at_33x33(tmp_path):
    out = tmp_path / "boxes"
    proc = run_example("hyperneat_boxes", "--generations", "2", "--population", "20", "--seed", "1", "--out", str(out))
    assert proc.returncode in (0, 1), proc.stdout  # 1: not solved
    assert "gen    0  best" in proc.stdout
    assert "11x11: large box found in" in proc.stdout and "33x33: large box found in" in proc.stdout
    champion = neat.load_genome(out / "champion.json")
    assert (champion.config.num_inputs, champion.config.num_outputs) == (5, 1)
    for picture in ("weights_11x11.png", "weights_33x33.png", "response.png"):
        assert is_png(out / picture), picture


def test_the_cppn_pictures_example_paints_a_lineage(tmp_path):
    out = tmp_path / "pictures"
    proc = run_example("cppn_pictures", "--steps", "4", "--size", "32", "--seed", "2", "--out", str(out))
    assert proc.returncode == 0 and "4 mutation steps" in proc.stdout
    assert is_png(out / "lineage.png") and is_png(out / "final.png")
    final = neat.load_genome(out / "final.json")
    assert (final.config.num_inputs, final.config.num_outputs) == (3, 3)


def test_the_walker_example_names_every_observation_and_action(monkeypatch):
    monkeypatch.syspath_prepend(str(EXAMPLES))
    walker = importlib.import_module("hyperneat_walker")
    substrate = walker.walker_substrate()
    assert (substrate.num_inputs, substrate.num_outputs, substrate.dimension) == (24, 4, 3)
    names = [name for name, *_ in walker.OBSERVATIONS + walker.ACTIONS]
    assert len(set(names)) == 28
    points = np.concatenate([substrate.inputs, substrate.outputs])
    assert len(np.unique(points, axis=0)) == 28  # no two nodes at one place
    # The two legs mirror each other: x -> -x maps leg 1's nodes onto leg 2's.
    where = {name: (x, y) for name, x, y in walker.OBSERVATIONS + walker.ACTIONS}
    for part in ("hip 1 angle", "knee 1 speed", "leg 1 on ground", "hip 1 torque", "knee 1 torque"):
        x, y = where[part]
        assert where[part.replace("1", "2")] == (-x, y) and x < 0


def test_the_walker_example_plays_decoded_networks(tmp_path):
    pytest.importorskip("Box2D", reason='box2d is not installed: pip install "neatlab[box2d]"')
    out = tmp_path / "walker"
    proc = run_example("hyperneat_walker", "--generations", "2", "--population", "8", "--max-steps", "60",
                       "--test-episodes", "1", "--out", str(out))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "gen    1  best" in proc.stdout and "test on 1 fresh episodes: mean return" in proc.stdout
    champion = neat.load_genome(out / "champion.json")
    substrate = Substrate.from_dict(json.loads((out / "substrate.json").read_text()))
    network = decode(champion, substrate)
    assert (network.num_inputs, network.num_outputs) == (24, 4)
    assert np.all(np.abs(network.forward(np.zeros((3, 24)))) <= 1.0)


def test_the_hyperneat_benchmark_prints_its_figures_as_json_last():
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "hyperneat.py"), "--quick"], cwd=ROOT,
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    figures = json.loads(proc.stdout.strip().splitlines()[-1])
    for key in ("decode_ms_pop150_11x11", "decode_ms_1M", "decode_ms_pop150_11x11_cppn_float32"):
        assert figures[key] > 0, key
    assert figures["decode_connections_1M"] == 12**4  # --quick: 12 x 12 sheets
    assert figures["boxes_budget"] == figures["boxes_population"] * figures["boxes_max_generations"] == 150
    assert 0 <= figures["boxes_generalisation"] <= 1 and 0 <= figures["boxes_champion_success_mean"] <= 1
    assert figures["boxes_success"] == float(figures["boxes_champion_success_mean"] >= 0.95)  # one run
    assert 1 <= figures["boxes_generations_median"] <= figures["boxes_max_generations"]
