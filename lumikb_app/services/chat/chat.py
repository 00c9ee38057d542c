"""Answering in a conversation: rewrite the question from history, retrieve, then stream an
answer with verified citations, written by the chat model or, with no model configured, quoted
from the passages (extractive mode). Both turns of the exchange are stored.

`ask` and `regenerate` check their input and the conversation's owner at once (raising
`ChatInputError` / `PermissionDenied`), store the question, and return an iterator of
`ChatEvent`s: status, token, citation, then done or error. Blocking I/O happens while iterating.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from typing import Any

from lumikb_app.container import get_container
from lumikb_app.db.tables import KnowledgeBase, User
from lumikb_app.domain.chat import ChatEvent, ChatInputError
from lumikb_app.domain.kb_settings import KbSettings
from lumikb_app.domain.retrieval import Passage, SearchInputError
from lumikb_app.domain.text import text_problem
from lumikb_app.ports.llm import ChatModel, LlmError
from lumikb_app.services.chat.answer_draft import AnswerDraft
from lumikb_app.services.chat.chat_turns import Turn, start_turn, turn_to_redo
from lumikb_app.services.chat.confidence import answerable
from lumikb_app.services.chat.extractive import (
    NO_MODEL_NOTE,
    choose_sentences,
    compose,
    word_pieces,
)
from lumikb_app.services.chat.prompts import PRESETS, answer_messages
from lumikb_app.services.chat.question_rewrite import rewrite
from lumikb_app.services.models import choices
from lumikb_app.services.platform import usage
from lumikb_app.services.platform.telemetry import CHAT_SECONDS, observe, timed

log = logging.getLogger(__name__)

MAX_QUESTION = 4000
NO_ANSWER = (
    "The documents you can search do not cover this: nothing relevant to the question was "
    "found, so there is no answer to give from them. Try other words, or check that the "
    "documents you have in mind are uploaded and ready."
)
MODEL_FAILED = "The language model failed to answer. Please try again in a moment."
SEARCH_FAILED = "Searching the documents failed. Please try again in a moment."
ANSWER_FAILED = "Something went wrong while answering. Please try again in a moment."


def _never() -> bool:
    return False


def ask(
    user: User,
    conversation_id: str,
    question: str,
    *,
    should_stop: Callable[[], bool] = _never,
    graph: bool | None = None,
) -> Iterator[ChatEvent]:
    """`graph` turns graph fusion on or off for this question (None: each KB's default)."""
    turn = start_turn(user, conversation_id, clean_question(question))
    turn.graph = graph
    return _timed(_answer(turn, should_stop))


def regenerate(
    user: User, conversation_id: str, *, should_stop: Callable[[], bool] = _never
) -> Iterator[ChatEvent]:
    """Answer the last question again; the new answer replaces the previous one when stored."""
    return _timed(_answer(turn_to_redo(user, conversation_id), should_stop))


def clean_question(question: str) -> str:
    question = (question or "").strip()
    if not question:
        raise ChatInputError("Type a question first.")
    if len(question) > MAX_QUESTION:
        raise ChatInputError(f"A question must be at most {MAX_QUESTION} characters.")
    if problem := text_problem(question):
        raise ChatInputError(problem)
    return question


def search_passages(
    user: User, query: str, kb_ids: Sequence[str], graph: bool | None = None
) -> list[Passage]:
    """The passages `user` may read that answer `query`, from `kb_ids` (empty: every KB they
    may read); chat and drafting search the same way."""
    from lumikb_app.services.retrieval import search

    query = clip_query(query, search.MAX_QUERY_CHARS)
    return list(search.search(user, query, kb_ids=list(kb_ids) or None, graph=graph).passages)


def clip_query(query: str, limit: int) -> str:
    """A long question is searched by its start (the model still reads all of it)."""
    query = " ".join(query.split())
    return query if len(query) <= limit else query[:limit].rsplit(" ", 1)[0]


def _timed(events: Generator[ChatEvent, None, None]) -> Iterator[ChatEvent]:
    """The answer's events, observing in CHAT_SECONDS the wait for its first token, the writing
    after it and the whole (also when the consumer goes away)."""
    started, first = time.perf_counter(), 0.0
    try:
        for event in events:
            if not first and event.kind == "token":
                first = time.perf_counter()
                observe(CHAT_SECONDS, "first_token", first - started)
            yield event
    finally:
        events.close()  # a consumer that went away closed us: the answer keeps what was shown
        ended = time.perf_counter()
        if first:
            observe(CHAT_SECONDS, "answer", ended - first)
        observe(CHAT_SECONDS, "total", ended - started)


def _answer(turn: Turn, should_stop: Callable[[], bool]) -> Generator[ChatEvent, None, None]:
    usage.note("chat")
    draft = AnswerDraft(turn)
    try:
        yield from _produce(draft, should_stop)
    except Exception:
        log.exception("answering in conversation %s failed", turn.conversation_id)
        if not draft.saved:
            yield _fail(draft, SEARCH_FAILED if draft.mode == "" else ANSWER_FAILED)
    finally:
        if not draft.saved:  # the consumer went away mid-answer: keep what was shown
            draft.save("stopped")


def _produce(draft: AnswerDraft, should_stop: Callable[[], bool]) -> Iterator[ChatEvent]:
    turn, model = draft.turn, choices.chat_model()  # the registry's default; None: extractive
    yield ChatEvent("status", {"message": "Searching your documents…"})
    try:
        with timed(CHAT_SECONDS, "retrieve"):
            draft.query = rewrite(turn.question, turn.history, turn.previous_query, model)
            passages = search_passages(turn.user, draft.query, turn.kb_ids, turn.graph)
            if not answerable(draft.query, passages) and draft.query != turn.question:
                draft.query, passages = _own_words(turn, draft.query, passages)
    except SearchInputError as exc:
        yield _fail(draft, str(exc))
        return
    if not answerable(draft.query, passages):
        yield from _no_answer(draft, should_stop)
        return
    settings = kb_settings(passages[0].kb_id)
    if settings.chat_model:
        model = choices.chat_model(settings.chat_model)
    if model is None:
        yield from _extractive(draft, passages, should_stop)
    else:
        preset = settings.answer_preset if settings.answer_preset in PRESETS else "balanced"
        yield from _generate(draft, passages, model, preset, should_stop)


def _own_words(turn: Turn, query: str, passages: list[Passage]) -> tuple[str, list[Passage]]:
    """The follow-up searched as it was asked: the previous topic carried into its query also
    dilutes the share of the query's words a passage holds, which makes passages that answer
    the follow-up itself ("And who approves production deploys?") look irrelevant."""
    own = search_passages(turn.user, turn.question, turn.kb_ids, turn.graph)
    return (turn.question, own) if answerable(turn.question, own) else (query, passages)


def _no_answer(draft: AnswerDraft, should_stop: Callable[[], bool]) -> Iterator[ChatEvent]:
    draft.begin("no_answer", [])
    stopped = yield from _stream(draft, word_pieces(NO_ANSWER), should_stop)
    yield draft.finish("stopped" if stopped else "done")


def _extractive(
    draft: AnswerDraft, passages: list[Passage], should_stop: Callable[[], bool]
) -> Iterator[ChatEvent]:
    draft.begin("extractive", passages)
    yield ChatEvent("status", {"message": "Quoting the passages that best answer it…"})
    body = compose(choose_sentences(draft.query, passages))
    stopped = yield from _stream(draft, word_pieces(body), should_stop)
    if not stopped:
        yield from draft.flush()
        draft.end_body()
        stopped = yield from _stream(draft, word_pieces("\n\n" + NO_MODEL_NOTE), should_stop)
    yield from draft.flush()
    yield draft.finish("stopped" if stopped else "done")


def _generate(
    draft: AnswerDraft,
    passages: list[Passage],
    model: ChatModel,
    preset: str,
    should_stop: Callable[[], bool],
) -> Iterator[ChatEvent]:
    draft.begin("llm", passages, model=model.name)
    yield ChatEvent("status", {"message": "Writing the answer…"})
    messages = answer_messages(draft.turn.question, passages, draft.turn.history, preset)
    pieces = model.stream(messages, max_tokens=PRESETS[preset][1])
    try:
        stopped = yield from _stream(draft, pieces, should_stop)
    except LlmError as exc:
        yield from draft.flush()
        yield _fail(draft, str(exc))
        return
    except Exception:
        log.exception("the chat model %s failed", model.name)
        yield from draft.flush()
        yield _fail(draft, MODEL_FAILED)
        return
    finally:
        close = getattr(pieces, "close", None)
        if close is not None:
            close()  # stop a model stream we no longer read
    yield from draft.flush()
    yield draft.finish("stopped" if stopped else "done")


def kb_settings(kb_id: str) -> KbSettings:
    """The settings of the KB the best passage comes from: its chat model (empty: the
    registry's default) and answer preset. Read once per answer."""
    with get_container().db.session() as session:
        kb = session.get(KnowledgeBase, kb_id)
    return KbSettings.model_validate(kb.settings if kb else {})


def _stream(
    draft: AnswerDraft, pieces: Iterable[str], should_stop: Callable[[], bool]
) -> Generator[ChatEvent, None, bool]:
    """Pass pieces through citation checking until they run out (False) or a stop (True)."""
    for piece in pieces:
        if should_stop():
            return True
        yield from draft.feed(piece)
    return False


def _fail(draft: AnswerDraft, message: str) -> ChatEvent:
    draft.save("error", error=message)
    data: dict[str, Any] = {"message": message, "message_id": draft.message_id}
    return ChatEvent("error", data)
