"""The one place that turns a failure into the sentence a person reads.

Cordon's own errors (``CordonError``, the services' ``ServiceError``s, a file import's
``ImportFileError``) already are one translated sentence and are shown as they are; a file that
could not be used is said in words, not as "[Errno 2] ..."; anything else stays vague, because
its text could quote case data or a path, and is logged by type only. Every room, dialog and
window uses ``user_text``; none shows ``str(exc)``."""

from __future__ import annotations

import logging

from forms.importing.errors import ImportFileError
from locales import _
from sync.client.relay_http import RelayUnavailable
from sync.errors import CordonError, file_error_text

log = logging.getLogger(__name__)


def user_text(exc: BaseException) -> str:
    """The sentence to show for ``exc`` (never raw exception text, never a traceback)."""
    if isinstance(exc, RelayUnavailable):
        return _("The relay cannot be reached; check the address and the network, then try again.")
    if isinstance(exc, (CordonError, ImportFileError)):
        text = str(exc).strip()
        if text:
            return text
    elif isinstance(exc, OSError):
        return file_error_text(exc)
    log.error("unexpected failure: %s", type(exc).__name__)
    return _("Something went wrong; nothing was changed. Please try again.")
