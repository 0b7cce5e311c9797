"""The one place Qt is imported from, so a change of binding or a workaround lives here
(import-linter holds every other module of desktop/ to it)."""

from PySide6 import QtCharts, QtCore, QtGui, QtPdf, QtPdfWidgets, QtWidgets
from PySide6.QtCore import Qt, Signal, Slot

__all__ = [
    "QtCharts",
    "QtCore",
    "QtGui",
    "QtPdf",
    "QtPdfWidgets",
    "QtWidgets",
    "Qt",
    "Signal",
    "Slot",
]
