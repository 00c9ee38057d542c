"""Candidate mentions in one line of a chunk, for the no-model extractor (term_extractor.py).

Each finder yields `Candidate`s with offsets into the line; the extractor resolves overlaps
by `rank` (lower wins: a PEP number beats a code name beats a proper name beats a key term).
All matching is by precompiled regular expressions, so a 300-word chunk takes well under a
millisecond.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from lumikb_app.domain.graph_names import entity_key
from lumikb_app.services.graph import term_lexicon as lex

PEP, CODE, NAME, TERM = "pep", "code", "name", "term"
RANK_PEP, RANK_LITERAL, RANK_CODE, RANK_SHAPE, RANK_NAME, RANK_ACRONYM, RANK_TERM = range(7)


@dataclass(frozen=True, slots=True)
class Candidate:
    start: int
    end: int
    type: str
    rank: int
    key: str = ""  # set when the surface alone does not give it (bare PEP numbers, modules)
    recurring: bool = False  # kept only if its surface occurs twice in the chunk


_UP = "A-ZÀ-ÖØ-Þ" + "".join(chr(c) for c in range(0x100, 0x17F) if chr(c).isupper())
_LO = "a-zß-öø-ÿ" + "".join(chr(c) for c in range(0x100, 0x180) if chr(c).islower())
_CAPWORD = rf"[{_UP}][{_LO}]+(?:-[{_UP}]?[{_LO}]+)*"

PEP_REF = re.compile(r"(?<![\w-])PEP[ \-]?0*(\d{1,4})(?![\d.]\d|\w)", re.IGNORECASE)
RFC_REF = re.compile(r"(?<![\w-])RFC[ \-]?(\d{3,5})(?!\d)")
PEP_LIST = re.compile(r"(?<!\w)PEPs (\d{1,4})((?:(?:,|,? and|,? or) \d{1,4}(?!\d))+)")
_NUMBER = re.compile(r"\d{1,4}")
OWN_PEP = re.compile(r"(?<![a-z])pep[\s_:-]*0*(\d{1,4})(?:\.[a-z]{1,4})?(?![\d.])", re.IGNORECASE)

_LITERAL = re.compile(r"``([^`\n]{1,80})``|(?<!`)`([^`\n]{1,80})`(?!`)")
_IDENTIFIER = re.compile(r"_*[A-Za-z][\w.]*(?:\(\))?")
_DUNDER = re.compile(r"(?<![\w.])__[A-Za-z][A-Za-z0-9_]*?__(?!\w)")
_DOTTED = re.compile(
    r"(?<![\w.@/:\-])[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+(?![\w@/]|\.\w|-\w)"
)
_CALL = re.compile(r"(?<![\w.])([A-Za-z_][A-Za-z0-9_]*)\((?:\)|(?!e?s\))[^()\s]{1,30}\))")
_CAMEL = re.compile(
    r"(?<![\w.\-])(?=[A-Za-z0-9]*[a-z][A-Z]|[A-Z]{2,}[a-z])[A-Za-z][A-Za-z0-9]*(?![\w\-]|\.\w)"
)
_PLACEHOLDER_CAMEL = re.compile(r"[a-z]+[A-Z]")  # exprN, argN
_SNAKE = re.compile(r"(?<![\w.\-])(?=\w*_)\w+(?![\w\-]|\.\w)")
_ACRONYM = re.compile(r"(?<![\w.\-/])[A-Z][A-Z0-9]*[A-Z][A-Z0-9]*(?:-\d+)?(?![\w\-/])")
_PLURAL_ACRONYM = re.compile(r"[A-Z]{2,}s")
_NAME = re.compile(
    rf"(?<![\w.]){_CAPWORD}(?:(?: (?:{lex.NAME_PARTICLES}))* (?:{_CAPWORD}|[{_UP}]\.(?= [{_UP}])))+(?!\w)"
)
_SINGLE_CAP = re.compile(rf"(?<![\w.\-]){_CAPWORD}(?![\w\-])")
_MODULE_ALWAYS = re.compile(
    r"(?<![\w.\-])(?:"
    + "|".join(sorted(lex.MODULES_ALWAYS, key=len, reverse=True))
    + r")(?![\w\-])"
)
_MODULE_CONTEXT = re.compile(
    r"(?:\bthe |\b)([a-z_][a-z0-9_]*) (?:module|package)s?\b|\b(?:module|package) ([a-z_][a-z0-9_]*)\b"
)
IMPORT = re.compile(r"(?:^|[\s;>])(?:from ([\w.]+) import|import ((?:[\w.]+(?:, ?)?)+))")
IMPORT_LINE = re.compile(
    r"^\s*(?:>>> |\.\.\. )?(?:from ([\w.]+) import|import ((?:[\w.]+(?:, ?)?)+))", re.MULTILINE
)
_FROM_IMPORT = re.compile(
    r"^\s*(?:>>> |\.\.\. )?from [\w.]+ import \(?([\w ,]+)\)?[ \t]*$", re.MULTILINE
)
_IDENT_TOKEN = re.compile(r"(?<![\w.])[A-Za-z_]\w*(?!\w)")
_IDENTIFIER_WORD = re.compile(r"[A-Za-z_]\w*")
_PLAIN_WORD = re.compile(r"[A-Za-z][a-z]*")
_WORD_RUN = re.compile(
    r"(?<![\w.\-/@'’])[a-z][a-z0-9]*(?:-[a-z0-9]+)*(?: [a-z][a-z0-9]*(?:-[a-z0-9]+)*)*(?![\w\-(/@'’]|\.\w)"
)
_WORD = re.compile(r"\S+")
_DIGIT = re.compile(r"\d")


def pep_refs(line: str) -> Iterator[Candidate]:
    for m in PEP_REF.finditer(line):
        yield Candidate(m.start(), m.end(), PEP, RANK_PEP, f"pep {int(m.group(1))}")
    for m in PEP_LIST.finditer(line):
        yield Candidate(m.start(1), m.end(1), PEP, RANK_PEP, f"pep {int(m.group(1))}")
        base = m.start(2)
        for n in _NUMBER.finditer(m.group(2)):
            yield Candidate(
                base + n.start(), base + n.end(), PEP, RANK_PEP, f"pep {int(n.group())}"
            )
    for m in RFC_REF.finditer(line):
        yield Candidate(m.start(), m.end(), NAME, RANK_PEP, f"rfc {m.group(1)}")


def code_names(line: str, modules: frozenset[str]) -> Iterator[Candidate]:
    """Identifiers in prose: literals, dunders, dotted names, calls, CamelCase, snake_case."""
    for m in _LITERAL.finditer(line):
        group = 1 if m.group(1) is not None else 2
        inner = m.group(group).strip()
        name = inner.removesuffix("()")
        if _IDENTIFIER.fullmatch(inner) and _good_identifier(name):
            start = m.start(group) + m.group(group).index(inner)
            yield Candidate(start, start + len(name), CODE, RANK_LITERAL, recurring=_plain(name))
    for m in _DUNDER.finditer(line):
        yield Candidate(m.start(), m.end(), CODE, RANK_CODE)
    for m in _DOTTED.finditer(line):
        if _good_dotted(m.group()):
            yield Candidate(m.start(), m.end(), CODE, RANK_CODE)
    for m in _CALL.finditer(line):
        if _good_identifier(m.group(1)) and len(m.group(1)) > 2:
            yield Candidate(m.start(1), m.end(1), CODE, RANK_CODE, recurring=_plain(m.group(1)))
    for m in _CAMEL.finditer(line):
        word = m.group()
        if (
            not _PLURAL_ACRONYM.fullmatch(word)
            and not _PLACEHOLDER_CAMEL.fullmatch(word)
            and len(word) <= 60
        ):
            yield Candidate(m.start(), m.end(), CODE, RANK_SHAPE)
    for m in _SNAKE.finditer(line):
        if _good_identifier(m.group()):
            yield Candidate(m.start(), m.end(), CODE, RANK_SHAPE)
    yield from module_names(line, modules)


def code_line_names(
    line: str, modules: frozenset[str], imported_here: frozenset[str]
) -> Iterator[Candidate]:
    """In a line of code only what is certain: dunders, module names and their dotted members,
    and the names the chunk imports (`from typing import TypeVar`)."""
    if imported_here:
        for m in _IDENT_TOKEN.finditer(line):
            if m.group() in imported_here:
                yield Candidate(m.start(), m.end(), CODE, RANK_CODE)
    for m in _DUNDER.finditer(line):
        yield Candidate(m.start(), m.end(), CODE, RANK_CODE)
    for m in _DOTTED.finditer(line):
        root = m.group().split(".", 1)[0]
        if root in modules and _good_dotted(m.group()):
            yield Candidate(m.start(), m.end(), CODE, RANK_CODE)
    yield from imported(line)


def imported(line: str, prose: bool = False) -> Iterator[Candidate]:
    """Modules of import statements; in prose ("import statements") only known or code-shaped."""
    for m in IMPORT.finditer(line):
        group = 1 if m.group(1) else 2
        base = m.start(group)
        for name in re.finditer(r"[\w.]+", m.group(group)):
            word = name.group()
            if not _good_identifier(word) or word.startswith("."):
                continue
            if prose and not (_known_module(word) or "_" in word or "." in word):
                continue
            yield Candidate(base + name.start(), base + name.end(), CODE, RANK_CODE)


def _known_module(name: str) -> bool:
    return name in lex.MODULES_ALWAYS or name in lex.MODULES_CONTEXT


def _plain(name: str) -> bool:
    """A plain word as code (`name`, prev()) counts only if it recurs, unless it is a builtin."""
    return (
        bool(_PLAIN_WORD.fullmatch(name)) and name not in lex.BUILTINS and not _known_module(name)
    )


def imported_names(text: str) -> set[str]:
    """What `from module import a, b as c` statements of a code block import: a and b."""
    found = set()
    for m in _FROM_IMPORT.finditer(text):
        for part in m.group(1).split(","):
            name = part.split(" as ")[0].strip()
            if _IDENTIFIER_WORD.fullmatch(name) and _good_identifier(name) and len(name) > 2:
                found.add(name)
    return found


def imported_modules(text: str) -> set[str]:
    found = set()
    for m in IMPORT_LINE.finditer(text):
        for name in re.findall(r"[\w.]+", m.group(1) or m.group(2)):
            found.add(name.split(".", 1)[0])
    return found


def module_names(line: str, modules: frozenset[str]) -> Iterator[Candidate]:
    for m in _MODULE_ALWAYS.finditer(line):
        yield Candidate(m.start(), m.end(), CODE, RANK_SHAPE)
    for m in _MODULE_CONTEXT.finditer(line):
        group = 1 if m.group(1) else 2
        name = m.group(group)
        if name in modules or name in lex.MODULES_CONTEXT or ("_" in name and len(name) > 2):
            yield Candidate(m.start(group), m.end(group), CODE, RANK_SHAPE)


def _good_identifier(name: str) -> bool:
    letters = sum(c.isalpha() for c in name)
    lower = name.lower()
    return (
        letters >= 2
        and len(name) <= 60
        and lower not in lex.PLACEHOLDERS
        and not lower.startswith(("my_", "some_", "foo", "spam"))
        and not name.isdigit()
        and (lower not in lex.STOPWORDS or "_" in name)
        and name not in ("None", "True", "False")
    )


def _good_dotted(name: str) -> bool:
    parts = name.split(".")
    lower = name.lower()
    if len(parts[0]) < 2 or parts[0].lower() in ("self", "cls", "www", "e", "i", "etc", "eg", "ie"):
        return lower in lex.KNOWN_FILES
    if parts[-1].lower() in lex.FILE_SUFFIXES:
        return lower in lex.KNOWN_FILES
    if len(parts[-1]) < 2:
        return False
    return _good_identifier(name) and not any(p.isdigit() for p in parts)


def names(line: str, sentence_starts: frozenset[int]) -> Iterator[Candidate]:
    """Proper names: capitalized word sequences (with particles), and recurring single ones."""
    for m in _NAME.finditer(line):
        words = [(w.start(), w.end()) for w in _WORD.finditer(m.group())]
        lo, hi = 0, len(words)
        while lo < hi and (
            _weak_name_word(m.group()[slice(*words[lo])]) or _verb_ing(m.group()[slice(*words[lo])])
        ):
            lo += 1
        while hi > lo and _weak_name_word(m.group()[slice(*words[hi - 1])]):
            hi -= 1
        kept = [m.group()[slice(*w)].lower() for w in words[lo:hi]]
        if hi - lo >= 2 and not all(w in lex.NOT_NAMES or w in lex.GENERIC_NOUNS for w in kept):
            yield Candidate(m.start() + words[lo][0], m.start() + words[hi - 1][1], NAME, RANK_NAME)
        elif hi - lo == 1 and m.start() + words[lo][0] not in sentence_starts:
            yield from _single(m.start() + words[lo][0], m.group()[slice(*words[lo])])
    for m in _SINGLE_CAP.finditer(line):
        if m.start() not in sentence_starts:
            yield from _single(m.start(), m.group())


def _single(start: int, word: str) -> Iterator[Candidate]:
    lower = word.lower()
    if (
        len(word) < 3
        or _weak_name_word(word)
        or lower in lex.NOT_NAMES
        or lower in lex.GENERIC_NOUNS
    ):
        return
    yield Candidate(
        start, start + len(word), NAME, RANK_NAME, recurring=lower not in lex.KNOWN_NAMES
    )


def _weak_name_word(word: str) -> bool:
    lower = word.lower()
    return (
        lower in lex.FUNCTION_WORDS
        or lower in lex.MONTHS_AND_DAYS
        or lower in lex.SENTENCE_OPENERS
        or lower in lex.GENERIC_ADJECTIVES
        or word.endswith(".")
    )


def _gerund(word: str) -> bool:
    return word.endswith("ing") and len(word) > 5 and word not in lex.ING_NOUNS


def _verb_ing(word: str) -> bool:
    return word.endswith("ing") and len(word) > 5 and "-" not in word


def acronyms(line: str) -> Iterator[Candidate]:
    for m in _ACRONYM.finditer(line):
        word = m.group()
        letters = sum(c.isalpha() for c in word)
        lower = word.lower()
        if (
            word in lex.NOT_ACRONYMS
            or letters < 2
            or lower in lex.NOT_NAMES
            or lower in lex.STOPWORDS
        ):
            continue
        if lower in lex.GENERIC_NOUNS or lower in lex.GENERIC_ADJECTIVES:
            continue
        long_word = letters >= 6 and word.isalpha()  # "INSTRUCTION" may be emphasis
        yield Candidate(m.start(), m.end(), NAME, RANK_ACRONYM, recurring=letters == 2 or long_word)


def shouting(line: str) -> bool:
    """A line mostly in capitals: its capitals are emphasis, not acronyms."""
    words = [w for w in _WORD.findall(line) if any(c.isalpha() for c in w)]
    return len(words) >= 4 and sum(w.isupper() for w in words) * 2 > len(words)


def terms(line: str) -> Iterator[Candidate]:
    """Key terms: 2-3 word runs of lowercase words between stopwords and punctuation."""
    for run in _WORD_RUN.finditer(line):
        phrase: list[tuple[int, int]] = []
        for word in _WORD.finditer(run.group()):
            if _breaks_term(word.group()):
                yield from _term(run.start(), run.group(), phrase)
                phrase = []
            else:
                phrase.append((word.start(), word.end()))
        yield from _term(run.start(), run.group(), phrase)


def _breaks_term(word: str) -> bool:
    if "-" in word and word.split("-", 1)[0] in lex.FUNCTION_WORDS:
        return True
    if word in lex.STOPWORDS or word in lex.MONTHS_AND_DAYS or len(word) < 2:
        return True
    if _DIGIT.search(word) or word in lex.PLACEHOLDERS:
        return True
    if word.endswith("ly") and len(word) > 4 and word not in lex.LY_NOUNS:
        return True
    return word.endswith("ed") and len(word) > 4 and word not in lex.ED_TERMS


def _term(base: int, run: str, phrase: list[tuple[int, int]]) -> Iterator[Candidate]:
    while phrase and (
        run[slice(*phrase[0])] in lex.GENERIC_ADJECTIVES or _gerund(run[slice(*phrase[0])])
    ):
        phrase = phrase[1:]
    while phrase and (
        _gerund(run[slice(*phrase[-1])]) or run[slice(*phrase[-1])] in lex.GENERIC_ADJECTIVES
    ):
        phrase = phrase[:-1]
    if not 2 <= len(phrase) <= 3:
        return
    words = [run[slice(*w)] for w in phrase]
    head = words[-1]
    if head in lex.GENERIC_NOUNS or head.endswith(lex.ADJECTIVE_ENDINGS) or len(head) < 3:
        return
    if head.endswith("ed") or head in lex.STOPWORDS:
        return
    if all(w in lex.GENERIC_NOUNS or w in lex.GENERIC_ADJECTIVES for w in words):
        return
    singular = entity_key(head)
    technical = (singular in lex.TECH_HEADS or head in lex.TECH_HEADS) and len(words) == 2
    technical = technical and singular not in lex.WEAK_HEADS
    start, end = base + phrase[0][0], base + phrase[-1][1]
    yield Candidate(start, end, TERM, RANK_TERM, recurring=not technical)
