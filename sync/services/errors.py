"""The errors a service raises when a rule refuses an action: one translated sentence each.

They are ``CordonError``s, so the command line prints them and exits 1, and the window shows
the sentence as it is (``desktop.errors.user_text``)."""

from __future__ import annotations

from collections.abc import Sequence

from sync.errors import CordonError


class ServiceError(CordonError):
    """A business rule refused the action; ``str(error)`` is the sentence for the person."""


class NotAllowed(ServiceError):
    """This person's role, or their relation to the thing (author or not), forbids the action."""


class NotFound(ServiceError):
    """The operation, record, member or message named does not exist here."""


class Invalid(ServiceError):
    """The values given break a rule (a template's fields, a role name, an empty text)."""


class InvalidRecord(Invalid):
    """A record's values fail its template; ``errors`` lists (field, message) for each."""

    def __init__(self, message: str, errors: Sequence[tuple[str, str]] = ()) -> None:
        super().__init__(message)
        self.errors = tuple(errors)
