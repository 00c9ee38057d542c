"""Backup and restore of an embedded deployment (`python -m lumikb_app backup|restore DIR`).

A backup folder holds a consistent copy of the SQLite database (sqlite3's online backup API),
the vector store's folder, the blobs folder and `manifest.json` (format, app version, schema
revision, time, row counts, and the size and SHA-256 of every file). The manifest is written
last: a folder without one is not a backup.

The app must be stopped: it holds the embedded vector store open (and writes it) while it runs,
and qdrant-edge has no online snapshot of a live shard. Backup takes the store's lock itself, so
it refuses, changing nothing, while an app or worker has that DATA_DIR open.

Restore goes only into an empty DATA_DIR and checks every checksum before it copies anything;
it assembles the copy beside DATA_DIR and renames it into place, so a failure leaves no half.
Not copied: `models/` (the embedder's derived cache, rebuilt on first use), `uploads/` and
`viewer-cache/` (transient).

Server mode (PostgreSQL, a Qdrant server, S3, Neo4j) is backed up with those engines' own tools:
the README's "Backup and restore" gives the recipe.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from lumikb_app.container import Container
from lumikb_app.ports.vectors import VectorIndex
from lumikb_app.settings import Settings, get_settings

FORMAT = 1
MANIFEST = "manifest.json"
DATABASE = "database/lumikb.sqlite3"
FOLDERS = {"vectors": "vectors", "blobs": "blobs"}  # in the backup -> under DATA_DIR
LOCK_FILES = {".lock"}  # held by whoever opens the store: never copied
COUNTED_TABLES = ("users", "knowledge_bases", "documents", "chunks", "audit_events")
SERVER_MODE = (
    "backup and restore cover the embedded mode only; {what} set, so this deployment keeps its "
    "data in servers: back it up with their own tools (README, 'Backup and restore')."
)


class BackupRefused(RuntimeError):
    """Nothing was written; the message says why and what to do."""


@dataclass(frozen=True)
class Manifest:
    created_at: str
    app_version: str
    schema_revision: str | None
    counts: dict[str, int]
    files: dict[str, dict[str, int | str]]

    def summary(self) -> str:
        counts = ", ".join(
            f"{count} {name.replace('_', ' ')}" for name, count in self.counts.items()
        )
        return (
            f"{len(self.files)} files, {counts} (schema {self.schema_revision}, {self.created_at})"
        )


# -- backup ------------------------------------------------------------------------------------


def backup(target: Path, settings: Settings | None = None) -> Manifest:
    settings = settings or get_settings()
    _require_embedded(settings)
    target = Path(target)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BackupRefused(f"{target} is not an empty folder: give a new or empty one.")
    database = _sqlite_path(settings)
    if not database.is_file():
        raise BackupRefused(f"there is no database at {database}: nothing to back up.")
    store = _lock_vector_store(settings)
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
        try:
            manifest = _write_backup(settings, database, staging)
            _move_into_place(staging, target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    finally:
        store.close()
    return manifest


def _lock_vector_store(settings: Settings) -> VectorIndex:
    """Open the embedded vector store ourselves: its lock proves no app or worker writes it."""
    try:
        return Container(settings).vectors
    except RuntimeError as exc:
        raise BackupRefused(
            f"LumiKB is running on {settings.DATA_DIR} ({exc}). Stop the app and its workers, "
            "then run the backup again: the vector store cannot be copied while it is written."
        ) from None


def _write_backup(settings: Settings, database: Path, staging: Path) -> Manifest:
    copy = staging / DATABASE
    copy.parent.mkdir(parents=True)
    _sqlite_backup(database, copy)
    for inside, under_data_dir in FOLDERS.items():
        source = settings.DATA_DIR / under_data_dir
        if source.is_dir():
            shutil.copytree(source, staging / inside, ignore=shutil.ignore_patterns(*LOCK_FILES))
    manifest = Manifest(
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        app_version=_app_version(),
        schema_revision=_schema_revision(copy),
        counts=_counts(copy),
        files=_checksums(staging),
    )
    (staging / MANIFEST).write_text(json.dumps({"format": FORMAT, **manifest.__dict__}, indent=2))
    return manifest


def _sqlite_backup(source: Path, target: Path) -> None:
    """A consistent copy even if something writes meanwhile (sqlite3's online backup)."""
    src, dst = sqlite3.connect(f"file:{source}?mode=ro", uri=True), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def _move_into_place(staging: Path, target: Path) -> None:
    if target.exists():
        target.rmdir()  # checked empty above
    staging.rename(target)


# -- restore -----------------------------------------------------------------------------------


def restore(source: Path, settings: Settings | None = None) -> Manifest:
    settings = settings or get_settings()
    _require_embedded(settings)
    source = Path(source)
    manifest = verify(source)
    data_dir = settings.DATA_DIR
    database = _sqlite_path(settings)
    if data_dir.exists() and (not data_dir.is_dir() or any(data_dir.iterdir())):
        raise BackupRefused(
            f"DATA_DIR {data_dir} is not empty: restore only into a new or empty DATA_DIR "
            "(nothing was changed)."
        )
    if database.exists():
        raise BackupRefused(f"a database already exists at {database} (nothing was changed).")
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{data_dir.name}-restore-", dir=data_dir.parent))
    try:
        for inside, under_data_dir in FOLDERS.items():
            if (source / inside).is_dir():
                shutil.copytree(source / inside, staging / under_data_dir)
        database_copy = staging / "lumikb.sqlite3"
        shutil.copy2(source / DATABASE, database_copy)
        _move_into_place(staging, data_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if database != data_dir / "lumikb.sqlite3":  # DATABASE_URL names a file elsewhere
        database.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(data_dir / "lumikb.sqlite3", database)
    return manifest


def verify(source: Path) -> Manifest:
    """The backup's manifest, once every file it lists is there with its size and checksum,
    and nothing else is."""
    path = source / MANIFEST
    if not path.is_file():
        raise BackupRefused(f"{source} is not a LumiKB backup: it has no {MANIFEST}.")
    try:
        raw = json.loads(path.read_text())
        if raw.pop("format") != FORMAT:
            raise ValueError(f"format {raw.get('format')!r} is not {FORMAT}")
        manifest = Manifest(**raw)
    except (ValueError, TypeError, KeyError) as exc:
        raise BackupRefused(f"{path} is damaged or from another version: {exc}.") from None
    found = _checksums(source)
    for name, expected in manifest.files.items():
        if name not in found:
            raise BackupRefused(f"the backup is incomplete: {name} is missing.")
        if found[name] != expected:
            raise BackupRefused(f"the backup is damaged: {name} does not match its checksum.")
    if extra := sorted(set(found) - set(manifest.files)):
        raise BackupRefused(f"the backup holds files its manifest does not list: {extra[:5]}.")
    if DATABASE not in manifest.files:
        raise BackupRefused(f"the backup has no database ({DATABASE}).")
    return manifest


# -- helpers -----------------------------------------------------------------------------------


def _require_embedded(settings: Settings) -> None:
    embedded = settings.embedded_services
    servers = [
        variable
        for service, variable in (
            ("database", "DATABASE_URL"),
            ("vectors", "QDRANT_HOST"),
            ("blobs", "MINIO_ENDPOINT"),
            ("graph", "NEO4J_URI"),
        )
        if not embedded[service]
    ]
    if servers:
        raise BackupRefused(SERVER_MODE.format(what=" and ".join(servers) + " is"))


def _sqlite_path(settings: Settings) -> Path:
    return Path(settings.database_url.removeprefix("sqlite:///"))


def _checksums(folder: Path) -> dict[str, dict[str, int | str]]:
    found: dict[str, dict[str, int | str]] = {}
    for path in sorted(folder.rglob("*")):
        name = path.relative_to(folder).as_posix()
        if path.is_file() and name != MANIFEST:
            found[name] = {"size": path.stat().st_size, "sha256": _sha256(path)}
    return found


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _counts(database: Path) -> dict[str, int]:
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        return {
            table: connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
            for table in COUNTED_TABLES
        }
    finally:
        connection.close()


def _schema_revision(database: Path) -> str | None:
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    finally:
        connection.close()
    return row[0] if row else None


def _app_version() -> str:
    try:
        return version("lumikb")
    except PackageNotFoundError:
        return "unknown"
