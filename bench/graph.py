"""Every knowledge-graph figure the issue targets, each next to a baseline from the same run.

Usage: python -m bench.graph [--quick]

- traversal (bench/graph_traversal.py): 2-hop neighbourhood at 10k entities / ~50k relations
  on the embedded SQL store, the recursive CTE it replaced, and FalkorDB;
- extraction (bench/graph_extraction.py): the no-model extractor's chunks/s on the PEP corpus
  next to tokenising alone, its precision on the hand-labelled samples, peak RSS;
- LLM estimate (bench/graph_llm_estimate.py): the estimate against the calls and tokens the
  paced fake model really takes;
- communities (bench/graph_communities.py) and the graph page's reads (bench/graph_explore.py);
- graph-augmented search (bench/graph_search.py): search with graph fusion next to the same
  search without it, and the graph leg alone, at 100k chunks (10k with --quick).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import (  # noqa: E402
    graph_communities,
    graph_explore,
    graph_extraction,
    graph_llm_estimate,
    graph_search,
    graph_traversal,
)


def main(quick: bool = False) -> None:
    graph_traversal.main(10_000)
    sys.argv = sys.argv[:1]  # graph_extraction reads its own flags
    graph_extraction.main()
    graph_llm_estimate.main(100)
    graph_communities.main(10_000)
    graph_explore.main(5_000)
    graph_search.main((10_000,) if quick else (100_000,))


if __name__ == "__main__":
    main(quick="--quick" in sys.argv[1:])
