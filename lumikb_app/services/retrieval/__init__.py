"""Search across readable KBs (dense + BM25 + cards, fused), its cache and snippets, and the
retrieval evaluation with its inputs and metrics.

Imports accounts, knowledge_bases, documents (read side), domain, db and ports."""
