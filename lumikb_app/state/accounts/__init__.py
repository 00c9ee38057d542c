"""Reflex state for sign-in, the account page, public forms and the users and audit admin pages.

Calls services.accounts; holds no SQL and no rules."""
