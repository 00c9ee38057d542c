"""Checks an uploaded questionnaire passes before anything reads it: size, what the bytes
really are, and for XLSX/DOCX the zip's own directory (sizes, ratios, macros, encryption)
before a single part is extracted. Every refusal is a DraftInputError a person can act on."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import PurePath

from lumikb_app.domain.drafting import MAX_IMPORT_BYTES, DraftInputError, QuestionnaireFormat

MAX_UNZIPPED_BYTES = 30 * 1024 * 1024  # all parts together, as the zip's directory declares
MAX_PART_RATIO = 200  # a part that unpacks to 200x its packed size (and is big) is a bomb
MIN_RATIO_CHECKED = 1024 * 1024  # below 1 MB unpacked, any ratio is harmless
MAX_PARTS = 2000
MAX_FILENAME = 120

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # encrypted Office files and old .xls/.doc
ZIP_MAGIC = b"PK\x03\x04"
MAIN_PART = {
    QuestionnaireFormat.xlsx: "xl/workbook.xml",
    QuestionnaireFormat.docx: "word/document.xml",
}
KIND = {
    QuestionnaireFormat.xlsx: "an Excel workbook",
    QuestionnaireFormat.docx: "a Word document",
    QuestionnaireFormat.csv: "a CSV file",
}
MACRO_EXTENSIONS = {".xlsm", ".xltm", ".xlsb", ".docm", ".dotm"}
OLD_EXTENSIONS = {".xls": ".xlsx", ".doc": ".docx"}
# Parts that carry code or reach outside the file: macros, ActiveX, embedded objects, links.
# (An embedded .xlsx/.docx/.pptx, like a chart's data in a Word file, is macro-free by its
# format; any other embedded object is an OLE package that could run something.)
ACTIVE_PARTS = re.compile(
    r"(vbaProject|vbaData|/activeX/|externalLinks/|attachedToolbars"
    r"|/embeddings/(?!.*\.(xlsx|docx|pptx)$))",
    re.I,
)
ACTIVE_TYPES = re.compile(r"(macroEnabled|vbaProject|ms-office\.activeX)", re.I)
DOCTYPE = re.compile(rb"<!(DOCTYPE|ENTITY)", re.I)
PROLOG_ITEM = re.compile(rb"\s*(<\?.*?\?>|<!--.*?-->)", re.S)  # before the root: PIs, comments
PROLOG_BYTES = 65536  # a part whose root element starts later than this is refused too
RELATIONSHIP = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>")
EXTERNAL = re.compile(rb"TargetMode\s*=\s*[\"']External[\"']")
HYPERLINK = re.compile(rb"Type\s*=\s*[\"'][^\"']*/hyperlink[\"']")
# A web or network address (file://host/ and \\host\ too); Word records a local template
# as file:///C:/..., which fetches nothing from elsewhere.
REMOTE_TARGET = re.compile(rb"Target\s*=\s*[\"']\s*(\w+://(?!/)|\\\\|//)", re.I)
# Word fields that fetch or run something when the document is opened or updated.
ACTIVE_FIELD = re.compile(
    rb"(instrText[^>]*>|instr\s*=\s*[\"'])\s*(DDE|DDEAUTO|INCLUDETEXT|INCLUDEPICTURE|IMPORT|LINK)\b",
    re.I,
)
SCANNED_WHOLE = re.compile(r"(^\[Content_Types\]\.xml$|\.rels$|^word/[^/]+\.xml$)")
UNSAFE_NAME = re.compile(r"[^\w .()\-]+")


def clean_filename(filename: object) -> str:
    """The upload's own name, kept readable but safe as a blob key's last part."""
    if not isinstance(filename, str) or not filename.strip():
        raise DraftInputError("The questionnaire file has no name.")
    name = PurePath(filename.replace("\\", "/")).name
    stem, suffix = PurePath(name).stem, PurePath(name).suffix.lower()
    stem = UNSAFE_NAME.sub("_", stem).strip(" ._") or "questionnaire"
    return stem[: MAX_FILENAME - len(suffix)] + suffix


def format_of(filename: str, data: bytes) -> QuestionnaireFormat:
    """The format the name promises, after checking the bytes are that format and the file is
    neither too big, empty, encrypted, macro-enabled nor a zip bomb."""
    suffix = PurePath(filename).suffix.lower()
    if suffix in MACRO_EXTENSIONS:
        raise DraftInputError(
            f"{suffix} files can hold macros, which are never opened here. Save the "
            "questionnaire as .xlsx or .docx (without macros) and upload that."
        )
    if suffix in OLD_EXTENSIONS:
        raise DraftInputError(
            f"{suffix} is the old binary Office format. Save the questionnaire as "
            f"{OLD_EXTENSIONS[suffix]} and upload that."
        )
    try:
        fmt = QuestionnaireFormat(suffix.lstrip("."))
    except ValueError:
        raise DraftInputError("Upload a questionnaire as an .xlsx, .csv or .docx file.") from None
    check_size(data)
    check_content(fmt, data)
    return fmt


def check_size(data: bytes) -> None:
    if not isinstance(data, bytes | bytearray):
        raise DraftInputError("The questionnaire file could not be read.")
    if not data:
        raise DraftInputError("The questionnaire file is empty.")
    if len(data) > MAX_IMPORT_BYTES:
        raise DraftInputError(
            f"The questionnaire file is {len(data) / 1_048_576:.1f} MB; the limit is "
            f"{MAX_IMPORT_BYTES // 1_048_576} MB."
        )


def check_content(fmt: QuestionnaireFormat, data: bytes) -> None:
    if data.startswith(OLE_MAGIC):
        raise DraftInputError(
            "This file is password-protected (encrypted) or in the old binary Office format, "
            "so it cannot be read. Remove the password and save it as .xlsx or .docx."
        )
    is_zip = data.startswith(ZIP_MAGIC)
    if fmt is QuestionnaireFormat.csv:
        utf16 = data.startswith((b"\xff\xfe", b"\xfe\xff"))  # Excel's "Unicode text"
        if is_zip or (b"\x00" in data[:4096] and not utf16):
            raise DraftInputError(
                "This .csv file is not text: it looks like a spreadsheet or another binary "
                "file. Upload it with its real extension (.xlsx or .docx)."
            )
        return
    if not is_zip:
        raise DraftInputError(
            f"This .{fmt.value} file is not {KIND[fmt]} (it may be a CSV or text file "
            "renamed). Upload it with its real extension."
        )
    check_package(fmt, data)


def check_package(fmt: QuestionnaireFormat, data: bytes) -> None:
    """Reads only the zip's central directory (and the small content-types part)."""
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
        parts = package.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError, OSError):
        raise DraftInputError(
            f"This .{fmt.value} file is damaged or incomplete and cannot be read."
        ) from None
    with package:
        check_directory(fmt, parts)
        check_xml_parts(fmt, package, parts)


def check_directory(fmt: QuestionnaireFormat, parts: list[zipfile.ZipInfo]) -> None:
    if len(parts) > MAX_PARTS:
        raise DraftInputError(f"This .{fmt.value} file has too many parts to be a questionnaire.")
    names = {part.filename for part in parts}
    if any(part.flag_bits & 0x1 for part in parts):
        raise DraftInputError("This file is password-protected (encrypted) and cannot be read.")
    total = sum(part.file_size for part in parts)
    bomb = any(
        part.file_size > MIN_RATIO_CHECKED
        and part.file_size > MAX_PART_RATIO * max(part.compress_size, 1)
        for part in parts
    )
    if total > MAX_UNZIPPED_BYTES or bomb:
        raise DraftInputError(
            f"This .{fmt.value} file would unpack to {total / 1_048_576:.0f} MB (a 'zip bomb' "
            "or far more than a questionnaire holds), so it was not opened."
        )
    if any(ACTIVE_PARTS.search(name) for name in names):
        raise DraftInputError(
            "This file contains macros, embedded objects or links to other files, which are "
            f"never opened here. Save a plain .{fmt.value} copy without them and upload that."
        )
    if MAIN_PART[fmt] not in names or "[Content_Types].xml" not in names:
        other = next((f for f, part in MAIN_PART.items() if part in names), None)
        if other is not None:
            raise DraftInputError(
                f"This .{fmt.value} file is really {KIND[other]}. "
                f"Rename it to .{other.value} and upload it again."
            )
        raise DraftInputError(
            f"This .{fmt.value} file is not {KIND[fmt]} (its workbook or document part is missing)."
        )


def check_xml_parts(
    fmt: QuestionnaireFormat, package: zipfile.ZipFile, parts: list[zipfile.ZipInfo]
) -> None:
    """No DTD or entity in any XML part (entity expansion is how an 'XML bomb' grows); no
    macro-enabled content type, outside link (a remote template or object) or Word field that
    fetches or runs something. The sizes were bounded by check_directory first."""
    for part in parts:
        if not part.filename.endswith((".xml", ".rels")):
            continue
        whole = bool(SCANNED_WHOLE.search(part.filename))
        text = _read(fmt, package, part, None if whole else PROLOG_BYTES)
        if declares_entities(text, complete=whole or len(text) < PROLOG_BYTES):
            raise DraftInputError(
                f"This .{fmt.value} file declares XML entities (a way to build an 'XML bomb'), "
                "so it was not opened."
            )
        if part.filename == "[Content_Types].xml" and ACTIVE_TYPES.search(
            text.decode("utf-8", "replace")
        ):
            raise DraftInputError(
                "This file is macro-enabled; macros are never opened here. Save it as a plain "
                f".{fmt.value} without macros and upload that."
            )
        if part.filename.endswith(".rels"):
            check_relationships(text)
        elif whole and ACTIVE_FIELD.search(text):
            raise DraftInputError(
                "This document has a field that fetches or runs something when it is opened "
                "(DDE, INCLUDETEXT, INCLUDEPICTURE or LINK). Remove the field and upload again."
            )


def declares_entities(text: bytes, complete: bool) -> bool:
    """Whether the XML's prolog (where a DTD can only be) holds one, or runs past what was
    read. A DTD anywhere else is not XML and fails to parse."""
    position = 0
    while found := PROLOG_ITEM.match(text, position):
        position = found.end()
    rest = text[position:].lstrip()
    if not rest:
        return not complete  # still in the prolog where reading stopped
    if rest.startswith((b"<?", b"<!--")):
        return True  # a comment or instruction longer than what was read
    return bool(DOCTYPE.match(rest))


def check_relationships(text: bytes) -> None:
    """Hyperlinks may point anywhere; nothing else may point to a web or network address (a
    remote template or object would be fetched when the filled-in copy is opened)."""
    for relationship in RELATIONSHIP.findall(text):
        if (
            EXTERNAL.search(relationship)
            and not HYPERLINK.search(relationship)
            and REMOTE_TARGET.search(relationship)
        ):
            raise DraftInputError(
                "This file loads something from outside itself (a remote template, picture or "
                "object). Save a copy without external links and upload that."
            )


def _read(
    fmt: QuestionnaireFormat, package: zipfile.ZipFile, part: zipfile.ZipInfo, size: int | None
) -> bytes:
    try:
        with package.open(part) as stream:
            return stream.read(-1 if size is None else size)
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError):
        raise DraftInputError(
            f"This .{fmt.value} file is damaged or incomplete and cannot be read."
        ) from None
