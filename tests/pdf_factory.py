"""Small valid PDFs written by hand, for tests of parsing, chunking, the viewer and e2e seeding."""

from __future__ import annotations

from collections.abc import Sequence


def make_pdf(
    pages: list[list[str]],
    *,
    title: str | None = None,
    outline: Sequence[tuple[str, int]] = (),
    page_size: tuple[int, int] = (612, 792),
) -> bytes:
    """A minimal valid PDF: one Helvetica text line per entry, each page its own content stream.

    A page given as an empty list gets a drawn line and no text at all. ``outline`` adds
    top-level bookmarks (title, 1-based page), which the parser reads as headings. Every page
    is ``page_size`` points (width, height); text starts 32 points below its top edge."""
    bodies: dict[int, bytes] = {3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"}
    kids = []
    for index, lines in enumerate(pages):
        page_number, content_number = 4 + 2 * index, 5 + 2 * index
        kids.append(f"{page_number} 0 R")
        shown = " ".join(f"({_pdf_escape(line)}) Tj T*" for line in lines)
        top = page_size[1] - 32
        stream = f"BT /F1 11 Tf 14 TL 72 {top} Td {shown} ET" if lines else "72 72 m 300 300 l S"
        bodies[page_number] = (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {page_size[0]} {page_size[1]}] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {content_number} 0 R >>"
        ).encode()
        bodies[content_number] = (
            f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream".encode()
        )
    bodies[2] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(pages)} >>".encode()
    outlines = _add_outline(bodies, outline)
    bodies[1] = f"<< /Type /Catalog /Pages 2 0 R{outlines} >>".encode()
    info = ""
    if title:
        info_number = max(bodies) + 1
        bodies[info_number] = f"<< /Title ({_pdf_escape(title)}) >>".encode()
        info = f" /Info {info_number} 0 R"
    return _pdf_file(bodies, info)


def _add_outline(bodies: dict[int, bytes], outline: Sequence[tuple[str, int]]) -> str:
    """Write the outline objects; return the catalog entry that points at them ("" for none)."""
    if not outline:
        return ""
    root = max(bodies) + 1
    items = [root + 1 + index for index in range(len(outline))]
    bodies[root] = (
        f"<< /Type /Outlines /First {items[0]} 0 R /Last {items[-1]} 0 R /Count {len(items)} >>"
    ).encode()
    for index, (heading, page) in enumerate(outline):
        links = f" /Prev {items[index - 1]} 0 R" if index else ""
        links += f" /Next {items[index + 1]} 0 R" if index + 1 < len(items) else ""
        bodies[items[index]] = (
            f"<< /Title ({_pdf_escape(heading)}) /Parent {root} 0 R{links} "
            f"/Dest [{4 + 2 * (page - 1)} 0 R /XYZ 0 792 0] >>"
        ).encode()
    return f" /Outlines {root} 0 R"


def _pdf_file(bodies: dict[int, bytes], info: str) -> bytes:
    out, offsets = b"%PDF-1.4\n", {}
    for number in sorted(bodies):
        offsets[number] = len(out)
        out += f"{number} 0 obj\n".encode() + bodies[number] + b"\nendobj\n"
    size = max(bodies) + 1
    xref = len(out)
    out += f"xref\n0 {size}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offsets[n]:010d} 00000 n \n".encode() for n in range(1, size))
    out += f"trailer\n<< /Size {size} /Root 1 0 R{info} >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


def _pdf_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


# A three-page handbook whose page 2 holds the release checklist: the e2e seed and viewer tests.
HANDBOOK_PAGES = [
    [
        "Welcome",
        "This handbook explains how the engineering team plans, builds and ships.",
        "Read it during your first week and ask your mentor about anything unclear.",
        "Teams meet every Monday to agree on the goals for the week ahead.",
    ],
    [
        "Release checklist",
        "Release builds are signed with the hardware key stored in the vault.",
        "The on-call engineer approves every production deploy before it starts.",
        "Rollbacks are rehearsed once a quarter so that nobody learns them live.",
    ],
    [
        "Incident response",
        "Page the incident commander first, then open a shared incident channel.",
        "Write the timeline as you go; the review happens within five working days.",
    ],
]
HANDBOOK_OUTLINE = (("Welcome", 1), ("Release checklist", 2), ("Incident response", 3))
HANDBOOK_PASSAGE = " ".join(HANDBOOK_PAGES[1][1:3])
HANDBOOK_PASSAGE_PAGE = 2


def handbook_pdf() -> bytes:
    return make_pdf(HANDBOOK_PAGES, title="Engineering Handbook", outline=HANDBOOK_OUTLINE)
