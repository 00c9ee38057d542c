"""The search page.

Layout only; data from state.retrieval."""
