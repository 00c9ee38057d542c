"""The streaming answer's segments, put together in the browser from the tails the state sends.

ChatState.stream_tail holds only what was added since the last flush and where it goes
(state/chat/chat_stream.py: StreamTail: text continuing the last segment, then new segments), so
each update costs what is new, not the whole answer. A React hook keeps the segments received so
far and applies each tail. Reflex folds
updates into its state and React may draw two of them at once, so a tail can arrive after one
the page never saw: the hook then asks the state to send everything again (`resend_stream`,
at most once a second) and ignores tails until that whole copy arrives.
"""

from __future__ import annotations

import reflex as rx
from reflex_base.event import EventChain, no_args_event_spec
from reflex_base.utils.imports import ImportVar
from reflex_base.vars import VarData
from reflex_base.vars.base import Var

from lumikb_app.state.chat.chat import ChatState
from lumikb_app.state.chat.chat_view import Segment

RESEND_MS = 1000
_HELD = "lumikbStreamHeld"
_SEGMENTS, _SET_SEGMENTS = "lumikbStreamSegments", "setLumikbStreamSegments"


def _hooks() -> dict[str, VarData | None]:
    tail = ChatState.stream_tail
    resend = Var.create(EventChain.create(ChatState.resend_stream, args_spec=no_args_event_spec))
    append = f"""useEffect(() => {{
    const tail = {tail!s};
    const held = {_HELD}.current;
    if (!tail) return;
    const kept = held.segments.slice(0, tail.start);
    const last = kept[kept.length - 1];
    if (tail.start > held.segments.length || (tail.text && !(last && last.text.length >= tail.offset))) {{
        const now = Date.now();
        if (now - held.resentAt > {RESEND_MS}) {{ held.resentAt = now; ({resend!s})(); }}
        return;
    }}
    if (tail.text) kept[kept.length - 1] = {{...last, text: last.text.slice(0, tail.offset) + tail.text}};
    held.segments = [...kept, ...tail.segments];
    {_SET_SEGMENTS}(held.segments);
}}, [{tail!s}]);"""
    return {
        f"const [{_SEGMENTS}, {_SET_SEGMENTS}] = useState([]);": None,
        f"const {_HELD} = useRef({{segments: [], resentAt: 0}});": None,
        append: VarData.merge(tail._get_all_var_data(), resend._get_all_var_data()),
    }


def streamed_segments() -> Var[list[Segment]]:
    """The segments of the streaming answer the page holds (a browser-side value)."""
    data = VarData(
        hooks=_hooks(),
        imports={
            "react": [
                ImportVar(tag="useState"),
                ImportVar(tag="useRef"),
                ImportVar(tag="useEffect"),
            ]
        },
    )
    return Var(_js_expr=_SEGMENTS, _var_type=list[Segment], _var_data=data)


def streamed_text(render) -> rx.Component:
    """`render(segments)` of the streaming answer, once it has any text."""
    return rx.cond(ChatState.stream_has_text, render(streamed_segments()))
