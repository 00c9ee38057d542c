"""Reading a retrieval evaluation set: BEIR queries.jsonl and qrels.tsv, and the corpus to ingest.

The corpus is either a folder of documents (corpus-id = file name without extension) or a BEIR
``corpus.jsonl`` (``_id``, ``title``, ``text`` per line; each becomes a Markdown document).
Every problem with the files is an ``EvaluationInputError`` whose message names the file and line.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


class EvaluationInputError(ValueError):
    """An evaluation file is missing or malformed; the message is meant for a person."""


@dataclass(frozen=True)
class CorpusDocument:
    corpus_id: str
    filename: str
    content: bytes


def load_queries(path: Path) -> dict[str, str]:
    """Query id -> text, in file order."""
    queries: dict[str, str] = {}
    for number, line in _lines(path):
        try:
            item = json.loads(line)
            qid, text = str(item["_id"]), str(item["text"])
        except (ValueError, KeyError, TypeError):
            raise EvaluationInputError(
                f'{path}, line {number}: expected a JSON object with "_id" and "text".'
            ) from None
        if not text.strip():
            raise EvaluationInputError(f"{path}, line {number}: query {qid} has no text.")
        queries[qid] = text
    if not queries:
        raise EvaluationInputError(f"{path} holds no queries.")
    return queries


def load_qrels(path: Path) -> dict[str, dict[str, float]]:
    """Query id -> {corpus id: relevance grade}. A header line (query-id ...) is skipped."""
    qrels: dict[str, dict[str, float]] = {}
    for number, line in _lines(path):
        fields = line.split("\t") if "\t" in line else line.split()
        if number == 1 and fields[0].lower() in ("query-id", "query_id", "qid"):
            continue
        try:
            qid, doc, grade = fields[0], fields[-2], float(fields[-1])
            if len(fields) not in (3, 4):
                raise ValueError
        except (ValueError, IndexError):
            raise EvaluationInputError(
                f"{path}, line {number}: expected query-id, corpus-id and score separated by tabs."
            ) from None
        qrels.setdefault(qid, {})[doc] = grade
    if not qrels:
        raise EvaluationInputError(f"{path} holds no relevance judgements.")
    return qrels


def corpus_documents(path: Path) -> list[CorpusDocument]:
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
        if not files:
            raise EvaluationInputError(f"{path} holds no documents.")
        return [CorpusDocument(p.stem, p.name, p.read_bytes()) for p in files]
    if path.is_file() and path.suffix == ".jsonl":
        return list(_beir_documents(path))
    raise EvaluationInputError(
        f"{path} is neither a folder of documents nor a BEIR corpus.jsonl file."
    )


def _beir_documents(path: Path) -> Iterator[CorpusDocument]:
    seen = False
    for number, line in _lines(path):
        try:
            item = json.loads(line)
            corpus_id, title, text = str(item["_id"]), item.get("title") or "", item["text"]
        except (ValueError, KeyError, TypeError, AttributeError):
            raise EvaluationInputError(
                f'{path}, line {number}: expected a JSON object with "_id" and "text".'
            ) from None
        body = f"# {title}\n\n{text}\n" if title.strip() else f"{text}\n"
        seen = True
        yield CorpusDocument(corpus_id, f"{_safe_name(corpus_id)}.md", body.encode("utf-8"))
    if not seen:
        raise EvaluationInputError(f"{path} holds no documents.")


def _safe_name(corpus_id: str) -> str:
    return re.sub(r"[^\w.-]+", "_", corpus_id).strip("._")[:150] or "document"


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise EvaluationInputError(f"{path} does not exist.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise EvaluationInputError(f"{path} cannot be read: {exc}.") from None
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            yield number, line.strip()
