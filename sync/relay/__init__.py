"""relay (see DESIGN.md)."""
