"""Documents from upload to index: spooling, parsing, chunking, embedding, indexing, the outbox,
purge and reconcile, and the viewer's text and PDF pages.

Imports accounts, knowledge_bases, domain, db and ports; never state, ui or api."""
