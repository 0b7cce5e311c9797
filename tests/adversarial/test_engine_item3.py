"""Issue 15, item 3: a demoted coordinator cannot act as one by sealing under an old epoch."""

from __future__ import annotations

from sync.client.local import LocalChanges, seal_outbox
from tests.adversarial.conftest import Team, change_role, person


def test_a_demoted_coordinator_cannot_validate_through_an_old_epoch(team: Team) -> None:
    op = team.operation(members={"A": "coordinator", "B": "participant"})
    a, b, c = team["A"], team["B"], team["C"]
    record_id = LocalChanges(b.profile, op).add_records(
        "person", 1, [person("Okafor")], "submitted"
    )[0]
    b.sync(op)
    a.sync(op)
    demoted_at = change_role(team, "C", op, "A", "participant")
    b.sync(op)  # B holds the roster in which A is a participant
    assert b.engine.keys(op).latest.epoch == demoted_at

    # A never fetches the demotion: its keys still say coordinator, and it seals under the old
    # epoch a revision that validates B's record and rewrites a field.
    stale = a.engine.keys(op)
    assert stale.latest.epoch < demoted_at
    assert stale.latest.member(bytes.fromhex(a.id)).role == "coordinator"  # type: ignore[union-attr]
    LocalChanges(a.profile, op).revise(record_id, {}, status="validated", comment="approved")
    LocalChanges(a.profile, op).revise(record_id, {"family_name": "Forged"})
    seal_outbox(a.profile, a.profile.store, op, stale)
    payloads = [e.payload for e in a.profile.store.outbox.pending(op)]
    a.engine.client(team.proxy.url).post_packages(bytes.fromhex(op), payloads)

    before = b.profile.store.records.get(op, record_id)
    report = b.sync(op)
    assert report.received == 0 and report.rejected == 2
    # Judged as the participant it now is, A may not touch another member's record at all.
    assert report.reasons == ["package refused: only the author or a coordinator may edit"] * 2
    after = b.profile.store.records.get(op, record_id)
    assert after == before and after is not None and after.status == "submitted"
    assert after.fields["family_name"] == "Okafor"
    assert len(b.profile.store.records.history(op, record_id)) == 1
    # C, the remaining coordinator, refuses it the same way.
    assert c.sync(op).rejected == 2
