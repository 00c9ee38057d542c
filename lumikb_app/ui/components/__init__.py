"""Reusable layout pieces: the shell (top bar, sidebar, main pane) and small building blocks."""
