"""Reflex state for a KB's settings and members.

Calls services.knowledge_bases and services.accounts; holds no SQL and no rules."""
