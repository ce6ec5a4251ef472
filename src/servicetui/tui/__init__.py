"""The Textual interface. Entry point: `servicetui.tui.app.run_app`."""
