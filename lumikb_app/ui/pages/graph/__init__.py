"""The graph page.

Layout only; data from state.graph."""
