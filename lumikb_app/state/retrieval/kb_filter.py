"""The search page's knowledge-base filter: several KBs at once, kept in the URL as
`?kb=id1,id2`; none chosen means every KB the user may read."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

MAX_CHOSEN = 100  # as many as the REST API takes (api/v1_models.MAX_IDS)
MAX_ID_CHARS = 64
ALL_LABEL = "All knowledge bases"


def parse_kb_param(value: str) -> list[str]:
    """The ids of a `kb=` URL parameter, in order, without repeats or blanks (at most
    MAX_CHOSEN; an over-long id is no id of ours and is dropped)."""
    chosen: list[str] = []
    for part in (value or "").split(","):
        kb_id = part.strip()
        if kb_id and len(kb_id) <= MAX_ID_CHARS and kb_id not in chosen:
            chosen.append(kb_id)
    return chosen[:MAX_CHOSEN]


def kb_param(chosen: Sequence[str]) -> str:
    return ",".join(chosen)


def readable_choice(chosen: Sequence[str], readable: Iterable[str]) -> list[str]:
    """The chosen KBs the user may read, in the order chosen (the service checks again)."""
    allowed = set(readable)
    return [kb_id for kb_id in chosen if kb_id in allowed]


def toggled(chosen: Sequence[str], kb_id: str, on: bool) -> list[str]:
    kept = [k for k in chosen if k != kb_id]
    return [*kept, kb_id] if on else kept


def filter_label(chosen: Sequence[str], names: dict[str, str]) -> str:
    """What the filter button says: every KB, the one KB's name, or how many."""
    if not chosen:
        return ALL_LABEL
    if len(chosen) == 1:
        return names.get(chosen[0], "1 knowledge base")
    return f"{len(chosen)} knowledge bases"
