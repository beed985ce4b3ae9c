"""The application shell: settings, wiring, entry points and templates."""
