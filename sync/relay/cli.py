"""``cordon-relay serve``: run the relay on uvicorn and print the URL it listens on."""

from __future__ import annotations

import argparse
import fcntl
import logging
import os
import signal
import socket
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from locales import _
from sync import __version__
from sync.errors import CordonError, UsageError
from sync.relay.config import RelaySettings, load_settings

log = logging.getLogger("cordon.relay")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cordon-relay", description=_("The Cordon relay server."))
    parser.add_argument("--version", action="version", version=f"cordon-relay {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help=_("run the relay"))
    serve.add_argument("--data", help=_("data folder (SQLite database and blobs)"))
    serve.add_argument("--host", help=_("address to listen on (default 127.0.0.1)"))
    serve.add_argument("--port", type=int, help=_("port (0 picks a free one; default 8765)"))
    serve.add_argument("--database-url", help=_("PostgreSQL URL instead of SQLite"))
    serve.add_argument("--config", help=_("TOML configuration file"))
    serve.add_argument("--ssl-certfile", help=_("TLS certificate chain (PEM)"))
    serve.add_argument("--ssl-keyfile", help=_("TLS private key (PEM)"))
    serve.add_argument("--log-level", help=_("debug, info, warning or error"))

    migrate = commands.add_parser(
        "migrate", help=_("bring the database schema up to this version, then exit")
    )
    backup = commands.add_parser(
        "backup", help=_("copy a SQLite relay's database and blobs while it runs")
    )
    backup.add_argument("--to", required=True, help=_("folder to write the copy into (new)"))
    for command in (migrate, backup):
        command.add_argument("--data", help=_("data folder (SQLite database and blobs)"))
        command.add_argument("--database-url", help=_("PostgreSQL URL instead of SQLite"))
        command.add_argument("--config", help=_("TOML configuration file"))
    return parser


def run_migrations(settings: RelaySettings) -> int:
    """Run the schema migrations a relay would run at start (an upgrade step for operators who
    want it separate from the restart); returns the schema version now in place."""
    from sync.relay.schema import migrate
    from sync.relay.store import make_engine, sqlite_url

    data = Path(settings.data_dir)
    if not settings.database_url:
        data.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.database_url or sqlite_url(data))
    try:
        return migrate(engine)
    finally:
        engine.dispose()


def backup(settings: RelaySettings, target: Path) -> Path:
    """A consistent copy of a SQLite relay, safe while it serves: the database through SQLite's
    online backup, then the blob files (written once under their id, never changed in place).
    A blob whose upload finishes after the database copy is not referenced by it, and is copied
    or not: either way the copy is consistent. PostgreSQL relays are backed up with pg_dump."""
    import shutil
    import sqlite3

    if settings.database_url:
        raise UsageError(
            _("This relay keeps its data in PostgreSQL: back it up with pg_dump (docs/relay.md).")
        )
    data = Path(settings.data_dir)
    source = data / "relay.db"
    if not source.is_file():
        raise CordonError(_("There is no relay database in {path}.").format(path=data))
    try:
        target.mkdir(parents=True, exist_ok=False)
    except FileExistsError as exc:
        raise CordonError(
            _("The backup folder {path} already exists; choose a new one.").format(path=target)
        ) from exc
    os.chmod(target, 0o700)
    with (
        sqlite3.connect(f"file:{source}?mode=ro", uri=True) as src,
        sqlite3.connect(target / "relay.db") as dst,
    ):
        src.backup(dst)
    blobs = data / "blobs"
    if blobs.is_dir():
        shutil.copytree(blobs, target / "blobs")
    return target


def _lock_data_dir(data: Path) -> Any:
    """SQLite mode has one writer process per data folder; refuse a second one clearly."""
    data.mkdir(parents=True, exist_ok=True)
    handle = open(data / "relay.lock", "w")  # noqa: SIM115 - held for the process lifetime
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        raise CordonError(
            _("Another relay is already using the data folder {path}.").format(path=data)
        ) from exc
    return handle


def serve(settings: RelaySettings) -> None:
    import uvicorn
    from uvicorn.config import HTTP_PROTOCOLS
    from uvicorn.importer import import_from_string

    from sync.relay.app import create_app
    from sync.relay.limits import header_timeout_protocol
    from sync.relay.logs import setup_logging

    setup_logging(settings.log_level)
    lock = None if settings.database_url else _lock_data_dir(Path(settings.data_dir))
    family = socket.AF_INET6 if ":" in settings.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((settings.host, settings.port))
    except OSError as exc:
        raise CordonError(
            _("The relay cannot listen on {host}:{port}.").format(
                host=settings.host, port=settings.port
            )
        ) from exc
    sock.listen(2048)
    sock.set_inheritable(True)
    app = create_app(settings)
    tls = bool(settings.ssl_certfile)
    config = uvicorn.Config(
        app,
        log_config=None,
        access_log=False,
        ssl_certfile=settings.ssl_certfile,
        ssl_keyfile=settings.ssl_keyfile,
        timeout_graceful_shutdown=settings.graceful_seconds,
        loop=_best("uvloop", "asyncio"),
        http=header_timeout_protocol(
            import_from_string(HTTP_PROTOCOLS[_best("httptools", "h11")]),
            settings.header_timeout_seconds,
        ),
        backlog=2048,
        proxy_headers=True,
    )
    server = uvicorn.Server(config)
    port = sock.getsockname()[1]
    shown = f"[{settings.host}]" if family == socket.AF_INET6 else settings.host
    url = f"{'https' if tls else 'http'}://{shown}:{port}"
    print(f"listening on {url}", flush=True)
    log.info("listening", extra={"url": url, "pid": os.getpid()})
    # uvicorn handles SIGTERM/SIGINT gracefully while it runs, then re-raises the signal to the
    # handler that was there before: make that one quiet, so a graceful stop exits 0.
    for stop_signal in (signal.SIGTERM, signal.SIGINT):
        signal.signal(stop_signal, lambda _number, _frame: None)
    try:
        server.run(sockets=[sock])
    finally:
        if lock is not None:
            lock.close()


def _best(module: str, fallback: str) -> str:
    try:
        __import__(module)
    except ImportError:
        return fallback
    return module


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    overrides = {"data_dir": args.data, "database_url": args.database_url}
    if args.command == "serve":
        overrides |= {
            "host": args.host,
            "port": args.port,
            "ssl_certfile": args.ssl_certfile,
            "ssl_keyfile": args.ssl_keyfile,
            "log_level": args.log_level,
        }
    try:
        settings = load_settings(args.config, overrides=overrides)
        if args.command == "migrate":
            version = run_migrations(settings)
            print(_("schema version {version}").format(version=version))
        elif args.command == "backup":
            print(_("backup written to {path}").format(path=backup(settings, Path(args.to))))
        else:
            serve(settings)
    except UsageError as exc:
        print(f"cordon-relay: {exc}", file=sys.stderr)
        return 2
    except CordonError as exc:
        print(f"cordon-relay: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
