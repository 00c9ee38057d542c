"""Use cases, one package per capability; every function that touches a KB takes the acting user.

The transaction rule: a public use case owns its unit of work. It opens `transaction()` (writes)
or `read_session()` (reads) from `services.platform.transactions`, commits before it returns, and
returns plain values or detached rows, so nothing above services (state, api, workers, CLI) ever
holds a Session. A function whose first parameter is `session` is a building block that joins the
caller's unit of work (`audit.record`, `access.require`, `outbox.add`): only services call it.
No network call (S3, Qdrant, a model, a health probe) runs while a unit of work is open: do it
before the transaction opens or after it commits, and let the outbox cover the gap.
Services import domain, db, ports, the container and each other; never reflex, state, ui or api.
"""
