"""What counting usage costs a search or a model call, and what one flush costs.

Usage: python -m bench.usage_counts [--calls 200000] [--threads 4]

Times `usage.note()` (what a search, a chat answer and every model call pay) against a baseline
measured in the same run: adding the same numbers to a plain dict under a lock. Then it times a
flush of a day's worth of distinct rows into a fresh SQLite database under a temporary DATA_DIR,
and once more into the same rows (the additive UPDATE path). Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import threading
import time
from collections import Counter

from lumikb_app.container import reset_container
from lumikb_app.services.platform import usage


def _per_call(function, calls: int, threads: int) -> float:
    """Microseconds per call with `threads` threads calling at once."""
    each = calls // threads
    workers = [
        threading.Thread(target=lambda: [function() for _ in range(each)]) for _ in range(threads)
    ]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return (time.perf_counter() - started) / (each * threads) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=200_000)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        os.environ["DATA_DIR"] = data_dir
        reset_container()
        from lumikb_app.db.migrate import upgrade

        upgrade()
        lock, plain = threading.Lock(), Counter()

        def baseline() -> None:
            with lock:
                plain.update(calls=1, errors=0, prompt_tokens=12, completion_tokens=3)

        base = _per_call(baseline, args.calls, args.threads)
        noted = _per_call(
            lambda: usage.note("llm", "bench/model", True, 12, 3), args.calls, args.threads
        )
        print(f"baseline (dict under a lock): {base:.2f} µs per call")
        print(f"usage.note():                 {noted:.2f} µs per call ({args.threads} threads)")
        for label in ("first flush (inserts)", "second flush (adds)"):
            for n in range(200):  # a busy day: 200 distinct (kind, model) rows
                usage.note("llm", f"bench/model-{n}", True, 5, 5)
            started = time.perf_counter()
            rows = usage.flush()
            print(f"{label}: {rows} rows in {(time.perf_counter() - started) * 1000:.1f} ms")
        usage.stop()
        reset_container()


if __name__ == "__main__":
    main()
