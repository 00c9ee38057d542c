"""Reflex state for the admin maintenance actions.

Calls services.documents (reconcile); holds no SQL and no rules."""
