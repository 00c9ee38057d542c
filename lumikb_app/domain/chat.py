"""Chat events, as streamed to the browser (Reflex state) and to API clients (SSE)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

# A stored answer's citation marker: "[2]", "[1, 3]" or "[1; 3]".
CITATION_MARKER = re.compile(r"\[(\d+(?:\s*[,;]\s*\d+)*)\]")

ChatEventKind = Literal["status", "token", "citation", "done", "error"]


class ChatInputError(ValueError):
    """The question or conversation is not acceptable; the message is meant for a person."""


@dataclass(frozen=True)
class ChatEvent:
    """`status`: {"message"}; `token`: {"text"}; `citation`: one citation dict;
    `done`: {"message_id", "content", "citations", "sources", "confidence", "mode"};
    `error`: {"message"}."""

    kind: ChatEventKind
    data: dict[str, Any] = field(default_factory=dict)
