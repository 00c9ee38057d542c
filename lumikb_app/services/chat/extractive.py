"""The no-model answer: the few sentences of the retrieved passages that best answer the
question, quoted verbatim, each followed by its source number. A sentence that introduces a code
or literal block ("...looks like this:") brings the block along as a fenced Markdown code block
(services/chat/literal_blocks.py)."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from lumikb_app.domain.retrieval import Passage
from lumikb_app.services.chat.literal_blocks import Piece, blocks, fenced, intro_text
from lumikb_app.services.retrieval.terms import key_terms

NO_MODEL_NOTE = (
    "No language model is configured, so this answer quotes the passages that best match "
    "your question instead of writing one. To get written answers, an administrator adds a "
    "chat model in Admin → Models (for example ollama/llama3.2 with Ollama running, or any "
    "LiteLLM model string) and makes it the default."
)

MAX_SENTENCES = 4
MIN_SENTENCES = 2
PER_PASSAGE = 2
RANK_WEIGHT = 0.3
# A sentence that brings a code or literal block and holds this share of the question's (weighted)
# terms gains CODE_BONUS: "How do I declare ...?" is answered by the declaration itself, which
# the sentences around it only describe.
CODE_BONUS, CODE_MIN_MATCH = 0.3, 0.4
KEEP_RATIO = 0.6  # beyond the first two, a sentence must score this share of the best one
MIN_WORDS, MAX_CHARS = 4, 600
MIN_INTRO_WORDS = 3  # "It looks like:" with its block is an answer; "or:" is not
UNPUNCTUATED_WORDS = 12  # a line this long without a full stop is still prose
FALLBACK_CHARS = 300

_LINE_BREAK = re.compile(r"\n\s*")
_LIST_MARKER = re.compile(r"^(?:[-*+\u2022]|\d{1,3}[.)])\s+")  # "- ", "* ", "• ", "2. ", "3) "
_ENDS_LIKE_A_SENTENCE = re.compile(r"[.!?][\"')\]]*$")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])")
# Names Markdown would read as emphasis (`__match_args__` in bold, `*args ... **kwargs`): quoted
# prose shows them as code, as written.
_EMPHASIS_NAME = re.compile(r"(?<![\w`*])(?:__?[A-Za-z0-9]\w*?__?|\*{1,2}[A-Za-z_]\w*)(?![\w`*])")


@dataclass(frozen=True)
class Pick:
    text: str
    source: int  # the passage's number among the sources, 1-based
    score: float
    literal: tuple[Piece, ...] = ()  # the code or literal blocks the sentence introduces


def split_sentences(text: str) -> list[str]:
    sentences: list[str] = []
    for line in _LINE_BREAK.split(text):
        line = _LIST_MARKER.sub("", line.strip())
        if not line or line.startswith("#"):
            continue
        sentences.extend(part.strip() for part in _SENTENCE_END.split(line) if part.strip())
    return sentences


def _usable(sentence: str, introduces: bool = False) -> bool:
    """A sentence, not a heading, a field line ("Title: ...") or a fragment. A sentence ending
    in a colon counts only with the block it introduces: alone it announces what it lacks."""
    count = len(sentence.split())
    if len(sentence) > MAX_CHARS:
        return False
    if sentence.endswith(":"):
        return introduces and count >= MIN_INTRO_WORDS
    if count < MIN_WORDS:
        return False
    return bool(_ENDS_LIKE_A_SENTENCE.search(sentence)) or count >= UNPUNCTUATED_WORDS


def _units(text: str) -> list[tuple[str, tuple[Piece, ...]]]:
    """The passage's usable sentences, each with the literal blocks it introduces (if any)."""
    units = []
    for block in blocks(text):
        sentences = split_sentences(block.text)
        for i, sentence in enumerate(sentences):
            literal = block.literal if i == len(sentences) - 1 else ()
            if _usable(sentence, bool(literal)):
                units.append((intro_text(sentence) if literal else sentence, literal))
    return units


def choose_sentences(question: str, passages: Sequence[Passage]) -> list[Pick]:
    """Score each sentence by the question terms it holds (rarer terms weigh more) plus a bonus
    for its passage's retrieval rank; keep the best 2-4, at most two per passage."""
    candidates = [
        (n, sentence, literal, _terms(sentence, literal))
        for n, passage in enumerate(passages, start=1)
        for sentence, literal in _units(passage.text)
    ]
    if not candidates:
        return _fallback(passages)
    wanted = key_terms(question)
    weights = _term_weights(wanted, [terms for _, _, _, terms in candidates])
    total = sum(weights.values()) or 1.0
    ranked = sorted(
        (
            Pick(sentence, n, _score(_overlap(terms, weights) / total, n, literal), literal)
            for n, sentence, literal, terms in candidates
            if _overlap(terms, weights) > 0
        ),
        key=lambda pick: pick.score,
        reverse=True,
    )
    return _select(ranked) if ranked else _fallback(passages)


def _score(match: float, source: int, literal: tuple[Piece, ...]) -> float:
    bonus = CODE_BONUS if literal and match >= CODE_MIN_MATCH else 0.0
    return match + RANK_WEIGHT / source + bonus


def _terms(sentence: str, literal: tuple[Piece, ...]) -> set[str]:
    """The sentence's terms and those of the blocks it introduces (they are part of it)."""
    return set(key_terms(" ".join([sentence, *(piece.text for piece in literal)])))


def _overlap(terms: set[str], weights: dict[str, float]) -> float:
    return sum(weight for term, weight in weights.items() if term in terms)


def _term_weights(wanted: list[str], sentence_terms: list[set[str]]) -> dict[str, float]:
    count = len(sentence_terms)
    return {
        term: math.log(1 + count / (1 + sum(term in terms for terms in sentence_terms)))
        for term in wanted
    }


def _select(ranked: list[Pick]) -> list[Pick]:
    chosen: list[Pick] = []
    per_source: dict[int, int] = {}
    seen: set[str] = set()
    for pick in ranked:
        if len(chosen) >= MAX_SENTENCES:
            break
        if len(chosen) >= MIN_SENTENCES and pick.score < KEEP_RATIO * ranked[0].score:
            break
        key = " ".join(pick.text.lower().split())
        if key in seen or per_source.get(pick.source, 0) >= PER_PASSAGE:
            continue
        seen.add(key)
        per_source[pick.source] = per_source.get(pick.source, 0) + 1
        chosen.append(pick)
    return chosen


def _fallback(passages: Sequence[Passage]) -> list[Pick]:
    """Nothing shares a word with the question (a meaning-only match): quote the top passage."""
    if not passages:
        return []
    text = " ".join(passages[0].text.split())
    if len(text) > FALLBACK_CHARS:
        text = text[:FALLBACK_CHARS].rsplit(" ", 1)[0] + " …"
    return [Pick(text, 1, 0.0)]


def compose(picks: Sequence[Pick]) -> str:
    """The answer body (Markdown): each sentence followed by its marker; a sentence that
    introduces blocks ends its paragraph, and the fenced blocks follow it."""
    body = ""
    for pick in picks:
        if body and not body.endswith("\n"):
            body += " "
        body += f"{as_written(pick.text)} [{pick.source}]"
        if pick.literal:
            body += f"\n\n{fenced(pick.literal)}\n\n"
    return body.strip()


def as_written(sentence: str) -> str:
    """The sentence with names Markdown would turn into emphasis put in code spans."""
    if "`" in sentence:
        return sentence  # it marks its own code already
    return _EMPHASIS_NAME.sub(lambda match: f"`{match.group(0)}`", sentence)


def word_pieces(text: str) -> list[str]:
    """Split for streaming: each word with the whitespace before it; joined back they are `text`."""
    return re.findall(r"\s*\S+|\s+$", text)
