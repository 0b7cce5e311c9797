"""Cordon's Qt (PySide6) interface: windows, widgets, item models and workers over ``sync`` and
``forms``. Qt is imported only through ``desktop.qt``."""
