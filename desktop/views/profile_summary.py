"""The central area before the operations list exists: who this profile is (with its
fingerprint) and an honest empty state for operations."""

from __future__ import annotations

from desktop.countries import country_name
from desktop.profiles import ProfileSummary
from desktop.qt import Qt, QtWidgets
from desktop.widgets.fingerprint import FingerprintView
from desktop.widgets.plain_label import PlainLabel
from locales import _


class ProfileSummaryView(QtWidgets.QWidget):
    def __init__(self, summary: ProfileSummary, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("profile-summary")
        self._summary = summary
        self.profile_box = QtWidgets.QGroupBox(self)
        self.name_caption = QtWidgets.QLabel(self.profile_box)
        self.agency_caption = QtWidgets.QLabel(self.profile_box)
        self.country_caption = QtWidgets.QLabel(self.profile_box)
        self.device_caption = QtWidgets.QLabel(self.profile_box)
        self.name = PlainLabel(summary.name, self.profile_box, selectable=True)
        self.agency = PlainLabel(summary.agency, self.profile_box, selectable=True)
        self.country = PlainLabel(parent=self.profile_box, selectable=True)
        self.device = PlainLabel(summary.device_id_hex, self.profile_box, selectable=True)
        self.device.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        form = QtWidgets.QFormLayout()
        # Values keep their natural width, so they sit beside their caption on the leading
        # side, also for a Latin name in a right-to-left interface.
        form.setFieldGrowthPolicy(QtWidgets.QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        form.addRow(self.name_caption, self.name)
        form.addRow(self.agency_caption, self.agency)
        form.addRow(self.country_caption, self.country)
        form.addRow(self.device_caption, self.device)
        self.fingerprint_caption = QtWidgets.QLabel(self.profile_box)
        self.fingerprint = FingerprintView(
            summary.fingerprint, summary.qr_png, self.profile_box, qr_size=132
        )
        box_layout = QtWidgets.QVBoxLayout(self.profile_box)
        box_layout.addLayout(form)
        box_layout.addSpacing(8)
        box_layout.addWidget(self.fingerprint_caption)
        box_layout.addWidget(self.fingerprint)

        self.operations_box = QtWidgets.QGroupBox(self)
        self.empty_title = QtWidgets.QLabel(self.operations_box)
        self.empty_title.setTextFormat(Qt.TextFormat.PlainText)
        font = self.empty_title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.empty_title.setFont(font)
        self.empty_title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_text = QtWidgets.QLabel(self.operations_box)
        self.empty_text.setTextFormat(Qt.TextFormat.PlainText)
        self.empty_text.setWordWrap(True)
        self.empty_text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        ops_layout = QtWidgets.QVBoxLayout(self.operations_box)
        ops_layout.addStretch(1)
        ops_layout.addWidget(self.empty_title)
        ops_layout.addWidget(self.empty_text)
        ops_layout.addStretch(1)

        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 16)
        layout.addWidget(self.profile_box)
        layout.addWidget(self.operations_box, 1)
        self.retranslate()

    def retranslate(self) -> None:
        self.profile_box.setTitle(_("Your profile"))
        self.name_caption.setText(_("Name:"))
        self.agency_caption.setText(_("Agency:"))
        self.country_caption.setText(_("Country:"))
        self.device_caption.setText(_("Device:"))
        self.country.setText(country_name(self._summary.country))
        self.name.setAccessibleName(_("Name"))
        self.agency.setAccessibleName(_("Agency"))
        self.country.setAccessibleName(_("Country"))
        self.device.setAccessibleName(_("Device identifier"))
        self.fingerprint_caption.setText(
            _("Fingerprint (compare it with your partners when you join an operation):")
        )
        self.fingerprint_caption.setWordWrap(True)
        self.fingerprint.retranslate()
        self.operations_box.setTitle(_("Operations"))
        self.empty_title.setText(_("No operations yet"))
        self.empty_text.setText(_("Operations you create or join will be listed here."))
        self.operations_box.setAccessibleName(_("Operations"))
        self.operations_box.setAccessibleDescription(_("No operations yet"))
