"""k-NN novelty of 10,000 behaviours against an archive of 10,000 (d = 2 and d = 8).

Prints one JSON object on its last line: ``knn_ms_10k_10k_d2``, ``knn_ms_10k_10k_d8``
(best of 3 runs, milliseconds; target: under 1,000).
"""

import json
import time

import numpy as np

from neat.evaluation.novelty import knn_novelty


def best_ms(behaviours: np.ndarray, archive: np.ndarray, repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        knn_novelty(behaviours, archive, 15)
        times.append(time.perf_counter() - start)
    return round(1000 * min(times), 1)


def main() -> None:
    rng = np.random.default_rng(0)
    result = {}
    for d in (2, 8):
        behaviours, archive = rng.normal(size=(10_000, d)), rng.normal(size=(10_000, d))
        result[f"knn_ms_10k_10k_d{d}"] = best_ms(behaviours, archive)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
