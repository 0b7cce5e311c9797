"""The relay server: stores and forwards ciphertext for each operation (docs/relay.md,
docs/architecture.md)."""
