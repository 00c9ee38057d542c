"""Reflex state for the documents table, uploads and the document viewer.

Calls services.documents; holds no SQL and no rules."""
