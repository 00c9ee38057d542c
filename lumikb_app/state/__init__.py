"""Reflex state: thin classes, one service call per event (DESIGN.md "Reflex rules of thumb")."""
