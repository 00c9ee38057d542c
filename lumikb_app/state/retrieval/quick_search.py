"""The quick-search palette (Ctrl+K / Cmd+K on every signed-in page): results as you type,
arrow keys to choose, Enter to open the passage in the viewer."""

from urllib.parse import urlencode

import reflex as rx

from lumikb_app.state.retrieval.search import ResultView, search_views
from lumikb_app.state.session import AppState

PALETTE_LIMIT = 8
PALETTE_SNIPPET_CHARS = 160
SCROLL_TO_SELECTED = (
    'setTimeout(() => document.querySelector(\'[data-testid="quick-search-result"]'
    "[data-selected=\"true\"]')?.scrollIntoView({block: 'nearest'}), 30)"
)


class QuickSearchState(AppState):
    palette_open: bool = False
    palette_query: str = ""
    palette_results: list[ResultView] = []
    selected: int = 0
    palette_searching: bool = False
    palette_error: str = ""
    palette_searched: str = ""
    _generation: int = 0

    @rx.var
    def all_results_href(self) -> str:
        query = self.palette_query.strip()
        return "/search?" + urlencode({"q": query}) if query else "/search"

    @rx.event
    def open_palette(self):
        """The hotkey (the page lets only Ctrl+K / Cmd+K through) or the top bar button."""
        self.palette_open = True
        self.selected = 0

    @rx.event
    def set_palette_open(self, is_open: bool):
        self.palette_open = is_open

    @rx.event
    def set_palette_query(self, value: str):
        self.palette_query = value
        return QuickSearchState.search_palette

    @rx.event
    def palette_key(self, key: str):
        """Arrow keys move the selection; Enter opens the selected passage."""
        count = len(self.palette_results)
        if key == "Enter" and count:
            return self._open(min(self.selected, count - 1))
        if key in ("ArrowDown", "ArrowUp") and count:
            self.selected = (self.selected + (1 if key == "ArrowDown" else -1)) % count
            return rx.call_script(SCROLL_TO_SELECTED)
        return None

    @rx.event
    def hover(self, index: int):
        self.selected = index

    @rx.event
    def choose(self, index: int):
        return self._open(index)

    def _open(self, index: int):
        if not 0 <= index < len(self.palette_results):
            return None
        self.palette_open = False
        return rx.redirect(self.palette_results[index].href)

    @rx.event(background=True)
    async def search_palette(self):
        async with self:
            self._generation += 1
            generation, query = self._generation, self.palette_query.strip()
            if not query:
                self.palette_results, self.palette_error, self.palette_searched = [], "", ""
                self.palette_searching = False
                return
            self.palette_searching = True
            user = await self.current_user()
        results, error, _ = await search_views(
            user, query, limit=PALETTE_LIMIT, max_chars=PALETTE_SNIPPET_CHARS
        )
        async with self:
            if generation != self._generation:
                return
            self.palette_results, self.palette_error, self.selected = results, error, 0
            self.palette_searched, self.palette_searching = query, False
