"""Guards against a binding bug we hit: PySide6 6.12.0's Signal.emit() dropped a reference to
True on every call (Python 3.11), so a busy window crashed the interpreter after a few thousand
signals. pyproject.toml excludes that version; this test fails if such a build comes back."""

from __future__ import annotations

import sys

from desktop.qt import QtCore, Signal


class _Emitter(QtCore.QObject):
    changed = Signal(object)


def test_emit_keeps_reference_counts(qtbot):
    emitter = _Emitter()
    seen: list[object] = []
    emitter.changed.connect(seen.append)
    before = sys.getrefcount(True), sys.getrefcount(False), sys.getrefcount(None)
    for i in range(200):
        emitter.changed.emit(i)
    after = sys.getrefcount(True), sys.getrefcount(False), sys.getrefcount(None)
    assert len(seen) == 200
    # Small drift is possible from unrelated allocations; a leak per call is 200.
    assert all(abs(a - b) < 50 for a, b in zip(after, before, strict=True))
