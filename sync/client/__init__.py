"""client (see DESIGN.md)."""
