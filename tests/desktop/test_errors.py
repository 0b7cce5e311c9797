"""desktop.errors: every failure becomes one sentence, never raw exception text."""

from __future__ import annotations

import logging

import pytest

from desktop.errors import user_text
from forms.importing.errors import ImportFileError
from sync.client.relay_http import RelayUnavailable
from sync.errors import CordonError
from sync.services.errors import NotAllowed


def test_cordon_and_service_errors_are_shown_as_they_are() -> None:
    assert user_text(CordonError("There is no record 12 in this operation.")) == (
        "There is no record 12 in this operation."
    )
    assert user_text(NotAllowed("Only a coordinator can do this.")) == (
        "Only a coordinator can do this."
    )
    assert user_text(ImportFileError("The file is empty.")) == "The file is empty."


def test_an_unreachable_relay_is_said_in_words() -> None:
    text = user_text(RelayUnavailable("ConnectionRefusedError: [Errno 111] 127.0.0.1:9"))
    assert "Errno" not in text and "relay" in text


def test_a_file_error_names_the_file_not_the_errno() -> None:
    text = user_text(FileNotFoundError(2, "No such file or directory", "/tmp/seizures.xlsx"))
    assert "/tmp/seizures.xlsx" in text and "Errno" not in text


@pytest.mark.parametrize(
    "exc",
    [
        ValueError("family_name='Okafor' is invalid"),
        KeyError("Okafor"),
        RuntimeError("Traceback (most recent call last): ..."),
        CordonError(""),
    ],
)
def test_anything_else_stays_vague_and_is_logged_by_type_only(
    exc: BaseException, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="desktop.errors"):
        text = user_text(exc)
    assert text == user_text(RuntimeError("other"))  # the same vague sentence for all
    assert "Okafor" not in text and "Traceback" not in text
    assert "Okafor" not in caplog.text and type(exc).__name__ in caplog.text
