"""HTTP routes for sign-in, OIDC, bearer tokens and the audit export.

Calls services.accounts; no reflex imports."""
