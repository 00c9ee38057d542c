"""An answer's text as Markdown (lists, tables, code blocks with highlighting and a copy button),
with its `[n]` citation badges.

The page holds an answer as segments (state/chat/chat_view.py: plain text and citations); the
browser joins them into one Markdown text, each citation a link whose title carries the
segment, and the link renderer turns such a link back into the badge with its hover preview.
The same join serves the stored answer and the streaming one, so an answer looks the same while
it arrives and after. A marker inside a code block stays `[n]` text: code is shown as written.
An unclosed fence while streaming is a code block that runs to the end, as CommonMark says.
Raw HTML and math are off: an answer's text is never markup the page runs.
"""

from __future__ import annotations

import reflex as rx
from reflex_base.vars.base import Var

from lumikb_app.state.chat.chat_view import Segment
from lumikb_app.ui.components.common import testid

CITE_TITLE = "lumikb-cite:"
_PROPS_CITE = (
    f"((props.title || '').startsWith('{CITE_TITLE}') ? "
    f"JSON.parse(decodeURIComponent(props.title.slice({len(CITE_TITLE)}))) : null)"
)

MARKDOWN_STYLE = {
    "line_height": "1.65",
    "overflow_wrap": "anywhere",
    "min_width": "0",
    "max_width": "100%",
    "& > div > :first-child, & > :first-child": {"margin_top": "0"},
    "& > div > :last-child, & > :last-child": {"margin_bottom": "0"},
    "& table": {"border_collapse": "collapse", "margin": "0.5em 0", "font_size": "14px"},
    "& th, & td": {
        "border": f"1px solid {rx.color('gray', 6)}",
        "padding": "4px 10px",
        "text_align": "left",
        "vertical_align": "top",
    },
    "& th": {"background": rx.color("gray", 3), "font_weight": "600"},
    "& ul, & ol": {"padding_left": "1.4em", "margin": "0.4em 0"},
    "& li": {"margin": "0.15em 0"},
    "& pre": {"margin": "0 !important", "overflow_x": "auto", "max_width": "100%"},
}


def markdown_source(segments: Var) -> Var[str]:
    """The answer's Markdown, joined in the browser from its segments."""
    return Var(
        _js_expr=join_js(str(segments)), _var_type=str, _var_data=segments._get_all_var_data()
    )


def join_js(segments: str) -> str:
    """The JavaScript expression that joins the segments array `segments` into Markdown."""
    return f"""((segs) => {{
  let out = '';
  for (const s of (segs || [])) {{
    if (!(s.n > 0)) {{ out += s.text; continue; }}
    const fenced = ((out.match(/^ {{0,3}}(```|~~~)/gm) || []).length % 2) === 1;
    if (fenced) {{ out += '[' + s.text + ']'; continue; }}
    if (out.endsWith('!')) out += '\\u200b';
    const title = '{CITE_TITLE}' + encodeURIComponent(JSON.stringify(s));
    out += '[' + s.text + '](<' + String(s.href || '').replace(/[<>\\n]/g, '') + '> "' + title + '")';
  }}
  return out;
}})({segments})"""


def _link(text: Var, **_props) -> rx.Component:
    from lumikb_app.ui.components.chat.chat_message import citation_badge

    segment = Var(_js_expr=_PROPS_CITE, _var_type=Segment).to(Segment)
    href = Var(_js_expr="props.href", _var_type=str)
    return rx.cond(
        Var(_js_expr=_PROPS_CITE, _var_type=bool),
        citation_badge(segment),
        rx.link(text, href=href, is_external=True),
    )


def _code_block(code: Var, **props) -> rx.Component:
    copy = rx.icon_button(
        rx.icon("copy", size=14),
        size="1",
        variant="surface",
        color_scheme="gray",
        type="button",
        on_click=[rx.set_clipboard(code), rx.toast.success("Code copied.", duration=1500)],
        position="absolute",
        top="6px",
        right="6px",
        custom_attrs={**testid("copy-code"), "aria-label": "Copy code", "title": "Copy code"},
    )
    return rx.code_block(
        code,
        can_copy=True,
        copy_button=copy,
        theme=rx.code_block.themes.a11y_dark,  # its token colours meet WCAG AA contrast
        wrap_long_lines=False,
        show_line_numbers=False,
        border_radius="8px",
        font_size="13px",
        margin_y="0.6em",
        custom_attrs=testid("answer-code"),
        **props,
    )


def _paragraph(text: Var, **_props) -> rx.Component:
    return rx.text(text, as_="p", margin_y="0.55em")


COMPONENT_MAP = {"a": _link, "pre": _code_block, "p": _paragraph}


def answer_markdown(segments: Var, test_id: str) -> rx.Component:
    return rx.box(
        rx.markdown(
            markdown_source(segments),
            component_map=COMPONENT_MAP,
            use_math=False,
            use_katex=False,
            use_raw=False,
        ),
        color=rx.color("gray", 12),
        font_size="var(--font-size-3)",
        style=MARKDOWN_STYLE,
        custom_attrs=testid(test_id),
    )
