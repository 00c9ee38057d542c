"""Backup and restore time for an embedded deployment of N PEPs (default 60).

Usage: python -m bench.backup [N]

Seeds a throwaway DATA_DIR through the real pipeline (built-in embedder), stops it, then times
`backup` into a new folder and `restore` into an empty DATA_DIR, and checks that one search
answers the same before and after. Prints the sizes and seconds; asserts nothing.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.synthetic import admin_and_kb, deployment  # noqa: E402

PEPS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "peps"


def _size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


def _search(query: str) -> list[tuple[str, float]]:
    from lumikb_app.services.platform import seed
    from lumikb_app.services.retrieval import search

    found = search.search(seed._owner(), query).passages
    return [(p.chunk_id, round(p.score, 6)) for p in found]


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 60
    from lumikb_app.container import get_container, reset_container
    from lumikb_app.services.platform import backup, seed
    from lumikb_app.settings import get_settings

    with tempfile.TemporaryDirectory(prefix="bench-backup-") as tmp:
        live, copy, restored = Path(tmp) / "live", Path(tmp) / "backup", Path(tmp) / "restored"
        deployment(str(live))
        admin_and_kb(get_container())  # seed uploads as the first administrator
        started = time.perf_counter()
        _, ids = seed.upload_corpus(PEPS, count)
        final = seed.wait(ids, lambda progress: None)
        seeded = time.perf_counter() - started
        before = _search("how are generators closed")
        reset_container()  # the app stops

        started = time.perf_counter()
        manifest = backup.backup(copy, get_settings())
        backed_up = time.perf_counter() - started
        os.environ["DATA_DIR"] = str(restored)
        reset_container()
        started = time.perf_counter()
        backup.restore(copy, get_settings())
        restored_in = time.perf_counter() - started
        same = _search("how are generators closed") == before
        reset_container()
        print(f"{final.ready} documents ready ({final.failed} failed) in {seeded:.1f} s")
        print(f"DATA_DIR {_size_mb(live):.1f} MB: {manifest.summary()}")
        print(f"backup  {backed_up:6.2f} s  ({_size_mb(copy):.1f} MB written)")
        print(f"restore {restored_in:6.2f} s  (checksums verified first)")
        print(f"same search results after restore: {same}")


if __name__ == "__main__":
    main()
