"""The sync engine: push, pull, operation lifecycle, files and the relay HTTP client, sharing one
``SyncContext`` (docs/architecture.md, docs/decisions/0007-sync-engine.md)."""
