"""Drafting the PEP questionnaire from the PEP corpus: quality, end-to-end time, overhead.

Usage: python -m bench.drafting [--peps N] [--data-dir DIR]   (N: 0 = all 690, the default)

Ingests the PEPs (the 20 the questionnaire is about first) with the built-in embedding model
into an embedded deployment (DIR kept: pass it again to reuse the ingestion), then, once with
no language model (extractive) and once with a zero-latency fake chat model (fake/instant):

- end to end: import ../shared/corpora/questionnaire/peps-questionnaire.xlsx, generate every
  section through the real RQ job on the embedded worker, export the filled-in XLSX;
- the share of answers citing the PEP expected-sources.tsv names, the share of an answer's
  sentences that carry a valid citation (mean over answered sections), not covered counts;
- per-section overhead before the first token: from the job picking the section up (its
  "generating" write) to the model's first piece (extractive: the first quoted piece);
- the questions of bench/data/drafting_unanswerable.txt drafted the same way: how many come
  back "not covered".

Baseline, same run and same questions: chat's `ask` (a new conversation per question), its
time to the first token and its share citing the expected PEP. Prints figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import peak_rss_mb, summary  # noqa: E402
from bench.search_cpu import ingest_peps  # noqa: E402
from bench.synthetic import bench_admin, deployment  # noqa: E402

CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"
QUESTIONNAIRE = CORPORA / "questionnaire" / "peps-questionnaire.xlsx"
EXPECTED = CORPORA / "questionnaire" / "expected-sources.tsv"
UNANSWERABLE = Path(__file__).resolve().parent / "data" / "drafting_unanswerable.txt"
BASE_URL = "http://localhost:3000"


def expected() -> dict[str, str]:
    lines = EXPECTED.read_text().splitlines()[1:]
    return dict(line.split("\t")[:2] for line in lines if line.strip())


def unanswerable() -> list[str]:
    lines = UNANSWERABLE.read_text().splitlines()
    return [q.strip() for q in lines if q.strip() and not q.startswith("#")]


def pep_paths(count: int) -> list[Path]:
    wanted = set(expected().values())
    paths = sorted((CORPORA / "peps").glob("*.rst"))
    ordered = [p for p in paths if p.stem in wanted] + [p for p in paths if p.stem not in wanted]
    return ordered[: count or len(ordered)]


def seeded(peps: int) -> tuple[object, str]:
    """The bench admin and the PEP KB, ingesting the PEPs if this DATA_DIR has none yet."""
    from sqlmodel import select

    from lumikb_app.container import get_container
    from lumikb_app.db.tables import KnowledgeBase, User

    with get_container().db.session() as session:
        user = session.exec(select(User)).first()
        kb = session.exec(select(KnowledgeBase)).first()
        if user is not None and kb is not None:
            session.expunge(user)
            return user, kb.id
        user = bench_admin(session)
    return user, ingest_peps(user, pep_paths(peps))


class Timings:
    """Per section: when the job took it up, and when the first piece of text came."""

    def __init__(self) -> None:
        self.begun: list[float] = []
        self.first: list[float] = []

    def install(self) -> None:
        from lumikb_app.services.drafting import generation_job

        run_class, writer_class, timings = generation_job._Run, generation_job.SectionWriter, self
        begin = run_class._begin

        def timed_begin(run, section_id):
            timings.begun.append(time.perf_counter())
            return begin(run, section_id)

        class TimedWriter(writer_class):  # type: ignore[misc,valid-type]
            def pieces(self):
                first = True
                for piece in super().pieces():
                    if first:
                        timings.first.append(time.perf_counter())
                        first = False
                    yield piece

        run_class._begin = timed_begin  # type: ignore[method-assign]
        generation_job.SectionWriter = TimedWriter  # type: ignore[misc]

    def overhead_ms(self) -> list[float]:
        return [(f - b) * 1000 for b, f in zip(self.begun, self.first, strict=False)]

    def reset(self) -> None:
        self.begun.clear()
        self.first.clear()


def wait_done(user, draft_id: str):
    from lumikb_app.services.drafting import drafts

    while True:
        opened = drafts.open_draft(user, draft_id)
        if opened.draft.generation.get("state") in ("done", "failed", "cancelled"):
            return opened
        time.sleep(0.05)


def export_original(user, draft) -> bytes:
    """The filled-in questionnaire, through the exports service when it is there."""
    try:
        from lumikb_app.services.drafting import exports  # type: ignore[attr-defined]

        return exports.export_draft(user, draft.id, "original", BASE_URL).data
    except ImportError:
        from lumikb_app.container import get_container
        from lumikb_app.services.drafting import drafts, questionnaire_export

        opened = drafts.open_draft(user, draft.id)
        record = opened.draft.questionnaire
        original = b"".join(get_container().blobs.get(record["blob_key"]))
        return questionnaire_export.fill_questionnaire(
            record["format"], original, record["mapping"], opened.sections, BASE_URL
        )


def questionnaire_run(user, kb_id: str, timings: Timings) -> tuple[list, float, int]:
    """Import -> every answer -> export; returns the sections, the seconds, the file's size."""
    from lumikb_app.services.drafting import generation, questionnaire_import

    timings.reset()
    started = time.perf_counter()
    draft = questionnaire_import.create_from_questionnaire(
        user, "PEP questionnaire", [kb_id], QUESTIONNAIRE.name, QUESTIONNAIRE.read_bytes()
    )
    generation.start_generation(user, draft.id)
    opened = wait_done(user, draft.id)
    size = len(export_original(user, draft))
    return opened.sections, time.perf_counter() - started, size


def unanswerable_run(user, kb_id: str) -> list:
    from lumikb_app.domain.drafting import SectionSeed
    from lumikb_app.services.drafting import drafts, generation
    from lumikb_app.services.platform.transactions import transaction

    with transaction() as session:
        seeds = [SectionSeed(title=q) for q in unanswerable()]
        draft = drafts.new_draft(session, user, title="Out of scope", kb_ids=[kb_id], seeds=seeds)
    generation.start_generation(user, draft.id)
    return wait_done(user, draft.id).sections


def cites_expected(section, pep: str) -> bool:
    return any(Path(s["document_name"]).stem == pep for s in section.sources)


def sentence_share(section) -> float:
    from lumikb_app.domain.drafting import EXTRACTIVE_NOTE
    from lumikb_app.services.chat.confidence import citation_coverage

    return citation_coverage(section.content.replace(EXTRACTIVE_NOTE, "").strip())


def chat_baseline(user, questions: dict[str, str]) -> tuple[list[float], int]:
    """chat.ask on the same questions: time to the first token, and how many cite the PEP."""
    from lumikb_app.services.chat import chat, conversations

    first_ms, right = [], 0
    for question, pep in questions.items():
        conversation = conversations.create_conversation(user)
        started, first, done = time.perf_counter(), None, {}
        for event in chat.ask(user, conversation.id, question):
            if event.kind == "token" and first is None:
                first = (time.perf_counter() - started) * 1000
            if event.kind == "done":
                done = event.data
        first_ms.append(first if first is not None else float("nan"))
        right += any(Path(c["document_name"]).stem == pep for c in done.get("citations") or [])
    return first_ms, right


def report(
    label: str, sections, seconds: float, size: int, timings: Timings, refs, verbose=False
) -> None:
    answered = [s for s in sections if s.mode in ("extractive", "llm")]
    right = sum(cites_expected(s, refs[s.ref]) for s in sections if s.ref in refs)
    shares = [sentence_share(s) for s in answered]
    modes: dict[str, int] = {}
    for s in sections:
        modes[s.mode] = modes.get(s.mode, 0) + 1
    print(f"-- {label} --")
    print(f"import -> {len(sections)} answers -> export: {seconds:.1f} s (XLSX {size} bytes)")
    print(f"answers citing the expected PEP: {right}/{len(refs)} = {right / len(refs):.2f}")
    mean = statistics.mean(shares) if shares else 0.0
    print(f"sentences with a valid citation (mean over {len(answered)} answered): {mean:.3f}")
    print(f"modes: {modes}")
    cited = [x.get("relevance", 0.0) for s in answered for x in s.sources]
    low = {floor: sum(r < floor for r in cited) for floor in (0.1, 0.2, 0.3)}
    print(f"cited sources: {len(cited)}, below relevance 0.1/0.2/0.3: {list(low.values())}")
    print(f"overhead per section before the first token: {summary(timings.overhead_ms())}")
    if verbose:
        for s in sections:
            cited = sorted({Path(x["document_name"]).stem for x in s.sources})
            mark = "ok " if cites_expected(s, refs.get(s.ref, "")) else "BAD"
            print(
                f"  {mark} {s.ref} {s.mode:<11} {s.confidence or 0:.2f} {refs.get(s.ref)} {cited}"
            )


def cold_cache() -> None:
    """A fresh cache, so neither row reuses the other's searches or query embeddings."""
    from lumikb_app.adapters.memory_cache import MemoryCache
    from lumikb_app.container import get_container

    get_container().cache = MemoryCache()  # type: ignore[misc]


def use_fake_model() -> None:
    from lumikb_app.adapters.fake_chat import FakeChatModel
    from lumikb_app.container import get_container
    from lumikb_app.db.tables import Model
    from lumikb_app.services.platform.transactions import transaction

    model = FakeChatModel(delay=0.0, name="fake/instant")
    get_container().chat_model_for = lambda spec: model  # type: ignore[method-assign]
    with transaction() as session:
        session.add(
            Model(kind="chat", name="Bench chat", litellm_model="bench/chat", is_default=True)
        )


def no_model() -> None:
    from sqlmodel import select

    from lumikb_app.db.tables import Model
    from lumikb_app.services.platform.transactions import transaction

    with transaction() as session:
        for entry in session.exec(select(Model).where(Model.kind == "chat")):
            entry.is_default = False
            session.add(entry)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--peps", type=int, default=0, help="PEPs to ingest (0: all)")
    parser.add_argument("--data-dir", default="")
    parser.add_argument("--verbose", action="store_true", help="print each question's outcome")
    args = parser.parse_args()
    data_dir = args.data_dir or tempfile.mkdtemp(prefix="bench-drafting-")
    deployment(data_dir)
    user, kb_id = seeded(args.peps)
    refs = expected()
    questions = _questions()
    timings = Timings()
    timings.install()
    print(f"== drafting: the PEP questionnaire ({len(refs)} questions), DATA_DIR {data_dir} ==")
    no_model()
    chat_baseline(user, {"warm up the whole path": ""})
    for label, setup in (("extractive", no_model), ("fake model (fake/instant)", use_fake_model)):
        setup()
        cold_cache()
        sections, seconds, size = questionnaire_run(user, kb_id, timings)
        report(label, sections, seconds, size, timings, refs, args.verbose)
        outside = unanswerable_run(user, kb_id)
        covered = sum(s.mode == "not_covered" for s in outside)
        print(f"unanswerable questions marked not covered: {covered}/{len(outside)}")
        cold_cache()
        first_ms, right = chat_baseline(user, {q: refs[ref] for ref, q in questions.items()})
        print(f"baseline chat.ask: first token {summary(first_ms)}; citing the expected PEP "
              f"{right}/{len(refs)}")  # fmt: skip
    print(f"peak RSS {peak_rss_mb():.0f} MB")
    from lumikb_app.container import reset_container

    reset_container()


def _questions() -> dict[str, str]:
    """The questionnaire's questions by their ID, read from the workbook."""
    import openpyxl

    sheet = openpyxl.load_workbook(QUESTIONNAIRE, read_only=True).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    return {str(row[0]): str(row[2]) for row in rows if row and row[0]}


if __name__ == "__main__":
    main()
