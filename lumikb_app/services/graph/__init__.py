"""The knowledge graph: extraction, merging, communities, graph retrieval and exploration.

May import ports, domain, db and other services; the graph store is reached through the
container's `graph` port, never inside an open unit of work when it may be a server.
"""
