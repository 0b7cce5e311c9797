"""Alerts reach the officer twice: the in-app banner, and a system tray notification for each
alert that arrives while the app runs (not for those already there at unlock)."""

from __future__ import annotations

from typing import Any

from desktop.alerts import AlertBanner, AlertCenter
from desktop.operations_data import AlertRow


class RecordingTray:
    """Stands in for QSystemTrayIcon, which offscreen test machines do not have."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, str]] = []

    def showMessage(self, title: str, text: str, *_args: Any) -> None:  # noqa: N802 - Qt's name
        self.messages.append((title, text))

    def hide(self) -> None: ...

    def deleteLater(self) -> None: ...  # noqa: N802 - Qt's name


def _alert(n: int) -> AlertRow:
    return AlertRow("op1", "COCAIR-D", f"m{n}", f"Pangolin scales via Lagos ({n})", "Aminata Diop")


def test_new_alerts_go_to_the_tray_once_and_clicking_opens_the_operation(qtbot) -> None:
    banner = AlertBanner()
    qtbot.addWidget(banner)
    center = AlertCenter(banner)
    tray = RecordingTray()
    center.tray = tray  # type: ignore[assignment]
    notified: list[AlertRow] = []
    center.notified.connect(notified.append)

    center.show_alerts([_alert(1)])  # already there at unlock: the banner only
    assert tray.messages == [] and banner.alerts == [_alert(1)]
    center.show_alerts([_alert(2), _alert(1)])
    assert tray.messages == [("Alert: COCAIR-D", "Pangolin scales via Lagos (2)")]
    assert notified == [_alert(2)]
    center.show_alerts([_alert(2), _alert(1)])  # nothing new: nothing more
    assert len(tray.messages) == 1

    with qtbot.waitSignal(banner.open_requested) as opened:
        center._tray_clicked()
    assert opened.args == ["op1"]
    center.close()
    assert center.tray is None
