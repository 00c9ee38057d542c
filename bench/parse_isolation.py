"""What parsing in a child process costs per document, against parsing in this process.

Usage: python -m bench.parse_isolation [FILES]   (default 100 PEPs, plus every PDF and DOCX sample)

Baseline, in the same run: `parsing.parse` here. Then the same files through a warm pool of
parser children (what an embedded app and a long-lived caller pay), and through a new pool per
file (a child started per document: what an RQ work-horse, forked per job, pays). Each file is
parsed once per mode, in an interleaved order, after one untimed warm-up pass of each mode.
"""

from __future__ import annotations

import contextlib
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from lumikb_app.services.documents.parsing import ParseError, detect_path_type, parse
from lumikb_app.services.documents.parsing.processes import ParserProcesses

CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"
LIMIT = 600.0


def _files(peps: int) -> list[tuple[Path, str]]:
    paths = sorted((CORPORA / "peps").glob("pep-*.rst"))[:peps]
    paths += sorted((CORPORA / "pdf-samples").rglob("*.pdf"))
    paths += sorted((CORPORA / "docx-samples").glob("*.docx"))
    return [(path, detect_path_type(path)) for path in paths]


def _timed(read: Callable[[Path, str], object], path: Path, mime_type: str) -> float:
    started = time.perf_counter()
    with contextlib.suppress(ParseError):  # a refused file costs its round trip too
        read(path, mime_type)
    return time.perf_counter() - started


def main() -> None:
    files = _files(int(sys.argv[1]) if len(sys.argv) > 1 else 100)
    warm = ParserProcesses()

    def cold(path: Path, mime_type: str) -> object:
        pool = ParserProcesses()
        try:
            return pool.parse(path, mime_type, LIMIT)
        finally:
            pool.close()

    modes: dict[str, Callable[[Path, str], object]] = {
        "in process (baseline)": parse,
        "warm child pool": lambda path, mime_type: warm.parse(path, mime_type, LIMIT),
        "new child per file": cold,
    }
    for read in modes.values():  # libraries loaded, children started
        for path, mime_type in files[:: max(1, len(files) // 8)]:
            _timed(read, path, mime_type)
    times: dict[str, list[float]] = {name: [] for name in modes}
    for path, mime_type in files:
        for name, read in modes.items():
            times[name].append(_timed(read, path, mime_type))
    warm.close()

    baseline = times["in process (baseline)"]
    print(f"{len(files)} files ({sum(p.stat().st_size for p, _ in files) / 1e6:.1f} MB)")
    print(f"{'mode':>22} {'total s':>8} {'mean ms':>8} {'median ms':>9} {'overhead ms/doc':>16}")
    for name, spent in times.items():
        overhead = statistics.mean(b - a for a, b in zip(baseline, spent, strict=True)) * 1000
        print(
            f"{name:>22} {sum(spent):>8.2f} {statistics.mean(spent) * 1000:>8.1f} "
            f"{statistics.median(spent) * 1000:>9.1f} {overhead:>16.1f}"
        )


if __name__ == "__main__":
    main()
