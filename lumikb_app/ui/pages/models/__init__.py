"""The model registry page of the admin console.

Layout only; data from state.models."""
