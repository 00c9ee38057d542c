"""Chat page state: the conversation list, the open conversation, the streamed answer, feedback.

Streaming: `send` and `regenerate` show the question at once and start `stream_answer`, a
background event. It first asks services/chat/admission.py for a place (busy, or over the
person's rate: the refusal shows and nothing is stored; the question goes back in the box),
opens the conversation if it is new, then writes the answer on that place through
state/chat/chat_stream.py, which pushes only the text that is new about every 50 ms, taking the
state lock only for that moment. When the answer ends, the conversation is read back from the
database, so what the page shows is what was stored.

Stop: the answer's thread reads a `threading.Event` registered while the stream runs
(state/chat/chat_stream.py); `stop` sets it, and each flush also looks at `_stop_requested`, in
case the stop reached another worker process.

The open conversation is in the URL (`/chat?c=<id>`), so a reload shows it again.
"""

from __future__ import annotations

import asyncio
import dataclasses
import threading
import time
import uuid
from dataclasses import dataclass
from functools import partial

import reflex as rx

from lumikb_app.db.tables import User
from lumikb_app.domain.chat import ChatInputError
from lumikb_app.services.accounts import auth
from lumikb_app.services.accounts.access import PermissionDenied, is_admin
from lumikb_app.services.chat import admission, conversation_tools
from lumikb_app.services.chat import chat as chat_service
from lumikb_app.services.chat import conversations as conversation_service
from lumikb_app.services.chat.answer_pool import ChatRefused
from lumikb_app.services.chat.chat_suggestions import suggested_questions
from lumikb_app.services.chat.chat_turns import title_from
from lumikb_app.services.chat.conversation_export import export_markdown
from lumikb_app.services.chat.event_bridge import MakeEvents
from lumikb_app.state.chat import chat_stream as stream
from lumikb_app.state.chat import chat_view as view
from lumikb_app.state.session import session_token
from lumikb_app.state.shell import ShellState

STREAM_STALE_SECONDS = 30.0  # silent this long: its process is gone (e.g. restarted)
RESEND_SECONDS = 1.0  # at most one whole resend of the streaming answer this often
ALL_KBS = "all"
MAX_TITLE_LENGTH = 200
NOT_FOUND = "Conversation not found."
SESSION_ENDED = "Your session has ended. Sign in again to continue."
QUESTION_INPUT_ID = "chat-question"


@dataclass
class _Page:
    conversations: list[view.ConversationView]
    more: str  # the cursor of the next page of conversations ("" when there is none)
    messages: list[view.MessageView]
    open_one: view.ConversationView | None  # the open conversation, listed or not
    error: str
    suggestions: list[str] = dataclasses.field(default_factory=list)  # for an empty chat


def _conversation_page(user: User, conversation_id: str, listed: int = 0) -> _Page:
    """The first page of the list (at least `listed` long, so a refresh keeps what was shown) and
    the open conversation with its messages; one call per service."""
    size = min(max(listed, conversation_service.PAGE_SIZE), conversation_service.MAX_PAGE_SIZE)
    page = conversation_service.list_conversations(user, size)
    conversations = [view.conversation_view(c) for c in page.conversations]
    if not conversation_id:
        return _Page(conversations, page.next_cursor, [], None, "", suggested_questions(user))
    try:
        open_one = next((c for c in conversations if c.id == conversation_id), None)
        if open_one is None:  # further down than the first page
            found = conversation_service.get_conversation(user, conversation_id)
            open_one = view.conversation_view(found)
        messages = conversation_service.list_messages(user, conversation_id)
    except (PermissionDenied, ChatInputError):
        return _Page(conversations, page.next_cursor, [], None, NOT_FOUND)
    shown = view.message_views(messages, full_note=is_admin(user))
    return _Page(conversations, page.next_cursor, shown, open_one, "")


class ChatState(ShellState):
    conversations: list[view.ConversationView] = []
    more_conversations: bool = False  # the list has another page ("Load more")
    _conversations_cursor: str = ""
    conversation_id: str = ""
    conversation_title: str = ""
    conversation_kb_ids: list[str] = []  # the open conversation's scope (empty: every KB)
    messages: list[view.MessageView] = []
    chat_loaded: bool = False
    chat_error: str = ""
    new_scope_kb_ids: list[str] = []  # the scope a new conversation will have (empty: every KB)
    scope_error: str = ""
    suggestions: list[str] = []  # questions an empty chat offers (from document titles)
    list_open: bool = False  # the conversation list, a drawer on a phone
    conversation_query: str = ""
    found_conversations: list[view.ConversationMatchView] = []
    searched: bool = False  # found_conversations answers conversation_query
    edit_id: str = ""  # the question being edited ("" when none)
    edit_error: str = ""

    streaming: bool = False
    stopping: bool = False
    stream_status: str = ""
    stream_tail: stream.StreamTail = stream.StreamTail()  # only what is new; the page appends it
    stream_has_text: bool = False
    _stream_id: str = ""
    _stream_question: str = ""  # "" regenerates the last answer
    # The scope chosen when the question was sent: a change of scope right after a send must not
    # change the conversation being opened.
    _stream_scope: list[str] = []
    _stream_claimed: bool = False  # stream_answer runs once per stream id
    _stream_beat: float = 0.0
    _stop_requested: bool = False
    _last_resend: float = 0.0

    rename_id: str = ""
    rename_title: str = ""
    rename_error: str = ""
    delete_id: str = ""
    delete_title: str = ""

    feedback_id: str = ""
    feedback_rating: int = 0
    feedback_comment: str = ""

    # -- loading ------------------------------------------------------------------------------

    def _requested_conversation(self) -> str:
        return str(self.router.url.query_parameters.get("c", "") or "")[:64]

    @rx.event
    async def load(self):
        """on_load of /chat (also when ?c= changes): the list and the open conversation."""
        wanted = self._requested_conversation()
        self._forget_dead_stream()
        if self.streaming and wanted == self.conversation_id:
            return  # our own redirect to ?c=<new id> while the first answer streams
        self._request_stop()
        self.rename_id = self.delete_id = self.feedback_id = self.edit_id = ""
        self.list_open, self.scope_error = False, ""
        user = await self.current_user()
        if user is None:
            return
        page = await asyncio.to_thread(_conversation_page, user, wanted)
        self._show_page(page)
        self.suggestions = page.suggestions
        self.messages, self.chat_error = page.messages, page.error
        self.conversation_id = wanted if not page.error else ""
        self.conversation_title = page.open_one.title if page.open_one else ""
        self.conversation_kb_ids = page.open_one.kb_ids if page.open_one else []
        self.chat_loaded = True

    def _show_page(self, page: _Page) -> None:
        self.conversations, self._conversations_cursor = page.conversations, page.more
        self.more_conversations = page.more != ""

    async def _refresh(self, user: User) -> None:
        page = await asyncio.to_thread(
            _conversation_page, user, self.conversation_id, len(self.conversations)
        )
        self._show_page(page)
        self.messages = page.messages
        if page.open_one:
            self.conversation_title = page.open_one.title

    @rx.event
    async def load_more_conversations(self):
        """The next page of the conversation list, after what is shown."""
        if not self._conversations_cursor:
            return None
        user = await self.current_user()
        if user is None:
            return rx.redirect("/login?next=/chat")
        try:
            page = await asyncio.to_thread(
                conversation_service.list_conversations,
                user,
                conversation_service.PAGE_SIZE,
                self._conversations_cursor,
            )
        except ChatInputError as error:  # a cursor from before a restart of the list
            self.chat_error = str(error)
            return None
        shown = {c.id for c in self.conversations}
        more = [view.conversation_view(c) for c in page.conversations if c.id not in shown]
        self.conversations = [*self.conversations, *more]
        self._conversations_cursor = page.next_cursor
        self.more_conversations = page.next_cursor != ""
        return None

    @rx.event
    async def toggle_scope(self, kb_id: str, checked: bool):
        """Add or remove a KB from the scope (ALL_KBS: every KB); an open conversation's scope is
        changed by the service, which accepts only KBs the user may read."""
        self.scope_error = ""
        current = self.conversation_kb_ids if self.conversation_id else self.new_scope_kb_ids
        wanted = view.toggled_scope(current, kb_id, checked, [kb.id for kb in self.kbs])
        if not self.conversation_id:
            self.new_scope_kb_ids = wanted
            return None
        user = await self.current_user()
        if user is None:
            return rx.redirect("/login?next=/chat")
        try:
            changed = await asyncio.to_thread(
                conversation_tools.set_scope, user, self.conversation_id, wanted
            )
        except (ChatInputError, PermissionDenied) as error:
            self.scope_error = str(error)
            return None
        self.conversation_kb_ids = list(changed.kb_ids)
        return None

    @rx.event
    def new_chat(self):
        self._request_stop()
        self.new_scope_kb_ids, self.list_open = [], False
        return rx.redirect("/chat")

    # -- asking -------------------------------------------------------------------------------

    def _begin_stream(self, question: str) -> str:
        stream_id = uuid.uuid4().hex
        self._stream_id, self._stream_question, self._stream_claimed = stream_id, question, False
        self._stream_scope = list(self.new_scope_kb_ids)
        self._stop_requested, self._stream_beat = False, time.time()
        self.streaming, self.stopping, self.chat_error = True, False, ""
        self.stream_status = "Searching your documents…"
        self.stream_tail, self.stream_has_text = stream.StreamTail(), False
        return stream_id

    def _end_stream_view(self) -> None:
        self.streaming = self.stopping = self.stream_has_text = False
        self.stream_tail, self.stream_status = stream.StreamTail(), ""
        self._stream_id = self._stream_question = ""

    def _forget_dead_stream(self) -> None:
        """A stream whose task died with its process must not keep the composer disabled."""
        if self.streaming and time.time() - self._stream_beat > STREAM_STALE_SECONDS:
            self._end_stream_view()

    def _request_stop(self) -> None:
        stream.request_stop(self._stream_id)
        if self.streaming:
            self._stop_requested, self.stopping = True, True

    @rx.event
    async def send(self, form_data: dict):
        return await self._send(str(form_data.get("question") or ""))

    async def _send(self, question: str):
        self._forget_dead_stream()
        if self.streaming:
            return None
        question = question.strip()
        if not question:
            return None
        try:
            question = chat_service.clean_question(question)
        except ChatInputError as error:
            self.chat_error = str(error)
            return rx.set_value(QUESTION_INPUT_ID, question[: chat_service.MAX_QUESTION])
        user = await self.current_user()
        if user is None:
            return rx.redirect("/login?next=/chat")
        self.messages = view.mark_last_answer([*self.messages, view.user_message(question)])
        return ChatState.stream_answer(self._begin_stream(question))

    @rx.event
    async def regenerate(self):
        if self.streaming or not self.conversation_id:
            return None
        if self.messages and self.messages[-1].role == "assistant":
            self.messages = self.messages[:-1]
        stream_id = self._begin_stream("")
        self.stream_status = "Writing a new answer…"
        return ChatState.stream_answer(stream_id)

    @rx.event
    def stop(self):
        self._request_stop()
        self._forget_dead_stream()

    @rx.event
    def resend_stream(self):
        """The page missed part of the streaming answer (it reconnected, or two updates reached
        it before it drew either): send what it should hold."""
        live = stream.live_stream(self._stream_id) if self.streaming else None
        if live is not None and time.time() - self._last_resend >= RESEND_SECONDS:
            self._last_resend = time.time()
            self.stream_tail = live.answer.full_tail()

    @rx.event(background=True)
    async def stream_answer(self, stream_id: str):
        """Write the answer `send` or `regenerate` asked for, and push it as it grows."""
        async with self:
            if self._stream_id != stream_id or self._stream_claimed:
                return
            self._stream_claimed = True
            token = session_token(self.router.headers.cookie)
            question, conversation_id = self._stream_question, self.conversation_id
            kb_ids = list(self._stream_scope)
        user = await asyncio.to_thread(auth.user_for_token, token) if token else None
        answer, slot, refused = stream.AnswerSoFar(), None, False
        try:
            if user is None:
                answer.error = SESSION_ENDED
                return
            slot = await asyncio.to_thread(admission.admit, user)
            if not conversation_id:
                conversation_id = await self._open_conversation(stream_id, user, question, kb_ids)
                yield rx.redirect(f"/chat?c={conversation_id}", replace=True)
            events = self._events(user, conversation_id, question)
            flush = partial(self._flush, stream_id)
            answer = await stream.run_stream(stream_id, events, slot, flush)
        except ChatRefused as refusal:
            answer.error, refused = str(refusal), True
        except (ChatInputError, PermissionDenied) as error:
            answer.error = str(error)
        finally:
            if slot is not None:
                slot.release()  # a no-op once the answer ran on it
            await self._finish(stream_id, user, answer)
        if refused and question:
            yield rx.set_value(QUESTION_INPUT_ID, question)  # so that trying again is one key

    async def _open_conversation(
        self, stream_id: str, user: User, question: str, kb_ids: list[str]
    ) -> str:
        created = await asyncio.to_thread(
            conversation_service.create_conversation, user, None, kb_ids
        )
        created.title = title_from(question)  # the service titles it as the answer starts
        async with self:
            if self._stream_id == stream_id:
                self.conversation_id, self.conversation_title = created.id, created.title
                self.conversation_kb_ids = list(created.kb_ids)
                self.conversations = [view.conversation_view(created), *self.conversations]
        return created.id

    @staticmethod
    def _events(user: User, conversation_id: str, question: str):
        def make(stop: threading.Event) -> MakeEvents:
            if question:
                return lambda: chat_service.ask(
                    user, conversation_id, question, should_stop=stop.is_set
                )
            return lambda: chat_service.regenerate(user, conversation_id, should_stop=stop.is_set)

        return make

    async def _flush(self, stream_id: str, live: stream.LiveStream) -> bool:
        async with self:
            if self._stream_id != stream_id:
                return False  # the page has moved on: stop writing
            if self._stop_requested:
                live.stop.set()
            self._stream_beat = time.time()
            self._show(live.answer)
        return True

    def _show(self, answer: stream.AnswerSoFar) -> None:
        """Put what is new in `answer` in the vars the page reads (only changed vars are sent)."""
        tail = answer.take_tail()
        if tail is not None:
            self.stream_tail = tail
            if tail.segments and not self.stream_has_text:
                self.stream_has_text = True
        if answer.status != self.stream_status:
            self.stream_status = answer.status

    async def _finish(self, stream_id: str, user: User | None, answer: stream.AnswerSoFar) -> None:
        """Show what was stored; keep an error that was never stored as a callout."""
        async with self:
            if self._stream_id != stream_id:
                return
            conversation_id = self.conversation_id
            listed = len(self.conversations)
        page = (
            await asyncio.to_thread(_conversation_page, user, conversation_id, listed)
            if user
            else None
        )
        async with self:
            if self._stream_id != stream_id:
                return
            if page is not None and self.conversation_id == conversation_id:
                self._show_page(page)
                self.messages = page.messages
                if page.open_one:
                    self.conversation_title = page.open_one.title
            self.chat_error = "" if answer.error_stored and page is not None else answer.error
            self._end_stream_view()

    # -- conversations: rename and delete ---------------------------------------------------

    @rx.event
    def ask_rename(self, conversation_id: str, title: str):
        self.rename_id, self.rename_title, self.rename_error = conversation_id, title, ""

    @rx.event
    def rename_dialog_changed(self, is_open: bool):
        if not is_open:
            self.rename_id, self.rename_error = "", ""

    @rx.event
    async def rename(self, form_data: dict):
        user = await self.current_user()
        if user is None:
            return rx.redirect("/login?next=/chat")
        title = str(form_data.get("title") or "")[: MAX_TITLE_LENGTH + 1]
        try:
            renamed = await asyncio.to_thread(
                conversation_service.rename_conversation, user, self.rename_id, title
            )
        except (ChatInputError, PermissionDenied) as error:
            self.rename_error = str(error)
            return None
        if renamed.id == self.conversation_id:
            self.conversation_title = renamed.title
        self.rename_id, self.rename_error = "", ""
        await self._refresh(user)
        return None

    @rx.event
    def ask_delete(self, conversation_id: str, title: str):
        self.delete_id, self.delete_title = conversation_id, title

    @rx.event
    def delete_dialog_changed(self, is_open: bool):
        if not is_open:
            self.delete_id = ""

    @rx.event
    async def confirm_delete(self, conversation_id: str):
        self.delete_id = ""
        user = await self.current_user()
        if user is None:
            return rx.redirect("/login?next=/chat")
        if self.streaming and conversation_id == self.conversation_id:
            self.chat_error = "Stop the answer before deleting this conversation."
            return None
        try:
            await asyncio.to_thread(conversation_service.delete_conversation, user, conversation_id)
        except PermissionDenied as error:
            self.chat_error = str(error)
            return None
        if conversation_id == self.conversation_id:
            return rx.redirect("/chat")
        await self._refresh(user)
        return rx.toast.success("Conversation deleted.", position="bottom-right")

    # -- feedback -------------------------------------------------------------------------------

    @rx.event
    async def rate(self, message_id: str, rating: int):
        """A thumb stores the rating at once, then offers a comment."""
        if not message_id or rating not in (1, -1):
            return None
        user = await self.current_user()
        if user is None:
            return rx.redirect("/login?next=/chat")
        current = next((m for m in self.messages if m.id == message_id), None)
        comment = current.feedback if current and current.rating == rating else None
        try:
            await asyncio.to_thread(
                conversation_service.rate_message, user, message_id, rating, comment
            )
        except (ChatInputError, PermissionDenied) as error:
            self.chat_error = str(error)
            return None
        self._show_rating(message_id, rating, comment or "")
        self.feedback_id, self.feedback_rating = message_id, rating
        self.feedback_comment = comment or ""
        return None

    def _show_rating(self, message_id: str, rating: int, comment: str) -> None:
        messages = list(self.messages)
        for message in messages:
            if message.id == message_id:
                message.rating, message.feedback = rating, comment
        self.messages = messages

    @rx.event
    def feedback_dialog_changed(self, is_open: bool):
        if not is_open:
            self.feedback_id = ""

    @rx.event
    async def send_feedback(self, form_data: dict):
        message_id, rating = self.feedback_id, self.feedback_rating
        user = await self.current_user()
        if user is None:
            return rx.redirect("/login?next=/chat")
        comment = str(form_data.get("comment") or "").strip() or None
        try:
            await asyncio.to_thread(
                conversation_service.rate_message, user, message_id, rating, comment
            )
        except (ChatInputError, PermissionDenied) as error:
            self.chat_error = str(error)
            return None
        self._show_rating(message_id, rating, comment or "")
        self.feedback_id = ""
        return rx.toast.success("Thanks for the feedback.", position="bottom-right")

    # -- edit and resend, suggestions ------------------------------------------------------------

    @rx.event
    def ask_edit(self, message_id: str):
        if not self.streaming:
            self.edit_id, self.edit_error = message_id, ""

    @rx.event
    def cancel_edit(self):
        self.edit_id, self.edit_error = "", ""

    @rx.event
    async def resend_edited(self, form_data: dict):
        """Ask the edited question in place of the old one; the turns after it are dropped."""
        message_id = self.edit_id
        if self.streaming or not message_id or not self.conversation_id:
            return None
        try:
            question = chat_service.clean_question(str(form_data.get("question") or ""))
        except ChatInputError as error:
            self.edit_error = str(error)
            return None
        user = await self.current_user()
        if user is None:
            return rx.redirect("/login?next=/chat")
        try:
            await asyncio.to_thread(
                conversation_tools.drop_from_question, user, self.conversation_id, message_id
            )
        except (ChatInputError, PermissionDenied) as error:
            self.edit_error = str(error)
            return None
        kept = view.before_message(self.messages, message_id)
        self.messages = view.mark_last_answer([*kept, view.user_message(question)])
        self.edit_id = ""
        return ChatState.stream_answer(self._begin_stream(question))

    @rx.event
    async def ask_suggestion(self, question: str):
        return await self._send(question)

    # -- the conversation list: a drawer on a phone, search, export --------------------------

    @rx.event
    def set_list_open(self, is_open: bool):
        self.list_open = is_open

    @rx.event
    async def search_conversations(self, query: str):
        """The user's conversations holding `query` in their title or messages ("" clears)."""
        self.conversation_query = query[: conversation_tools.MAX_SEARCH_QUERY]
        if not query.strip():
            self.found_conversations, self.searched = [], False
            return None
        user = await self.current_user()
        if user is None:
            return rx.redirect("/login?next=/chat")
        try:
            found = await asyncio.to_thread(
                conversation_tools.search_conversations, user, self.conversation_query
            )
        except ChatInputError as error:
            self.chat_error = str(error)
            return None
        self.found_conversations = [view.match_view(match) for match in found]
        self.searched = True
        return None

    @rx.event
    async def export_conversation(self):
        """The open conversation as a Markdown file, downloaded by the browser."""
        user = await self.current_user()
        if user is None:
            return rx.redirect("/login?next=/chat")
        try:
            exported = await asyncio.to_thread(
                export_markdown, user, self.conversation_id, self.router.url.origin
            )
        except (ChatInputError, PermissionDenied) as error:
            self.chat_error = str(error)
            return None
        return rx.download(
            data=exported.markdown, filename=exported.filename, mime_type="text/markdown"
        )

    # -- what the page derives ---------------------------------------------------------------

    @rx.var
    def has_conversation(self) -> bool:
        return self.conversation_id != ""

    @rx.var
    def header_title(self) -> str:
        return self.conversation_title or "New conversation"

    @rx.var
    def scope_label(self) -> str:
        kb_ids = self.conversation_kb_ids if self.conversation_id else self.new_scope_kb_ids
        if not kb_ids:
            return "All knowledge bases"
        names = [kb.name for kb in self.kbs if kb.id in kb_ids]
        return ", ".join(names) or "Selected knowledge bases"

    @rx.var
    def scope_kb_ids(self) -> list[str]:
        return self.conversation_kb_ids if self.conversation_id else self.new_scope_kb_ids

    @rx.var
    def scope_count(self) -> int:
        return len(self.scope_kb_ids)

    @rx.var
    def can_regenerate(self) -> bool:
        return not self.streaming and bool(self.messages) and self.messages[-1].role == "assistant"
