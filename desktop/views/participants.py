"""Participants of one operation: the roster with verified marks for everyone; for a coordinator
also invitations (code and QR), join requests with a fingerprint comparison, admit, change
role, remove (explaining the re-key) and close the operation."""

from __future__ import annotations

from typing import Any

from desktop import operations_data as data
from desktop.countries import country_name
from desktop.engine_thread import SyncThread
from desktop.errors import user_text
from desktop.qt import Qt, QtGui, QtWidgets, Signal
from desktop.session import Session
from desktop.views.operations import role_text
from desktop.widgets.plain_label import PlainLabel
from locales import _, ngettext
from sync.services import roster as roster_service
from sync.services.roles import CHOICE_ORDER


def invitation_qr_png(code: str) -> bytes:
    """The invitation code as a QR code (PNG), to scan from the coordinator's screen."""
    import io

    import segno

    out = io.BytesIO()
    segno.make(code, error="m").save(out, kind="png", scale=4, border=2)
    return out.getvalue()


class CompareFingerprintsDialog(QtWidgets.QDialog):
    """Both fingerprints side by side; the coordinator confirms they match what the requester
    reads out (in person or by phone) before admitting."""

    def __init__(
        self, request: data.PendingRow, expected: str, parent: QtWidgets.QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("compare-fingerprints")
        self.request = request
        self.intro = PlainLabel(parent=self)
        self.intro.setWordWrap(True)
        self.left_caption = QtWidgets.QLabel(self)
        self.right_caption = QtWidgets.QLabel(self)
        font = QtGui.QFontDatabase.systemFont(QtGui.QFontDatabase.SystemFont.FixedFont)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.received = PlainLabel(_grid(request.fingerprint), self, selectable=True)
        self.received.setFont(font)
        self.expected = QtWidgets.QPlainTextEdit(expected, self)
        self.expected.setTabChangesFocus(True)
        self.expected.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        self.expected.setFont(font)
        metrics = QtGui.QFontMetrics(font)
        self.expected.setFixedSize(
            metrics.horizontalAdvance("00000 00000 00000 00000") + 24,
            metrics.lineSpacing() * 3 + 16,
        )
        self.verdict = QtWidgets.QLabel(self)
        self.verdict.setTextFormat(Qt.TextFormat.PlainText)
        self.confirm = QtWidgets.QCheckBox(self)
        grid = QtWidgets.QGridLayout()
        grid.addWidget(self.left_caption, 0, 0)
        grid.addWidget(self.right_caption, 0, 1)
        grid.addWidget(self.received, 1, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.expected, 1, 1, Qt.AlignmentFlag.AlignTop)
        digits = QtWidgets.QWidget(self)
        digits.setLayoutDirection(Qt.LayoutDirection.LeftToRight)  # digits are read in order
        digits.setLayout(grid)
        self.buttons = QtWidgets.QDialogButtonBox(self)
        self.admit_button = self.buttons.addButton(
            "", QtWidgets.QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.unverified_button = self.buttons.addButton(
            "", QtWidgets.QDialogButtonBox.ButtonRole.ActionRole
        )
        self.unverified_button.setObjectName("admit-unverified")
        self.unverified_button.clicked.connect(self._admit_unverified)
        self.unverified = False  # the person chose to admit without comparing
        self.unverified_note = PlainLabel(parent=self)
        self.unverified_note.setWordWrap(True)
        self.buttons.addButton(QtWidgets.QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(digits)
        layout.addWidget(self.verdict)
        layout.addWidget(self.confirm)
        layout.addWidget(self.unverified_note)
        layout.addWidget(self.buttons)
        self.expected.textChanged.connect(self._check)
        self.confirm.toggled.connect(self._check)
        self.retranslate()
        self._check()

    def _admit_unverified(self) -> None:
        self.unverified = True
        self.accept()

    def admission(self) -> dict[str, Any]:
        """What the one admission rule (``sync.services.roster``) is given: the fingerprint
        compared (typed in, or the received one the person confirmed group by group), or an
        explicit unverified admission."""
        if self.unverified:
            return {"fingerprint": None, "unverified": True}
        typed = self.expected.toPlainText().strip()
        return {"fingerprint": typed or self.request.fingerprint, "unverified": False}

    def matches(self) -> bool:
        typed = "".join(ch for ch in self.expected.toPlainText() if ch.isdigit())
        wanted = "".join(ch for ch in self.request.fingerprint if ch.isdigit())
        return bool(typed) and typed == wanted

    def _check(self) -> None:
        typed = bool(self.expected.toPlainText().strip())
        colour = ""
        if typed:
            match = self.matches()
            self.verdict.setText(
                _("The fingerprints match.")
                if match
                else _("The fingerprints differ: do not admit this request.")
            )
            colour = "#1b5e20" if match else "#b3261e"
        else:
            self.verdict.setText("")
        self.verdict.setStyleSheet(f"color: {colour}; font-weight: bold;" if colour else "")
        # Either the digits typed in match, or the person confirms comparing them by eye.
        ok = self.matches() if typed else self.confirm.isChecked()
        self.admit_button.setEnabled(ok)

    def retranslate(self) -> None:
        self.setWindowTitle(_("Compare fingerprints"))
        self.intro.setText(
            _(
                "{name} ({agency}, {country}) asks to join. Ask them to read out the "
                "fingerprint their Cordon shows, and compare it with the one received here, "
                "group by group."
            ).format(
                name=self.request.name,
                agency=self.request.agency,
                country=country_name(self.request.country),
            )
        )
        self.left_caption.setText(_("Received with the request:"))
        self.right_caption.setText(_("Read out by the person (optional):"))
        self.expected.setPlaceholderText(_("Type the digits they read out"))
        self.expected.setAccessibleName(_("Fingerprint read out by the person"))
        self.received.setAccessibleName(_("Fingerprint received with the request"))
        self.confirm.setText(_("I compared every group and they &match"))
        self.admit_button.setText(_("&Admit"))
        self.unverified_button.setText(_("Admit &without comparing"))
        self.unverified_note.setText(
            _(
                "Admitting without comparing is written in your audit log, and every member "
                "of the operation sees that this person's keys were never compared."
            )
        )


def _grid(fingerprint: str) -> str:
    groups = fingerprint.split()
    return "\n".join(" ".join(groups[i : i + 4]) for i in range(0, len(groups), 4))


class ParticipantsDialog(QtWidgets.QDialog):
    """Emits ``changed()`` after any roster change and ``closed_operation(id)``."""

    changed = Signal()
    closed_operation = Signal(str)

    def __init__(
        self,
        session: Session,
        sync: SyncThread,
        row: data.OperationRow,
        parent: QtWidgets.QWidget | None = None,
        *,
        retention_days: int | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("participants-dialog")
        self.retention_days = retention_days  # how long this device keeps the closed copy
        self.session = session
        self.sync = sync
        self.row = row
        self.coordinator = row.role == "coordinator" and row.status == "active"
        self.members: list[data.MemberRow] = []
        self.requests: list[data.PendingRow] = []

        self.roster = QtWidgets.QTreeWidget(self)
        self.roster.setObjectName("roster")
        self.roster.setRootIsDecorated(False)
        self.roster.setColumnCount(5)
        self.roster.setMinimumHeight(150)
        self.roster.itemSelectionChanged.connect(self._update_buttons)
        self.role_combo = QtWidgets.QComboBox(self)
        self.role_button = QtWidgets.QPushButton(self)
        self.role_button.clicked.connect(self._change_role)
        self.remove_button = QtWidgets.QPushButton(self)
        self.remove_button.clicked.connect(self._remove)
        roster_buttons = QtWidgets.QHBoxLayout()
        roster_buttons.addWidget(self.role_combo)
        roster_buttons.addWidget(self.role_button)
        roster_buttons.addStretch(1)
        roster_buttons.addWidget(self.remove_button)
        self.roster_box = QtWidgets.QGroupBox(self)
        roster_layout = QtWidgets.QVBoxLayout(self.roster_box)
        roster_layout.addWidget(self.roster)
        roster_layout.addLayout(roster_buttons)

        self.pending = QtWidgets.QListWidget(self)
        self.pending.setObjectName("pending")
        self.pending.setMaximumHeight(110)
        self.pending.itemSelectionChanged.connect(self._update_buttons)
        self.pending.itemActivated.connect(lambda *_: self._admit())
        self.admit_button = QtWidgets.QPushButton(self)
        self.admit_button.setObjectName("admit")
        self.admit_button.clicked.connect(self._admit)
        self.refresh_button = QtWidgets.QPushButton(self)
        self.refresh_button.clicked.connect(self.load_requests)
        self.pending_box = QtWidgets.QGroupBox(self)
        pending_layout = QtWidgets.QVBoxLayout(self.pending_box)
        pending_layout.addWidget(self.pending)
        pending_row = QtWidgets.QHBoxLayout()
        pending_row.addWidget(self.admit_button)
        pending_row.addWidget(self.refresh_button)
        pending_row.addStretch(1)
        pending_layout.addLayout(pending_row)

        self.invite_role = QtWidgets.QComboBox(self)
        self.invite_button = QtWidgets.QPushButton(self)
        self.invite_button.setObjectName("invite")
        self.invite_button.clicked.connect(self._invite)
        self.invite_code = QtWidgets.QPlainTextEdit(self)
        self.invite_code.setReadOnly(True)
        self.invite_code.setMaximumHeight(70)
        self.invite_code.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        self.invite_qr = QtWidgets.QLabel(self)
        self.invite_qr.setFixedSize(150, 150)
        self.invite_qr.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.copy_button = QtWidgets.QPushButton(self)
        self.copy_button.clicked.connect(self._copy)
        self.copy_button.setEnabled(False)
        self.invite_box = QtWidgets.QGroupBox(self)
        invite_layout = QtWidgets.QGridLayout(self.invite_box)
        invite_layout.addWidget(self.invite_role, 0, 0)
        invite_layout.addWidget(self.invite_button, 0, 1)
        invite_layout.addWidget(self.invite_code, 1, 0, 1, 2)
        invite_layout.addWidget(self.copy_button, 2, 0)
        invite_layout.addWidget(self.invite_qr, 0, 2, 3, 1)

        self.close_operation_button = QtWidgets.QPushButton(self)
        self.close_operation_button.setObjectName("close-operation")
        self.close_operation_button.clicked.connect(self._close_operation)
        self.status = PlainLabel(parent=self)
        self.status.setWordWrap(True)
        self.buttons = QtWidgets.QDialogButtonBox(
            QtWidgets.QDialogButtonBox.StandardButton.Close, self
        )
        self.buttons.rejected.connect(self.reject)
        bottom = QtWidgets.QHBoxLayout()
        bottom.addWidget(self.close_operation_button)
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.buttons)

        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.roster_box, 3)
        layout.addWidget(self.pending_box, 1)
        layout.addWidget(self.invite_box)
        layout.addLayout(bottom)
        for widget in (
            self.pending_box,
            self.invite_box,
            self.close_operation_button,
            self.role_combo,
            self.role_button,
            self.remove_button,
        ):
            widget.setVisible(self.coordinator)
        self.resize(760, 640 if self.coordinator else 420)
        self.retranslate()
        self._update_buttons()
        self.load_members()
        if self.coordinator:
            self.load_requests()

    # -- loading ------------------------------------------------------------------------------

    def load_members(self) -> None:
        op = self.row.operation_id
        self.session.call(lambda profile: data.members(profile, op)).success(
            self._show_members
        ).failure(self._fail).run()

    def _show_members(self, members: list[data.MemberRow]) -> None:
        self.members = members
        self.roster.clear()
        for member in members:
            item = QtWidgets.QTreeWidgetItem(
                [
                    member.name,
                    member.agency,
                    country_name(member.country) if member.country else "",
                    role_text(member.role),
                    _("Admitted unverified")
                    if member.admitted_unverified and not member.verified
                    else _("Verified")
                    if member.verified
                    else _("Not compared"),
                ]
            )
            item.setData(0, Qt.ItemDataRole.UserRole, member.device_id)
            item.setToolTip(0, member.fingerprint)
            if member.verified:
                item.setIcon(
                    4,
                    self.style().standardIcon(QtWidgets.QStyle.StandardPixmap.SP_DialogApplyButton),
                )
            if member.status != "active":
                for column in range(5):
                    item.setForeground(
                        column, self.palette().brush(QtGui.QPalette.ColorRole.PlaceholderText)
                    )
            self.roster.addTopLevelItem(item)
        for column in range(5):
            self.roster.resizeColumnToContents(column)
        self._update_buttons()

    def load_requests(self) -> None:
        op = self.row.operation_id
        self.status.setText(_("Looking for join requests…"))
        self.sync.call(lambda engine, progress: data.pending(engine, op)).success(
            self._show_requests
        ).failure(self._fail).run()

    def _show_requests(self, requests: list[data.PendingRow]) -> None:
        self.requests = requests
        self.pending.clear()
        for request in requests:
            text = _("{name} — {agency}, {country} (as {role})").format(
                name=request.name,
                agency=request.agency,
                country=country_name(request.country),
                role=role_text(request.role or "participant"),
            )
            item = QtWidgets.QListWidgetItem(text, self.pending)
            item.setData(Qt.ItemDataRole.UserRole, request.device_id)
        self.status.setText(_("No join requests are waiting.") if not requests else "")
        if requests:
            self.pending.setCurrentRow(0)
        self._update_buttons()

    def _fail(self, exc: BaseException) -> None:
        self.status.setText(user_text(exc))
        self._set_busy(False)

    def _set_busy(self, busy: bool) -> None:
        for button in (
            self.admit_button,
            self.invite_button,
            self.remove_button,
            self.role_button,
            self.close_operation_button,
            self.refresh_button,
        ):
            button.setEnabled(not busy)
        if not busy:
            self._update_buttons()

    # -- actions ------------------------------------------------------------------------------

    def selected_member(self) -> data.MemberRow | None:
        items = self.roster.selectedItems()
        if not items:
            return None
        device = items[0].data(0, Qt.ItemDataRole.UserRole)
        return next((m for m in self.members if m.device_id == device), None)

    def selected_request(self) -> data.PendingRow | None:
        item = self.pending.currentItem()
        if item is None:
            return None
        device = item.data(Qt.ItemDataRole.UserRole)
        return next((r for r in self.requests if r.device_id == device), None)

    def _update_buttons(self) -> None:
        member = self.selected_member()
        editable = member is not None and not member.is_me and member.status == "active"
        self.remove_button.setEnabled(self.coordinator and editable)
        self.role_button.setEnabled(self.coordinator and editable)
        self.admit_button.setEnabled(self.coordinator and self.selected_request() is not None)

    def _invite(self) -> None:
        op = self.row.operation_id
        role = str(self.invite_role.currentData())
        from sync.client import lifecycle

        self._set_busy(True)
        self.sync.call(lambda engine, progress: lifecycle.invite(engine, op, role)).success(
            self.show_invitation
        ).failure(self._fail).run()

    def show_invitation(self, code: str) -> None:
        self._set_busy(False)
        self.invite_code.setPlainText(code)
        pixmap = QtGui.QPixmap()
        pixmap.loadFromData(invitation_qr_png(code), "PNG")
        self.invite_qr.setPixmap(
            pixmap.scaled(
                150,
                150,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.FastTransformation,
            )
        )
        self.copy_button.setEnabled(True)
        self.status.setText(
            _("Give this code to one person; it works once. Then admit their request here.")
        )

    def _copy(self) -> None:
        QtWidgets.QApplication.clipboard().setText(self.invite_code.toPlainText())

    def compare_dialog(self, request: data.PendingRow) -> CompareFingerprintsDialog:
        return CompareFingerprintsDialog(request, "", self)

    def _admit(self, *, confirmed: bool = False) -> None:
        request = self.selected_request()
        if request is None:
            return
        if not confirmed:
            dialog = self.compare_dialog(request)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.accepted.connect(lambda: self.admit(request, **dialog.admission()))
            dialog.open()
            self.compare = dialog
            return

    def admit(
        self,
        request: data.PendingRow,
        *,
        fingerprint: str | None = None,
        unverified: bool = False,
    ) -> None:
        """Admit under the one rule the command line applies too (sync.services.roster):
        the fingerprint compared, or an explicit unverified admission (a new epoch)."""
        op = self.row.operation_id
        self._set_busy(True)
        self.status.setText(_("Admitting {name}…").format(name=request.name))

        def done(epoch: int) -> None:
            self._set_busy(False)
            self.status.setText(_("{name} was admitted.").format(name=request.name))
            self.load_members()
            self.load_requests()
            self.changed.emit()

        def run(engine: Any, progress: Any) -> int:
            epoch = roster_service.admit(
                engine,
                op,
                request.device_id,
                request.role,
                fingerprint=fingerprint,
                unverified=unverified,
            )
            if not unverified:
                data.mark_verified(engine, op, request.device_id)
            return epoch

        self.sync.call(run).success(done).failure(self._fail).run()

    def _change_role(self) -> None:
        member = self.selected_member()
        if member is None:
            return
        role = str(self.role_combo.currentData())
        op = self.row.operation_id
        self._set_busy(True)

        def done(epoch: int) -> None:
            self._set_busy(False)
            self.load_members()
            self.changed.emit()

        self.sync.call(
            lambda engine, progress: data.change_role(engine, op, member.device_id, role)
        ).success(done).failure(self._fail).run()

    def remove_confirmation(self, member: data.MemberRow) -> QtWidgets.QMessageBox:
        box = QtWidgets.QMessageBox(self)
        box.setObjectName("remove-confirmation")
        box.setIcon(QtWidgets.QMessageBox.Icon.Warning)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setWindowTitle(_("Remove a participant"))
        box.setText(_("Remove {name} from the operation?").format(name=member.name))
        box.setInformativeText(
            _(
                "The operation moves to new keys that {name} never receives: from now on "
                "they cannot read anything new. What they already received stays on their "
                "device. This cannot be undone; to take part again they need a new invitation."
            ).format(name=member.name)
        )
        remove = box.addButton(_("&Remove"), QtWidgets.QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QtWidgets.QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QtWidgets.QMessageBox.StandardButton.Cancel)
        box.remove_button = remove  # type: ignore[attr-defined]
        return box

    def _remove(self) -> None:
        member = self.selected_member()
        if member is None:
            return
        box = self.remove_confirmation(member)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.buttonClicked.connect(
            lambda button: self.remove(member) if button is box.remove_button else None  # type: ignore[attr-defined]
        )
        self.confirmation = box
        box.open()

    def remove(self, member: data.MemberRow) -> None:
        from sync.client import lifecycle

        op = self.row.operation_id
        self._set_busy(True)

        def done(epoch: int) -> None:
            self._set_busy(False)
            self.status.setText(
                _("{name} was removed; the operation moved to new keys.").format(name=member.name)
            )
            self.load_members()
            self.changed.emit()

        self.sync.call(
            lambda engine, progress: lifecycle.remove(engine, op, member.device_id)
        ).success(done).failure(self._fail).run()

    def close_confirmation(self) -> QtWidgets.QMessageBox:
        box = QtWidgets.QMessageBox(self)
        box.setObjectName("close-confirmation")
        box.setIcon(QtWidgets.QMessageBox.Icon.Warning)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setWindowTitle(_("Close the operation"))
        box.setText(_("Close {name} for everyone?").format(name=self.row.name))
        days = self.retention_days if self.retention_days is not None else 30
        box.setInformativeText(
            ngettext(
                "You sign the closing of the operation and the relay deletes every package "
                "and file of it. Every participant keeps a read-only copy for {days} day "
                "(your retention setting, carried in the closing), then it is erased; work "
                "they had not sent is erased only when they ask. This cannot be undone.",
                "You sign the closing of the operation and the relay deletes every package "
                "and file of it. Every participant keeps a read-only copy for {days} days "
                "(your retention setting, carried in the closing), then it is erased; work "
                "they had not sent is erased only when they ask. This cannot be undone.",
                days,
            ).format(days=days)
        )
        close = box.addButton(
            _("C&lose operation"), QtWidgets.QMessageBox.ButtonRole.DestructiveRole
        )
        box.addButton(QtWidgets.QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QtWidgets.QMessageBox.StandardButton.Cancel)
        box.close_button = close  # type: ignore[attr-defined]
        return box

    def _close_operation(self) -> None:
        box = self.close_confirmation()
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.buttonClicked.connect(
            lambda button: self.close_operation() if button is box.close_button else None  # type: ignore[attr-defined]
        )
        self.confirmation = box
        box.open()

    def close_operation(self) -> None:
        from sync.client import lifecycle

        op = self.row.operation_id
        retention_days = self.retention_days
        self._set_busy(True)

        def done(status: Any) -> None:
            self._set_busy(False)
            self.closed_operation.emit(op)
            self.accept()

        self.sync.call(
            lambda engine, progress: lifecycle.close(engine, op, retention_days, False)
        ).success(done).failure(self._fail).run()

    def retranslate(self) -> None:
        self.setWindowTitle(_("Participants — {name}").format(name=self.row.name))
        self.roster_box.setTitle(_("Roster"))
        self.roster.setHeaderLabels(
            [_("Name"), _("Agency"), _("Country"), _("Role"), _("Fingerprint")]
        )
        self.roster.setAccessibleName(_("Participants of the operation"))
        self.pending_box.setTitle(_("Join requests"))
        self.pending.setAccessibleName(_("Join requests awaiting admission"))
        self.admit_button.setText(_("&Compare fingerprints and admit…"))
        self.refresh_button.setText(_("Look a&gain"))
        self.invite_box.setTitle(_("Invite"))
        self.invite_role.clear()
        for role in CHOICE_ORDER:
            self.invite_role.addItem(role_text(role), role)
        self.invite_role.setAccessibleName(_("Role of the invited person"))
        self.role_combo.clear()
        for role in CHOICE_ORDER:
            self.role_combo.addItem(role_text(role), role)
        self.role_combo.setAccessibleName(_("New role"))
        self.role_button.setText(_("Change &role"))
        self.remove_button.setText(_("Re&move…"))
        self.invite_button.setText(_("Make an &invitation"))
        self.invite_code.setAccessibleName(_("Invitation code"))
        self.invite_qr.setAccessibleName(_("Invitation QR code"))
        self.copy_button.setText(_("Cop&y code"))
        self.close_operation_button.setText(_("C&lose operation…"))
        self.status.setAccessibleName(_("Status"))
