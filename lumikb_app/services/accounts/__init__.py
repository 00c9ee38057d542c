"""Who may do what: sign-in, passwords, users, OIDC, API tokens, KB grants and the audit log.

Imports domain, db, ports and platform; never state, ui or api."""
