"""The admin console home.

Layout only; data from state."""
