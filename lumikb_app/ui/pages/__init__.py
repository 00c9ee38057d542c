"""One module per page; lumikb_app.lumikb_app registers them."""
