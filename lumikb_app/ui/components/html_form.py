"""A form the browser submits itself, so the answer's Set-Cookie (HttpOnly) is stored.

`rx.el.form` adds a submit handler that prevents the browser's own submission when no
`on_submit` is given; login and logout must be real form posts.
"""

import reflex as rx
from reflex_components_core.el.elements.forms import Form


class HtmlForm(Form):
    """`<form action=... method="post">` without a Reflex submit handler."""

    @classmethod
    def create(cls, *children, **props) -> rx.Component:
        return super(Form, cls).create(*children, **props)


html_form = HtmlForm.create
