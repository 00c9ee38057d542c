"""Peak memory and time of rendering one PDF page for the viewer, capped and uncapped.

Usage: python -m bench.viewer_pages

Each render runs in a fresh process, and its peak resident memory above a process that only
opened the page is reported. Baseline, in the same run: the renderer before the pixel cap
(PDFium at the scale asked for, the PNG built from whole-image copies). The uncapped renderer
is not run where it would need several gigabytes; its bitmap alone is printed instead.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

from lumikb_app.services.documents import pdf_pages
from tests.pdf_factory import make_pdf

CASES = [  # (page side in points, or None for US Letter; scale the viewer asks for)
    (None, 3.0),
    (4000, 3.0),
    (14400, 1.5),
    (14400, 3.0),
]
UNCAPPED_LIMIT_BYTES = 600_000_000  # larger uncapped bitmaps are computed, not allocated


def _uncapped_png(path: Path, scale: float) -> bytes:
    """The renderer as it was: full scale, then whole-image copies for the PNG rows."""
    import numpy as np

    with pdf_pages._open_page(path, 1) as page:
        pixels = page.render(scale=scale, rev_byteorder=True).to_numpy()
        height, width = pixels.shape[:2]
        rows = np.concatenate([np.zeros((height, 1), np.uint8), pixels.reshape(height, -1)], 1)
        return zlib.compress(rows.tobytes(), 3)


def _child(mode: str, path: str, scale: float) -> None:
    import resource

    with pdf_pages._open_page(Path(path), 1):
        pass  # libraries loaded and the page parsed: the baseline of this process
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    if mode == "capped":
        png = pdf_pages.render_png(Path(path), 1, scale)
    elif mode == "uncapped":
        png = _uncapped_png(Path(path), scale)
    else:
        png = b""
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"mb": (peak - before) / 1024, "s": seconds, "png": len(png)}))


def _measure(mode: str, path: Path, scale: float) -> dict:
    code = f"from bench.viewer_pages import _child; _child({mode!r}, {str(path)!r}, {scale})"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    print(f"pixel cap: {pdf_pages.MAX_PAGE_PIXELS / 1e6:.0f} MP")
    print(
        f"{'page (points)':>16} {'scale':>5}  {'renderer':>9} {'pixels':>12} {'peak MB':>8} {'s':>6}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for side, scale in CASES:
            size = (612, 792) if side is None else (side, side)
            path = Path(tmp) / f"page-{size[0]}.pdf"
            path.write_bytes(make_pdf([["A page of text for the viewer."]], page_size=size))
            label = f"{size[0]}x{size[1]}"
            full = round(size[0] * scale) * round(size[1] * scale)
            if full * 3 <= UNCAPPED_LIMIT_BYTES:
                old = _measure("uncapped", path, scale)
                print(
                    f"{label:>16} {scale:>5} {'uncapped':>9} {full:>12,} {old['mb']:>8.0f} {old['s']:>6.2f}"
                )
            else:
                print(
                    f"{label:>16} {scale:>5} {'uncapped':>9} {full:>12,} {'>' + str(full * 3 // 2**20):>8} {'-':>6}  (bitmap alone; not run)"
                )
            fitted = pdf_pages.render_scale(size, scale)
            pixels = round(size[0] * fitted) * round(size[1] * fitted)
            new = _measure("capped", path, scale)
            print(
                f"{label:>16} {scale:>5} {'capped':>9} {pixels:>12,} {new['mb']:>8.0f} {new['s']:>6.2f}"
            )


if __name__ == "__main__":
    main()
