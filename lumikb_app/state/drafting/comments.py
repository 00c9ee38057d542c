"""The draft page's comments panel: comments per section. Anyone who may view the draft may
comment; an author or the draft's owner deletes a comment (services/drafting/comments checks).

Live: adding or deleting a comment moves the draft's revision, which the draft page's watcher
follows; on each of its looks it calls `follow_revision`, and an open panel reads the comments
again when the revision moved since it last did."""

import asyncio
from dataclasses import dataclass

import reflex as rx

from lumikb_app.db.tables import User
from lumikb_app.domain.drafting import MAX_COMMENT, DraftInputError
from lumikb_app.services.accounts.access import PermissionDenied
from lumikb_app.services.drafting import comments, draft_summaries
from lumikb_app.state.drafting.panel_base import moment, route_draft_id
from lumikb_app.state.shell import ShellState

ALL = "all"  # the section select's value for every section
Refused = (DraftInputError, PermissionDenied)


@dataclass
class SectionChoice:
    id: str
    title: str


@dataclass
class CommentRow:
    id: str
    section_id: str
    section_title: str
    author: str
    body: str
    when: str
    exact: str  # the moment, UTC, for the tooltip
    can_delete: bool


@dataclass
class _Loaded:
    owner: bool
    sections: list[SectionChoice]
    rows: list[CommentRow]


def _load(user: User, draft_id: str) -> _Loaded:
    outline = draft_summaries.draft_outline(user, draft_id)
    owner = outline.role == "owner"
    titles = dict(outline.sections)
    rows = []
    for c in comments.list_comments(user, draft_id):
        when, exact = moment(c.created_at)
        title = titles.get(c.section_id, "")
        rows.append(
            CommentRow(c.id, c.section_id, title, c.author_name, c.body, when, exact,
                       c.mine or owner)
        )  # fmt: skip
    sections = [SectionChoice(section_id, title) for section_id, title in outline.sections]
    return _Loaded(owner, sections, rows)


class CommentsState(ShellState):
    comment_rows: list[CommentRow] = []
    comment_sections: list[SectionChoice] = []
    comments_of: str = ""  # the draft whose comments are shown
    comments_section: str = ALL  # the section shown (ALL: every one)
    comments_error: str = ""
    comment_form_key: int = 0  # a new key empties the comment box after a comment is added
    _seen_revision: int = 0  # the draft's revision when the comments were last read

    async def _reload(self, user: User) -> bool:
        try:
            loaded = await asyncio.to_thread(_load, user, self.comments_of)
        except Refused as refused:
            self.comment_rows, self.comment_sections = [], []
            self.comments_error = str(refused)
            return False
        self.comment_rows, self.comment_sections = loaded.rows, loaded.sections
        if not any(s.id == self.comments_section for s in loaded.sections):
            self.comments_section = ALL
        return True

    async def _follow(self, user: User, draft_id: str, revision: int) -> None:
        if draft_id and draft_id == self.comments_of and revision > self._seen_revision:
            self._seen_revision = revision
            await self._reload(user)

    async def _load_route(self) -> None:
        self.comments_of, self.comments_error = route_draft_id(self), ""
        user = await self.current_user()
        if user is not None and self.comments_of:
            await self._reload(user)

    def _choose(self, section_id: str) -> None:
        known = any(s.id == section_id for s in self.comment_sections)
        self.comments_section = section_id if known else ALL
        self.comments_error = ""

    @rx.event
    async def load_comments(self):
        """On the draft page's load (or when the panel opens): every section's comments."""
        await self._load_route()

    @rx.event
    async def show_section_comments(self, section_id: str):
        """A section's "Comments" button: its comments, and the box to add one."""
        await self._load_route()
        self._choose(section_id)

    @rx.event
    def set_comments_section(self, section_id: str):
        self._choose(section_id)

    @rx.event
    async def add_comment(self, form_data: dict):
        self.comments_error = ""
        user = await self.current_user()
        if user is None:
            return rx.redirect("/login")
        if self.comments_section == ALL:
            self.comments_error = "Choose the section to comment on."
            return None
        body = str(form_data.get("body") or "")[: MAX_COMMENT + 1]
        try:
            await asyncio.to_thread(comments.add_comment, user, self.comments_section, body)
        except Refused as refused:
            self.comments_error = str(refused)
            return None
        self.comment_form_key += 1
        await self._reload(user)
        return None

    @rx.event
    async def delete_comment(self, comment_id: str):
        self.comments_error = ""
        user = await self.current_user()
        if user is None:
            return rx.redirect("/login")
        try:
            await asyncio.to_thread(comments.delete_comment, user, comment_id)
        except Refused as refused:
            self.comments_error = str(refused)
            return None
        await self._reload(user)
        return None

    @rx.var
    def shown_comments(self) -> list[CommentRow]:
        if self.comments_section == ALL:
            return self.comment_rows
        return [row for row in self.comment_rows if row.section_id == self.comments_section]

    @rx.var
    def comment_counts(self) -> dict[str, int]:
        """Comments per section id (the editor may badge each section with its count)."""
        counts: dict[str, int] = {}
        for row in self.comment_rows:
            counts[row.section_id] = counts.get(row.section_id, 0) + 1
        return counts

    @rx.var
    def commenting_on_all(self) -> bool:
        return self.comments_section == ALL


async def follow_revision(
    page: rx.State, user: User | None, draft_id: str, revision: int, panel_open: bool
) -> None:
    """Called by the draft page's watcher, under its lock, on each look: when the Comments panel
    is open and the draft's revision moved (someone commented or deleted a comment, or edited),
    the panel shows the comments again. A closed panel reads nothing (it catches up when opened)."""
    if user is None or not panel_open:
        return
    panel = await page.get_state(CommentsState)
    await panel._follow(user, draft_id, revision)
