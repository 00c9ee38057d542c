"""Relevance is absolute: the same evidence reads the same for every question, whatever ranks
first; a semantic match needs a similarity the embedding model only gives to close meanings."""

import pytest

from lumikb_app.adapters.fake_embedder import FakeEmbedder
from lumikb_app.domain.retrieval import SimilarityScale
from lumikb_app.services.retrieval.relevance import (
    is_semantic,
    may_drop,
    meaning,
    relevance,
    scale_for,
)

pytestmark = pytest.mark.unit

MINILM = SimilarityScale(unrelated=0.3, close=0.5)


def test_the_nearest_passage_to_gibberish_is_not_relevant_nor_a_semantic_match():
    # "zzzqqq xylophone": no word in common, the best cosine about what unrelated text scores
    assert relevance(0.33, MINILM, words=0.0) < 0.05
    assert not is_semantic(0.33, MINILM)


def test_a_passage_close_in_meaning_that_holds_the_words_reads_as_nearly_certain():
    assert relevance(0.62, MINILM, words=1.0) > 0.9
    assert is_semantic(0.62, MINILM)


def test_the_words_alone_or_the_meaning_alone_give_a_middling_relevance():
    by_words = relevance(None, MINILM, words=1.0)
    by_meaning = relevance(0.55, MINILM, words=0.0)
    assert 0.1 < by_words < 0.5 and 0.1 < by_meaning < 0.7
    assert relevance(0.55, MINILM, words=1.0) > max(by_words, by_meaning)


def test_relevance_grows_with_similarity_and_with_the_share_of_words():
    similarities = [0.2, 0.3, 0.4, 0.5, 0.6, 0.7]
    by_similarity = [relevance(s, MINILM, 0.5) for s in similarities]
    assert by_similarity == sorted(by_similarity) and by_similarity[0] < by_similarity[-1]
    by_words = [relevance(0.45, MINILM, w) for w in (0.0, 0.25, 0.5, 1.0)]
    assert by_words == sorted(by_words) and by_words[0] < by_words[-1]
    assert all(0.0 <= r <= 1.0 for r in by_similarity + by_words)


def test_a_similarity_is_read_on_its_models_scale():
    assert meaning(0.3, MINILM) == 0.0 and meaning(0.5, MINILM) == pytest.approx(1.0)
    assert meaning(0.1, MINILM) == 0.0  # below unrelated is just unrelated
    assert meaning(None, MINILM) == 0.0 and meaning(0.9, None) == 0.0


def test_each_embedder_brings_its_scale_and_an_unmeasured_one_gets_the_settings():
    assert scale_for(FakeEmbedder()) == FakeEmbedder.similarity_scale

    class Unmeasured:
        name = "provider/some-model"

    assert scale_for(Unmeasured()) == SimilarityScale(unrelated=0.2, close=0.5)  # type: ignore[arg-type]


def test_an_uncalibrated_cosine_is_no_evidence_either_way_and_drops_nothing():
    fake = FakeEmbedder.similarity_scale
    assert relevance(0.9, fake, words=0.0) == relevance(0.01, fake, words=0.0) < 0.1
    assert relevance(0.01, fake, words=1.0) > 0.5
    assert is_semantic(0.01, fake) and not may_drop(fake) and may_drop(MINILM)
