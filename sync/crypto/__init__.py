"""Identities, epochs, package sealing, direct messages and attachment streams.

What the sync engine calls (formats in docs/protocol.md):

* ``identity``: ``Identity`` (device keys), ``PublicIdentity``;
* ``epochs``: ``OperationKeys`` (verified commit chain + this device's epoch secrets; ``shred``);
* ``packages``: ``seal_package``, ``open_package``, ``SeenSequences``, ``DuplicatePackage``;
* ``direct``: ``seal_direct``, ``open_direct``; ``history``: sharing earlier epoch secrets;
* ``stream`` (chunked AEAD files) and ``attachments`` (descriptor, resumable verified download).
"""
