"""`python -m lumikb_app eval` end to end: a tiny corpus through ingestion and the real search
service (embedded stores, fake embedding model), scored against hand-made qrels."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from lumikb_app import cli
from lumikb_app.adapters.fake_embedder import FakeEmbedder
from lumikb_app.container import get_container
from lumikb_app.db.tables import KnowledgeBase, User

pytestmark = pytest.mark.integration

DOCS = {
    "iterators.md": "# Iterators\n\nAn object is iterable when it defines __iter__ returning "
    "an iterator whose __next__ method produces the next item.",
    "division.md": "# True division\n\nDividing two integers with a single slash returns a "
    "float; floor division uses a double slash.",
    "encoding.txt": "Source files declare their encoding, such as UTF-8, in a magic comment "
    "on the first or second line.",
    "enums.rst": "Enumerations\n============\n\nThe enum module defines sets of named symbolic "
    "constants bound to unique values.",
}
QUERIES = [
    ("q1", "How do I make my object iterable with __iter__ and __next__?"),
    ("q2", "What does dividing integers with a slash return?"),
    ("q3", "How do I declare the encoding of a source file?"),
    ("q4", "Which module defines named symbolic constants?"),
]
QRELS = {"q1": "iterators", "q2": "division", "q3": "encoding", "q4": "enums"}


@pytest.fixture
def eval_set(tmp_path, data_dir, monkeypatch):
    monkeypatch.setattr(get_container(), "embedder_for", lambda model: FakeEmbedder())
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in DOCS.items():
        (corpus / name).write_text(text)
    queries = tmp_path / "queries.jsonl"
    queries.write_text("\n".join(json.dumps({"_id": q, "text": t}) for q, t in QUERIES))
    qrels = tmp_path / "qrels.tsv"
    qrels.write_text(
        "query-id\tcorpus-id\tscore\n" + "".join(f"{q}\t{d}\t1\n" for q, d in QRELS.items())
    )
    return ["--corpus", str(corpus), "--queries", str(queries), "--qrels", str(qrels)]


def _kbs() -> list[KnowledgeBase]:
    with get_container().db.session() as session:
        return list(session.exec(select(KnowledgeBase)))


def test_eval_ingests_searches_scores_and_removes_its_knowledge_base(eval_set, capsys):
    assert cli.main(["eval", *eval_set, "--json"]) == 0
    out, err = capsys.readouterr()
    report = json.loads(out)
    assert report["ndcg@10"] == 1.0 and report["recall@1"] == 1.0 and report["mrr@10"] == 1.0
    assert report["recall@5"] == report["recall@10"] == 1.0
    assert report["queries"] == 4 and report["documents"] == 4 and report["failed_documents"] == 0
    assert report["latency_p95_ms"] >= report["latency_p50_ms"] > 0
    assert "Ingesting 4 documents" in err and "4/4" in err  # the progress line
    assert _kbs() == []  # the throwaway KB is purged
    with get_container().db.session() as session:
        admins = session.exec(select(User).where(User.system_role == "admin")).all()
    assert [a.email for a in admins] == ["retrieval-eval@lumikb.local"]


def test_a_kept_knowledge_base_can_be_evaluated_again_and_prints_a_table(eval_set, capsys):
    assert cli.main(["eval", *eval_set, "--keep", "--json"]) == 0
    first = json.loads(capsys.readouterr().out)
    (kb,) = _kbs()
    assert first["kb_id"] == kb.id

    queries_and_qrels = eval_set[2:]
    assert cli.main(["eval", *queries_and_qrels, "--kb", kb.id, "--limit", "1"]) == 0
    table = capsys.readouterr().out
    assert "nDCG@10" in table and "Recall@5" in table and "Latency p95" in table
    assert "1.000" in table and not table.startswith("{")  # a table, not JSON
    assert len(_kbs()) == 1  # --kb never deletes the knowledge base


def test_a_query_the_corpus_cannot_answer_lowers_the_scores(eval_set, tmp_path, capsys):
    qrels = tmp_path / "qrels.tsv"
    qrels.write_text("query-id\tcorpus-id\tscore\nq1\titerators\t1\nq2\tmissing-doc\t1\n")
    assert cli.main(["eval", *eval_set[:4], "--qrels", str(qrels), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["queries"] == 2 and report["recall@10"] == 0.5 and report["ndcg@10"] == 0.5


def test_an_unknown_knowledge_base_is_reported(eval_set, capsys):
    assert cli.main(["eval", *eval_set, "--keep", "--json"]) == 0
    capsys.readouterr()
    assert cli.main(["eval", *eval_set[2:], "--kb", "no-such-kb"]) == 2
    assert "no-such-kb does not exist" in capsys.readouterr().err


def test_bad_input_is_reported_and_creates_nothing(eval_set, tmp_path, capsys):
    broken = tmp_path / "broken.jsonl"
    broken.write_text("{not json\n")
    args = [*eval_set[:2], "--queries", str(broken), "--qrels", eval_set[5]]
    assert cli.main(["eval", *args]) == 2
    assert "broken.jsonl, line 1" in capsys.readouterr().err

    assert cli.main(["eval", *eval_set, "--limit", "0"]) == 2
    assert "--limit must be between 1 and 50" in capsys.readouterr().err

    assert cli.main(["eval", *eval_set[2:], "--kb", "no-such-kb"]) == 2
    assert "no administrator" in capsys.readouterr().err
    assert _kbs() == []
    with get_container().db.session() as session:
        assert session.exec(select(User)).all() == []
