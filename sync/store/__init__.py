"""store (see DESIGN.md)."""
