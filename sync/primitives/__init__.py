"""The primitives under the wire format: device identities (``identity``: Ed25519, X25519 and
ML-KEM keys, device ids, fingerprints) and the chunked AEAD stream (``stream``) that attachments
and sync files use. Nothing here knows of operations, commits or packages."""
