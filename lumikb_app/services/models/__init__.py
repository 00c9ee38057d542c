"""The model registry: which models the deployment may call, with their URL, key variable and
context window, the default per kind, and connection tests. KB settings choose among its entries;
chat, search and ingestion get their models from it (`choices.py`), never from a typed string.

Imports accounts (access, audit), domain, db, ports and the container; never state, ui or api."""
