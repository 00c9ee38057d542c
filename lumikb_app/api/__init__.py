"""FastAPI routes mounted into the Reflex app through `api_transformer` (no reflex imports here)."""
