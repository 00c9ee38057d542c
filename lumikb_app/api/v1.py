"""REST API v1: search and chat for scripts and integrations, with personal API tokens.

Every route acts as the caller (see api/bearer.py) through the same services the pages use, so
the access checks are the same: knowledge bases the caller may not read are silently left out,
and another person's conversation is "not found", exactly like a missing one.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, HTTPException, Query, Response
from fastapi.responses import StreamingResponse

from lumikb_app.api import sse
from lumikb_app.api.accounts.bearer import ActingUser
from lumikb_app.api.v1_models import (
    ChatIn,
    ConversationOut,
    ErrorOut,
    KbOut,
    MessageOut,
    SearchIn,
    SearchOut,
    SearchResultOut,
)
from lumikb_app.db.tables import User
from lumikb_app.domain.chat import ChatInputError
from lumikb_app.domain.retrieval import Passage, SearchInputError
from lumikb_app.domain.search_page import RESULTS_PER_SEARCH
from lumikb_app.services.accounts.access import PermissionDenied
from lumikb_app.services.chat import admission, chat, conversations
from lumikb_app.services.chat.answer_pool import ChatRefused, Slot
from lumikb_app.services.chat.event_bridge import EventBridge
from lumikb_app.services.knowledge_bases import kbs
from lumikb_app.services.retrieval import search as search_service

ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "No valid API token or session."},
    403: {"model": ErrorOut, "description": "A session-cookie request sent by another site."},
    404: {"model": ErrorOut, "description": "Missing, or not yours: the same answer."},
    422: {"description": "The input is not acceptable; `detail` says why."},
}
SSE_DOC = {
    200: {
        "description": "A `text/event-stream`: events `status` (first one carries "
        "`conversation_id`), `token` {text}, `citation` {n, chunk_id, document_id, version, page, href, ...}, "
        "`done` {message_id, conversation_id, content, citations, sources, confidence, mode} "
        "and `error` {message}; each as `event: <kind>` and `data: <json>`.",
        "content": {"text/event-stream": {"schema": {"type": "string"}}},
    }
}
BUSY_DOC = {
    429: {
        "model": ErrorOut,
        "description": "Not started, nothing stored: too many answers are being written right "
        "now, or you asked for more than your limit. `Retry-After` says when to try again.",
    }
}
KBS_ONLY_FOR_NEW = "kb_ids can only be given when starting a new conversation."
STREAM_HEADERS = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}

router = APIRouter(prefix="/api/v1", tags=["v1"], responses=ERRORS)


async def _call(function: Callable, *args, **kwargs):
    """Run a blocking service call off the event loop and turn its refusals into HTTP answers."""
    try:
        return await asyncio.to_thread(function, *args, **kwargs)
    except PermissionDenied as denied:
        raise HTTPException(status_code=404, detail=str(denied) or "Not found.") from None
    except (SearchInputError, ChatInputError) as error:
        raise HTTPException(status_code=422, detail=str(error)) from None


def _result(passage: Passage) -> SearchResultOut:
    return SearchResultOut(
        chunk_id=passage.chunk_id,
        document_id=passage.document_id,
        version=passage.version,
        document_name=passage.document_name,
        kb_id=passage.kb_id,
        kb_name=passage.kb_name,
        page=passage.page,
        score=passage.score,
        relevance=passage.relevance,
        text=passage.text,
        snippet=search_service.snippet(passage),
        matched_terms=list(passage.matched_terms),
        semantic=passage.semantic,
        keyword=passage.keyword,
        via=passage.via,
        url=passage.viewer_href,
    )


@router.post(
    "/search", response_model=SearchOut, summary="Search every knowledge base you may read"
)
async def search(body: SearchIn, user: ActingUser) -> SearchOut:
    return await _call(_search_out, user, body)


def _search_out(user: User, body: SearchIn) -> SearchOut:
    """The search and its results, on a worker thread: snippets tokenise each passage."""
    found = search_service.search(
        user,
        body.query,
        kb_ids=body.kb_ids,
        doc_types=body.doc_types,
        limit=body.limit or RESULTS_PER_SEARCH,  # as many as the search page shows
        graph=body.graph,
    )
    return SearchOut(
        query=found.query, took_ms=found.took_ms, results=[_result(p) for p in found.passages]
    )


@router.get("/kbs", response_model=list[KbOut], summary="The knowledge bases you may read")
async def list_kbs(user: ActingUser) -> list[KbOut]:
    found = await _call(kbs.list_kbs, user)
    return [KbOut(id=kb.id, name=kb.name, description=kb.description) for kb in found]


NEXT_CURSOR = "X-Next-Cursor"
PAGE_DOC = {
    200: {
        "description": "One page of conversations, newest first. When more follow, the "
        f'`{NEXT_CURSOR}` header (and a `Link: <...>; rel="next"` header) gives the cursor '
        "of the next page; on the last page it is absent.",
        "headers": {
            NEXT_CURSOR: {
                "description": "Pass as `cursor` for the next page.",
                "schema": {"type": "string"},
            }
        },
    }
}


@router.get(
    "/conversations",
    response_model=list[ConversationOut],
    summary="Your conversations, newest first, a page at a time",
    responses=PAGE_DOC,
)
async def list_conversations(
    user: ActingUser,
    response: Response,
    limit: int = Query(
        conversations.PAGE_SIZE,
        ge=1,
        le=conversations.MAX_PAGE_SIZE,
        description="How many conversations per page.",
    ),
    cursor: str = Query(
        "",
        max_length=conversations.MAX_CURSOR,
        description=f"The `{NEXT_CURSOR}` of the previous page (empty: the first page).",
    ),
) -> list[ConversationOut]:
    page = await _call(conversations.list_conversations, user, limit, cursor)
    if page.next_cursor:
        response.headers[NEXT_CURSOR] = page.next_cursor
        following = f"/api/v1/conversations?limit={limit}&cursor={page.next_cursor}"
        response.headers["Link"] = f'<{following}>; rel="next"'
    return [ConversationOut.model_validate(c, from_attributes=True) for c in page.conversations]


@router.get(
    "/conversations/{conversation_id}/messages",
    response_model=list[MessageOut],
    summary="The turns of one of your conversations, oldest first",
)
async def list_messages(conversation_id: str, user: ActingUser) -> list[MessageOut]:
    found = await _call(conversations.list_messages, user, conversation_id[:64])
    return [MessageOut.model_validate(m, from_attributes=True) for m in found]


async def _admit(user: User) -> Slot:
    """A place to write the answer, or 429 (busy, or over the caller's rate) before anything is
    stored."""
    try:
        return await asyncio.to_thread(admission.admit, user)
    except ChatRefused as refused:
        headers = {"Retry-After": str(refused.retry_after)}
        raise HTTPException(status_code=429, detail=str(refused), headers=headers) from None


def _start_chat(user: User, body: ChatIn, should_stop: Callable[[], bool]):
    """Check the question before anything is stored, then open (or continue) the conversation."""
    question = chat.clean_question(body.question)
    conversation_id = body.conversation_id
    if conversation_id is None:
        conversation_id = conversations.create_conversation(user, None, body.kb_ids or ()).id
    return conversation_id, chat.ask(
        user, conversation_id, question, should_stop=should_stop, graph=body.graph
    )


@router.post(
    "/chat",
    summary="Ask a question; the answer streams as server-sent events",
    response_class=StreamingResponse,
    responses={**SSE_DOC, **BUSY_DOC},
)
async def ask(body: ChatIn, user: ActingUser) -> StreamingResponse:
    if body.conversation_id is not None and body.kb_ids is not None:
        raise HTTPException(status_code=422, detail=KBS_ONLY_FOR_NEW)
    stop = threading.Event()
    await _call(chat.clean_question, body.question)  # a bad question is not counted
    slot = await _admit(user)
    try:
        conversation_id, events = await _call(_start_chat, user, body, stop.is_set)
    except BaseException:
        slot.release()  # refused, or the request was cancelled: the place was never used
        raise
    bridge = EventBridge(lambda: events, stop, slot)
    bridge.start()  # now, so the answer ends and frees its place even if the client never reads
    opening = sse.format_event(
        "status", {"message": "Thinking…", "conversation_id": conversation_id}
    )

    async def stream():
        yield opening
        async for text in sse.relay(bridge, {"conversation_id": conversation_id}):
            yield text

    return StreamingResponse(stream(), media_type="text/event-stream", headers=STREAM_HEADERS)
