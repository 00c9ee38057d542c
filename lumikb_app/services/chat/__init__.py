"""Conversations and cited answers: question rewrite, prompts, streaming turns, citation checks,
confidence and the extractive (no-model) mode.

Imports retrieval, accounts, knowledge_bases, domain, db and ports."""
