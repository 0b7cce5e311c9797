"""Printable reports rendered with Qt (text shaping for every script, right to left included)."""
