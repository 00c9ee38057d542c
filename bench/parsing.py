"""PDF text extraction candidates side by side, then parsing + chunking speed on the PEPs.

Usage: python -m bench.parsing [PEPS]   (default 100 PEPs)

Part 1 runs pypdf and pypdfium2 over every file of the shared pdf-samples corpus and prints,
per library: pages/s, pages that yield words, and quality signs (noise characters, unexpanded
ligatures, words left hyphenated across a line break), plus the word agreement between both.
Part 2 parses PEPs with the rst parser (docutils) next to the plain-text parser, then chunks
them with the structure-aware chunker next to naive fixed-size character windows.
"""

from __future__ import annotations

import logging
import re
import sys
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from lumikb_app.services.documents.chunking import chunk
from lumikb_app.services.documents.parsing import RST, TEXT, parse

CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"
PDF_SAMPLES = CORPORA / "pdf-samples"
PEPS = CORPORA / "peps"
_WORDS = re.compile(r"\w+")
_HYPHEN_BREAK = re.compile(r"\w-\s*\n\s*[a-z]")


@dataclass
class Extraction:
    seconds: float = 0.0
    pages: int = 0
    text_pages: int = 0
    chars: int = 0
    noise: int = 0
    ligatures: int = 0
    hyphen_breaks: int = 0
    failures: list[str] = field(default_factory=list)
    words: dict[str, set[str]] = field(default_factory=dict)


def pypdf_pages(path: Path) -> list[str]:
    import pypdf

    reader = pypdf.PdfReader(str(path))
    if reader.is_encrypted and not reader.decrypt(""):
        raise ValueError("encrypted")
    return [page.extract_text() or "" for page in reader.pages]


def pypdfium2_pages(path: Path) -> list[str]:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(path))
    try:
        pages = []
        for index in range(len(document)):
            text_page = document[index].get_textpage()
            pages.append(text_page.get_text_bounded().replace("\r\n", "\n").replace("\x02", ""))
            text_page.close()
        return pages
    finally:
        document.close()


CANDIDATES: dict[str, Callable[[Path], list[str]]] = {
    "pypdf": pypdf_pages,
    "pypdfium2": pypdfium2_pages,
}


def measure(extract: Callable[[Path], list[str]], files: list[Path]) -> Extraction:
    result = Extraction()
    for path in files:
        started = time.perf_counter()
        try:
            pages = extract(path)
        except Exception as error:  # each library raises its own kinds
            result.failures.append(f"{path.name}: {type(error).__name__}")
            continue
        finally:
            result.seconds += time.perf_counter() - started
        _score(result, path.name, pages)
    return result


def _score(result: Extraction, name: str, pages: list[str]) -> None:
    text = "\n".join(pages)
    result.pages += len(pages)
    result.text_pages += sum(1 for page in pages if _WORDS.search(page))
    result.chars += len(text)
    result.noise += sum(1 for ch in text if _is_noise(ch))
    result.ligatures += sum(1 for ch in text if "\ufb00" <= ch <= "\ufb06")
    result.hyphen_breaks += len(_HYPHEN_BREAK.findall(text))
    result.words[name] = set(_WORDS.findall(text.lower()))


def _is_noise(ch: str) -> bool:
    category = unicodedata.category(ch)
    return ch == "\ufffd" or category in ("Co", "Cn") or (category == "Cc" and ch not in "\n\t\r")


def pdf_table(files: list[Path]) -> dict[str, Extraction]:
    results = {name: measure(extract, files) for name, extract in CANDIDATES.items()}
    print(f"PDF extraction over {len(files)} files in {PDF_SAMPLES}")
    print(
        f"{'library':<10} {'pages':>5} {'s':>6} {'pages/s':>8} {'w/text':>6} {'chars':>7} "
        f"{'noise':>5} {'ligat.':>6} {'hyph.':>5} failures"
    )
    for name, r in results.items():
        rate = r.pages / r.seconds if r.seconds else 0.0
        print(
            f"{name:<10} {r.pages:>5} {r.seconds:>6.2f} {rate:>8.1f} {r.text_pages:>6} {r.chars:>7} "
            f"{r.noise:>5} {r.ligatures:>6} {r.hyphen_breaks:>5} {', '.join(r.failures) or '-'}"
        )
    _print_agreement(results)
    return results


def _print_agreement(results: dict[str, Extraction]) -> None:
    first, second = (results[name] for name in CANDIDATES)
    shared = sorted(set(first.words) & set(second.words))
    scores = [_jaccard(first.words[name], second.words[name]) for name in shared]
    low = [f"{name} {score:.2f}" for name, score in zip(shared, scores, strict=True) if score < 0.9]
    mean = sum(scores) / len(scores) if scores else 0.0
    print(f"word agreement pypdf/pypdfium2: mean {mean:.2f}; below 0.9: {', '.join(low) or '-'}")


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 1.0


def naive_windows(text: str, size: int = 1200, overlap: int = 200) -> list[str]:
    """Baseline: fixed character windows, blind to sentences and sections."""
    step = size - overlap
    return [text[start : start + size] for start in range(0, max(len(text) - overlap, 1), step)]


def pep_table(count: int) -> None:
    files = sorted(PEPS.glob("*.rst"))[:count]
    started = time.perf_counter()
    documents = [parse(path, RST) for path in files]
    rst_seconds = time.perf_counter() - started
    started = time.perf_counter()
    plain = [parse(path, TEXT) for path in files]
    text_seconds = time.perf_counter() - started
    print(f"\nParsing {len(files)} PEPs")
    print(f"  rst (docutils)      {len(files) / rst_seconds:8.1f} docs/s")
    print(f"  plain text baseline {len(files) / text_seconds:8.1f} docs/s")
    chunk_seconds = _chunk_rows(documents, plain)
    total = sum(len(chunk(document)) for document in documents)
    rate = total / (rst_seconds + chunk_seconds)
    print(f"  parse + chunk PEPs end to end: {rate:.0f} chunks/s")


def _chunk_rows(documents, plain) -> float:
    started = time.perf_counter()
    chunks = [piece for document in documents for piece in chunk(document)]
    chunk_seconds = time.perf_counter() - started
    started = time.perf_counter()
    windows = [w for document in plain for w in naive_windows(document.full_text)]
    window_seconds = time.perf_counter() - started
    print("Chunking (300 tokens, 50 overlap) vs naive 1200-char windows (200 overlap)")
    print(f"  {'chunker':<22} {'chunks':>7} {'chunks/s':>10} {'end at sentence':>16}")
    texts = [c.text for c in chunks]
    for name, pieces, seconds in (
        ("structure-aware", texts, chunk_seconds),
        ("naive char windows", windows, window_seconds),
    ):
        rate = len(pieces) / seconds if seconds else float("inf")
        print(f"  {name:<22} {len(pieces):>7} {rate:>10.0f} {_sentence_end_share(pieces):>15.0%}")
    return chunk_seconds


def _sentence_end_share(pieces: list[str]) -> float:
    """Share of chunks whose last character closes a sentence or a statement."""
    ends = sum(1 for piece in pieces if piece.rstrip()[-1:] in ".!?:;)]\"'`")
    return ends / len(pieces) if pieces else 0.0


def main(peps: int = 100) -> None:
    logging.disable(logging.WARNING)  # pypdf logs every repaired xref
    pdf_table(sorted(PDF_SAMPLES.rglob("*.pdf")))
    pep_table(peps)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100)
