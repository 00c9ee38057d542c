"""One module per concrete backend."""
