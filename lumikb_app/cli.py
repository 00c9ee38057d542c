"""`python -m lumikb_app ...`: admin bootstrap, migrations, seeding."""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from lumikb_app.settings import SettingsError

if TYPE_CHECKING:
    from lumikb_app.services.platform.backup import Manifest

DEFAULT_PORT = 3000  # rxconfig.py's port; `make run PORT=...` passes its own to the hints


def app_url(port: int, path: str = "/") -> str:
    """Where `make run` serves the app on this machine (it listens on every interface)."""
    return f"http://localhost:{port}{path}"


def _add_port(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help=f"the port the app is served on, for the address printed (default {DEFAULT_PORT})",
    )


def _migrate(_args: argparse.Namespace) -> int:
    from lumikb_app.services.accounts.bootstrap import bootstrap_admin
    from lumikb_app.services.platform.lifecycle import migrate_database
    from lumikb_app.settings import get_settings

    migrate_database()
    print(f"Database is up to date ({get_settings().database_url.split('@')[-1]}).")
    created = bootstrap_admin()
    if created:
        print(f"Created the administrator {created} from LUMIKB_ADMIN_EMAIL.")
    return 0


def _create_admin(args: argparse.Namespace) -> int:
    from lumikb_app.services.accounts.auth import InvalidInput
    from lumikb_app.services.accounts.bootstrap import create_admin
    from lumikb_app.services.accounts.passwords import WeakPasswordError

    password = args.password or getpass.getpass("Password for the new admin: ")
    try:
        user = create_admin(args.email, password, args.name)
    except (InvalidInput, WeakPasswordError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"Admin {user.email} created. Log in at {app_url(args.port, '/login')}")
    return 0


def _first_run_hint(args: argparse.Namespace) -> int:
    from lumikb_app.services.accounts.auth import count_users

    users = count_users()
    login = app_url(args.port, "/login")
    if users:
        print(f"LumiKB has {users} account(s). Log in at {login}")
    else:
        print(
            "No account exists yet. In another terminal, in this folder, create the first "
            "admin with:\n"
            "    make admin EMAIL=you@example.com\n"
            f"then log in at {login}"
        )
    return 0


def _seed(args: argparse.Namespace) -> int:
    from pathlib import Path

    from tqdm import tqdm

    from lumikb_app.services.platform import seed

    try:
        kb_id, ids = seed.upload_corpus(Path(args.corpus), args.limit)
    except seed.SeedError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"Queued {len(ids)} documents into '{seed.DEMO_KB}'. Processing:")
    with tqdm(total=len(ids), unit="doc") as bar:

        def show(p: seed.SeedProgress) -> None:
            bar.update(p.settled - bar.n)
            bar.set_postfix(ready=p.ready, failed=p.failed)

        final = seed.wait(ids, show)
    from lumikb_app.services.documents.reconcile import optimize_collections

    optimize_collections()  # build the search index once after the bulk load
    print(
        f"Done: {final.ready} ready, {final.failed} failed. "
        f"Open {app_url(args.port, f'/kb/{kb_id}')}"
    )
    return 0 if final.failed == 0 else 1


def _audit_verify(_args: argparse.Namespace) -> int:
    from lumikb_app.services.accounts.audit import verify

    report = verify()
    print(report)
    return 0 if report.intact else 1


def _backup_step(
    step: Callable[[Path], Manifest], folder: str, done: Callable[[Manifest], str]
) -> int:
    """Backup or restore `folder`: the error and exit code 2 when refused, else `done`'s line."""
    from lumikb_app.services.platform.backup import BackupRefused

    try:
        manifest = step(Path(folder))
    except BackupRefused as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(done(manifest))
    return 0


def _backup(args: argparse.Namespace) -> int:
    from lumikb_app.services.platform.backup import backup

    return _backup_step(backup, args.dir, lambda m: f"Backed up to {args.dir}: {m.summary()}.")


def _restore(args: argparse.Namespace) -> int:
    from lumikb_app.services.platform.backup import restore
    from lumikb_app.settings import get_settings

    return _backup_step(
        restore,
        args.dir,
        lambda m: (
            f"Restored {args.dir} into {get_settings().DATA_DIR}: {m.summary()}. "
            "Run `python -m lumikb_app migrate` (make run does) before starting the app."
        ),
    )


def _reconcile(_args: argparse.Namespace) -> int:
    from lumikb_app.services.documents import reconcile

    for name, count in reconcile.run().items():
        print(f"{name.replace('_', ' ')}: {count}")
    return 0


def _eval(args: argparse.Namespace) -> int:
    from lumikb_app.eval_command import run

    return run(args)


def _add_eval(commands) -> None:
    evaluate = commands.add_parser(
        "eval",
        help="measure retrieval quality on a BEIR-style evaluation set",
        description="Ingest a corpus into a throwaway knowledge base (or reuse one with --kb), "
        "run every query through the app's search, score documents by their best passage and "
        "print nDCG@10, Recall@1/5/10, MRR@10 and latency.",
    )
    evaluate.add_argument(
        "--corpus", help="a folder of documents (id = file name) or a BEIR corpus.jsonl"
    )
    evaluate.add_argument("--queries", required=True, help="BEIR queries.jsonl (_id, text)")
    evaluate.add_argument("--qrels", required=True, help="qrels.tsv (query-id, corpus-id, score)")
    evaluate.add_argument("--kb", help="evaluate this existing knowledge base instead of ingesting")
    evaluate.add_argument("--keep", action="store_true", help="keep the throwaway knowledge base")
    evaluate.add_argument("--json", action="store_true", help="print the figures as JSON")
    evaluate.add_argument(
        "--graph",
        action="store_true",
        help="turn the knowledge graph on (the extraction model if one is configured, else "
        "the no-model extractor), wait for it, and print runs without and with graph fusion",
    )
    evaluate.add_argument(
        "--limit", type=int, default=50, help="passages requested per query (1-50, default 50)"
    )
    evaluate.set_defaults(func=_eval)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m lumikb_app", description="LumiKB administration"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="apply database migrations").set_defaults(func=_migrate)
    admin = commands.add_parser("create-admin", help="create a system administrator")
    admin.add_argument("--email", required=True)
    admin.add_argument("--name", help="display name (default: the part before @)")
    admin.add_argument(
        "--password", help=argparse.SUPPRESS
    )  # for scripts and tests; prompts otherwise
    _add_port(admin)
    admin.set_defaults(func=_create_admin)
    hint = commands.add_parser("first-run-hint", help="say how to log in")
    _add_port(hint)
    hint.set_defaults(func=_first_run_hint)
    commands.add_parser(
        "reconcile", help="find and repair disagreements between the stores"
    ).set_defaults(func=_reconcile)
    backup = commands.add_parser(
        "backup",
        help="copy an embedded deployment (database, vectors, blobs) into a new folder",
        description="Stop the app and its workers first: the embedded vector store is copied "
        "while nothing writes it. Server mode: see the README's 'Backup and restore'.",
    )
    backup.add_argument("dir", help="a new or empty folder")
    backup.set_defaults(func=_backup)
    restore = commands.add_parser(
        "restore",
        help="restore a backup folder into an empty DATA_DIR",
        description="Checks every file against the backup's manifest first; refuses a DATA_DIR "
        "that is not empty.",
    )
    restore.add_argument("dir", help="a folder written by `backup`")
    restore.set_defaults(func=_restore)
    audit = commands.add_parser("audit", help="audit log tools").add_subparsers(
        dest="audit_command", required=True
    )
    audit.add_parser("verify", help="check the audit hash chain").set_defaults(func=_audit_verify)
    seed = commands.add_parser("seed", help="create a demo knowledge base from the PEP corpus")
    seed.add_argument("--corpus", default="../shared/corpora/peps")
    seed.add_argument("--limit", type=int, default=0, help="ingest at most this many documents")
    _add_port(seed)
    seed.set_defaults(func=_seed)
    _add_eval(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        from lumikb_app.settings import get_settings

        get_settings()  # every command starts from valid settings, or stops naming the variable
        from lumikb_app.services.platform.logging_setup import configure_from_settings

        configure_from_settings()
        return args.func(args)
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return 2
