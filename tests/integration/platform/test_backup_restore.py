"""`python -m lumikb_app backup DIR` then `restore DIR` into an empty DATA_DIR gives the same
search results (ids, scores, snippets) and an intact audit chain. Refused, changing nothing:
a backup while the app has the store open, into a folder that is not empty, or in server mode;
a restore into a DATA_DIR that is not empty, or from a backup whose manifest or files were
altered."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lumikb_app import cli
from lumikb_app.adapters.fake_embedder import FakeEmbedder
from lumikb_app.container import get_container, reset_container
from lumikb_app.db.tables import User
from lumikb_app.services.accounts import audit
from lumikb_app.services.platform import logging_setup
from lumikb_app.services.platform.transactions import read_session
from lumikb_app.services.retrieval import search, snippets
from lumikb_app.settings import Settings
from tests.integration.documents.ingest_helpers import (
    upload_bytes,
    wait_until_settled,
    writer_and_kb,
)

pytestmark = pytest.mark.integration

QUERIES = ("nightly backup of the database", "rotate the signing key", "holiday rota")
DOCS = {
    "backups.md": "# Backups\n\nThe nightly backup copies the database and the vectors to the NAS.",
    "keys.md": "# Keys\n\nRotate the signing key every year; the old key stays to verify.",
    "rota.md": "# Rota\n\nThe holiday rota lists who answers the pager in August.",
}


def _use(monkeypatch, data_dir: Path) -> None:
    """Point the app at `data_dir` (a fresh container, like a restart), fake embeddings."""
    monkeypatch.setenv("DATA_DIR", str(data_dir))
    reset_container()
    embedder = FakeEmbedder()
    monkeypatch.setattr(get_container(), "embedder_for", lambda model: embedder)


@pytest.fixture
def deployment(tmp_path, monkeypatch) -> str:
    """An embedded deployment with a KB of three ready documents; returns the user's id."""
    for name in Settings.model_fields:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LUMIKB_ENV", "test")
    monkeypatch.setattr(logging_setup, "configure_from_settings", lambda: None)
    _use(monkeypatch, tmp_path / "live")
    from lumikb_app.db.migrate import upgrade

    upgrade()
    user, kb_id = writer_and_kb()
    ids = [
        upload_bytes(user, kb_id, name, text.encode()).document_id for name, text in DOCS.items()
    ]
    assert {d.status for d in wait_until_settled(ids).values()} == {"ready"}
    yield user.id
    reset_container()


def _results(user_id: str) -> list[list[tuple]]:
    with read_session() as session:
        user = session.get_one(User, user_id)
        session.expunge(user)
    found = []
    for query in QUERIES:
        passages = search.search(user, query).passages
        found.append([(p.chunk_id, p.document_id, p.score, snippets.snippet(p)) for p in passages])
    return found


def _run(capsys, *argv: str) -> tuple[int, str]:
    code = cli.main(list(argv))
    out = capsys.readouterr()
    return code, out.out + out.err


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def test_restore_gives_identical_search_results_and_audit_chain(
    deployment, tmp_path, monkeypatch, capsys
):
    before = _results(deployment)
    assert all(before), "every query finds passages"
    chain = audit.verify()
    assert chain.intact and chain.events > 0

    code, said = _run(capsys, "backup", str(tmp_path / "refused"))
    assert code == 2 and "LumiKB is running" in said and "Stop the app" in said
    assert not (tmp_path / "refused").exists()

    reset_container()  # the app stops
    code, said = _run(capsys, "backup", str(tmp_path / "backup"))
    assert code == 0, said
    assert "3 documents" in said
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert manifest["counts"]["documents"] == 3 and manifest["schema_revision"]
    assert any(name.startswith("vectors/") for name in manifest["files"])
    assert sum(name.startswith("blobs/") for name in manifest["files"]) == 3

    _use(monkeypatch, tmp_path / "restored")
    code, said = _run(capsys, "restore", str(tmp_path / "backup"))
    assert code == 0, said
    _use(monkeypatch, tmp_path / "restored")  # the app starts on the restored DATA_DIR
    assert _results(deployment) == before
    after = audit.verify()
    assert after.intact and after.events == chain.events
    code, said = _run(capsys, "audit", "verify")
    assert code == 0 and "chain intact" in said


@pytest.fixture
def backup_dir(deployment, tmp_path, monkeypatch) -> Path:
    reset_container()
    from lumikb_app.services.platform.backup import backup

    backup(tmp_path / "backup")
    _use(monkeypatch, tmp_path / "target")
    return tmp_path / "backup"


def _refused_restore(capsys, backup_dir: Path, target: Path, says: str) -> None:
    before = _tree(target) if target.exists() else None
    code, said = _run(capsys, "restore", str(backup_dir))
    assert code == 2 and says in said, said
    assert (_tree(target) if target.exists() else None) == before
    leftovers = [p.name for p in target.parent.iterdir() if p.name.startswith(".target-restore")]
    assert leftovers == []


def test_restore_refuses_a_data_dir_that_is_not_empty(backup_dir, tmp_path, capsys):
    (tmp_path / "target").mkdir()
    (tmp_path / "target" / "notes.txt").write_text("mine")
    _refused_restore(capsys, backup_dir, tmp_path / "target", "is not empty")


def test_restore_refuses_a_file_changed_after_the_backup(backup_dir, tmp_path, capsys):
    blob = next(p for p in (backup_dir / "blobs").rglob("*") if p.is_file())
    blob.write_bytes(blob.read_bytes() + b" tampered")
    _refused_restore(capsys, backup_dir, tmp_path / "target", "does not match its checksum")


def test_restore_refuses_a_damaged_manifest_or_a_missing_or_extra_file(
    backup_dir, tmp_path, capsys
):
    manifest = backup_dir / "manifest.json"
    good = manifest.read_text()
    manifest.write_text(good[: len(good) // 2])
    _refused_restore(capsys, backup_dir, tmp_path / "target", "is damaged")
    manifest.write_text(good)
    (backup_dir / "blobs" / "stowaway.bin").write_bytes(b"x")
    _refused_restore(capsys, backup_dir, tmp_path / "target", "does not list")
    (backup_dir / "blobs" / "stowaway.bin").unlink()
    (backup_dir / "database" / "lumikb.sqlite3").unlink()
    _refused_restore(capsys, backup_dir, tmp_path / "target", "is missing")


def test_backup_refuses_a_folder_that_is_not_empty_and_server_mode(
    deployment, tmp_path, monkeypatch, capsys
):
    reset_container()
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("keep")
    code, said = _run(capsys, "backup", str(tmp_path / "full"))
    assert code == 2 and "not an empty folder" in said
    assert _tree(tmp_path / "full") == {"keep.txt": b"keep"}

    monkeypatch.setenv("DATABASE_URL", "postgresql://lumikb@db.example:5432/lumikb")
    monkeypatch.setenv("QDRANT_HOST", "qdrant.example")
    reset_container()
    code, said = _run(capsys, "backup", str(tmp_path / "server"))
    assert code == 2 and "DATABASE_URL and QDRANT_HOST" in said
    assert "README" in said and not (tmp_path / "server").exists()
