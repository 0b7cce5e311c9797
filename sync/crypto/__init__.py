"""Sealing above the wire format: epochs, packages, direct messages and attachments.

What the sync engine calls (formats in docs/protocol.md):

* ``epochs``: ``OperationKeys`` (verified commit chain + this device's epoch secrets; ``shred``);
* ``packages``: ``seal_package``, ``open_package``, ``SeenSequences``, ``DuplicatePackage``;
* ``direct``: ``seal_direct``, ``open_direct``; ``history``: sharing earlier epoch secrets;
* ``attachments`` (descriptor, resumable verified download) over ``sync.primitives.stream``.

Device identities and the chunked AEAD stream are ``sync.primitives``, below the protocol.
"""
