"""`make bench`: every benchmark, each printing its figures next to a baseline from the same run."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import chat, graph, ingest, login, search, vectors  # noqa: E402

if __name__ == "__main__":
    login.main()
    vectors.main(10_000)
    search.main((10_000,))  # `python -m bench.search` adds 100k
    graph.main(quick=True)  # `python -m bench.graph` searches 100k chunks
    ingest.main(limit=100)  # `python -m bench.ingest` runs all 690 PEPs
    chat.main(2000)
