"""Reflex state for the graph page.

Calls services.graph and services.knowledge_bases; holds no SQL and no rules."""
