"""Identities, key wrapping, epochs, package sealing and attachment streams."""
