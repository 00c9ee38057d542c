"""Drafting's components: the new-draft dialog, the questionnaire import, and the draft page's
members, comments and history panels."""
