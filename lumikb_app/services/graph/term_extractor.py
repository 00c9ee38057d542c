"""The no-model extractor (the embedded default): key terms and named things of a chunk, with
relations from co-occurrence in a sentence and from PEP references.

Like GraphRAG's fast indexing (noun phrases and co-occurrence), but shaped for technical text:
PEP numbers, code names (dotted, CamelCase, snake_case, calls, dunders, modules), proper names
with particles, recurring acronyms, and 2-3 word key terms found between stopwords. Each line
of a chunk is classified first: document header fields are skipped except the people in them,
code lines give only what is certain in code (imports, dunders, module members), headings give
no names or terms ("Backwards Compatibility" names nothing). Pure CPU and deterministic: the
same chunk always gives the same result, whatever else is in the batch.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from lumikb_app.domain.graph import (
    CO_OCCURS,
    REFERENCES,
    ChunkExtraction,
    ChunkText,
    EntityDraft,
    MentionDraft,
    RelationDraft,
)
from lumikb_app.domain.graph_names import entity_key
from lumikb_app.services.documents.chunking import sentence_spans
from lumikb_app.services.graph import term_lexicon as lex
from lumikb_app.services.graph import term_patterns as pat
from lumikb_app.services.graph.term_patterns import Candidate

MAX_CHARS = 100_000  # only the start of a larger chunk is read
MAX_EVIDENCE = 300
PAIRS_FROM_TOP = 6  # co-occurrence pairs per sentence come from its strongest entities
MAX_ALIASES = 5
_TYPE_ORDER = {pat.PEP: 0, pat.CODE: 1, pat.NAME: 2, pat.TERM: 3}
_DROP_KEYS = frozenset({"pep", "python", "cpython pep"})

_LINE = re.compile(r"[^\n]+")
_LOWER_WORD = re.compile(r"(?<![\w\-@.])[a-z][a-z0-9-]*(?![\w@]|\.\w)")  # no e-mail or host parts
_FIELD = re.compile(r"([A-Za-z][A-Za-z-]*): ?(.*)")
_DOCUTILS_MESSAGE = re.compile(r"(?<!\S)\S+:\d+: \((?:INFO|WARNING|ERROR|SEVERE)/\d\)[^\n]*")
_CODE_START = re.compile(
    r"\s*(?:>>>|\.\.\.|\$ |#|@\w|(?:def|class|import|return|raise|yield|elif|while|try|except|"
    r"finally|with|async|await|pass|lambda|assert|del|global|nonlocal|print)\b|from [\w.]+ import\b|"
    r"(?:if|for|else)\b.*:$)"
)
_ASSIGNMENT = re.compile(r"\s*[\w.\[\]'\"(), ]{1,40}?\s*(?:[-+*/%|&^]|//|\*\*)?=(?!=)")
_PROSE = re.compile(r"(?<![A-Za-z])[A-Za-z]+,? [a-z]+,? [a-z]+,? [a-z]+")
_PERSON = re.compile(r"([^,<>()]+?)\s*(?:<[^>]*>|\([^)]*\))?\s*(?:,|$| and )")
_PERSON_NAME = re.compile(r"[A-ZÀ-Þ][\w'’.-]*(?: [\w'’.-]+){1,4}")
_C_LINE = re.compile(r"/\*|\*/|;\s*$|^\s*[{}]")
_LIST_ITEM = re.compile(r"(?:[-*+•]|\d{1,2}[.)]|\(?[a-z][.)]) ")
_CODE_END = (")", ":", "(", "{", "}", "[", "]", ";", ",")
_HEADING_END = (".", ":", ";", ",", "?", "!", ")")


class TermExtractor:
    """Extractor port (ports/extraction.py) without a model."""

    name = "terms"
    mode = "fast"
    batch_size = 64

    def extract(self, chunks: Sequence[ChunkText]) -> list[ChunkExtraction]:
        return [self._safely(chunk) for chunk in chunks]

    @staticmethod
    def _safely(chunk: ChunkText) -> ChunkExtraction:
        try:
            return extract_chunk(chunk)
        except Exception as exc:  # one bad chunk must not stop the document
            return ChunkExtraction(chunk.chunk_id, error=f"{type(exc).__name__}: {exc}"[:500])


@dataclass
class _Found:
    """Accepted mentions of a chunk and the sentences they sit in."""

    mentions: list[tuple[int, int, str, str]] = field(default_factory=list)  # start, end, key, type
    sentences: list[tuple[int, int, bool]] = field(default_factory=list)  # start, end, co-occurs
    chunk_id: str = ""
    own_pep: str = ""
    own_title: str = ""


def extract_chunk(chunk: ChunkText) -> ChunkExtraction:
    text = _DOCUTILS_MESSAGE.sub(lambda m: " " * len(m.group()), chunk.text[:MAX_CHARS])
    found = _Found(chunk_id=chunk.chunk_id)
    title = (chunk.title or "").strip()
    own = pat.OWN_PEP.match(title)  # the title names its own PEP first: "PEP 484 – Type Hints"
    if own:
        found.own_pep = f"pep {int(own.group(1))}"
        found.own_title = title[own.end() :].strip(" -–—:.")
    candidates = list(_candidates(text, found))
    for start, end, key, kind in _resolve(text, candidates):
        found.mentions.append((start, end, key, kind))
    found.mentions.sort()
    return _assemble(chunk.chunk_id, text, found)


# -- finding candidates, line by line ---------------------------------------------------------


def _candidates(text: str, found: _Found) -> Iterator[Candidate]:
    modules = frozenset(pat.imported_modules(text) | lex.MODULES_CONTEXT | lex.MODULES_ALWAYS)
    imported_here = frozenset(pat.imported_names(text))
    header = True
    for line_match in _LINE.finditer(text):
        base, line = line_match.start(), line_match.group()
        if not line.strip():
            continue
        field_match = _FIELD.fullmatch(line)
        if header and field_match and field_match.group(1).lower() in lex.HEADER_FIELDS:
            yield from _shift(base, _header_field(line, field_match, found))
            found.sentences.append((base, base + len(line), False))
            continue
        header = False
        yield from _shift(base, _line_candidates(line, base, (modules, imported_here), found))


def _line_candidates(
    line: str, base: int, known: tuple[frozenset[str], frozenset[str]], found: _Found
) -> Iterator[Candidate]:
    yield from pat.pep_refs(line)
    if _is_code(line):
        found.sentences.append((base, base + len(line), False))
        yield from pat.code_line_names(line, *known)
        return
    yield from pat.code_names(line, known[0])
    if _is_heading(line):
        found.sentences.append((base, base + len(line), False))
        return
    spans = sentence_spans(line)
    found.sentences.extend((base + s, base + e, True) for s, e in spans)
    starts = frozenset(_sentence_starts(line, spans))
    yield from pat.names(line, starts)
    if not pat.shouting(line):
        yield from pat.acronyms(line)
    yield from pat.terms(_lower_sentence_starts(line, starts))
    yield from pat.imported(line, prose=True)


def _shift(base: int, candidates: Iterator[Candidate]) -> Iterator[Candidate]:
    for c in candidates:
        yield Candidate(base + c.start, base + c.end, c.type, c.rank, c.key, c.recurring)


def _header_field(line: str, m: re.Match, found: _Found) -> Iterator[Candidate]:
    name, value, offset = m.group(1).lower(), m.group(2), m.start(2)
    if name == "pep" and value.strip().isdigit():
        found.own_pep = found.own_pep or f"pep {int(value)}"
    elif name == "title":
        found.own_title = found.own_title or value.strip()
    elif name in lex.PEP_LIST_FIELDS:
        for n in re.finditer(r"\d{1,4}", value):
            yield Candidate(
                offset + n.start(), offset + n.end(), pat.PEP, pat.RANK_PEP, f"pep {int(n.group())}"
            )
    elif name in lex.PERSON_FIELDS:
        for person in _PERSON.finditer(value):
            who = person.group(1).strip()
            if _PERSON_NAME.fullmatch(who) and "@" not in who:
                start = offset + person.start(1) + person.group(1).index(who)
                yield Candidate(start, start + len(who), pat.NAME, pat.RANK_NAME)


def _is_code(line: str) -> bool:
    if _CODE_START.match(line) or _ASSIGNMENT.match(line) or _C_LINE.search(line):
        return True
    return line.startswith("  ") and (not _PROSE.search(line) or line.rstrip().endswith(_CODE_END))


def _is_heading(line: str) -> bool:
    """A short line without final punctuation that is no sentence or is in title case; never
    a list item."""
    stripped = line.strip()
    words = stripped.split()
    if not 0 < len(words) <= 12 or stripped.endswith(_HEADING_END) or _LIST_ITEM.match(stripped):
        return False
    return len(words) <= 6 or not _PROSE.search(stripped) or _title_case(words)


def _title_case(words: list[str]) -> bool:
    content = [w for w in words if w.lower() not in lex.STOPWORDS]
    return bool(content) and all(w[0].isupper() or not w[0].isalpha() for w in content)


def _sentence_starts(line: str, spans: list[tuple[int, int]]) -> Iterator[int]:
    """Where a sentence, list item or clause after a colon starts: capitals there prove nothing."""
    for start, _ in spans:
        while start < len(line) and not line[start].isalnum():
            start += 1
        yield start
    for m in re.finditer(r"[:;(\"“]\s*[\"“(]?", line):
        yield m.end()


def _lower_sentence_starts(line: str, starts: frozenset[int]) -> str:
    chars = list(line)
    for i in starts:
        if i + 1 < len(chars) and chars[i].isupper() and chars[i + 1].islower():
            chars[i] = chars[i].lower()
    return "".join(chars)


# -- choosing among overlapping candidates ------------------------------------------------------


def _resolve(text: str, candidates: list[Candidate]) -> Iterator[tuple[int, int, str, str]]:
    surfaces = Counter(text[c.start : c.end] for c in candidates if c.recurring)
    lower_words = frozenset(_LOWER_WORD.findall(text))
    taken = bytearray(len(text) + 1)
    for c in sorted(candidates, key=lambda c: (c.rank, c.start - c.end, c.start)):
        if c.end <= c.start or any(taken[c.start : c.end]):
            continue
        surface = text[c.start : c.end]
        if c.recurring and (surfaces[surface] < 2 or surface.lower() in lower_words):
            continue  # a capitalized word also written in lower case is a common word
        if c.type == pat.NAME and " " in surface and _title_cased_words(surface, lower_words):
            continue  # "Atomic File", "Rejected Alternatives": common words in title case
        key = c.key or entity_key(surface)
        if not key or key in _DROP_KEYS or (c.type != pat.PEP and key.startswith("pep ")):
            continue
        taken[c.start : c.end] = b"\x01" * (c.end - c.start)
        yield c.start, c.end, key, c.type


def _title_cased_words(surface: str, lower_words: frozenset[str]) -> bool:
    return all(word.lower() in lower_words for word in surface.split())


# -- entities, mentions and relations -------------------------------------------------------------


def _assemble(chunk_id: str, text: str, found: _Found) -> ChunkExtraction:
    result = ChunkExtraction(chunk_id)
    surfaces: dict[str, Counter[str]] = {}
    types: dict[str, str] = {}
    for start, end, key, kind in found.mentions:
        result.mentions.append(MentionDraft(key, chunk_id, start, end))
        surfaces.setdefault(key, Counter())[text[start:end]] += 1
        types.setdefault(key, kind)
    references = _references(text, found)
    if references and found.own_pep not in surfaces:
        surfaces[found.own_pep], types[found.own_pep] = Counter(), pat.PEP
    for key, seen in surfaces.items():
        result.entities.append(_entity(key, types[key], seen, found))
    result.relations = references + _co_occurrences(text, found, surfaces)
    return result


def _entity(key: str, kind: str, seen: Counter[str], found: _Found) -> EntityDraft:
    if kind == pat.PEP:
        description = found.own_title if key == found.own_pep else ""
        aliases = tuple(s for s in seen if not s.isdigit() and s != key.upper())[:MAX_ALIASES]
        return EntityDraft(key, key.upper(), kind, description, aliases)
    # Most frequent first; a term's capital at a sentence start is no part of its name.
    ordered = sorted(seen, key=lambda s: (kind == pat.TERM and not s[:1].islower(), -seen[s], s))
    return EntityDraft(key, ordered[0], kind, "", tuple(ordered[1 : 1 + MAX_ALIASES]))


def _sentence_mentions(found: _Found) -> Iterator[tuple[int, int, bool, list[tuple[int, str]]]]:
    starts = [m[0] for m in found.mentions]
    for start, end, co_occurs in found.sentences:
        first, last = bisect_right(starts, start - 1), bisect_right(starts, end - 1)
        inside = [(m[0], m[2]) for m in found.mentions[first:last] if m[1] <= end]
        if inside:
            yield start, end, co_occurs, inside


def _references(text: str, found: _Found) -> list[RelationDraft]:
    if not found.own_pep:
        return []
    weights: Counter[str] = Counter()
    evidence: dict[str, tuple[int, int]] = {}
    for start, end, _, inside in _sentence_mentions(found):
        for key in dict.fromkeys(
            k for _, k in inside if k.startswith("pep ") and k != found.own_pep
        ):
            weights[key] += 1
            evidence.setdefault(key, (start, end))
    return [
        RelationDraft(
            found.own_pep,
            key,
            REFERENCES,
            found.chunk_id,
            _evidence(text, *evidence[key]),
            float(w),
        )
        for key, w in weights.items()
    ]


def _co_occurrences(
    text: str, found: _Found, surfaces: dict[str, Counter[str]]
) -> list[RelationDraft]:
    strength = {key: sum(seen.values()) for key, seen in surfaces.items()}
    weights: Counter[tuple[str, str]] = Counter()
    evidence: dict[tuple[str, str], tuple[int, int]] = {}
    for start, end, co_occurs, inside in _sentence_mentions(found):
        keys = list(dict.fromkeys(k for _, k in inside))
        if not co_occurs or len(keys) < 2:
            continue
        top = sorted(keys, key=lambda k: -strength[k])[:PAIRS_FROM_TOP]
        for i, a in enumerate(top):
            for b in top[i + 1 :]:
                pair = (a, b) if a < b else (b, a)
                weights[pair] += 1
                evidence.setdefault(pair, (start, end))
    return [
        RelationDraft(a, b, CO_OCCURS, found.chunk_id, _evidence(text, *evidence[(a, b)]), float(w))
        for (a, b), w in weights.items()
    ]


def _evidence(text: str, start: int, end: int) -> str:
    sentence = " ".join(text[start:end].split())
    return (
        sentence if len(sentence) <= MAX_EVIDENCE else sentence[: MAX_EVIDENCE - 1].rstrip() + "…"
    )
