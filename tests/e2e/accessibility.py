"""Accessibility and look checks the journeys share: axe-core (from the npm registry, installed by
the Makefile into tools/) run inside the page, and screenshots at a desktop and a phone size."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.conftest import ARTIFACTS

AXE_JS = Path(__file__).resolve().parents[2] / "tools" / "node_modules" / "axe-core" / "axe.min.js"
DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
TABLET = {"width": 768, "height": 1024}
BLOCKING = ("serious", "critical")


def axe_violations(page, impacts: tuple[str, ...] = BLOCKING) -> list[dict]:
    """The page's axe-core violations of the given impacts, each as {id, impact, help, targets}."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate(
        "async () => { const r = await window.axe.run(document, {resultTypes: ['violations']});"
        " return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " targets: v.nodes.slice(0, 5).map(n => n.target.join(' '))})); }"
    )
    return [v for v in result if v["impact"] in impacts]


def assert_accessible(page, where: str) -> None:
    """No serious or critical axe-core violation on the page as it is now."""
    found = axe_violations(page)
    assert not found, f"axe-core on {where}: " + "; ".join(
        f"{v['id']} ({v['impact']}): {v['help']} at {v['targets']}" for v in found
    )


def screenshot(page, name: str) -> Path:
    """A full-page screenshot in test-artifacts/, named for the page and the viewport's width."""
    width = page.viewport_size["width"] if page.viewport_size else 0
    path = ARTIFACTS / f"{name}-{width}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    return path


def page_fits_width(page) -> bool:
    """Nothing makes the page wider than the viewport (no sideways scrolling of the whole page)."""
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")
