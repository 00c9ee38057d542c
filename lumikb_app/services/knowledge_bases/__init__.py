"""Knowledge bases and their per-KB settings.

Imports accounts (access), domain, db and ports; never state, ui or api."""
