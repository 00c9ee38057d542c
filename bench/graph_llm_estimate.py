"""LLM extraction: the estimate shown before it starts, next to what the extraction then does.

Usage: python -m bench.graph_llm_estimate [CHUNKS]   (default 100)

CHUNKS chunks of the PEP corpus (the first four chunks of every 7th PEP, chunked as ingestion
does) go through the LLM extractor with the fake model at realistic pacing (fake/paced: a
hosted small model's first-token time, then its output rate; the time is really waited). Rows:

- estimate (texts): `llm_estimate.estimate` on the chunk texts, before any call;
- estimate (counts): `estimate_counts` from the chunk count and mean length, as KB settings
  show it (the texts are not read there);
- actual: the extraction's calls, tokens (`ChunkExtraction.tokens`) and wall time;
- baseline: the same extraction with fake/instant (no model time): the extractor's own cost.

The estimate's figures (tokens per answer, first-token time, output rate) are fixed; the
target is within 30% of the actual calls, tokens and time.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

from lumikb_app.adapters.fake_chat import fake_model_for  # noqa: E402
from lumikb_app.domain.graph import ChunkText  # noqa: E402
from lumikb_app.services.documents.chunking import chunk  # noqa: E402
from lumikb_app.services.documents.parsing import detect_path_type, parse  # noqa: E402
from lumikb_app.services.graph.llm_estimate import Estimate, estimate, estimate_counts  # noqa: E402
from lumikb_app.services.graph.llm_extractor import LlmExtractor  # noqa: E402

PEPS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "peps"
EVERY, PER_PEP = 7, 4


def pep_chunks(n: int) -> list[ChunkText]:
    found: list[ChunkText] = []
    for path in sorted(PEPS.glob("pep-*.rst"))[::EVERY]:
        drafts = chunk(parse(path, detect_path_type(path)))[:PER_PEP]
        found.extend(ChunkText(f"{path.stem}-{i}", d.text) for i, d in enumerate(drafts))
        if len(found) >= n:
            break
    return found[:n]


def run(model_name: str, chunks: list[ChunkText]) -> tuple[int, int, int, float, int]:
    """calls, tokens, failed chunks, seconds, input tokens of one extraction."""
    model = fake_model_for(model_name)
    started = time.perf_counter()
    results = LlmExtractor(model).extract(chunks)
    seconds = time.perf_counter() - started
    from lumikb_app.services.graph.llm_prompt import prompt_tokens

    sent = sum(prompt_tokens(call) for call in model.calls)
    tokens = sum(r.tokens for r in results)
    return len(model.calls), tokens, sum(r.error is not None for r in results), seconds, sent


def row(label: str, calls: int, tokens_in: int, tokens: int, seconds: float, cost: str) -> None:
    print(f"{label:<20} {calls:>6} {tokens_in:>10} {tokens:>10} {seconds:>9.1f} {cost:>10}")


def ratio(guess: Estimate, calls: int, tokens: int, seconds: float) -> str:
    return (
        f"estimate/actual: calls {guess.calls / calls:.2f}, tokens {guess.tokens / tokens:.2f}, "
        f"time {guess.seconds / seconds:.2f}"
    )


def main(n: int) -> None:
    chunks = pep_chunks(n)
    texts = [c.text for c in chunks]
    exact = estimate(texts, "fake/paced")
    rough = estimate_counts(len(texts), sum(map(len, texts)) / len(texts), "fake/paced")
    priced = estimate(texts, "gpt-4o-mini")
    base_calls, base_tokens, _, base_seconds, base_in = run("fake/instant", chunks)
    calls, tokens, failed, seconds, sent = run("fake/paced", chunks)
    print(f"LLM extraction of {len(chunks)} PEP chunks, fake/paced ({failed} failed)")
    print(f"{'row':<20} {'calls':>6} {'tokens in':>10} {'tokens':>10} {'seconds':>9} {'cost':>10}")
    for label, guess in (("estimate (texts)", exact), ("estimate (counts)", rough)):
        row(label, guess.calls, guess.input_tokens, guess.tokens, guess.seconds, "unknown")
    row("actual", calls, sent, tokens, seconds, "-")
    row("baseline (instant)", base_calls, base_in, base_tokens, base_seconds, "-")
    print(ratio(exact, calls, tokens, seconds) + "   (texts)")
    print(ratio(rough, calls, tokens, seconds) + "   (counts)")
    print(f"the same chunks priced as gpt-4o-mini by LiteLLM's map: ${priced.cost_usd}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chunks", nargs="?", type=int, default=100)
    main(parser.parse_args().chunks)
