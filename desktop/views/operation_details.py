"""The selected operation at a glance on the overview page: role, status, relay, planned end,
templates, unread messages and packages waiting to send."""

from __future__ import annotations

from desktop.i18n import format_number
from desktop.operations_data import OperationRow, days_left
from desktop.qt import Qt, QtWidgets
from desktop.views.operations import role_text, status_text
from desktop.widgets.plain_label import PlainLabel
from locales import _, ngettext

FIELDS = ("role", "status", "relay", "ends", "templates", "unread", "outbox")


class OperationDetails(QtWidgets.QGroupBox):
    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("operation-details")
        self._row: OperationRow | None = None
        self.captions = {name: QtWidgets.QLabel(self) for name in FIELDS}
        self.values = {name: PlainLabel(parent=self, selectable=True) for name in FIELDS}
        self.values["relay"].setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        form = QtWidgets.QFormLayout(self)
        form.setFieldGrowthPolicy(QtWidgets.QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        for name in FIELDS:
            form.addRow(self.captions[name], self.values[name])
        self.hide()
        self.retranslate()

    def set_row(self, row: OperationRow | None) -> None:
        self._row = row
        self.setVisible(row is not None)
        self.retranslate()

    def retranslate(self) -> None:
        captions = {
            "role": _("Your role:"),
            "status": _("Status:"),
            "relay": _("Relay:"),
            "ends": _("Planned end:"),
            "templates": _("Templates:"),
            "unread": _("Unread messages:"),
            "outbox": _("Waiting to send:"),
        }
        for name, text in captions.items():
            self.captions[name].setText(text)
            self.values[name].setAccessibleName(text.rstrip(":"))
        row = self._row
        self.setAccessibleName(_("Selected operation"))
        if row is None:
            self.setTitle(_("Selected operation"))
            return
        self.setTitle(row.name or _("(waiting for the operation's details)"))
        left = days_left(row.ends_at)
        if left is None:
            ends = _("none")
        elif left >= 0:
            ends = ngettext("{date} ({days} day left)", "{date} ({days} days left)", left).format(
                date=row.ends_at, days=left
            )
        else:
            ends = _("{date} (passed)").format(date=row.ends_at)
        self.values["role"].setText(role_text(row.role))
        self.values["status"].setText(status_text(row.status))
        self.values["relay"].setText(row.relay_url)
        self.values["ends"].setText(ends)
        self.values["templates"].setText(format_number(len(row.templates)))
        self.values["unread"].setText(format_number(row.unread))
        self.values["outbox"].setText(format_number(row.outbox))
