"""Reflex state for the drafting pages: the drafts list, new drafts (from a template or an
imported questionnaire), the templates page, and the draft page's side panels.

Calls services.drafting; holds no SQL and no rules."""
