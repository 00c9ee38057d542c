"""Search result rows and the Ctrl+K palette.

Layout only; data from state.retrieval."""
