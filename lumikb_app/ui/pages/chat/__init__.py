"""The chat page.

Layout only; data from state.chat."""
