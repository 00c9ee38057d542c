"""Pages and components: layout only; data comes from lumikb_app.state."""
