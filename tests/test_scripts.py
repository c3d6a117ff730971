"""The example and benchmark scripts run and print what they promise (no timing is checked)."""

import json
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]


def run(*args):
    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout


def test_grow_genome_example():
    out = run("examples/grow_genome.py", "--generations", "4", "--seed", "1")
    assert "matching innovations" in out and "child size" in out and "innov" in out


def test_genome_benchmark_prints_json_last():
    last = run("benchmarks/genome.py", "--quick").strip().splitlines()[-1]
    figures = json.loads(last)
    for key in ("perturb_100k_ms", "align_1k_us", "distance_10k_ms"):
        assert figures[key] > 0
