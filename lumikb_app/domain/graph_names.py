"""Entity keys: the normalized name entities merge on within a KB.

Case, whitespace, punctuation and simple plurals do not make two entities: "Type hints",
"type-hints" and "type hint" share a key. PEP numbers normalize to "pep 8", whatever the
spelling ("PEP-0008", "pep8"). `KNOWN_ALIASES` maps other names of one thing to its key.
"""

from __future__ import annotations

import re

_PEP = re.compile(r"^pep[\s_-]*0*(\d{1,5})$")
_PUNCT = re.compile(r"[^\w+#.]+")  # keep + # . so "C++", "C#", "os.path" survive
_EDGE_DOTS = re.compile(r"^\.+|\.+$")
_SINGULAR_KEEP = ("ss", "us", "is", "os", "as", "ics")
# Words whose final "s" is not a plural: modules and names people write that way.
_NOT_PLURAL = frozenset(
    "types setuptools windows news tools utils collections dataclasses contextvars abcs "  # noqa: SIM905
    "distutils itertools functools operator numbers process https ssl".split()
)
MAX_KEY = 200

KNOWN_ALIASES: dict[str, str] = {
    "walrus operator": "assignment expression",
    "walrus": "assignment expression",
    "type annotation": "type hint",
    "bdfl": "guido van rossum",
    "guido": "guido van rossum",
    "python enhancement proposal": "pep",
}


def _singular(word: str) -> str:
    if len(word) <= 3 or not word.isalpha() or word.endswith(_SINGULAR_KEEP):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "xes", "sses")):
        return word[:-2]
    if word.endswith("s"):
        return word[:-1]
    return word


def entity_key(name: str) -> str:
    """The merge key of `name`; empty when nothing of it is left. An acronym ("HTTPS") or a
    known module ("setuptools") keeps its final "s"."""
    last = name.split()[-1] if name.split() else ""
    keep_last = (len(last) > 1 and last.isupper()) or last.lower() in _NOT_PLURAL
    text = " ".join(_EDGE_DOTS.sub("", part) for part in _PUNCT.sub(" ", name.lower()).split())
    text = " ".join(text.split())
    pep = _PEP.match(text.replace(" ", ""))
    if pep:
        return f"pep {int(pep.group(1))}"
    words = text.split()
    if words and not keep_last:
        words[-1] = _singular(words[-1])
    key = " ".join(words)[:MAX_KEY]
    return KNOWN_ALIASES.get(key, key)
