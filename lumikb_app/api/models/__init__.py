"""REST API v1 routes of the model registry: the models a KB admin may choose, and choosing them.

Calls services.models and services.knowledge_bases; no reflex imports."""
