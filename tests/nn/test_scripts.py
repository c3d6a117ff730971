"""The phenotype benchmark runs and prints its figures as JSON on its last line (no timing is checked)."""

import json
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]

KEYS = (
    "conn_evals_per_s_b1",
    "conn_evals_per_s_b64",
    "conn_evals_per_s_b1024",
    "mlp_conn_evals_per_s_b1024",
    "oracle_conn_evals_per_s",
    "batch1_us",
    "population_speedup",
    "compile_100_us",
    "compile_100k_ms",
    "fc_4_16_2_conn_evals_per_s_b1024",
)


def test_forward_benchmark_prints_json_last():
    out = subprocess.run(
        [sys.executable, "benchmarks/forward.py", "--quick"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    figures = json.loads(out.strip().splitlines()[-1])
    for key in KEYS:
        assert figures[key] > 0, key
