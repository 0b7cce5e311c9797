"""Desktop test set-up: a cheap Argon2id (test-only override), a fresh profile folder per test,
and the application built exactly as ``cordon`` builds it, torn down after each test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

import locales

os.environ.setdefault("CORDON_TEST_ARGON2_MEMORY_KIB", "256")
os.environ.setdefault("CORDON_PSEUDO_LOCALE", "1")

PASSPHRASE = "correct horse battery staple 42"


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "profile"


@pytest.fixture(autouse=True)
def _english_afterwards() -> Iterator[None]:
    yield
    locales.set_language(locales.SOURCE_LANGUAGE)
    locales._catalogs.clear()  # catalogs read during a test must not leak into the next


@pytest.fixture
def make_app(qtbot, qapp):
    """Build the application for a folder; every one built is closed after the test."""
    from desktop.app import build

    built = []

    def make(folder: Path, language: str = "en"):
        from desktop.settings import AppSettings

        settings = AppSettings.for_home(folder)
        if not settings.load().language:
            settings.save(settings.load().with_changes(language=language))
        application = build(folder, app=qapp)
        built.append(application)
        return application

    yield make
    for application in built:
        application.close()
    qapp.processEvents()


def type_text(qtbot, edit, text: str) -> None:
    """Type like a person; QTest can only synthesise ASCII keys, so others arrive as input."""
    if text.isascii():
        qtbot.keyClicks(edit, text)
    else:
        edit.insert(text)


def create_profile_through_window(
    qtbot, application, *, name="Ana Silva", agency="Customs", country="PT", passphrase=PASSPHRASE
):
    """Fill the first-start form as a person would, and wait for the fingerprint page."""
    from desktop.qt import Qt

    window = application.controller.first_start
    assert window is not None
    type_text(qtbot, window.name, name)
    type_text(qtbot, window.agency, agency)
    window.country.setCurrentIndex(window.country.findData(country))
    qtbot.keyClicks(window.passphrase, passphrase)
    qtbot.keyClicks(window.repeat, passphrase)
    assert window.create_button.isEnabled()
    qtbot.mouseClick(window.create_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.fingerprint_view is not None, timeout=20_000)
    return window
