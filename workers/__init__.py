"""RQ job functions and the worker entry point. Never imports reflex."""
