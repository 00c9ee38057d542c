"""HTTP routes for /health and /metrics.

Calls services.platform; no reflex imports."""
