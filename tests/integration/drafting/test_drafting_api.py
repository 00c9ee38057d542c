"""REST API v1 for drafting, end to end on the real app: create a draft from a template and from
the PEP questionnaire (XLSX), start generation (the embedded job queue, extractive answers),
read the sections, export every format and read each file back; who may call what (a token
acts as its owner: another person's draft is a 404 exactly like a missing one); bad input is a
400 that says why and changes nothing; uploads are capped while they arrive."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

import openpyxl
import pytest
from docx import Document as WordDocument
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlmodel import col, func, select

from lumikb_app.container import get_container
from lumikb_app.db.tables import AuditEvent, Draft, DraftMember, User
from lumikb_app.domain.drafting import MAX_IMPORT_BYTES
from lumikb_app.domain.enums import KbRole
from lumikb_app.services.accounts import api_tokens, grants
from lumikb_app.services.knowledge_bases import kbs
from tests.conftest import CORPORA
from tests.integration.drafting.rest_world import (
    bearer,
    cookie,
    deployment,
    detail,
    ingest,
    person,
    token_of,
    wait_for_generation,
)

pytestmark = pytest.mark.integration

QUESTIONNAIRE = CORPORA / "questionnaire" / "peps-questionnaire.xlsx"
PEPS = ("pep-0008.rst", "pep-0020.rst", "pep-0257.rst")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MISSING = "00000000-0000-0000-0000-000000000000"


@dataclass
class World:
    client: TestClient
    alice: User  # reads the Python KB; owns the drafts
    bob: User  # reads nothing
    carol: User  # reads the Python KB; alice shares drafts with her for viewing
    kb: str
    tokens: dict[str, str]  # name -> API token

    def as_(self, name: str) -> dict[str, str]:
        return bearer(self.tokens[name])


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Iterator[World]:
    with deployment("sqlite", tmp_path_factory) as client:
        alice, bob, carol = (person(f"{n}@x.io") for n in ("alice", "bob", "carol"))
        kb = kbs.create_kb(alice, "Python").id
        grants.set_grant(alice, kb, carol.email, KbRole.READ)
        ingest(alice, kb, {name: (CORPORA / "peps" / name).read_bytes() for name in PEPS})
        tokens = {u.email.split("@")[0]: token_of(u) for u in (alice, bob, carol)}
        yield World(client, alice, bob, carol, kb, tokens)


def _templates(w: World) -> dict[str, dict]:
    response = w.client.get("/api/v1/drafting/templates", headers=w.as_("alice"))
    assert response.status_code == 200, response.text
    return {t["key"]: t for t in response.json() if t["key"]}


def _create(w: World, who: str = "alice", **body) -> object:
    fields = {"title": "Python checklist", "kb_ids": [w.kb]}
    fields["template_id"] = body.pop("template_id", None) or _templates(w)["checklist"]["id"]
    return w.client.post("/api/v1/drafts", json={**fields, **body}, headers=w.as_(who))


def _import(w: World, who: str = "alice", *, data: bytes | None = None, **fields) -> object:
    form = {"title": "PEP questionnaire", "kb_ids": [w.kb], **fields}
    content = QUESTIONNAIRE.read_bytes() if data is None else data
    name = fields.pop("filename", "peps-questionnaire.xlsx")
    files = {"file": (name, content, XLSX)}
    form.pop("filename", None)
    return w.client.post("/api/v1/drafts/questionnaire", data=form, files=files, headers=w.as_(who))


def _count(table) -> int:
    with get_container().db.session() as session:
        return session.exec(select(func.count()).select_from(table)).one()


def _stored_keys() -> list[str]:
    return list(get_container().blobs.list_keys("drafts/"))


def _audited(action: str, target: str) -> int:
    with get_container().db.session() as session:
        query = select(func.count()).where(
            col(AuditEvent.action) == action, col(AuditEvent.target) == target
        )
        return session.exec(query).one()


# --- templates and drafts from templates ------------------------------------------------------


def test_the_built_in_templates_are_listed_with_their_sections(world):
    built_in = _templates(world)
    assert set(built_in) >= {
        "rfp_response",
        "security_questionnaire",
        "checklist",
        "gap_analysis",
        "executive_summary",
    }
    assert all(t["built_in"] and t["sections"] for t in built_in.values())


def test_a_draft_from_a_template_is_created_generated_and_read(world):
    template = _templates(world)["checklist"]
    created = _create(world, template_id=template["id"], brief="Python code style")
    assert created.status_code == 201, created.text
    draft = created.json()
    assert draft["role"] == "owner" and draft["kb_ids"] == [world.kb]
    assert draft["brief"] == "Python code style"
    assert [s["title"] for s in draft["sections"]] == [s["title"] for s in template["sections"]]
    assert {s["status"] for s in draft["sections"]} == {"empty"}
    assert _audited("draft.create", draft["id"]) == 1

    started = world.client.post(
        f"/api/v1/drafts/{draft['id']}/generate", headers=world.as_("alice")
    )
    assert started.status_code == 202, started.text
    assert started.json()["job_id"]
    written = wait_for_generation(world.client, world.as_("alice"), draft["id"])
    assert {s["generation_state"] for s in written["sections"]} == {"done"}
    assert {s["status"] for s in written["sections"]} == {"drafted"}
    assert _audited("draft.generate", draft["id"]) == 1
    listed = world.client.get("/api/v1/drafts", headers=world.as_("alice")).json()
    assert draft["id"] in {d["id"] for d in listed}


# --- a questionnaire, generated and exported ---------------------------------------------------


@pytest.fixture(scope="module")
def questionnaire(world) -> dict:
    """The PEP questionnaire imported, shared with carol for viewing, and generated."""
    created = _import(world)
    assert created.status_code == 201, created.text
    draft = created.json()
    with get_container().db.session() as session:
        session.add(DraftMember(draft_id=draft["id"], user_id=world.carol.id, role="view"))
        session.commit()
    started = world.client.post(
        f"/api/v1/drafts/{draft['id']}/generate", headers=world.as_("alice")
    )
    assert started.status_code == 202, started.text
    return wait_for_generation(world.client, world.as_("alice"), draft["id"])


def test_a_questionnaire_becomes_one_section_per_question_each_answered(world, questionnaire):
    sections = questionnaire["sections"]
    assert [s["ref"] for s in sections] == [f"Q{n:02d}" for n in range(1, 21)]
    assert sections[0]["group"] == "Language design"
    assert questionnaire["source_kind"] == "questionnaire"
    assert questionnaire["questionnaire"]["filename"] == "peps-questionnaire.xlsx"
    assert "blob_key" not in questionnaire["questionnaire"]
    assert {s["generation_state"] for s in sections} == {"done"}
    answered = _answered(questionnaire)
    assert answered["mode"] == "extractive" and "[1]" in answered["content"]
    assert {source["document_name"] for source in answered["sources"]} <= set(PEPS)
    assert all(src["kb_id"] == world.kb for s in sections for src in s["sources"])
    for section in sections:  # the rest are left for a person, never guessed
        assert section["mode"] in ("extractive", "not_covered")
        assert (section["mode"] == "not_covered") is (not section["sources"])


def _answered(draft: dict) -> dict:
    """The first section answered from the PEPs (the KB holds three of them)."""
    return next(s for s in draft["sections"] if s["sources"])


def _export(w: World, draft_id: str, fmt: str, who: str = "alice"):
    return w.client.get(f"/api/v1/drafts/{draft_id}/export?format={fmt}", headers=w.as_(who))


def test_the_questionnaire_comes_back_filled_in(world, questionnaire):
    response = _export(world, questionnaire["id"], "original")
    assert response.status_code == 200, response.text
    assert "peps-questionnaire" in response.headers["content-disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    answered = _answered(questionnaire)
    answer, sources = rows[answered["ref"]][3], rows[answered["ref"]][4]
    assert answer and answer.split()[0] in answered["content"]
    assert answered["sources"][0]["document_name"] in sources and "http://testserver/" in sources
    assert _audited("draft.export", questionnaire["id"]) >= 1


def test_the_draft_exports_as_word_pdf_and_markdown(world, questionnaire):
    first = _answered(questionnaire)["title"]
    cited = _answered(questionnaire)["sources"][0]["document_name"]
    word = _export(world, questionnaire["id"], "docx")
    assert word.status_code == 200, word.text
    body = "\n".join(p.text for p in WordDocument(io.BytesIO(word.content)).paragraphs)
    notes = zipfile.ZipFile(io.BytesIO(word.content)).read("word/footnotes.xml").decode()
    assert first in body and cited in notes  # citations are real footnotes

    pdf = _export(world, questionnaire["id"], "pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    pages = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "PEP questionnaire" in pages and cited in pages

    markdown = _export(world, questionnaire["id"], "md")
    assert markdown.status_code == 200
    assert first in markdown.text and cited in markdown.text
    assert ".md" in markdown.headers["content-disposition"]


def test_a_viewer_reads_and_exports_but_may_not_generate(world, questionnaire):
    draft_id = questionnaire["id"]
    read = world.client.get(f"/api/v1/drafts/{draft_id}", headers=world.as_("carol"))
    assert read.status_code == 200 and read.json()["role"] == "view"
    assert _export(world, draft_id, "md", "carol").status_code == 200
    refused = world.client.post(f"/api/v1/drafts/{draft_id}/generate", headers=world.as_("carol"))
    assert refused.status_code == 404 and "view" in detail(refused)


def test_the_browser_downloads_an_export_with_its_session(world, questionnaire):
    path = f"/api/drafts/{questionnaire['id']}/export?format=docx"
    mine = world.client.get(path, headers=cookie(world.alice))
    assert mine.status_code == 200 and mine.content[:2] == b"PK"
    assert "attachment;" in mine.headers["content-disposition"]
    assert world.client.get(path).status_code == 401
    someone_else = world.client.get(path, headers=cookie(world.bob))
    missing = world.client.get(
        f"/api/drafts/{MISSING}/export?format=docx", headers=cookie(world.bob)
    )
    assert someone_else.status_code == missing.status_code == 404
    assert someone_else.text == missing.text
    odd = world.client.get(path.replace("docx", "exe"), headers=cookie(world.alice))
    assert odd.status_code == 400 and "docx" in odd.text


# --- who may call -------------------------------------------------------------------------------


def _routes(draft_id: str) -> list[tuple[str, str]]:
    return [
        ("GET", "/api/v1/drafts"),
        ("POST", "/api/v1/drafts"),
        ("POST", "/api/v1/drafts/questionnaire"),
        ("GET", f"/api/v1/drafts/{draft_id}"),
        ("POST", f"/api/v1/drafts/{draft_id}/generate"),
        ("GET", f"/api/v1/drafts/{draft_id}/export?format=md"),
        ("GET", "/api/v1/drafting/templates"),
    ]


def test_without_a_valid_token_every_route_is_401(world, questionnaire):
    revoked_secret, revoked = api_tokens.create_token(world.alice, "revoked")
    api_tokens.revoke_token(world.alice, revoked.id)
    for headers in ({}, bearer("lkb_not-a-token"), bearer(revoked_secret)):
        for method, path in _routes(questionnaire["id"]):
            response = world.client.request(method, path, headers=headers)
            assert response.status_code == 401, (method, path, response.text)


def test_a_token_reaches_only_its_owners_drafts(world, questionnaire):
    """API tokens have no scopes of their own: a token acts as its owner, no more."""
    draft_id = questionnaire["id"]
    assert world.client.get("/api/v1/drafts", headers=world.as_("bob")).json() == []
    for method, path in _routes(draft_id)[3:6]:
        theirs = world.client.request(method, path, headers=world.as_("bob"))
        missing = world.client.request(
            method, path.replace(draft_id, MISSING), headers=world.as_("bob")
        )
        assert theirs.status_code == missing.status_code == 404, (path, theirs.text)
        assert detail(theirs) == detail(missing) == "Draft not found."
        assert "PEP" not in theirs.text


def test_a_cross_site_write_with_a_session_cookie_is_403(world):
    headers = {**cookie(world.alice), "Origin": "https://evil.example"}
    before = _count(Draft)
    response = world.client.post(
        "/api/v1/drafts",
        json={
            "title": "x",
            "kb_ids": [world.kb],
            "template_id": _templates(world)["checklist"]["id"],
        },
        headers=headers,
    )
    assert response.status_code == 403 and _count(Draft) == before


# --- bad input: a 400 that says why, nothing changed --------------------------------------------


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"title": "   "}, 400, "Give the draft a title"),
        ({"title": "x" * 201}, 400, "at most 200 characters"),
        ({"kb_ids": []}, 400, "Choose at least one knowledge base"),
        ({"kb_ids": [MISSING]}, 404, ""),  # a KB one may not read looks missing
        ({"template_id": MISSING}, 404, ""),
        ({"title": "bad\u0000title"}, 422, "cannot be stored"),
        ({"surprise": 1}, 422, "surprise"),
    ],
)
def test_a_bad_draft_is_refused_and_nothing_is_stored(world, body, status, message):
    before, audited = _count(Draft), _count(AuditEvent)
    response = _create(world, **body)
    assert response.status_code == status, response.text
    assert message in response.text
    assert (_count(Draft), _count(AuditEvent)) == (before, audited)


def test_a_draft_from_a_kb_one_cannot_read_is_refused(world):
    before = _count(Draft)
    response = _create(world, "bob")
    assert response.status_code == 404 and _count(Draft) == before


FORMULA_CSV = b'ID,Question,Answer\nQ1,=HYPERLINK("http://x"),\n'


@pytest.mark.parametrize(
    ("fields", "data", "status", "message"),
    [
        ({"title": ""}, None, 400, "Give the draft a title"),
        ({"kb_ids": []}, None, 400, "Choose at least one knowledge base"),
        ({"mapping": "{not json"}, None, 400, "not valid JSON"),
        ({"mapping": "[1, 2]"}, None, 400, "JSON object"),
        ({"mapping": json.dumps({"table": "Questionnaire"})}, None, 400, "questions"),
        ({"filename": "questions.csv"}, FORMULA_CSV, 400, "formula"),
        ({"filename": "notes.exe"}, b"MZ\x90\x00", 400, ""),
        ({}, b"PK\x03\x04 not really a workbook", 400, ""),
    ],
)
def test_a_bad_questionnaire_is_refused_and_nothing_is_stored(world, fields, data, status, message):
    before, keys = _count(Draft), _stored_keys()
    response = _import(world, data=data, **fields)
    assert response.status_code == status, response.text
    assert message in detail(response) and detail(response)
    assert (_count(Draft), _stored_keys()) == (before, keys)


def test_an_upload_without_a_file_says_so(world):
    response = world.client.post(
        "/api/v1/drafts/questionnaire", data={"title": "x", "kb_ids": world.kb},
        headers=world.as_("alice"),
    )  # fmt: skip
    assert response.status_code == 400 and "file" in detail(response)


def test_an_upload_over_the_limit_is_cut_off_while_it_arrives(world):
    before, keys = _count(Draft), _stored_keys()
    too_big = b"x" * (MAX_IMPORT_BYTES + 1)
    declared = _import(world, data=too_big, filename="big.csv")
    assert declared.status_code == 413 and "MB" in detail(declared)

    def chunks():  # no Content-Length: counted as it arrives
        yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n\r\n'
        for _ in range(MAX_IMPORT_BYTES // (1 << 16) + 4):
            yield b"y" * (1 << 16)
        yield b"\r\n--b--\r\n"

    headers = {**world.as_("alice"), "Content-Type": "multipart/form-data; boundary=b"}
    streamed = world.client.post("/api/v1/drafts/questionnaire", content=chunks(), headers=headers)
    assert streamed.status_code == 413, streamed.text
    assert (_count(Draft), _stored_keys()) == (before, keys)


def test_exporting_a_template_draft_in_its_original_format_is_refused(world):
    draft = _create(world).json()
    response = _export(world, draft["id"], "original")
    assert response.status_code == 400 and detail(response)
    assert _export(world, draft["id"], "exe").status_code == 422


def test_generation_with_sections_of_another_draft_is_refused(world, questionnaire):
    draft = _create(world).json()
    foreign = questionnaire["sections"][0]["id"]
    response = world.client.post(
        f"/api/v1/drafts/{draft['id']}/generate", json={"section_ids": [foreign]},
        headers=world.as_("alice"),
    )  # fmt: skip
    assert response.status_code == 400, response.text
    opened = world.client.get(f"/api/v1/drafts/{draft['id']}", headers=world.as_("alice")).json()
    assert {s["generation_state"] for s in opened["sections"]} == {"idle"}


def test_the_api_docs_describe_the_drafting_routes(world):
    schema = world.client.get("/api/openapi.json").json()
    paths = schema["paths"]
    assert {
        "/api/v1/drafts",
        "/api/v1/drafts/{draft_id}/export",
        "/api/v1/drafting/templates",
    } <= set(paths)
    assert not any(p.startswith("/api/drafts/") for p in paths)  # the browser's download
    upload = paths["/api/v1/drafts/questionnaire"]["post"]
    form = upload["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert set(form["required"]) == {"file", "title", "kb_ids"}
    assert upload["security"] == [{"ApiToken": []}]
    export = paths["/api/v1/drafts/{draft_id}/export"]["get"]
    formats = next(p for p in export["parameters"] if p["name"] == "format")["schema"]["enum"]
    assert formats == ["docx", "pdf", "md", "original"]
