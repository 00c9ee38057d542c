"""Reflex state for the chat page and its streaming bridge.

Calls services.chat; holds no SQL and no rules."""
