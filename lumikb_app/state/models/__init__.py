"""Reflex state for the model registry's admin page (Admin → Models).

Calls services.models; holds no SQL and no rules: the services check the caller and the input."""
