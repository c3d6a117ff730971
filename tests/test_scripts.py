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


def test_xor_example_evolves_a_solution(tmp_path):
    out = tmp_path / "xor"
    text = run("examples/xor.py", "--seed", "3", "--out", str(out))
    assert "solved after" in text and "gen    0" in text
    from neat import load_genome

    winner = load_genome(out / "champion.json")
    # the run folder holds the winner's topology (with the input names) and the fitness plot
    assert '"x1"' in (out / "champion.svg").read_text() or ">x1<" in (out / "champion.svg").read_text()
    assert (out / "fitness.png").read_bytes()[:4] == b"\x89PNG" and (out / "stats.csv").exists()
    sys.path.insert(0, str(ROOT / "examples"))
    try:
        from xor import solves_xor
    finally:
        sys.path.pop(0)
    assert solves_xor(winner)


def test_xor_and_reproduction_benchmarks_print_json_last():
    figures = json.loads(run("benchmarks/xor.py", "--runs", "1").strip().splitlines()[-1])
    for key in ("success_rate", "evaluations_mean", "evaluations_median", "evaluations_max", "generations_mean",
                "hidden_nodes_mean", "enabled_connections_mean", "seconds_per_run_median",
                "bookkeeping_ms_per_generation"):
        assert key in figures
    figures = json.loads(run("benchmarks/reproduction.py", "--quick").strip().splitlines()[-1])
    assert {"bookkeeping_ms_150", "bookkeeping_ms_1000", "bookkeeping_ms_10000", "fallback_children_per_generation",
            "species_count_cv"} <= set(figures)


def test_generation_benchmark_prints_json_last():
    figures = json.loads(run("benchmarks/generation.py", "--quick", "--sizes", "2000").strip().splitlines()[-1])
    assert {"generation_ms_2000", "compile_ms_2000", "forward_ms_2000", "tell_ms_2000"} <= set(figures)


def test_ga_cartpole_example_runs(tmp_path):
    out = run("examples/ga_cartpole.py", "--generations", "2", "--population", "16", "--episodes", "2",
              "--out", str(tmp_path / "ga"))
    assert "gen    0" in out and "champion on 100 fresh episodes" in out
    from neat import load_genome

    assert (tmp_path / "ga" / "champion.svg").exists() and (tmp_path / "ga" / "fitness.png").exists()
    assert load_genome(tmp_path / "ga" / "champion.json").size() == (16, 4 * 16 + 16 * 2)
