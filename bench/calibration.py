"""How far the confidence of an answer and the relevance of a search result can be trusted.

Usage: python -m bench.calibration [--docs 250] [--data-dir DIR] [--dump FILE]

Ingests `--docs` PEPs (those peps-eval asks about first; all 690 with --docs 0) with the built-in
embedding model into an embedded deployment under DIR (kept: pass the same DIR to reuse it), then
asks peps-eval's questions and the questions the PEPs do not answer (bench/data/unanswerable.txt)
through chat's no-model (extractive) path and through search, and prints:

- per confidence level (High / Medium / Low / not covered): how many answers, and how often the
  level was right. High and Medium are right when an answerable question was answered citing
  the PEP it is about; Low and "not covered" are right when the question is not answerable.
- search: the share of unanswerable questions with any result labelled a semantic match, and
  the median relevance of the top result for answerable and unanswerable questions.

`--dump` writes each question's top passages with their evidence (JSON lines), the data the
relevance weights were fit on. Prints figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.search_cpu import CORPORA, seeded_user  # noqa: E402
from bench.synthetic import deployment  # noqa: E402

UNANSWERABLE = Path(__file__).resolve().parent / "data" / "unanswerable.txt"
LEVELS = ("High", "Medium", "Low", "not covered")
SEARCH_LIMIT = 10


@dataclass
class Question:
    text: str
    expected: set[str] = field(default_factory=set)  # PEP file stems; empty: not answerable


@dataclass
class Outcome:
    question: Question
    level: str
    confidence: float
    cited: list[str]
    top_relevance: float
    any_semantic: bool
    top_is_expected: bool


def questions() -> list[Question]:
    qrels: dict[str, set[str]] = {}
    for line in (CORPORA / "peps-eval" / "qrels.tsv").read_text().splitlines()[1:]:
        query_id, pep, *_ = line.split("\t")
        qrels.setdefault(query_id, set()).add(pep)
    asked = [
        Question(item["text"], qrels.get(item["_id"], set()))
        for line in (CORPORA / "peps-eval" / "queries.jsonl").read_text().splitlines()
        if line.strip() and (item := json.loads(line))
    ]
    lines = UNANSWERABLE.read_text().splitlines()
    return asked + [Question(q.strip()) for q in lines if q.strip() and not q.startswith("#")]


def level_of(mode: str, confidence: float) -> str:
    from lumikb_app.state.chat.chat_view import HIGH_CONFIDENCE, MEDIUM_CONFIDENCE

    if mode == "no_answer":
        return "not covered"
    if confidence >= HIGH_CONFIDENCE:
        return "High"
    return "Medium" if confidence >= MEDIUM_CONFIDENCE else "Low"


def answer(user, question: Question) -> tuple[str, float, list[str]]:
    """(confidence level, confidence, the cited PEPs) of chat's answer."""
    from lumikb_app.services.chat import chat, conversations

    conversation = conversations.create_conversation(user)
    done: dict = {}
    for event in chat.ask(user, conversation.id, question.text):
        if event.kind == "done":
            done = event.data
    cited = [Path(c["document_name"]).stem for c in done.get("citations") or []]
    confidence = float(done.get("confidence") or 0.0)
    return level_of(done.get("mode", ""), confidence), confidence, cited


def searched(user, question: Question, dump) -> tuple[float, bool, bool]:
    """(relevance of the top result, any result a semantic match, top result is the PEP)."""
    from lumikb_app.services.retrieval import search, snippets

    found = search.search(user, question.text, limit=SEARCH_LIMIT).passages
    terms = snippets.query_terms(question.text)
    if dump is not None:
        for rank, p in enumerate(found, start=1):
            record = {
                "question": question.text,
                "answerable": bool(question.expected),
                "rank": rank,
                "pep": Path(p.document_name).stem,
                "relevant": Path(p.document_name).stem in question.expected,
                "similarity": p.similarity,
                "words": len(p.matched_terms) / len(terms) if terms else 0.0,
                "keyword": p.keyword,
                "relevance": p.relevance,
            }
            dump.write(json.dumps(record) + "\n")
    if not found:
        return 0.0, False, False
    top = Path(found[0].document_name).stem in question.expected
    return found[0].relevance, any(p.semantic for p in found), top


def right(outcome: Outcome) -> bool:
    expected = outcome.question.expected
    if outcome.level in ("High", "Medium"):
        return bool(expected) and bool(expected & set(outcome.cited))
    return not expected


def print_table(outcomes: list[Outcome]) -> None:
    print(f"{'confidence':<12} {'answers':>7} {'right':>6} {'share':>6}   answerable/unanswerable")
    for level in LEVELS:
        rows = [o for o in outcomes if o.level == level]
        hits = sum(right(o) for o in rows)
        share = f"{hits / len(rows):.0%}" if rows else "-"
        asked = sum(bool(o.question.expected) for o in rows)
        print(f"{level:<12} {len(rows):>7} {hits:>6} {share:>6}   {asked}/{len(rows) - asked}")
    answerable = [o for o in outcomes if o.question.expected]
    cited = sum(bool(o.question.expected & set(o.cited)) for o in answerable)
    print(f"answerable questions answered citing the expected PEP: {cited}/{len(answerable)}")


def print_search(outcomes: list[Outcome]) -> None:
    answerable = [o for o in outcomes if o.question.expected]
    unanswerable = [o for o in outcomes if not o.question.expected]
    semantic = sum(o.any_semantic for o in unanswerable)
    print(
        f"search: unanswerable questions with any result labelled semantic: "
        f"{semantic}/{len(unanswerable)} ({semantic / len(unanswerable):.0%})"
    )
    for name, group in (("answerable", answerable), ("unanswerable", unanswerable)):
        median = statistics.median(o.top_relevance for o in group)
        print(f"search: median relevance of the top result, {name}: {median:.2f}")
    top = sum(o.top_is_expected for o in answerable)
    print(
        f"search: answerable questions whose top result is the expected PEP: {top}/{len(answerable)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=250, help="PEPs to ingest (0: all)")
    parser.add_argument("--data-dir", default="")
    parser.add_argument("--dump", default="", help="write each result's evidence (JSON lines)")
    parser.add_argument("--verbose", action="store_true", help="print each question's outcome")
    args = parser.parse_args()
    data_dir = args.data_dir or tempfile.mkdtemp(prefix="bench-calibration-")
    deployment(data_dir)
    user = seeded_user(args.docs or 10_000)
    dump = open(args.dump, "w") if args.dump else None  # noqa: SIM115 - closed below
    outcomes = []
    for question in questions():
        level, confidence, cited = answer(user, question)
        top_relevance, any_semantic, top = searched(user, question, dump)
        outcome = Outcome(question, level, confidence, cited, top_relevance, any_semantic, top)
        outcomes.append(outcome)
        if args.verbose:
            mark = "ok " if right(outcome) else "BAD"
            print(f"{mark} {level:<11} {confidence:.2f} rel {top_relevance:.2f} "
                  f"{'sem' if any_semantic else '   '} {question.text[:60]} -> {cited[:2]}")  # fmt: skip
    if dump is not None:
        dump.close()
    print(f"\n{len(outcomes)} questions, DATA_DIR {data_dir}\n")
    print_table(outcomes)
    print()
    print_search(outcomes)


if __name__ == "__main__":
    main()
