"""Previews inside the app: images (QImage from memory) and PDF (QPdfDocument over a QBuffer),
never by handing the file to another program. Thumbnails are made off the UI thread."""

from __future__ import annotations

from typing import Any

from PySide6 import QtPdf, QtPdfWidgets

from desktop.qt import Qt, QtCore, QtGui, QtWidgets, Signal
from desktop.widgets.plain_label import PlainLabel
from desktop.workspace.library_data import (
    MAX_THUMBNAIL_BYTES,
    ItemView,
    read_plaintext,
)
from locales import _

THUMBNAIL_SIZE = 64


def make_thumbnails(
    profile: Any, operation_id: str, items: list[ItemView], size: int = THUMBNAIL_SIZE
) -> dict[str, QtGui.QImage]:
    """Small images of the image items (writer thread: decrypts; QImage is reentrant)."""
    thumbs: dict[str, QtGui.QImage] = {}
    for item in items:
        if not item.is_image or not item.available or item.size > MAX_THUMBNAIL_BYTES:
            continue
        try:
            data = read_plaintext(profile, operation_id, item.item_id, MAX_THUMBNAIL_BYTES)
        except Exception:  # noqa: BLE001, S112 - a damaged file simply has no thumbnail
            continue
        image = QtGui.QImage.fromData(data)
        if image.isNull():
            continue
        thumbs[item.item_id] = image.scaled(
            size,
            size,
            Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
    return thumbs


class ImagePreview(QtWidgets.QScrollArea):
    """An image scaled to fit the pane (kept sharp on resize)."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.image = QtGui.QImage()
        self.label = QtWidgets.QLabel()
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setWidget(self.label)
        self.setWidgetResizable(True)

    def set_image(self, image: QtGui.QImage) -> None:
        self.image = image
        self._fit()

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        if self.image.isNull():
            self.label.clear()
            return
        area = self.viewport().size() - QtCore.QSize(8, 8)
        scaled = self.image
        if self.image.width() > area.width() or self.image.height() > area.height():
            scaled = self.image.scaled(
                area, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
            )
        self.label.setPixmap(QtGui.QPixmap.fromImage(scaled))


class PreviewPane(QtWidgets.QStackedWidget):
    """A sentence, an image or a PDF. Plaintext lives in memory only while it is shown."""

    pdf_ready = Signal()

    MESSAGE, IMAGE, PDF = range(3)

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.message = PlainLabel(parent=self)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.image = ImagePreview(self)
        self.pdf_document = QtPdf.QPdfDocument(self)
        self.pdf_document.statusChanged.connect(self._pdf_status)
        self.pdf_view = QtPdfWidgets.QPdfView(self)
        self.pdf_view.setDocument(self.pdf_document)
        self.pdf_view.setPageMode(QtPdfWidgets.QPdfView.PageMode.MultiPage)
        self.pdf_view.setZoomMode(QtPdfWidgets.QPdfView.ZoomMode.FitToWidth)
        # Fit to width makes the pages' height depend on the viewport's width, which depends on
        # whether the vertical scroll bar shows: at some window heights the bar appeared, the
        # pages shrank, the bar went, the pages grew... and the window froze in that loop. A
        # bar that is always there leaves the width alone; fitting the width needs no other.
        self.pdf_view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.pdf_view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._buffer: QtCore.QBuffer | None = None
        self.addWidget(self.message)
        self.addWidget(self.image)
        self.addWidget(self.pdf_view)
        self.show_message("")

    def show_message(self, text: str) -> None:
        self._forget()
        self.message.setText(text)
        self.setCurrentIndex(self.MESSAGE)
        self.setAccessibleName(text)

    def show_data(self, item: ItemView, data: bytes) -> bool:
        """Render the decrypted bytes; False when the format cannot be previewed."""
        self._forget()
        if item.is_pdf or data[:5] == b"%PDF-":
            self._buffer = QtCore.QBuffer(self)
            self._buffer.setData(QtCore.QByteArray(data))
            self._buffer.open(QtCore.QIODevice.OpenModeFlag.ReadOnly)
            self.pdf_document.load(self._buffer)
            self.setCurrentIndex(self.PDF)
            self.setAccessibleName(_("Preview of {title}").format(title=item.title))
            return self.pdf_document.status() != QtPdf.QPdfDocument.Status.Error
        image = QtGui.QImage.fromData(data)
        if image.isNull():
            self.show_message(_("This kind of file cannot be previewed here; use Open with…"))
            return False
        self.image.set_image(image)
        self.setCurrentIndex(self.IMAGE)
        self.setAccessibleName(_("Preview of {title}").format(title=item.title))
        return True

    def _pdf_status(self, status: QtPdf.QPdfDocument.Status) -> None:
        if status == QtPdf.QPdfDocument.Status.Ready:
            self.pdf_ready.emit()
        elif status == QtPdf.QPdfDocument.Status.Error:
            self.show_message(_("This PDF could not be read."))

    @property
    def pdf_pages(self) -> int:
        return int(self.pdf_document.pageCount())

    def _forget(self) -> None:
        """Drop the plaintext of the previous preview."""
        if self.pdf_document.status() != QtPdf.QPdfDocument.Status.Null:
            self.pdf_document.close()
        if self._buffer is not None:
            self._buffer.close()
            self._buffer.setData(QtCore.QByteArray())
            self._buffer.deleteLater()
            self._buffer = None
        self.image.set_image(QtGui.QImage())
