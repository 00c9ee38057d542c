"""Each export as a person would see it: the Word file and the filled-in questionnaire opened by
LibreOffice (headless) and printed to PDF, the PDF and the Markdown (as HTML) likewise, every
page rendered to PNG with pypdfium2 under test-artifacts/drafting-export-*.png to look at.
A page must carry text, and each file has the pages it should. `make test` installs LibreOffice
(soffice); without it these tests fail rather than skip."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pypdfium2 as pdfium
from markdown_it import MarkdownIt

from lumikb_app.db.tables import DraftSection
from lumikb_app.services.drafting import questionnaire_read
from lumikb_app.services.drafting.export_docx import render_docx
from lumikb_app.services.drafting.export_markdown import render_markdown
from lumikb_app.services.drafting.export_pdf import render_pdf
from lumikb_app.services.drafting.questionnaire_export import fill_questionnaire
from lumikb_app.services.drafting.questionnaire_mapping import questions
from tests.conftest import CORPORA, PROJECT_ROOT
from tests.unit.drafting.export_samples import BASE_URL, document, sections

ARTIFACTS = PROJECT_ROOT / "test-artifacts"
PEPS = CORPORA / "questionnaire" / "peps-questionnaire.xlsx"


def soffice_pdf(source: Path) -> Path:
    """LibreOffice's PDF of `source`, with a profile of its own (tests may run side by side)."""
    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice is missing: `make test` installs libreoffice-writer-nogui"
    profile = (source.parent / "lo-profile").as_uri()
    subprocess.run(
        [soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(source.parent), str(source)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    return source.with_suffix(".pdf")


def screenshots(pdf: Path, name: str) -> list[float]:
    """Each page to test-artifacts/drafting-export-<name>-<page>.png; the share of each page
    that is ink (darker than light grey)."""
    ARTIFACTS.mkdir(exist_ok=True)
    for old in ARTIFACTS.glob(f"drafting-export-{name}-*.png"):
        old.unlink()  # a shorter printout leaves no stale pages behind
    inked = []
    document = pdfium.PdfDocument(str(pdf))
    try:
        for number, page in enumerate(document, start=1):
            picture = page.render(scale=1.4).to_pil()
            picture.save(ARTIFACTS / f"drafting-export-{name}-{number}.png")
            image = picture.convert("L")
            dark = sum(count for level, count in enumerate(image.histogram()) if level < 200)
            inked.append(dark / (image.width * image.height))
    finally:
        document.close()
    return inked


def assert_pages(inked: list[float], pages: int) -> None:
    assert len(inked) == pages, inked
    assert all(share > 0.003 for share in inked), inked  # no blank page


def test_the_word_export_prints_with_its_footnotes(tmp_path):
    path = tmp_path / "draft.docx"
    path.write_bytes(render_docx(document()))
    pdf = soffice_pdf(path)
    assert_pages(screenshots(pdf, "docx"), 2)
    text = pdfium.PdfDocument(str(pdf))[0].get_textpage().get_text_range()
    assert "pep-0008.txt, page 3 (Engineering)" in text  # the footnotes print on page 1


def test_the_pdf_export(tmp_path):
    path = tmp_path / "draft.pdf"
    path.write_bytes(render_pdf(document()))
    assert_pages(screenshots(path, "pdf"), 2)


def test_the_markdown_export_as_a_viewer_shows_it(tmp_path):
    markdown = render_markdown(document()).decode("utf-8")
    html = MarkdownIt("commonmark").enable("table").render(markdown)
    path = tmp_path / "draft.html"
    path.write_text(f"<html><meta charset='utf-8'><body>{html}</body></html>", encoding="utf-8")
    assert_pages(screenshots(soffice_pdf(path), "md"), 2)


def test_the_filled_in_questionnaire_prints(tmp_path):
    data = PEPS.read_bytes()
    parsed = questionnaire_read.parse(PEPS.name, data)
    answers = sections()
    filled = [
        DraftSection(
            draft_id="d", position=i, title=q.title, row=q.row,
            content=answers[i % 2].content, sources=answers[i % 2].sources,
        )
        for i, q in enumerate(questions(parsed.tables, parsed.suggested))
    ]  # fmt: skip
    path = tmp_path / "questionnaire.xlsx"
    path.write_bytes(
        fill_questionnaire(parsed.format, data, parsed.suggested.to_dict(), filled, BASE_URL)
    )
    pdf = soffice_pdf(path)
    inked = screenshots(pdf, "xlsx")
    # One page wide: the 20 rows print on at most 4 pages (column by column, they took 20).
    assert 1 <= len(inked) <= 4, inked
    assert all(share > 0.0005 for share in inked), inked  # a sparse sheet, but no blank page
    printed = pdfium.PdfDocument(str(pdf))
    text = " ".join(page.get_textpage().get_text_range() for page in printed)
    assert "Use 4 spaces per indentation level" in " ".join(text.split())
