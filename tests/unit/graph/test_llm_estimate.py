"""The estimate shown before an LLM extraction, against what the extraction then really does on
PEP chunks with the paced fake model: the same calls, the same prompt tokens, and total tokens
and model time within 30%; the price from LiteLLM's bundled map, or unknown."""

from __future__ import annotations

import pytest

from lumikb_app.adapters import fake_chat
from lumikb_app.adapters.fake_chat import fake_model_for
from lumikb_app.domain.graph import ChunkText
from lumikb_app.services.documents.chunking import chunk
from lumikb_app.services.documents.parsing import detect_path_type, parse
from lumikb_app.services.graph.llm_estimate import Estimate, estimate, estimate_counts, price_usd
from lumikb_app.services.graph.llm_extractor import LlmExtractor
from lumikb_app.services.graph.llm_prompt import prompt_tokens
from tests.conftest import CORPORA

pytestmark = pytest.mark.unit


def pep_chunks(every: int = 35, per_pep: int = 6) -> list[ChunkText]:
    paths = sorted((CORPORA / "peps").glob("pep-*.rst"))[::every]
    return [
        ChunkText(f"{path.stem}-{n}", draft.text)
        for path in paths
        for n, draft in enumerate(chunk(parse(path, detect_path_type(path)))[:per_pep])
    ]


def within(estimated: float, real: float, share: float = 0.30) -> bool:
    return abs(estimated - real) <= share * real


def test_the_estimate_is_within_30_percent_of_the_paced_fake_extraction(monkeypatch):
    slept: list[float] = []
    monkeypatch.setattr(fake_chat.time, "sleep", slept.append)  # the model's time, not waited
    chunks = pep_chunks()
    model = fake_model_for("fake/paced")
    results = LlmExtractor(model).extract(chunks)
    guess = estimate([c.text for c in chunks], model.name)
    assert len(chunks) > 80 and all(r.error is None for r in results)
    assert (guess.chunks, guess.calls) == (len(chunks), len(model.calls))
    assert guess.input_tokens == sum(prompt_tokens(call) for call in model.calls)
    real_tokens = sum(r.tokens for r in results)
    assert within(guess.tokens, real_tokens), (guess.tokens, real_tokens)
    assert within(guess.seconds, sum(slept)), (guess.seconds, sum(slept))


def test_counts_and_a_mean_length_give_nearly_the_same_estimate():
    texts = [c.text for c in pep_chunks(every=60, per_pep=4)]
    exact = estimate(texts, "fake/paced")
    rough = estimate_counts(len(texts), sum(map(len, texts)) / len(texts), "fake/paced")
    assert (rough.chunks, rough.calls, rough.output_tokens) == (
        exact.chunks,
        exact.calls,
        exact.output_tokens,
    )
    assert within(rough.input_tokens, exact.input_tokens, 0.03)
    assert estimate([], "fake/paced") == Estimate(0, 0, 0, 0, 0.0, None)


def test_the_price_comes_from_litellms_bundled_map_or_is_unknown():
    import litellm

    guess = estimate_counts(1000, 800, "gpt-4o-mini")
    prompt, completion = litellm.cost_per_token(
        model="gpt-4o-mini",
        prompt_tokens=guess.input_tokens,
        completion_tokens=guess.output_tokens,
    )
    assert guess.cost_usd == round(prompt + completion, 4) and guess.cost_usd > 0
    assert estimate_counts(1000, 800, "fake/paced").cost_usd is None
    assert price_usd("", 10, 10) is None
    assert price_usd("no-such-provider/no-such-model", 10, 10) is None
