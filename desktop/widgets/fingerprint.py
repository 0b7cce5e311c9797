"""The fingerprint (safety number) as twelve groups of five digits and as a QR code, for
comparing with another participant in person or by phone."""

from __future__ import annotations

from desktop.qt import Qt, QtGui, QtWidgets
from desktop.widgets.plain_label import PlainLabel
from locales import _

_COLUMNS = 4


def _qr_pixmap(png: bytes, size: int, ratio: float) -> QtGui.QPixmap:
    """The QR code at ``size`` logical pixels, sharp on high-DPI screens (nearest-neighbour
    scaling keeps the modules crisp for scanners)."""
    pixmap = QtGui.QPixmap()
    pixmap.loadFromData(png, "PNG")
    device = round(size * ratio)
    pixmap = pixmap.scaled(
        device,
        device,
        Qt.AspectRatioMode.KeepAspectRatio,
        Qt.TransformationMode.FastTransformation,
    )
    pixmap.setDevicePixelRatio(ratio)
    return pixmap


class FingerprintView(QtWidgets.QWidget):
    """Digits in a fixed left-to-right grid (also in Arabic: they are read aloud in order)."""

    def __init__(
        self,
        fingerprint: str,
        qr_png: bytes,
        parent: QtWidgets.QWidget | None = None,
        *,
        qr_size: int = 180,
    ) -> None:
        super().__init__(parent)
        self._groups = fingerprint.split()
        digits = QtWidgets.QWidget(self)
        # Digit groups are compared in reading order on both devices; never mirror them.
        digits.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        grid = QtWidgets.QGridLayout(digits)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(16)
        font = QtGui.QFontDatabase.systemFont(QtGui.QFontDatabase.SystemFont.FixedFont)
        font.setPointSizeF(font.pointSizeF() * 1.3)
        self.group_labels: list[PlainLabel] = []
        for index, group in enumerate(self._groups):
            label = PlainLabel(group, digits, selectable=True)
            label.setFont(font)
            grid.addWidget(label, index // _COLUMNS, index % _COLUMNS)
            self.group_labels.append(label)
        self.digits = digits

        self.qr = QtWidgets.QLabel(self)
        self.qr.setPixmap(_qr_pixmap(qr_png, qr_size, self.devicePixelRatioF()))
        self.qr.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.qr.setFixedSize(qr_size, qr_size)

        layout = QtWidgets.QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(digits, 0, Qt.AlignmentFlag.AlignVCenter)
        layout.addSpacing(16)
        layout.addWidget(self.qr, 0, Qt.AlignmentFlag.AlignVCenter)
        layout.addStretch(1)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # screen readers can reach it by Tab
        self.retranslate()

    @property
    def fingerprint(self) -> str:
        return " ".join(self._groups)

    def retranslate(self) -> None:
        self.setAccessibleName(_("Fingerprint"))
        self.setAccessibleDescription(self.fingerprint)
        self.digits.setAccessibleName(_("Fingerprint digits"))
        self.qr.setAccessibleName(_("Fingerprint QR code"))
        for number, label in enumerate(self.group_labels, start=1):
            label.setAccessibleName(_("Fingerprint group {number}").format(number=number))
        self.qr.setToolTip(_("Scan this code on the other device to compare fingerprints."))
