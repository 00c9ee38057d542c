"""The spinners a failed event turns off (state/backend_errors.py) name real flags: a flag
renamed in its state would otherwise never be cleared again, silently."""

import pytest

from lumikb_app.state.backend_errors import busy_flags

pytestmark = pytest.mark.unit


def test_every_busy_flag_is_a_boolean_the_page_shows():
    import lumikb_app.lumikb_app  # noqa: F401  (registers every state)

    for state, flags in busy_flags().values():
        for flag in flags:
            assert state.get_fields()[flag].default is False, f"{state.__name__}.{flag}"
