"""Reading BEIR queries, qrels and corpora for `lumikb eval`, with clear errors for bad files."""

import json

import pytest

from lumikb_app.services.retrieval.eval_inputs import (
    EvaluationInputError,
    corpus_documents,
    load_qrels,
    load_queries,
)

pytestmark = pytest.mark.unit


def test_queries_and_qrels_in_beir_layout(tmp_path):
    queries = tmp_path / "queries.jsonl"
    queries.write_text('{"_id": "q1", "text": "What is X?"}\n\n{"_id": 2, "text": "Y?"}\n')
    qrels = tmp_path / "qrels.tsv"
    qrels.write_text("query-id\tcorpus-id\tscore\nq1\tdoc-a\t1\nq1\tdoc-b\t2\n2\tdoc-c\t0\n")
    assert load_queries(queries) == {"q1": "What is X?", "2": "Y?"}
    assert load_qrels(qrels) == {"q1": {"doc-a": 1.0, "doc-b": 2.0}, "2": {"doc-c": 0.0}}


def test_trec_style_qrels_with_an_iteration_column(tmp_path):
    qrels = tmp_path / "qrels.txt"
    qrels.write_text("q1 0 doc-a 1\n")
    assert load_qrels(qrels) == {"q1": {"doc-a": 1.0}}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"_id": "q1"}\n', "line 1"),
        ("not json\n", "line 1"),
        ('{"_id": "q1", "text": "  "}\n', "has no text"),
        ("", "holds no queries"),
    ],
)
def test_bad_queries_file_names_the_problem(tmp_path, content, message):
    path = tmp_path / "queries.jsonl"
    path.write_text(content)
    with pytest.raises(EvaluationInputError, match=message):
        load_queries(path)


def test_bad_qrels_line_names_the_line(tmp_path):
    path = tmp_path / "qrels.tsv"
    path.write_text("query-id\tcorpus-id\tscore\nq1\tdoc-a\tvery\n")
    with pytest.raises(EvaluationInputError, match="line 2"):
        load_qrels(path)


def test_missing_file_is_reported(tmp_path):
    with pytest.raises(EvaluationInputError, match="does not exist"):
        load_queries(tmp_path / "nope.jsonl")


def test_a_folder_corpus_uses_file_names_without_extension_as_ids(tmp_path):
    (tmp_path / "pep-0008.rst").write_text("Style\n=====\n\ntext\n")
    (tmp_path / "notes.md").write_text("# Notes\n")
    (tmp_path / ".hidden").write_text("x")
    docs = corpus_documents(tmp_path)
    assert [(d.corpus_id, d.filename) for d in docs] == [
        ("notes", "notes.md"),
        ("pep-0008", "pep-0008.rst"),
    ]


def test_a_beir_corpus_becomes_markdown_documents_under_their_titles(tmp_path):
    path = tmp_path / "corpus.jsonl"
    rows = [
        {"_id": "d/1", "title": "Iterators", "text": "Objects with __iter__."},
        {"_id": "d2", "text": "No title here."},
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows))
    first, second = corpus_documents(path)
    assert (first.corpus_id, first.filename) == ("d/1", "d_1.md")
    assert first.content == b"# Iterators\n\nObjects with __iter__.\n"
    assert second.content == b"No title here.\n"


def test_a_corpus_that_is_neither_folder_nor_jsonl_is_refused(tmp_path):
    path = tmp_path / "corpus.csv"
    path.write_text("a,b\n")
    with pytest.raises(EvaluationInputError, match="neither a folder"):
        corpus_documents(path)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(EvaluationInputError, match="no documents"):
        corpus_documents(empty)
