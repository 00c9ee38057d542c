"""The document viewer page.

Layout only; data from state.documents."""
