"""Reflex state for the search page and the Ctrl+K palette.

Calls services.retrieval; holds no SQL and no rules."""
