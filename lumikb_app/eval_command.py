"""`python -m lumikb_app eval`: the command-line side of services/evaluation.py."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from lumikb_app.services.retrieval import eval_graph, evaluation
from lumikb_app.services.retrieval.eval_inputs import (
    EvaluationInputError,
    corpus_documents,
    load_qrels,
    load_queries,
)


def run(args: argparse.Namespace) -> int:
    try:
        return _run(args)
    except EvaluationInputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace) -> int:
    if not 1 <= args.limit <= evaluation.SEARCH_LIMIT:
        raise EvaluationInputError(f"--limit must be between 1 and {evaluation.SEARCH_LIMIT}.")
    if not args.kb and not args.corpus:
        raise EvaluationInputError("Give --corpus to ingest, or --kb to reuse a knowledge base.")
    queries, qrels = load_queries(Path(args.queries)), load_qrels(Path(args.qrels))
    corpus = corpus_documents(Path(args.corpus)) if not args.kb else None
    from lumikb_app.services.platform.lifecycle import migrate_database

    migrate_database()
    user = evaluation.eval_user(create=not args.kb)
    if args.kb:
        corpus_ids = evaluation.existing_corpus_ids(user, args.kb)
        if args.graph:
            eval_graph.turn_on(user, args.kb, eval_graph.graph_mode())
            _wait_for_graph(args.kb)
        reports = _evaluate(args, user, args.kb, queries, qrels, corpus_ids)
    else:
        reports = _with_throwaway_kb(args, user, corpus, queries, qrels)
    print(_render(reports, as_json=args.json))
    return 0


def _evaluate(args, user, kb_id, queries, qrels, corpus_ids) -> list[evaluation.EvalReport]:
    """One run; with --graph, a run without graph fusion and one with it."""
    if not args.graph:
        return [evaluation.evaluate(user, kb_id, queries, qrels, corpus_ids, args.limit)]
    return [
        evaluation.evaluate(user, kb_id, queries, qrels, corpus_ids, args.limit, graph=on)
        for on in (False, True)
    ]


def _render(reports: list[evaluation.EvalReport], *, as_json: bool) -> str:
    if len(reports) == 1:
        (report,) = reports
        return (
            json.dumps(report.as_dict(), indent=2) if as_json else evaluation.format_table(report)
        )
    without, with_graph = reports
    if as_json:
        return json.dumps(
            {"without_graph": without.as_dict(), "with_graph": with_graph.as_dict()}, indent=2
        )
    return evaluation.format_comparison(without, with_graph)


def _with_throwaway_kb(args, user, corpus, queries, qrels) -> list[evaluation.EvalReport]:
    mode = eval_graph.graph_mode() if args.graph else "off"
    kb_id = evaluation.create_eval_kb(user, Path(args.corpus).name, graph_mode=mode)
    try:
        corpus_ids, failed = _ingest(user, kb_id, corpus)
        if args.graph:
            _wait_for_graph(kb_id)
        reports = _evaluate(args, user, kb_id, queries, qrels, corpus_ids)
        for report in reports:
            report.documents, report.failed_documents = len(corpus), failed
        return reports
    finally:
        if args.keep:
            print(f"Kept the knowledge base {kb_id} (reuse it with --kb {kb_id}).", file=sys.stderr)
        elif not evaluation.delete_eval_kb(user, kb_id):
            print(
                f"The knowledge base {kb_id} is deleted; a worker will finish purging it.",
                file=sys.stderr,
            )


def _wait_for_graph(kb_id: str) -> None:
    from tqdm import tqdm

    print("Building the knowledge graph:", file=sys.stderr)
    with tqdm(unit="chunk", file=sys.stderr) as bar:

        def show(progress: eval_graph.GraphProgress) -> None:
            bar.total = progress.chunks_total
            bar.update(progress.chunks_done - bar.n)
            bar.set_postfix(documents=f"{progress.settled}/{progress.documents}")

        final = eval_graph.wait(kb_id, show)
    if final.failed:
        print(f"The graph stage failed for {final.failed} documents.", file=sys.stderr)


def _ingest(user, kb_id, corpus):
    from tqdm import tqdm

    print(f"Ingesting {len(corpus)} documents into a throwaway knowledge base:", file=sys.stderr)
    with tqdm(total=len(corpus), unit="doc", file=sys.stderr) as bar:

        def show(progress) -> None:
            bar.update(progress.settled - bar.n)
            bar.set_postfix(ready=progress.ready, failed=progress.failed)

        corpus_ids, failed = evaluation.ingest(user, kb_id, corpus, show)
    if failed:
        print(f"{failed} documents could not be processed.", file=sys.stderr)
    return corpus_ids, failed
