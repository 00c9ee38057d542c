"""Pages for the KB list, a KB and its settings.

Layout only; data from state."""
