"""KB settings validation in words (services/knowledge_bases/settings_messages.py): every field
of KbSettings gets a sentence a person can act on, named as the settings form labels it, and
never pydantic's `chunk_tokens: Input should be...`."""

import pytest

from lumikb_app.domain.kb_settings import KbSettings
from lumikb_app.services.accounts.auth import InvalidInput
from lumikb_app.services.knowledge_bases.settings_messages import (
    FIELDS,
    InvalidSettings,
    validated,
)

pytestmark = pytest.mark.unit

REFUSED = [
    ("chunk_tokens", 5000, "Chunk size must be at most 2,000 tokens."),
    ("chunk_tokens", 10, "Chunk size must be at least 64 tokens."),
    ("chunk_tokens", "", "Chunk size must be a whole number of tokens."),
    ("chunk_tokens", "3.5", "Chunk size must be a whole number of tokens."),
    ("chunk_overlap", 501, "Chunk overlap must be at most 500 tokens."),
    ("chunk_overlap", -1, "Chunk overlap must be at least 0 tokens."),
    ("chunk_overlap", "a lot", "Chunk overlap must be a whole number of tokens."),
    ("embedding_model", "", "Choose an embedding model."),
    ("embedding_model", "m" * 201, "Embedding model must be at most 200 characters."),
    ("top_k", 0, "Results per search must be at least 1."),
    ("top_k", 51, "Results per search must be at most 50."),
    ("top_k", "many", "Results per search must be a whole number."),
    ("similarity_threshold", 1.5, "Similarity threshold must be at most 1."),
    ("similarity_threshold", -0.1, "Similarity threshold must be at least 0."),
    ("similarity_threshold", "high", "Similarity threshold must be a number."),
    ("answer_preset", "verbose", "Answer style must be concise, balanced or detailed."),
    ("chat_model", "c" * 201, "Chat model must be at most 200 characters."),
    ("graph_mode", "full", "Knowledge graph must be off, fast or llm."),
    ("graph_retrieval", "maybe", "Graph retrieval must be on or off."),
]


@pytest.mark.parametrize(("field", "value", "sentence"), REFUSED)
def test_a_refused_value_is_a_sentence_about_its_field(field, value, sentence):
    with pytest.raises(InvalidSettings) as refused:
        validated({field: value})
    assert refused.value.fields == {field: sentence}
    assert str(refused.value) == sentence
    assert "Input should" not in str(refused.value) and "_" not in str(refused.value)


def test_every_setting_has_a_label_and_a_refused_case():
    assert set(FIELDS) == set(KbSettings.model_fields)
    assert {field for field, _, _ in REFUSED} == set(KbSettings.model_fields)


def test_an_overlap_over_half_the_chunk_size_says_the_limit():
    with pytest.raises(InvalidSettings) as refused:
        validated({"chunk_tokens": 300, "chunk_overlap": 200})
    assert refused.value.fields == {
        "chunk_overlap": "Chunk overlap must be at most half the chunk size (150 tokens)."
    }


def test_several_refused_fields_each_get_their_own_sentence():
    with pytest.raises(InvalidSettings) as refused:
        validated({"chunk_tokens": 9000, "top_k": 0, "answer_preset": "long"})
    assert refused.value.fields == {
        "chunk_tokens": "Chunk size must be at most 2,000 tokens.",
        "top_k": "Results per search must be at least 1.",
        "answer_preset": "Answer style must be concise, balanced or detailed.",
    }
    assert isinstance(refused.value, InvalidInput)  # every caller's refusal handling applies


def test_valid_values_pass_through():
    settings = validated({"chunk_tokens": "400", "chunk_overlap": 100, "top_k": 5})
    assert (settings.chunk_tokens, settings.chunk_overlap, settings.top_k) == (400, 100, 5)
