"""An operation's verified commit chain and the epoch secrets this device holds.

OperationKeys is what the sync engine keeps per operation: it verifies each incoming commit
against the chain (refusing forks, gaps and reordering with a clear reason), opens the epoch
secret sealed to this device when it is a member, and answers "which roster and which secret
belong to epoch N". Deleting the secrets (``shred``) makes every stored package unreadable.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from locales import _
from sync.errors import ProtocolError
from sync.primitives.identity import Identity
from sync.protocol.commit import (
    EPOCH_SECRET_BYTES,
    Commit,
    check_epoch_secret,
    decode_commit,
    open_commit,
    open_epoch_secret,
    verify_genesis,
    verify_next,
)


class OperationKeys:
    """The commit chain of one operation plus this device's epoch secrets."""

    def __init__(self, identity: Identity) -> None:
        self._identity = identity
        self._commits: list[Commit] = []
        self._secrets: dict[int, bytes] = {}

    def __repr__(self) -> str:  # never print secrets
        return f"OperationKeys(epochs={len(self._commits)}, held={sorted(self._secrets)})"

    @classmethod
    def from_chain(
        cls,
        identity: Identity,
        commits: Iterable[bytes],
        secrets: Mapping[int, bytes] | None = None,
    ) -> OperationKeys:
        """Rebuild from stored commits and stored secrets (secrets of epochs we no longer can open
        from the commit, e.g. after a key change, come from ``secrets``)."""
        keys = cls(identity)
        for raw in commits:
            keys.add_commit(raw)
        for epoch, secret in (secrets or {}).items():
            keys.keep_secret(epoch, secret)
        return keys

    @property
    def operation_id(self) -> bytes:
        return self.latest.operation_id

    @property
    def latest(self) -> Commit:
        if not self._commits:
            raise ProtocolError(_("The operation has no commits yet."))
        return self._commits[-1]

    @property
    def commits(self) -> tuple[Commit, ...]:
        return tuple(self._commits)

    def add_commit(self, raw: bytes) -> Commit:
        """Verify and append the next commit; an identical known commit is returned unchanged.

        Raises ProtocolError for forks (a different commit for an epoch already held), gaps,
        reordering, bad signatures and an epoch secret this device cannot open; the keys are
        then left exactly as they were.
        """
        commit = decode_commit(raw)
        if not self._commits:
            verify_genesis(commit)
        elif commit.epoch < len(self._commits) and commit.operation_id == self.operation_id:
            known = self._commits[commit.epoch]
            if known.hash == commit.hash:
                return known
            raise ProtocolError(
                _("Commit refused: fork, epoch {epoch} already has a different commit.").format(
                    epoch=commit.epoch
                )
            )
        else:
            verify_next(self.latest, commit)
        # Everything is checked before anything changes: a refused commit leaves the keys as
        # they were.
        secret = None
        if commit.member(self._identity.device_id) is not None:
            secret = open_epoch_secret(commit, self._identity)
            commit = open_commit(commit, secret)  # names and metadata, sealed from the relay
        self._commits.append(commit)
        if secret is not None:
            self._secrets[commit.epoch] = secret
        return commit

    def check_secret(self, epoch: int, secret: bytes) -> None:
        """Refuse a secret that is not the one the commit of ``epoch`` committed to."""
        if len(secret) != EPOCH_SECRET_BYTES or not 0 <= epoch < len(self._commits):
            raise ProtocolError(_("Not a valid epoch secret for this operation."))
        check_epoch_secret(self._commits[epoch], secret)

    def keep_secret(self, epoch: int, secret: bytes) -> None:
        """Remember a secret learnt elsewhere (e.g. the creator's own copy, or from storage)."""
        self.check_secret(epoch, secret)
        self._commits[epoch] = open_commit(self._commits[epoch], secret)
        self._secrets[epoch] = secret

    def roster_at(self, epoch: int) -> Commit:
        if not 0 <= epoch < len(self._commits):
            raise ProtocolError(_("Package refused: its epoch is not known here."))
        return self._commits[epoch]

    def secret(self, epoch: int) -> bytes:
        secret = self._secrets.get(epoch)
        if secret is None:
            raise ProtocolError(
                _("Package refused: this device does not hold the secret of its epoch.")
            )
        return secret

    def held_epochs(self) -> tuple[int, ...]:
        return tuple(sorted(self._secrets))

    def export_secrets(self) -> dict[int, bytes]:
        """The secrets, for the encrypted store only."""
        return dict(self._secrets)

    def shred(self) -> None:
        """Forget every epoch secret (crypto-shredding: stored packages become unreadable)."""
        self._secrets.clear()
