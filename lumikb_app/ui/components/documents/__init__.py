"""Documents table and upload panel.

Layout only; data from state.documents."""
