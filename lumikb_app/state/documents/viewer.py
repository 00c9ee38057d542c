"""Document viewer state: one document, opened at a page with a passage highlighted.

The route is /view/[document_id]?chunk=<chunk id>&page=<n>&version=<n>: the document's stable
id, and the version a citation names (without it, the current version). An older version shows
a notice linking to the current one; a version no longer kept says so and links there too.
Missing and forbidden documents look the same (services.viewer raises one message for both),
and nothing of the document is kept in the state then.

Where the reader came from: `&from=search&q=<query>` (a search result) or `&from=chat&c=<id>`
(a chat citation) gives a "Back to results" / "Back to the conversation" link; without them the
back button goes back in the browser's history. PDF pages can be zoomed (ZOOMS, the page image
is sized in percent of the pane, its highlight boxes in percent of the image) and a page number
typed in; the zoom stays while paging.
"""

import asyncio
from dataclasses import dataclass
from urllib.parse import urlencode

import reflex as rx

from lumikb_app.api.documents.documents import download_path
from lumikb_app.api.documents.pages import page_image_path
from lumikb_app.domain.retrieval import page_label
from lumikb_app.services.accounts.access import PermissionDenied
from lumikb_app.services.documents import versions, viewer
from lumikb_app.services.documents.documents import NOT_FOUND
from lumikb_app.state.session import AppState

ROUTE_ARG = "document_id"
IMAGE_SCALE = 2  # pixels per point: sharp on high-density screens
ZOOM_IMAGE_SCALE = 3  # past 125 %, the largest scale the page route renders
ZOOMS = (50, 75, 100, 125, 150, 200)  # percent of the page's fitted width (720 px at most)
PAGE_WIDTH_PX = 720
MAX_QUERY_CHARS = 500
# After a page change: the highlight in the middle of the view (its top, when it is taller
# than the view), or else the top of the page.
SCROLL_TO_HIGHLIGHT = """setTimeout(() => {
  const mark = document.querySelector(
    '[data-testid="highlight-box"], [data-testid="highlighted-passage"]');
  if (!mark) {
    document.querySelector('[data-testid="main-pane"]')?.scrollTo({top: 0});
    return;
  }
  const tall = mark.getBoundingClientRect().height > window.innerHeight * 0.7;
  mark.scrollIntoView({block: tall ? 'start' : 'center', inline: 'center'});
}, 60)"""


@dataclass
class BoxView:
    """A highlight rectangle as CSS percentages of the page image."""

    left: str
    top: str
    width: str
    height: str


def _page_arg(value: str) -> int | None:
    return int(value) if value.isdigit() and len(value) <= 6 else None


def _came_from(params: dict) -> dict[str, str]:
    """The `from` parameters to keep on this viewer's own links (and to go back to)."""
    source = str(params.get("from", ""))
    if source == "search":
        query = str(params.get("q", ""))[:MAX_QUERY_CHARS]
        return {"from": "search", "q": query} if query.strip() else {}
    conversation = str(params.get("c", ""))
    if source == "chat" and conversation.replace("-", "").isalnum() and len(conversation) <= 64:
        return {"from": "chat", "c": conversation}
    return {}


def current_href(document_id: str) -> str:
    """The document's stable link: it opens whichever version is current."""
    return f"/view/{document_id}"


class ViewerState(AppState):
    found: bool = False
    message: str = ""
    doc_id: str = ""  # the stable id, every version's
    version_id: str = ""  # the row of the version shown
    version: int = 0
    newer_version: int = 0  # the current version, when newer than the one shown; else 0
    version_gone: bool = False  # the link names a version the retention rule purged
    current_link: str = ""  # where the current version opens (notice and "no longer kept")
    chunk_id: str = ""
    name: str = ""
    kb_id: str = ""
    kb_name: str = ""
    is_pdf: bool = False
    page: int = 0
    page_count: int = 0
    aspect_ratio: str = "612 / 792"
    boxes: list[BoxView] = []
    has_passage: bool = False
    passage_text: str = ""
    passage_heading: str = ""
    passage_pages: str = ""
    text_before: str = ""
    text_passage: str = ""
    text_after: str = ""
    text_html: str = ""  # the document formatted (services/documents/render_blocks.py)
    truncated: bool = False
    came_from: dict[str, str] = {}
    zoom: int = 100
    page_error: str = ""

    @rx.event
    async def load(self):
        document_id = str(getattr(self, ROUTE_ARG, "") or "")
        params = self.router.url.query_parameters
        user = await self.current_user()
        try:
            if user is None or not document_id:
                raise PermissionDenied(NOT_FOUND)
            view = await asyncio.to_thread(
                viewer.open_document,
                user,
                document_id,
                params.get("chunk") or None,
                _page_arg(params.get("page", "")),
                _page_arg(params.get("version", "")),
            )
            self.came_from = _came_from(dict(params))
        except versions.VersionNotKept as gone:
            self._forget(str(gone))
            self.version_gone = True
            self.current_link = current_href(gone.stable_id) if gone.current_version else ""
            return None
        except (PermissionDenied, viewer.DocumentNotReady) as exc:
            self._forget(str(exc))
            return None
        self._show(view)
        return rx.call_script(SCROLL_TO_HIGHLIGHT)

    def _forget(self, message: str) -> None:
        self.found, self.message = False, message
        self.doc_id = self.chunk_id = self.name = self.kb_id = self.kb_name = ""
        self.version_id, self.version, self.newer_version = "", 0, 0
        self.version_gone, self.current_link = False, ""
        self.is_pdf, self.page, self.page_count, self.boxes = False, 0, 0, []
        self.has_passage, self.passage_text, self.passage_heading = False, "", ""
        self.passage_pages = self.text_before = self.text_passage = self.text_after = ""
        self.text_html, self.came_from, self.page_error = "", {}, ""

    def _show(self, view: viewer.DocumentView) -> None:
        self.found, self.message = True, ""
        self.doc_id, self.name = view.document_id, view.name
        self.version_id, self.version = view.version_id, view.version
        self.newer_version, self.version_gone = view.newer_version or 0, False
        self.current_link = current_href(view.document_id)
        self.kb_id, self.kb_name, self.is_pdf = view.kb_id, view.kb_name, view.is_pdf
        self.page, self.page_count = view.page or 0, view.page_count or 0
        width, height = view.page_size or (612, 792)
        self.aspect_ratio = f"{width:.2f} / {height:.2f}"
        self.boxes = [
            BoxView(f"{b.left}%", f"{b.top}%", f"{b.width}%", f"{b.height}%") for b in view.boxes
        ]
        passage = view.passage
        self.has_passage = passage is not None
        self.chunk_id = passage.chunk_id if passage else ""
        self.passage_text = passage.text if passage else ""
        self.passage_heading = _heading_above(passage) if passage else ""
        self.passage_pages = page_label(passage.page_start, passage.page_end) if passage else ""
        text = view.text
        self.text_before = text.before if text else ""
        self.text_passage = text.passage if text else ""
        self.text_after = text.after if text else ""
        self.text_html = text.html if text else ""
        self.truncated = bool(text and text.truncated)
        self.page_error = ""

    def _page_href(self, page: int) -> str:
        query = {"chunk": self.chunk_id} if self.chunk_id else {}
        return f"/view/{self.doc_id}?" + urlencode(
            {**query, **self.came_from, "page": page, "version": self.version}
        )

    @rx.event
    def zoom_by(self, steps: int):
        """Zoom the PDF page in (1) or out (-1), within ZOOMS."""
        here = ZOOMS.index(self.zoom) if self.zoom in ZOOMS else ZOOMS.index(100)
        self.zoom = ZOOMS[min(max(here + (1 if steps > 0 else -1), 0), len(ZOOMS) - 1)]
        return rx.call_script(SCROLL_TO_HIGHLIGHT)  # the passage stays in view at any size

    @rx.event
    def go_to_page(self, form: dict):
        """Open the page typed in, or say which pages there are."""
        typed = str(form.get("page", "")).strip()
        number = int(typed) if typed.isdigit() and len(typed) <= 6 else 0
        if not (self.found and self.is_pdf and 1 <= number <= self.page_count):
            self.page_error = f"Enter a page number from 1 to {self.page_count}."
            return None
        self.page_error = ""
        return rx.redirect(self._page_href(number))

    @rx.var
    def back_href(self) -> str:
        source = self.came_from.get("from", "")
        if source == "search":
            return "/search?" + urlencode({"q": self.came_from.get("q", "")})
        if source == "chat":
            return "/chat?" + urlencode({"c": self.came_from.get("c", "")})
        return ""

    @rx.var
    def back_label(self) -> str:
        source = self.came_from.get("from", "")
        return {"search": "Back to results", "chat": "Back to the conversation"}.get(source, "Back")

    @rx.var
    def zoom_label(self) -> str:
        return f"{self.zoom}%"

    @rx.var
    def page_width(self) -> str:
        """The page image's width: ZOOM percent of the pane, at most ZOOM percent of 720 px."""
        return f"min({self.zoom}%, {PAGE_WIDTH_PX * self.zoom // 100}px)"

    @rx.var
    def can_zoom_in(self) -> bool:
        return self.zoom < ZOOMS[-1]

    @rx.var
    def can_zoom_out(self) -> bool:
        return self.zoom > ZOOMS[0]

    @rx.var
    def image_url(self) -> str:
        if not (self.found and self.is_pdf and self.page):
            return ""
        scale = ZOOM_IMAGE_SCALE if self.zoom > 125 else IMAGE_SCALE
        return f"{page_image_path(self.version_id, self.page)}?scale={scale}"

    @rx.var
    def download_url(self) -> str:
        return download_path(self.doc_id, self.version) if self.found else ""

    @rx.var
    def prev_href(self) -> str:
        return self._page_href(self.page - 1) if self.page > 1 else ""

    @rx.var
    def next_href(self) -> str:
        return self._page_href(self.page + 1) if 0 < self.page < self.page_count else ""

    @rx.var
    def page_label(self) -> str:
        return f"Page {self.page} of {self.page_count}" if self.page else ""

    @rx.var
    def highlight_on_page(self) -> bool:
        return len(self.boxes) > 0


def _heading_above(passage: viewer.CitedPassage) -> str:
    """The section trail, without the last heading when the passage starts with it."""
    trail = passage.heading.split(" › ") if passage.heading else []
    if trail and passage.text.startswith(trail[-1]):
        trail.pop()
    return " › ".join(trail)
