"""SQLModel tables and engine helpers."""
