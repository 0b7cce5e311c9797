"""The sync engine: one round per operation is commits, pull, push.

Runs in-process under the CLI (``SyncEngine.sync``) and on the desktop's sync thread
(``desktop/engine_thread.py`` calls ``sync_once`` from its one loop), always on the thread that
opened its store. The work itself lives in ``push``, ``pull``, ``lifecycle`` and ``files``, each
taking a :class:`sync.client.context.SyncContext`; a ``SyncEngine`` is such a context that also
runs the rounds. While the relay is unreachable ``sync`` backs off exponentially with jitter and
resumes when it answers; progress goes to a callback.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from locales import _
from sync.client import lifecycle, state
from sync.client.backoff import Backoff
from sync.client.context import (
    FORWARD_KIND,
    Progress,
    ProgressCallback,
    SyncContext,
    SyncReport,
    is_transient,
)
from sync.client.pull import FETCH_LIMIT, PreparedPackage, StoreSeen, prepare
from sync.client.pull import pull as pull_packages
from sync.client.pull import pull_commits as pull_new_commits
from sync.client.pull import receive as receive_packages
from sync.client.push import PUSH_BATCH, PUSH_BYTES
from sync.client.push import push as push_outbox
from sync.client.relay_http import RelayClient, RelayError, RelayUnavailable
from sync.crypto.epochs import OperationKeys
from sync.errors import CordonError

__all__ = [
    "FETCH_LIMIT",
    "FORWARD_KIND",
    "PUSH_BATCH",
    "PUSH_BYTES",
    "PreparedPackage",
    "Progress",
    "ProgressCallback",
    "StoreSeen",
    "SyncEngine",
    "SyncReport",
    "is_transient",
    "prepare",
]


class SyncEngine(SyncContext):
    """Synchronises this profile's operations with their relays."""

    def receive(
        self,
        operation_id: str,
        packages: Iterable[bytes | PreparedPackage],
        *,
        forward: bool = False,
        cursor: tuple[str, int] | None = None,
        keys: OperationKeys | None = None,
    ) -> SyncReport:
        """Verify and apply packages (see :func:`sync.client.pull.receive`)."""
        return receive_packages(
            self, operation_id, packages, forward=forward, cursor=cursor, keys=keys
        )

    def pull_commits(
        self,
        operation_id: str,
        client: RelayClient,
        keys: OperationKeys,
        notices: list[str] | None = None,
    ) -> int:
        """Fetch and verify commits after the newest one held; returns how many were new."""
        return pull_new_commits(self, operation_id, client, keys, notices)

    def push(self, operation_id: str, client: RelayClient) -> int:
        """Send the outbox (see :func:`sync.client.push.push`); returns packages sent."""
        return push_outbox(self, operation_id, client)

    def pull(
        self, operation_id: str, relay_url: str, client: RelayClient, keys: OperationKeys
    ) -> SyncReport:
        """Fetch and apply packages after the stored cursor (see :func:`sync.client.pull.pull`)."""
        return pull_packages(self, operation_id, relay_url, client, keys)

    def sync_once(self, operation_id: str) -> SyncReport:
        """One round: commits, pull, push. Raises RelayUnavailable/RelayError, and CordonError
        when the relay withholds commits that other members' packages name."""
        op = state.require_operation(self.store, operation_id)
        if op.status == "pending":
            lifecycle.try_activate(self, op.operation_id)
            op = state.require_operation(self.store, operation_id)
            if op.status == "pending":
                return SyncReport(status="pending")
        if op.status not in ("active",):
            return SyncReport(status=op.status)
        if not op.relay_url:
            raise CordonError(_("Operation {op} has no relay.").format(op=op.operation_id))
        client = self.client(op.relay_url)
        keys = self.keys(op.operation_id)
        report = SyncReport()
        try:
            self.pull_commits(op.operation_id, client, keys, report.notices)
            if keys.latest.action == "close":  # signed by a coordinator: the operation ends
                lifecycle.apply_closing(self.store, keys.latest)
                report.status = "closed"
                return report
            if keys.latest.member(self.profile.identity.device_id) is None:
                report.status = "removed"
                return report
            # Pull before push: a package naming a newer commit makes this device catch up
            # (or stop) before it seals anything under an epoch that may be over.
            report.add(self.pull(op.operation_id, op.relay_url, client, keys))
            if keys.latest.action == "close":  # learnt while catching up during the pull
                lifecycle.apply_closing(self.store, keys.latest)
                report.status = "closed"
                return report
            if keys.latest.member(self.profile.identity.device_id) is None:
                report.status = "removed"
                return report
            report.sent = self.push(op.operation_id, client)
        except RelayError as exc:
            if exc.status == 410:  # closed only if the coordinator's closing commit says so
                lifecycle.handle_gone(self, op.operation_id, client)
                report.status = "closed"
                return report
            if exc.status == 403:
                raise CordonError(
                    _(
                        "The relay refused this device for operation {name}: it is no longer a "
                        "member."
                    ).format(name=op.name)
                ) from exc
            raise
        self.progress(Progress(op.operation_id, "done", report.received, None))
        return report

    def sync(self, operation_id: str, wait: float = 0.0) -> SyncReport:
        """``sync_once``, retrying with backoff while the relay is unreachable, up to ``wait``
        seconds; then the last error is raised."""
        deadline = time.monotonic() + wait
        backoff = Backoff()
        while True:
            try:
                return self.sync_once(operation_id)
            except (RelayUnavailable, RelayError) as exc:
                remaining = deadline - time.monotonic()
                if not is_transient(exc) or remaining <= 0:
                    raise
                delay = min(remaining, backoff.next_delay())
                self.progress(Progress(operation_id, "offline", 0, None, str(exc)))
                time.sleep(delay)
