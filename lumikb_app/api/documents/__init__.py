"""HTTP routes for file downloads and PDF page images.

Calls services.documents; no reflex imports."""
