"""REST API v1 routes of the knowledge graph: search a KB's entities and expand one.

Calls services.graph; no reflex imports."""
