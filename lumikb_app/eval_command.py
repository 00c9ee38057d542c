"""`python -m lumikb_app eval`: the command-line side of services/evaluation.py."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from lumikb_app.services.retrieval import evaluation
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
        report = evaluation.evaluate(
            user, args.kb, queries, qrels, evaluation.existing_corpus_ids(user, args.kb), args.limit
        )
    else:
        report = _with_throwaway_kb(args, user, corpus, queries, qrels)
    print(json.dumps(report.as_dict(), indent=2) if args.json else evaluation.format_table(report))
    return 0


def _with_throwaway_kb(args, user, corpus, queries, qrels) -> evaluation.EvalReport:
    kb_id = evaluation.create_eval_kb(user, Path(args.corpus).name)
    try:
        corpus_ids, failed = _ingest(user, kb_id, corpus)
        report = evaluation.evaluate(user, kb_id, queries, qrels, corpus_ids, args.limit)
        report.documents, report.failed_documents = len(corpus), failed
        return report
    finally:
        if args.keep:
            print(f"Kept the knowledge base {kb_id} (reuse it with --kb {kb_id}).", file=sys.stderr)
        elif not evaluation.delete_eval_kb(user, kb_id):
            print(
                f"The knowledge base {kb_id} is deleted; a worker will finish purging it.",
                file=sys.stderr,
            )


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
