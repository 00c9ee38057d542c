"""Chat latency: from `ask()` to the first token event, the pipeline's own overhead.

Usage: python -m bench.chat [CHUNKS] [--embedder fake|default|both]   (default 3000, both)

A temporary embedded deployment (SQLite + qdrant-edge) holds one KB of CHUNKS chunks of ~80
words cut from the PEP corpus, with their vectors from the embedding model named. Each
question is 6-8 words taken from a chunk, asked in a fresh conversation (so no rewrite), and
every row uses its own questions, so no cached search result answers it. The rows are measured
interleaved (one question of each in turn), so a busy machine slows them alike. Rows:

- baseline: the bare search call (`services.search.search`, query embedding included);
- llm: `chat.ask` with a zero-latency fake model (the registry's default chat entry, built as
  fake/instant): store the question, search, build the prompt, first verified piece out;
- extractive: `chat.ask` with no model: search, choose sentences, first piece out.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import peak_rss_mb, summary  # noqa: E402
from bench.synthetic import admin_and_kb, deployment, rows_and_points, store  # noqa: E402

PEPS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "peps"
WORDS_PER_CHUNK, CHUNKS_PER_DOC, QUESTIONS, BATCH = 80, 20, 50, 64


def pep_chunks(n: int) -> list[str]:
    words: list[str] = []
    for path in sorted(PEPS.glob("*.rst")):
        words.extend(re.findall(r"\S+", path.read_text(encoding="utf-8")))
        if len(words) >= n * WORDS_PER_CHUNK:
            break
    return [
        " ".join(words[i : i + WORDS_PER_CHUNK])
        for i in range(0, min(len(words), n * WORDS_PER_CHUNK), WORDS_PER_CHUNK)
    ]


def questions(chunks: list[str], rng: np.random.Generator) -> list[str]:
    picked = []
    for index in rng.choice(len(chunks), QUESTIONS, replace=False):
        words = re.findall(r"[A-Za-z]{4,}", chunks[index])
        start = int(rng.integers(0, max(1, len(words) - 8)))
        picked.append("What about " + " ".join(words[start : start + int(rng.integers(6, 9))]))
    return picked


def seed(chunks: list[str], embedder) -> tuple[object, float]:
    from lumikb_app.container import get_container
    from lumikb_app.services.documents import indexing

    container = get_container()
    user, kb_id = admin_and_kb(container)
    collection = indexing.collection_for(embedder)
    container.vectors.ensure_collection(collection, embedder.dimension)
    started = time.perf_counter()
    for first in range(0, len(chunks), BATCH):
        texts = chunks[first : first + BATCH]
        docs, rows, points = rows_and_points(
            kb_id, texts, embedder.embed_documents(texts), first=first,
            chunks_per_doc=CHUNKS_PER_DOC, name="pep-part-{n}.rst", mime_type="text/x-rst",
        )  # fmt: skip
        store(container, collection, docs, rows, points)
    container.vectors.optimize(collection)
    return user, time.perf_counter() - started


def first_token_ms(user, question: str) -> tuple[float, str]:
    from lumikb_app.services.chat import chat, conversations

    conversation = conversations.create_conversation(user)
    started = time.perf_counter()
    first, mode = None, ""
    for event in chat.ask(user, conversation.id, question):
        if event.kind == "token" and first is None:
            first = (time.perf_counter() - started) * 1000
        if event.kind == "done":
            mode = event.data["mode"]
    return first or float("nan"), mode


def timed_search(user, question: str) -> float:
    from lumikb_app.services.retrieval import search

    started = time.perf_counter()
    search.search(user, question)
    return (time.perf_counter() - started) * 1000


def register_chat_model() -> str:
    from lumikb_app.db.tables import Model
    from lumikb_app.services.platform.transactions import transaction

    with transaction() as session:
        entry = Model(kind="chat", name="Bench chat", litellm_model="bench/chat")
        session.add(entry)
        session.flush()
        return entry.id


def make_default(model_id: str, default: bool) -> None:
    from lumikb_app.db.tables import Model
    from lumikb_app.services.platform.transactions import transaction

    with transaction() as session:
        entry = session.get_one(Model, model_id)
        entry.is_default = default
        session.add(entry)


def run(n: int, embedder_name: str) -> None:
    from lumikb_app.adapters.fake_chat import FakeChatModel
    from lumikb_app.adapters.fake_embedder import FakeEmbedder
    from lumikb_app.container import get_container, reset_container
    from lumikb_app.domain.models import BUILTIN_EMBEDDER

    chunks = pep_chunks(n)
    print(f"== chat: time to first token, {len(chunks)} chunks, {embedder_name} embedder ==")
    rng = np.random.default_rng(11)
    with tempfile.TemporaryDirectory(prefix="bench-chat-") as tmp:
        deployment(tmp)
        container = get_container()
        if embedder_name == "fake":
            fake = FakeEmbedder(384)
            container.embedder_for = lambda model: fake  # every KB embeds with the fake
        embedder = container.embedder_for(BUILTIN_EMBEDDER)
        user, seconds = seed(chunks, embedder)
        print(f"seeded in {seconds:.1f} s")
        first_token_ms(user, "warm up the whole path")  # model load, first queries
        model = FakeChatModel(delay=0.0, name="fake/instant")
        container.chat_model_for = lambda spec: model  # the registry's chat entry, as the fake
        chat_entry = register_chat_model()
        baseline, llm, extractive = [], [], []
        # Interleaved, so a busy machine slows every row alike.
        for a, b, c in zip(*(questions(chunks, rng) for _ in range(3)), strict=True):
            baseline.append(timed_search(user, a))
            make_default(chat_entry, True)
            llm.append(first_token_ms(user, b))
            make_default(chat_entry, False)  # no default chat model: extractive answers
            extractive.append(first_token_ms(user, c))
        reset_container()
    for label, rows in (("llm (fake/instant)", llm), ("extractive", extractive)):
        modes = dict(Counter(mode for _, mode in rows))
        print(f"ask -> first token, {label:19s}{summary([ms for ms, _ in rows])}  modes {modes}")
    print(f"baseline: bare search call           {summary(baseline)}")
    print(f"peak RSS {peak_rss_mb():.0f} MB")


def main(n: int = 3000, embedders: tuple[str, ...] = ("fake", "default")) -> None:
    for name in embedders:
        run(n, name)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("chunks", nargs="?", type=int, default=3000)
    parser.add_argument("--embedder", choices=["fake", "default", "both"], default="both")
    args = parser.parse_args()
    main(args.chunks, ("fake", "default") if args.embedder == "both" else (args.embedder,))
