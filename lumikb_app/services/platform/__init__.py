"""What runs the product: database transactions, backend health, app lifespan, demo seeding.

Imports domain, db, ports and the container; any capability may import it."""
