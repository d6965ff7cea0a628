"""One module per ``sqops`` command; each exposes ``register(app)`` and imports lightly."""
