"""The messages sent to the chat model: answering from numbered sources, and rewriting a
follow-up into a standalone search query. `adapters/fake_chat.py` reads these layouts back."""

from __future__ import annotations

from collections.abc import Sequence

from lumikb_app.domain.retrieval import Passage
from lumikb_app.ports.llm import LlmMessage

ANSWER_SYSTEM = (
    "You are LumiKB, an assistant that answers questions using only the numbered sources "
    "given with the question.\n"
    "- Answer from the sources only. If they do not contain the answer, say plainly that the "
    "documents do not cover it; do not guess.\n"
    "- After each sentence that uses a source, cite it with its number in square brackets, "
    "e.g. [1] or [1][3]. Cite only numbers from the list of sources.\n"
    "- Answer in the language of the question, clearly and without preamble."
)

REWRITE_SYSTEM = (
    "Rewrite the user's follow-up question as one standalone search query that can be "
    "understood without the conversation: replace pronouns with what they refer to and keep "
    "the key terms. Reply with the query only, on one line."
)

# A KB's answer preset (KbSettings.answer_preset): an instruction and the token budget.
PRESETS = {
    "concise": ("Keep the answer short: two or three sentences.", 300),
    "balanced": ("Answer in a short paragraph, or a few bullet points for a list.", 800),
    "detailed": ("Answer thoroughly, covering every relevant point the sources make.", 1500),
}
SOURCES_HEADER = "Sources:"
QUESTION_PREFIX = "Question: "
FOLLOW_UP_PREFIX = "Follow-up question: "
PASSAGE_CHARS = 2400


def source_heading(passage: Passage) -> str:
    where = f", page {passage.page}" if passage.page is not None else ""
    section = f" > {' > '.join(passage.heading_path)}" if passage.heading_path else ""
    return f"{passage.document_title or passage.document_name}{where}{section}"


def answer_messages(
    question: str,
    passages: Sequence[Passage],
    history: Sequence[LlmMessage],
    preset: str = "balanced",
    instructions: Sequence[str] = (),
) -> list[LlmMessage]:
    """`instructions`: more rules for the system message (a draft's tone, a section's brief)."""
    blocks = [
        f"[{n}] {source_heading(p)}\n{p.text.strip()[:PASSAGE_CHARS]}"
        for n, p in enumerate(passages, start=1)
    ]
    prompt = f"{SOURCES_HEADER}\n\n" + "\n\n".join(blocks) + f"\n\n{QUESTION_PREFIX}{question}"
    system = "\n- ".join([ANSWER_SYSTEM, PRESETS[preset][0], *instructions])
    return [
        {"role": "system", "content": system},
        *history,
        {"role": "user", "content": prompt},
    ]


def rewrite_messages(question: str, history: Sequence[LlmMessage]) -> list[LlmMessage]:
    lines = [f"{m['role'].capitalize()}: {' '.join(m['content'].split())[:600]}" for m in history]
    prompt = "Conversation:\n" + "\n".join(lines) + f"\n\n{FOLLOW_UP_PREFIX}{question}"
    return [
        {"role": "system", "content": REWRITE_SYSTEM},
        {"role": "user", "content": prompt},
    ]
