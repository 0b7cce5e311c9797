"""protocol (see DESIGN.md)."""
