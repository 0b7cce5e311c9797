"""Sync files for offline teams: export an operation's packages to a file carried by hand, and
import such a file with a report (applied, duplicates, rejected). The work runs on the sync
thread; the dialogs only pick the file and show the outcome."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from desktop import operations_data as data
from desktop.engine_thread import SyncThread
from desktop.errors import user_text
from desktop.qt import Qt, QtWidgets
from locales import _, ngettext


def file_filter() -> str:
    return _("Cordon sync files (*.cordon-sync);;All files (*)")


def _box(
    parent: QtWidgets.QWidget, title: str, text: str, detail: str = ""
) -> QtWidgets.QMessageBox:
    box = QtWidgets.QMessageBox(parent)
    box.setObjectName("sync-file-report")
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setWindowTitle(title)
    box.setText(text)
    if detail:
        box.setInformativeText(detail)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


def import_report_text(applied: int, duplicates: int, rejected: int) -> str:
    return "\n".join(
        [
            ngettext("{count} package applied", "{count} packages applied", applied).format(
                count=applied
            ),
            ngettext(
                "{count} duplicate (already here)", "{count} duplicates (already here)", duplicates
            ).format(count=duplicates),
            ngettext("{count} rejected", "{count} rejected", rejected).format(count=rejected),
        ]
    )


def export_to(sync: SyncThread, operation_id: str, path: str) -> Any:
    """The job that writes the file (chain callbacks, then ``.run()``)."""
    from sync.client import files

    return sync.call(lambda engine, progress: files.export_packages(engine, operation_id, path))


def import_from(sync: SyncThread, path: str) -> Any:
    from sync.client import files

    def run(engine: Any, progress: Any) -> tuple[str, int, int, int]:
        op_id, report = files.import_packages(engine, path)
        return op_id, report.received, report.duplicates, report.rejected

    return sync.call(run)


def export_sync_file(window: QtWidgets.QWidget, sync: SyncThread, row: data.OperationRow) -> None:
    path, _filter = QtWidgets.QFileDialog.getSaveFileName(
        window, _("Export a sync file"), f"{row.name or 'operation'}.cordon-sync", file_filter()
    )
    if not path:
        return

    def done(count: int) -> None:
        _box(
            window,
            _("Sync file written"),
            ngettext(
                "{count} package written for {name}.",
                "{count} packages written for {name}.",
                count,
            ).format(count=count, name=row.name),
            _("Carry the file to the other team; they import it from the Operation menu."),
        )

    export_to(sync, row.operation_id, path).success(done).failure(
        lambda exc: _box(window, _("Export failed"), user_text(exc))
    ).run()


def import_sync_file(
    window: QtWidgets.QWidget, sync: SyncThread, changed: Callable[[str], None]
) -> None:
    path, _filter = QtWidgets.QFileDialog.getOpenFileName(
        window, _("Import a sync file"), "", file_filter()
    )
    if not path:
        return

    def done(result: tuple[str, int, int, int]) -> None:
        op_id, applied, duplicates, rejected = result
        changed(op_id)
        _box(window, _("Sync file imported"), import_report_text(applied, duplicates, rejected))

    import_from(sync, path).success(done).failure(
        lambda exc: _box(window, _("Import failed"), user_text(exc))
    ).run()
