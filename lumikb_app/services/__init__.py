"""Use cases. Every function that touches a KB takes the acting user and checks access."""
