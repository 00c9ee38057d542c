"""What the filled-in copy of a workbook will not keep, said in the preview before import.

openpyxl, which fills the workbook, keeps styles, widths, merged cells, comments, pictures,
charts and other sheets, but drops drawn shapes and text boxes, threaded comments (their
plain-note copies stay) and slicers. A Word document is filled by python-docx, which keeps
every part it does not touch.
"""

from __future__ import annotations

import io
import re
import zipfile

from lumikb_app.domain.drafting import QuestionnaireFormat

SHAPE = re.compile(rb"<(?:\w+:)?sp[\s>]")  # a drawn shape or text box in a drawing part
LOST_PARTS = (
    ("xl/threadedComments/", "Threaded comments are kept only as plain notes."),
    ("xl/slicers/", "Slicers are not kept."),
)
SHAPES_NOTE = "Shapes and text boxes drawn on the sheets are not kept."


def notes(fmt: QuestionnaireFormat, data: bytes) -> list[str]:
    """Sentences for the person importing: what the filled-in copy will lack. The file has
    passed the package checks (sizes bounded) before this reads it."""
    if fmt is not QuestionnaireFormat.xlsx:
        return []
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        names = package.namelist()
        found = [note for prefix, note in LOST_PARTS if any(n.startswith(prefix) for n in names)]
        drawings = [n for n in names if n.startswith("xl/drawings/") and n.endswith(".xml")]
        if any(SHAPE.search(package.read(name)) for name in drawings):
            found.insert(0, SHAPES_NOTE)
    return found
