"""How many passages a search returns when the caller does not say: the search page, the
Ctrl+K palette's "All results" and `POST /api/v1/search` without `limit` all show this many,
so a script and a person see the same results."""

RESULTS_PER_SEARCH = 20
