"""One PDF page for the viewer: rendered to PNG, and where a passage sits on it.

The passage is found in the page's own character list (PDFium's text page), so each matched
character has a box. Both texts are compared as lowercase letters and digits only: line breaks,
hyphenation at line ends and spacing differ between the parsed text and the page's characters.
Boxes are returned in percent of the rendered page, so they overlay the image at any size.
A page is never rendered past MAX_PAGE_PIXELS: a huge page (PDF allows 200 x 200 inches) comes
out at a lower scale instead of taking gigabytes, and the PNG is compressed band by band.
"""

from __future__ import annotations

import math
import struct
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

# PDFium is not thread-safe: every call into it holds the parser's process-wide lock.
from lumikb_app.services.documents.parsing.pdf import _PDFIUM_LOCK

MIN_MATCH_CHARS = 24  # shorter common runs are coincidence, not the passage
_PROBE_STEP = 40  # chunk offsets tried as the start of the on-page part
_DEVICE_SCALE = 10  # virtual device pixels per PDF point, for precise percent boxes
# 12 MP (36 MB of RGB): an A3 page at the viewer's largest scale (3) is 9.4 MP.
MAX_PAGE_PIXELS = 12_000_000
_BAND_ROWS = 256  # rows filtered and compressed at a time


@dataclass(frozen=True)
class Box:
    """A highlight rectangle in percent of the page's width and height, from the top left."""

    left: float
    top: float
    width: float
    height: float


@contextmanager
def _open_page(path: Path, page_number: int) -> Iterator:
    """The page (1-based) of the PDF at ``path``, open while the PDFium lock is held."""
    import pypdfium2 as pdfium

    with _PDFIUM_LOCK:
        document = pdfium.PdfDocument(str(path))
        try:
            page = document[page_number - 1]
            try:
                yield page
            finally:
                page.close()
        finally:
            document.close()


def page_size(path: Path, page_number: int) -> tuple[float, float]:
    """Width and height of the page (1-based) as shown, in PDF points."""
    with _open_page(path, page_number) as page:
        return page.get_size()


def render_png(path: Path, page_number: int, scale: float) -> bytes:
    """The page (1-based) as a PNG, ``scale`` pixels per PDF point, or fewer for a page so
    large that it would pass MAX_PAGE_PIXELS."""
    with _open_page(path, page_number) as page:
        fitted = render_scale(page.get_size(), scale)
        bitmap = page.render(scale=fitted, rev_byteorder=True)  # RGB, no alpha
        pixels = bitmap.to_numpy()  # a view of its buffer: keep bitmap referenced until encoded
    return encode_png(pixels)


def render_scale(size: tuple[float, float], scale: float) -> float:
    """``scale``, lowered as far as a page of ``size`` points needs to stay in MAX_PAGE_PIXELS
    (whole pixels round up: one row and column are kept in hand)."""
    width, height = size
    fitting = math.sqrt(MAX_PAGE_PIXELS / max((width + 1) * (height + 1), 1.0))
    return min(scale, fitting * 0.999)


def encode_png(pixels) -> bytes:
    """An RGB (height x width x 3, uint8) array as a PNG file, without copying it whole."""
    height, width = pixels.shape[:2]

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"".join(
        [
            b"\x89PNG\r\n\x1a\n",
            chunk(b"IHDR", header),
            chunk(b"IDAT", _compressed_rows(pixels)),
            chunk(b"IEND", b""),
        ]
    )


def _compressed_rows(pixels) -> bytes:
    """PNG image data: each row prefixed with filter 0, deflated a band of rows at a time."""
    import numpy as np

    compressor = zlib.compressobj(3)  # 3x faster than 6, 2% larger
    parts = []
    for top in range(0, pixels.shape[0], _BAND_ROWS):
        band = pixels[top : top + _BAND_ROWS]
        rows = band.reshape(band.shape[0], -1)
        filtered = np.concatenate([np.zeros((rows.shape[0], 1), np.uint8), rows], axis=1)
        parts.append(compressor.compress(filtered.tobytes()))
    parts.append(compressor.flush())
    return b"".join(parts)


def passage_boxes(path: Path, page_number: int, passage: str) -> list[Box]:
    """Rectangles, one per line, of the part of ``passage`` printed on the page (or none)."""
    with _open_page(path, page_number) as page:
        text_page = page.get_textpage()
        try:
            return _boxes(page, text_page, passage)
        finally:
            text_page.close()


def _boxes(page, text_page, passage: str) -> list[Box]:
    import pypdfium2.raw as raw

    chars = [chr(raw.FPDFText_GetUnicode(text_page, i)) for i in range(text_page.count_chars())]
    page_key, page_index = _key(chars)
    passage_key, _ = _key(passage)
    found = _locate(page_key, passage_key)
    if found is None:
        return []
    first, last = _with_punctuation(chars, page_index[found[0]], page_index[found[1] - 1])
    char_boxes = [text_page.get_charbox(i) for i in range(first, last + 1)]
    lines = _lines([b for b in char_boxes if b[2] > b[0] and b[3] > b[1]])
    return _percent_boxes(lines, _page_to_device(page), _device_size(page))


def _with_punctuation(chars: list[str], first: int, last: int) -> tuple[int, int]:
    """Widen [first, last] to the punctuation touching it ("(", the final "." and the like)."""
    while first > 0 and _is_mark(chars[first - 1]):
        first -= 1
    while last + 1 < len(chars) and _is_mark(chars[last + 1]):
        last += 1
    return first, last


def _is_mark(ch: str) -> bool:
    return not ch.isalnum() and not ch.isspace() and ch.isprintable()


def _key(text) -> tuple[str, list[int]]:
    """Lowercase letters and digits only, with each kept character's index in ``text``."""
    kept = [(_lower(ch), i) for i, ch in enumerate(text) if ch.isalnum()]
    return "".join(ch for ch, _ in kept), [i for _, i in kept]


def _locate(page_key: str, passage_key: str) -> tuple[int, int] | None:
    """[start, end) in ``page_key`` of the longest run of the passage found on the page.

    The passage is one contiguous piece of the document, so its part on this page is one
    contiguous run: its start, its end, or a middle stretch when it runs over the whole page.
    Probing start offsets every few characters, and the passage's longest suffix on the page,
    finds each case."""
    tail = _longest_prefix_found(page_key[::-1], passage_key[::-1])
    runs = [(len(passage_key) - tail, tail)]
    for offset in range(0, max(1, len(passage_key) - MIN_MATCH_CHARS + 1), _PROBE_STEP):
        runs.append((offset, _longest_prefix_found(page_key, passage_key[offset:])))
    offset, length = max(runs, key=lambda run: run[1])
    if length < min(MIN_MATCH_CHARS, len(passage_key)) or length == 0:
        return None
    at = page_key.find(passage_key[offset : offset + length])
    while offset > 0 and at > 0 and passage_key[offset - 1] == page_key[at - 1]:
        offset, at, length = offset - 1, at - 1, length + 1
    return at, at + length


def _longest_prefix_found(haystack: str, needle: str) -> int:
    """The largest n such that needle[:n] occurs in haystack (binary search: it is monotone)."""
    low, high = 0, len(needle)
    while low < high:
        middle = (low + high + 1) // 2
        if needle[:middle] in haystack:
            low = middle
        else:
            high = middle - 1
    return low


def _device_size(page) -> tuple[int, int]:
    width, height = page.get_size()
    return round(width * _DEVICE_SCALE), round(height * _DEVICE_SCALE)


def _page_to_device(page):
    """PDFium's page-to-device transform (rotation and crop box applied), as a function.

    It is affine, so three mapped points give it; far apart, so pixel rounding vanishes."""
    from pypdfium2._helpers.bitmap import PdfPosConv

    conv = PdfPosConv(page, (0, 0, *_device_size(page), 0))
    span = 1000.0
    (ox, oy), (ax, ay), (bx, by) = (conv.to_bitmap(x, y) for x, y in ((0, 0), (span, 0), (0, span)))

    def to_device(x: float, y: float) -> tuple[float, float]:
        return (
            ox + ((ax - ox) * x + (bx - ox) * y) / span,
            oy + ((ay - oy) * x + (by - oy) * y) / span,
        )

    return to_device


def _lines(char_boxes: list[tuple[float, float, float, float]]) -> list[list[float]]:
    """Merge character boxes (PDF units, y up) into one box per printed line, in page space,
    where lines run left to right whatever the page's display rotation."""
    lines: list[list[float]] = []
    for left, bottom, right, top in char_boxes:
        line = lines[-1] if lines else None
        if line and line[1] <= (bottom + top) / 2 <= line[3] and left >= line[0]:
            line[:] = [line[0], min(line[1], bottom), max(line[2], right), max(line[3], top)]
        else:
            lines.append([left, bottom, right, top])
    return lines


def _percent_boxes(lines: list[list[float]], to_device, size: tuple[int, int]) -> list[Box]:
    width, height = size
    pad = 2  # points around the glyphs, so the mark covers the whole line
    boxes = []
    for left, bottom, right, top in lines:
        xs, ys = zip(
            to_device(left - pad, bottom - pad), to_device(right + pad, top + pad), strict=True
        )
        x0, y0 = max(0.0, min(xs)), max(0.0, min(ys))
        x1, y1 = min(float(width), max(xs)), min(float(height), max(ys))
        boxes.append(
            Box(
                left=round(x0 / width * 100, 3),
                top=round(y0 / height * 100, 3),
                width=round((x1 - x0) / width * 100, 3),
                height=round((y1 - y0) / height * 100, 3),
            )
        )
    return boxes


def _lower(ch: str) -> str:
    lowered = ch.lower()
    return lowered if len(lowered) == 1 else ch  # keep one character per index ("İ" stays)
