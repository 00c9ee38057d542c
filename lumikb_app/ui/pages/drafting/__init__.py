"""The drafting pages: the drafts list and the templates page (the draft page is draft.py).

Layout only; data from state.drafting."""
