"""Parsing in warm child processes: the same result as parsing here, a hard time limit that
kills a stuck parser, reasons passed through, and children reused only while healthy."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from lumikb_app.services.documents.parsing import HTML, MARKDOWN, PDF, RST, ParseError, parse
from lumikb_app.services.documents.parsing.processes import ParserProcesses
from tests.conftest import CORPORA
from tests.integration.documents.ingest_helpers import wait_for
from tests.pdf_factory import handbook_pdf

pytestmark = pytest.mark.integration

HOURS = 3600.0  # a limit no test parse comes near


@pytest.fixture
def pool():
    processes = ParserProcesses()
    yield processes
    processes.close()


def _children() -> set[int]:
    """Live parser children of this process."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        parent = next(line for line in status.splitlines() if line.startswith("PPid:"))
        state = next(line for line in status.splitlines() if line.startswith("State:"))
        if (
            int(parent.split()[1]) == os.getpid()
            and b"parsing.processes" in command
            and "zombie" not in state
        ):
            found.add(int(entry.name))
    return found


def _slow_rst(path: Path, megabytes: int = 24) -> Path:
    """Plain reStructuredText that docutils needs several seconds for (about 3 s per 10 MB)."""
    paragraph = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod. " * 5
    sections = megabytes * 1_000_000 // (len(paragraph) * 10)
    body = "".join(f"S{i}\n------\n\n" + f"{paragraph}\n\n" * 10 for i in range(sections))
    path.write_text("Title\n=====\n\n" + body)
    return path


@pytest.mark.parametrize(
    ("name", "mime_type"),
    [("guide.md", MARKDOWN), ("pep-0008.rst", RST), ("page.html", HTML), ("handbook.pdf", PDF)],
)
def test_a_child_reads_a_file_exactly_as_this_process_does(pool, tmp_path, name, mime_type):
    path = tmp_path / name
    if mime_type == PDF:
        path.write_bytes(handbook_pdf())
    elif mime_type == RST:
        path.write_bytes((CORPORA / "peps" / "pep-0008.rst").read_bytes())
    elif mime_type == HTML:
        path.write_text("<html><title>T</title><body><h1>Head</h1><p>Some &amp; text</p></body>")
    else:
        path.write_text("# Guide\n\nFirst paragraph.\n\n## Part\n\n- a list\n- of items\n")
    assert pool.parse(path, mime_type, HOURS) == parse(path, mime_type)


def test_a_parse_past_the_limit_is_stopped_with_a_reason_and_its_child_killed(pool, tmp_path):
    slow = _slow_rst(tmp_path / "slow.rst")
    with pytest.raises(ParseError) as stopped:
        pool.parse(slow, RST, 1)
    assert stopped.value.reason.startswith("The document took longer than 1 s to read")
    assert _children() == set()  # killed, not left running

    quick = tmp_path / "quick.md"
    quick.write_text("# Quick\n\nRead at once.\n")
    assert pool.parse(quick, MARKDOWN, HOURS).title == "Quick"


def test_a_refusal_reaches_the_caller_with_its_reason_and_the_child_stays(pool, tmp_path):
    empty = tmp_path / "empty.md"
    empty.write_bytes(b"")
    with pytest.raises(ParseError, match="The file is empty."):
        pool.parse(empty, MARKDOWN, HOURS)
    kept = _children()
    notes = tmp_path / "notes.md"
    notes.write_text("# Notes\n\nKept warm.\n")
    for _ in range(3):
        pool.parse(notes, MARKDOWN, HOURS)
    assert len(kept) == 1 and _children() == kept  # one warm child did all of it


def test_a_child_that_dies_mid_parse_fails_that_document_only(pool, tmp_path):
    slow = _slow_rst(tmp_path / "slow.rst")
    outcome: list[BaseException] = []

    def parse_slow() -> None:
        try:
            pool.parse(slow, RST, HOURS)
        except BaseException as error:  # noqa: BLE001 - the test reads it
            outcome.append(error)

    worker = threading.Thread(target=parse_slow)
    worker.start()
    wait_for(lambda: bool(_children()), 30, "the child to start")
    for pid in _children():
        os.kill(pid, 9)  # as the OOM killer would
    worker.join(60)
    assert isinstance(outcome[0], ParseError) and "stopped unexpectedly" in outcome[0].reason
    notes = tmp_path / "notes.md"
    notes.write_text("# Notes\n\nA new child reads this.\n")
    assert pool.parse(notes, MARKDOWN, HOURS).title == "Notes"
