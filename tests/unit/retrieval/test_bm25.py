"""The BM25 sparse encoder shared by both vector adapters."""

import pytest

from lumikb_app.adapters.bm25 import Bm25Encoder, SparseTerms

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def encoder() -> Bm25Encoder:
    return Bm25Encoder()


def weights(terms: SparseTerms) -> dict[int, float]:
    return dict(zip(terms.indices, terms.values, strict=True))


def test_same_text_gives_the_same_ids_in_every_encoder(encoder):
    text = "Kubernetes etcd backup runbook"
    assert encoder.document(text) == Bm25Encoder().document(text)
    assert encoder.document(text).indices == sorted(set(encoder.document(text).indices))


def test_ids_are_non_negative_32_bit(encoder):
    terms = encoder.document("alpha beta gamma delta epsilon zeta eta theta iota kappa lambda")
    assert len(terms.indices) == 11
    assert all(0 <= i < 2**32 for i in terms.indices)


def test_case_stemming_and_stopwords_fold_to_the_same_terms(encoder):
    assert encoder.query("The FOXES were jumping").indices == encoder.query("fox jump").indices
    assert not encoder.document("the and of a to is")


def test_query_weighs_each_unique_term_once(encoder):
    terms = encoder.query("backup backup restore")
    assert len(terms.indices) == 2
    assert terms.values == [1.0, 1.0]


def test_term_frequency_saturates(encoder):
    once = max(encoder.document("backup").values)
    twice = max(encoder.document("backup backup").values)
    many = max(encoder.document("backup " * 50).values)
    assert once < twice < 2 * once
    assert many < 1.2 + 1  # bounded by k1 + 1


def test_longer_documents_weigh_a_term_less(encoder):
    short = weights(encoder.document("etcd backup"))
    long = weights(encoder.document("etcd backup " + "filler words " * 200))
    etcd = encoder.query("etcd").indices[0]
    assert long[etcd] < short[etcd]


def test_empty_text_is_an_empty_vector(encoder):
    assert encoder.document("") == SparseTerms([], [])
    assert not encoder.query("   ")
