"""Drafting: questionnaires, RFP answers and reports written from the knowledge bases."""
