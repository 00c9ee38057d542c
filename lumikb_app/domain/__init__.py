"""Plain dataclasses and enums shared by services and adapters."""
