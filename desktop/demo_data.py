"""The demo operation, without Qt: an embedded relay process, three profiles (a coordinator in
France and officers in Colombia and Senegal), an air-route cocaine operation with hundreds of
seizure reports on real routes (UN/LOCODE and HS codes from forms' reference data), persons,
vehicles, messages, alerts and library files, all synced through the relay.

Everything here is made up for demonstration; names are invented. The builder reports progress
through a callback, so the window (or a test) can show it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from locales import _

DEMO_PASSPHRASE = "cordon demo passphrase"  # noqa: S105 - printed for the person; demo data only
OPERATION_NAME = "COCAIR-D — air routes South America → Africa and Europe"
RECORDS = 320  # seizure reports across the three participants
STATE_FILE = "demo.json"

ProgressFn = Callable[[int, int, str], None]  # done, total, label


@dataclass(frozen=True)
class Person:
    folder: str
    name: str
    agency: str
    country: str


PEOPLE = (
    Person("coordinator", "Marie Lefèvre", "DNRED — Douane française (OCU)", "FR"),
    Person("officer-co", "Andrés Restrepo", "DIAN — Policía Fiscal y Aduanera", "CO"),
    Person("officer-sn", "Aminata Diop", "Douanes sénégalaises — BAC Dakar", "SN"),
)

# Real UN/LOCODE codes (checked against forms' reference list when building).
ORIGINS = ("COBOG", "BRGRU", "PELIM", "ECGYE", "VECCS", "BOVVI", "BRSSA", "PAPTY")
AFRICA = ("SNDKR", "GWOXB", "GHACC", "NGLOS", "TGLFW", "CIABJ", "MLBKO", "MACMN", "KENBO")
EUROPE = ("FRCDG", "ESMAD", "PTLIS", "NLAMS", "BEBRU", "DEFRA", "ITMXP", "CHZRH", "TRIST")
CARRIERS = (
    ("Air France", "AF"),
    ("Iberia", "IB"),
    ("TAP Air Portugal", "TP"),
    ("KLM", "KL"),
    ("Ethiopian Airlines", "ET"),
    ("Royal Air Maroc", "AT"),
    ("Turkish Airlines", "TK"),
    ("Avianca", "AV"),
)
COMMODITIES = (
    # category, description, HS code, unit, (low, high)
    ("drugs", "Cocaine hydrochloride, bricks", "2939.72", "kg", (0.8, 28.0)),
    ("drugs", "Cocaine, ingested pellets", "2939.72", "g", (300, 1400)),
    ("drugs", "Cocaine base paste", "2939.72", "kg", (1.0, 12.0)),
    (
        "medicines",
        "Tramadol tablets, 225 mg, no marketing authorisation",
        "3004.90",
        "pieces",
        (2000, 90000),
    ),
    ("tobacco", "Cigarettes without tax stamps", "2402.20", "sticks", (2000, 40000)),
    ("wildlife", "Pangolin scales (CITES Appendix I)", "0507.90", "kg", (2.0, 60.0)),
)
DETECTION = ("risk_profiling", "xray", "dog", "intelligence", "random_check", "physical_search")
CONCEALMENT = ("luggage", "body", "ingestion", "cargo", "postal_item")
GIVEN = (
    "Luis",
    "Carmen",
    "João",
    "Mamadou",
    "Fatou",
    "Kwame",
    "Ngozi",
    "Diego",
    "Ana",
    "Ibrahima",
    "Yaw",
    "Paula",
    "Moussa",
    "Sofía",
    "Tiago",
    "Awa",
)
FAMILY = (
    "García",
    "Mendes",
    "Ndiaye",
    "Mensah",
    "Okafor",
    "Silva",
    "Traoré",
    "Rojas",
    "Camara",
    "Boateng",
    "Pereira",
    "Sow",
    "Vargas",
    "Diallo",
    "Costa",
    "Ortiz",
)
EVAL = {"handling_code": "H1", "source_reliability": "B", "information_accuracy": "2"}


@dataclass(frozen=True)
class DemoInfo:
    folder: Path
    coordinator_home: Path
    passphrase: str
    relay_url: str
    operation_id: str


class EmbeddedRelay:
    """``cordon-relay serve`` in a subprocess on a loopback port, its data in the demo folder."""

    def __init__(self, data: Path, port: int = 0) -> None:
        self.data = data
        self.port = port
        self.proc: subprocess.Popen[bytes] | None = None
        self.url = ""

    def start(self, timeout: float = 30.0) -> EmbeddedRelay:
        self.data.mkdir(parents=True, exist_ok=True)
        args = [
            sys.executable,
            "-m",
            "sync.relay.cli",
            "serve",
            "--data",
            str(self.data),
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
        ]
        log = open(self.data.parent / "relay.log", "ab")  # noqa: SIM115 - the child writes to it
        env = {**os.environ, "CORDON_RELAY_RATE_PER_SECOND": "0"}
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=log, env=env)  # noqa: S603
        log.close()
        assert self.proc.stdout is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline().decode()
            if line.startswith("listening on "):
                self.url = line.split()[-1]
                self.port = int(self.url.rsplit(":", 1)[-1].strip("/"))
                return self
            if not line and self.proc.poll() is not None:
                break
        self.stop()
        from locales import _
        from sync.errors import CordonError

        raise CordonError(_("The demo relay did not start; see relay.log in the demo folder."))

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()


def demo_ready(folder: Path) -> DemoInfo | None:
    """The demo built earlier in ``folder``, or None."""
    try:
        state = json.loads((folder / STATE_FILE).read_text())
    except (OSError, ValueError):
        return None
    home = folder / PEOPLE[0].folder
    if not (home / "cordon.key").exists():
        return None
    return DemoInfo(
        folder, home, DEMO_PASSPHRASE, str(state["relay_url"]), str(state["operation_id"])
    )


def start_relay_for(folder: Path) -> EmbeddedRelay:
    """Start the relay again on the port the demo's operation remembers (or a free one)."""
    info = demo_ready(folder)
    port = int(info.relay_url.rsplit(":", 1)[-1].strip("/")) if info else 0
    return EmbeddedRelay(folder / "relay", port).start()


def build_demo(
    folder: Path,
    relay: EmbeddedRelay,
    progress: ProgressFn,
    *,
    records: int = RECORDS,
    files: list[tuple[str, str]] | None = None,
    keep_open: bool = False,
) -> tuple[DemoInfo, Any]:
    """Create the three profiles and the operation through ``relay``; returns the demo and,
    with ``keep_open``, the coordinator's profile still unlocked (on the calling thread)."""
    from desktop import operations_data
    from sync.client import files as library_files
    from sync.client import lifecycle
    from sync.client.engine import SyncEngine
    from sync.store import profile as profiles

    rng = random.Random(20261122)  # noqa: S311 - the same made-up demo every time, no secret
    total = 8 + records // 40
    step = 0

    def tick(label: str) -> None:
        nonlocal step
        step += 1
        progress(min(step, total), total, label)

    opened = []
    try:
        for person in PEOPLE:
            home = folder / person.folder
            opened.append(
                profiles.create(home, DEMO_PASSPHRASE, person.name, person.agency, person.country)
            )
            tick(_("Creating the profile of {name}").format(name=person.name))
        coordinator, *officers = opened
        engines = [SyncEngine(p) for p in opened]
        op_id = lifecycle.create_operation(
            engines[0],
            OPERATION_NAME,
            relay.url,
            ["seizure-long", "seizure-short", "person", "vehicle", "document", "container"],
            (dt.date.today() + dt.timedelta(days=45)).isoformat(),
        )
        for engine in engines[1:]:
            code = lifecycle.invite(engines[0], op_id, "participant")
            lifecycle.join(engine, code)
            # The demo's coordinator compared fingerprints in person: verified marks.
            operations_data.admit(
                engines[0],
                op_id,
                engine.profile.device_id,
                None,
                fingerprint=engine.profile.identity.public.fingerprint,
            )
            lifecycle.try_activate(engine, op_id)
        tick(_("Forming the operation and admitting the officers"))
        _records(opened, op_id, rng, records, tick)
        _messages(opened, op_id)
        tick(_("Sending messages and alerts"))
        for path, title in files or []:
            library_files.add_item(coordinator, op_id, path, title, None)
        tick(_("Adding photos and bulletins to the library"))
        for engine in [*engines[1:], engines[0], *engines[1:]]:
            engine.sync(op_id, wait=10)
        tick(_("Syncing through the relay"))
        _review(coordinator, op_id, rng)
        for engine in [engines[0], *engines[1:]]:
            engine.sync(op_id, wait=10)
        tick(_("Syncing through the relay"))
        (folder / STATE_FILE).write_text(
            json.dumps({"relay_url": relay.url, "operation_id": op_id})
        )
        info = DemoInfo(folder, folder / PEOPLE[0].folder, DEMO_PASSPHRASE, relay.url, op_id)
        keep = coordinator if keep_open else None
        return info, keep
    finally:
        for profile in opened:
            if not (keep_open and profile is opened[0]):
                profile.close()


def _route(rng: random.Random) -> tuple[str, str | None, str]:
    origin = rng.choice(ORIGINS)
    if rng.random() < 0.45:
        return origin, rng.choice(AFRICA), rng.choice(EUROPE)
    return origin, None, rng.choice(EUROPE + AFRICA)


def _seizure(rng: random.Random, country: str, agency: str, today: dt.date) -> dict[str, Any]:
    origin, transit, destination = _route(rng)
    category, description, hs, unit, (low, high) = rng.choice(COMMODITIES)
    quantity = round(rng.uniform(low, high), 1 if unit in ("kg",) else 0)
    day = today - dt.timedelta(days=int(rng.triangular(0, 56, 6)))
    carrier, prefix = rng.choice(CARRIERS)
    place = {"FR": "FRCDG", "CO": "COBOG", "SN": "SNDKR"}.get(country, destination)
    values: dict[str, Any] = {
        "seizure_date": day.isoformat(),
        "place": place,
        "reporting_country": country,
        "reporting_agency": agency,
        "detection_method": rng.choice(DETECTION),
        "concealment_method": rng.choice(CONCEALMENT),
        "conveyance": "air",
        "carrier": carrier,
        "flight_number": f"{prefix} {rng.randint(10, 999):03d}",
        "departure": origin,
        "destination": destination,
        "departure_date": (day - dt.timedelta(days=1)).isoformat(),
        "arrival_date": day.isoformat(),
        "commodities": [
            {
                "category": category,
                "description": description,
                "hs_code": hs,
                "quantity": str(quantity if unit == "kg" else int(quantity)),
                "unit": unit,
            }
        ],
        **EVAL,
    }
    if transit:
        values["transit"] = [transit]
    return values


def _validated(template: Any, values: dict[str, Any]) -> dict[str, Any] | None:
    from forms.validation import ValidationContext, validate_record

    result = validate_record(template, values, ValidationContext())
    return dict(result.values) if result.ok else None


def _records(
    opened: list[Any], op_id: str, rng: random.Random, count: int, tick: Callable[[str], None]
) -> None:
    from forms.registry import get_template
    from sync.client.local import LocalChanges

    seizure = get_template("seizure-long")
    person_t = get_template("person")
    vehicle_t = get_template("vehicle")
    today = dt.date.today()
    per_author = [count // 2, count // 4, count - count // 2 - count // 4]
    statuses = ("submitted", "submitted", "submitted", "draft")
    for profile, share in zip(opened, per_author, strict=True):
        changes = LocalChanges(profile, op_id)
        batch: list[dict[str, Any]] = []
        for index in range(share):
            values = _validated(seizure, _seizure(rng, profile.country, profile.agency, today))
            if values is not None:
                batch.append(values)
            if len(batch) == 40 or index == share - 1:
                status = rng.choice(statuses)
                changes.add_records(seizure.id, int(seizure.version), batch, status)
                batch = []
                tick(_("Writing seizure reports"))
        persons = []
        for _person in range(14):
            persons.append(
                {
                    "family_name": rng.choice(FAMILY),
                    "given_names": rng.choice(GIVEN),
                    "sex": rng.choice(("M", "F")),
                    "date_of_birth": (
                        today - dt.timedelta(days=rng.randint(20 * 365, 55 * 365))
                    ).isoformat(),
                    "nationality": [rng.choice(("CO", "BR", "VE", "SN", "GW", "NG", "ES", "PT"))],
                    "role": rng.choice(("courier", "courier", "suspect", "passenger")),
                    **EVAL,
                }
            )
        checked = [v for v in (_validated(person_t, p) for p in persons) if v is not None]
        if checked:
            changes.add_records(person_t.id, int(person_t.version), checked, "submitted")
        vehicles = []
        for _vehicle in range(5):
            vehicles.append(
                {
                    "plate": f"{rng.choice('ABCDEFGH')}{rng.choice('KLMNPRST')} "
                    f"{rng.randint(100, 9999)} {rng.choice('XYZW')}{rng.choice('ABCD')}",
                    "country": profile.country,
                    "vehicle_type": rng.choice(("car", "van", "truck")),
                    "make": rng.choice(("Toyota", "Renault", "Peugeot", "Mercedes-Benz")),
                    **EVAL,
                }
            )
        checked = [v for v in (_validated(vehicle_t, v) for v in vehicles) if v is not None]
        if checked:
            changes.add_records(vehicle_t.id, int(vehicle_t.version), checked, "submitted")


def _review(coordinator: Any, op_id: str, rng: random.Random) -> None:
    """The coordination unit validates most submitted seizure reports and returns a few."""
    from sync.client.local import LocalChanges

    changes = LocalChanges(coordinator, op_id)
    submitted = sorted(
        r.record_id
        for r in coordinator.store.records.list(
            op_id, template_id="seizure-long", status="submitted"
        )
    )
    for record_id in submitted:
        roll = rng.random()
        if roll < 0.55:
            changes.revise(str(record_id), {}, status="validated")
        elif roll < 0.62:
            changes.revise(
                str(record_id),
                {},
                status="returned",
                comment="Please add the concealment detail and the flight number.",
            )


MESSAGES = (
    (
        0,
        "Welcome to COCAIR-D",
        "The operational phase runs for six weeks. Please report every seizure on the air routes "
        "from South America within 24 hours, using the long seizure form.",
        False,
    ),
    (
        1,
        "Bogotá: three couriers on the same booking",
        "Three passengers on AV 010 to Madrid share one travel agency in Medellín. Reports filed.",
        False,
    ),
    (
        2,
        "Dakar: increase in ingestion cases",
        "Five ingestion cases this week on flights from São Paulo via Bissau. Hospital protocol "
        "in place.",
        False,
    ),
    (
        0,
        "ALERT: watch flights BOG → CDG",
        "Risk indicators: one-way tickets bought in cash less than 48 hours before departure, "
        "checked luggage only, return via Lisbon. Please apply targeted controls.",
        True,
    ),
    (
        2,
        "ALERT: pangolin scales via Lagos",
        "Intelligence suggests consignments of pangolin scales declared as cashew nuts, routed "
        "via Lagos to Istanbul. Check air cargo manifests.",
        True,
    ),
    (1, "Weekly figures Colombia", "Figures for week 3 are in; see the operation picture.", False),
)


def _messages(opened: list[Any], op_id: str) -> None:
    from sync.client.local import LocalChanges

    for author, subject, body, alert in MESSAGES:
        LocalChanges(opened[author], op_id).send_message(subject, body, alert=alert, to=None)
