"""The one error an importer raises when a whole file is refused (not a single row)."""

from __future__ import annotations

from typing import Any

from locales import _


class ImportFileError(ValueError):
    """The file cannot be read safely or at all; ``str()`` is one translated sentence."""

    def __init__(self, msgid: str, **params: Any) -> None:
        self.msgid = msgid
        self.params = params
        super().__init__(msgid)

    def __str__(self) -> str:
        return _(self.msgid).format(**self.params)
