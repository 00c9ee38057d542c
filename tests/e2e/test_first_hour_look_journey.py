"""The first hour's look: a newcomer signs in and opens home, a knowledge base, search (with
results), a document and chat on a desktop (1440×900) and on a phone (390×844). Every page fits
the screen, its content has the width, the sidebar is a menu sheet on the phone, dark mode follows
the system and the toggle, an unknown address gets a page of its own, the browser finds a favicon,
and axe-core finds no serious or critical problem. Screenshots: test-artifacts/first-hour-*.png.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect

from tests.e2e.accessibility import (
    DESKTOP,
    PHONE,
    TABLET,
    assert_accessible,
    page_fits_width,
    screenshot,
)
from tests.e2e.conftest import wait_for_hydration
from tests.e2e.helpers import login

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]  # the first test may wait for a build

SEARCH_QUERY = "hardware key stored in the vault"


@dataclass(frozen=True)
class Stop:
    name: str
    path: str  # {kb_id}, {doc_id} filled from the seeded app
    ready: str  # a testid that shows once the page has its content


STOPS = (
    Stop("home", "/", "main-pane"),
    Stop("kb", "/kb/{kb_id}", "kb-page"),
    Stop("search", "/search?q=" + SEARCH_QUERY.replace(" ", "+"), "search-result"),
    Stop("viewer", "/view/{doc_id}", "page-title"),
    Stop("chat", "/chat", "chat-page"),
)
SIZES = {"desktop": DESKTOP, "phone": PHONE}


def _visit(page, app, stop: Stop) -> None:
    page.goto(stop.path.format(kb_id=app.kb_id, doc_id=app.markdown_doc_id))
    wait_for_hydration(page)
    expect(page.get_by_test_id("shell")).to_be_visible()
    expect(page.get_by_test_id(stop.ready).first).to_be_visible()


def _settled(page) -> None:
    """Transitions and fades finished: what a screenshot or a colour check should see."""
    page.wait_for_function("() => document.getAnimations().every((a) => a.playState !== 'running')")


def _width(locator) -> float:
    box = locator.bounding_box()
    assert box is not None
    return box["width"]


def _on_top(locator) -> bool:
    """Nothing covers the middle of the element (a drawer or an overlay would)."""
    return locator.evaluate(
        "(el) => { const r = el.getBoundingClientRect();"
        " const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);"
        " return hit !== null && (el === hit || el.contains(hit)); }"
    )


def _content_fits(page) -> bool:
    """Nothing in the main pane is cut off or needs the pane itself scrolled sideways (a wide
    table scrolls inside its own box instead)."""
    return page.get_by_test_id("main-pane").evaluate("(el) => el.scrollWidth <= el.clientWidth + 1")


def _is_dark(page) -> bool:
    """The main pane's background is dark (luminance of its computed colour under 0.3)."""
    return page.get_by_test_id("main-pane").evaluate(
        "(el) => { const [r, g, b] = getComputedStyle(el).backgroundColor.match(/[\\d.]+/g)"
        ".map(Number); return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255 < 0.3; }"
    )


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("stop", STOPS, ids=lambda s: s.name)
def test_each_main_page_fits_the_screen_and_passes_axe(page, app_server, stop, size):
    viewport = SIZES[size]
    page.set_viewport_size(viewport)
    login(page, app_server.email, app_server.password)
    _visit(page, app_server, stop)
    _settled(page)
    screenshot(page, f"first-hour-{stop.name}")

    assert page_fits_width(page), f"{stop.name} is wider than a {viewport['width']} px screen"
    assert _content_fits(page), (
        f"{stop.name}'s content is wider than a {viewport['width']} px screen"
    )
    expect(page.locator("main#main-content")).to_have_count(1)
    expect(page.locator("header").first).to_be_visible()
    if size == "phone":
        expect(page.get_by_test_id("sidebar")).to_be_hidden()
        expect(page.get_by_role("button", name="Open menu")).to_be_visible()
        # The content has the width: no sidebar column beside it.
        assert _width(page.get_by_test_id("main-pane")) >= viewport["width"] - 1
        if stop.name == "chat":  # messages first: the question box is on top, not covered
            assert _on_top(page.get_by_test_id("chat-input")), "chat's question box is covered"
    else:
        expect(page.get_by_role("navigation", name="Main")).to_be_visible()
        expect(page.get_by_role("button", name="Open menu")).to_be_hidden()
    assert_accessible(page, f"{stop.name} at {viewport['width']} px")


def test_a_tablet_held_upright_gets_the_whole_width_too(page, app_server):
    page.set_viewport_size(TABLET)
    login(page, app_server.email, app_server.password)
    for stop in STOPS:
        _visit(page, app_server, stop)
        assert page_fits_width(page), f"{stop.name} is wider than a 768 px screen"
        assert _content_fits(page), f"{stop.name}'s content is wider than a 768 px screen"
        expect(page.get_by_role("button", name="Open menu")).to_be_visible()
    _settled(page)
    screenshot(page, "first-hour-chat-tablet")


def test_on_a_phone_the_menu_button_opens_the_navigation_and_closes_it(page, app_server):
    app = app_server
    page.set_viewport_size(PHONE)
    login(page, app.email, app.password)
    expect(page.get_by_test_id("sidebar")).to_be_hidden()

    # Keyboard first: Tab reaches "Skip to content", then the menu button, with a visible focus.
    page.keyboard.press("Tab")
    expect(page.get_by_test_id("skip-link")).to_be_focused()
    page.keyboard.press("Tab")
    menu = page.get_by_role("button", name="Open menu")
    expect(menu).to_be_focused()
    assert menu.evaluate(  # a focus ring a sighted keyboard user sees
        "(el) => el.matches(':focus-visible') && getComputedStyle(el).outlineStyle !== 'none'"
        " && parseFloat(getComputedStyle(el).outlineWidth) >= 1"
    )
    page.keyboard.press("Enter")
    sheet = page.get_by_role("dialog", name="Menu")
    expect(sheet).to_be_visible()
    expect(sheet.get_by_role("navigation", name="Main")).to_be_visible()
    expect(sheet.get_by_test_id("sidebar-kb").filter(has_text=app.kb_name)).to_be_visible()
    _settled(page)
    screenshot(page, "first-hour-menu-open")
    assert_accessible(page, "the phone's menu sheet")
    page.keyboard.press("Escape")
    expect(sheet).to_be_hidden()
    expect(menu).to_be_focused()  # the focus comes back to the button that opened it

    menu.click()
    expect(sheet).to_be_visible()
    sheet.get_by_role("button", name="Close menu").click()
    expect(sheet).to_be_hidden()

    menu.click()
    sheet.get_by_test_id("nav-search").click()
    page.wait_for_url("**/search")
    expect(page.get_by_test_id("page-title")).to_have_text("Search")
    expect(page.get_by_role("dialog", name="Menu")).to_have_count(0)

    # A link to the page already shown closes the sheet too.
    menu.click()
    page.get_by_role("dialog", name="Menu").get_by_test_id("nav-search").click()
    expect(page.get_by_role("dialog", name="Menu")).to_have_count(0)


def test_skip_link_takes_the_keyboard_to_the_content(page, app_server):
    page.set_viewport_size(DESKTOP)
    login(page, app_server.email, app_server.password)
    page.keyboard.press("Tab")
    skip = page.get_by_test_id("skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()  # out of sight until focused, then on screen
    page.keyboard.press("Enter")
    expect(page.locator("main#main-content")).to_be_focused()


def test_dark_mode_follows_the_system_and_the_toggle(page, app_server):
    app = app_server
    page.emulate_media(color_scheme="dark")
    page.set_viewport_size(DESKTOP)
    login(page, app.email, app.password)
    toggle = page.get_by_role("button", name="Dark mode")
    expect(page.locator("html")).to_have_class(re.compile(r"\bdark\b"))
    expect(toggle).to_have_attribute("aria-pressed", "true")
    assert _is_dark(page)

    for size, viewport in SIZES.items():
        page.set_viewport_size(viewport)
        for stop in STOPS:
            _visit(page, app, stop)
            _settled(page)
            assert _is_dark(page), f"{stop.name} is not dark on the {size}"
            screenshot(page, f"first-hour-dark-{stop.name}")
            assert_accessible(page, f"{stop.name} in dark mode at {viewport['width']} px")

    page.set_viewport_size(DESKTOP)
    toggle.click()
    expect(page.locator("html")).to_have_class(re.compile(r"\blight\b"))
    expect(toggle).to_have_attribute("aria-pressed", "false")
    _settled(page)
    assert not _is_dark(page)
    page.reload()  # the choice stays, over the system's preference
    wait_for_hydration(page)
    expect(page.locator("html")).to_have_class(re.compile(r"\blight\b"))
    toggle.click()
    expect(page.locator("html")).to_have_class(re.compile(r"\bdark\b"))


def test_an_unknown_address_gets_a_page_with_the_way_home(page, app_server):
    page.set_viewport_size(DESKTOP)
    login(page, app_server.email, app_server.password)
    page.goto("/no-such-page/here")
    wait_for_hydration(page)
    expect(page.get_by_test_id("not-found")).to_be_visible()
    expect(page.get_by_test_id("page-title")).to_have_text("Page not found")
    expect(page.get_by_test_id("not-found-path")).to_have_text("/no-such-page/here")
    expect(page.get_by_test_id("top-bar")).to_be_visible()  # inside the shell
    assert page.title() == "Page not found · LumiKB"
    screenshot(page, "first-hour-not-found")
    assert_accessible(page, "the not-found page")
    page.set_viewport_size(PHONE)
    assert page_fits_width(page)
    screenshot(page, "first-hour-not-found")

    page.get_by_test_id("not-found-home").click()
    page.wait_for_url(app_server.base_url + "/")
    expect(page.get_by_test_id("main-pane")).to_contain_text(f"Welcome, {app_server.user_name}")


def test_the_browser_finds_a_favicon(page, app_server):
    missing: list[str] = []
    page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
    login(page, app_server.email, app_server.password)
    page.wait_for_load_state("networkidle")
    assert missing == [], f"the browser asked for what is not there: {missing}"
    icon = page.request.get("/favicon.ico")
    assert icon.status == 200
    assert icon.body()[:4] == b"\x00\x00\x01\x00"  # an ICO file


OTHER_PAGES = (
    "/account",
    "/graph",
    "/kb/{kb_id}/settings",
    "/admin",
    "/admin/console",
    "/admin/models",
    "/admin/users",
    "/admin/audit",
)


@pytest.mark.parametrize("size", ["phone", "tablet"])
def test_every_other_page_fits_a_phone_and_a_tablet(page, app_server, size):
    """The rest of the app, as an administrator (who sees every page): wide tables scroll
    sideways inside their own box, never the whole page."""
    page.set_viewport_size({"phone": PHONE, "tablet": TABLET}[size])
    login(page, app_server.admin_email, app_server.admin_password)
    too_wide = []
    for path in OTHER_PAGES:
        page.goto(path.format(kb_id=app_server.kb_a_id))
        wait_for_hydration(page)
        expect(page.get_by_test_id("main-pane")).to_be_visible()
        expect(page.get_by_test_id("pane-loading")).to_have_count(0)
        if not (page_fits_width(page) and _content_fits(page)):
            too_wide.append(path)
        _settled(page)
        screenshot(page, "first-hour-other" + path.replace("/", "-").replace("{kb_id}", "kb"))
    assert too_wide == [], f"wider than the screen: {too_wide}"
