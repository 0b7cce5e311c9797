"""Records: which template a record uses, the values it may hold, and its status workflow.

The workflow is the one table ``WORKFLOW`` of (from status, action, who, to status): the
command line's ``record submit|validate|return``, the window's buttons and the editor's
"Submit" all ask it. A draft is private to its author's device until it is submitted; it then
goes out whole as a new record (``sync.client.local``). Values are checked once, by ``check``,
against the operation's own template (with the fields its template set hides), for new records
and for edits alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from forms.issues import Issue
from forms.model import Template
from forms.validation import ValidationContext, ValidationResult, validate_record
from locales import _
from sync.client import state
from sync.client.local import LocalChanges
from sync.client.templates import operation_template, template_set
from sync.errors import ProtocolError
from sync.services import roles
from sync.services.errors import Invalid, InvalidRecord, NotAllowed, NotFound
from sync.services.roles import Permission
from sync.store.db import Store
from sync.store.operations import Operation
from sync.store.profile import Profile
from sync.store.records import Record, Revision

AUTHOR = "author"  # the record's own author (who must also be allowed to write)
JUDGE = "judge"  # anyone whose role may validate or return (a coordinator)

NEW_STATUSES = ("draft", "submitted")  # what a new record may start as


@dataclass(frozen=True)
class Transition:
    """One allowed step of the workflow."""

    source: str
    action: str
    who: str  # AUTHOR or JUDGE
    target: str


WORKFLOW: tuple[Transition, ...] = (
    Transition("draft", "submit", AUTHOR, "submitted"),
    Transition("returned", "submit", AUTHOR, "submitted"),
    Transition("submitted", "validate", JUDGE, "validated"),
    Transition("submitted", "return", JUDGE, "returned"),
)
# A draft is never judged: it stays on its author's device until submitted
# (sync.client.local keeps it out of the outbox), so no coordinator elsewhere has it.
COMMENT_REQUIRED = frozenset({"return"})  # actions that must say why
ACTIONS: Mapping[str, str] = {t.action: t.target for t in WORKFLOW}  # action -> target status
ACTION_FOR: Mapping[str, str] = {t.target: t.action for t in WORKFLOW}  # target -> action


@dataclass(frozen=True)
class Saved:
    """A record written: its id, its revision number and the quality warnings to show."""

    record_id: str
    revision: int = 1
    warnings: list[Issue] = field(default_factory=list)


# -- who may do what -------------------------------------------------------------------------


def _who_may(who: str, author: str, me: str, role: str) -> bool:
    if who == AUTHOR:
        return author == me and roles.can(role, Permission.WRITE)
    return roles.can(role, Permission.JUDGE)


def actions(record: Record, me: str, role: str) -> tuple[str, ...]:
    """The workflow actions ``me`` (with ``role``) may take on ``record`` now, in table order."""
    found: list[str] = []
    for step in WORKFLOW:
        if (
            step.source == record.status
            and step.action not in found
            and _who_may(step.who, record.author, me, role)
        ):
            found.append(step.action)
    return tuple(found)


def can_edit(record: Record, me: str, role: str) -> bool:
    """Whether ``me`` may change ``record``'s fields: its author, or a role that edits any."""
    if not roles.can(role, Permission.WRITE):
        return False
    return record.author == me or roles.can(role, Permission.EDIT_ANY)


def check_transition(
    record: Record, target: str, me: str, role: str, comment: str | None = None
) -> Transition:
    """The workflow step taking ``record`` to ``target``, or ``NotAllowed`` saying why not."""
    steps = [t for t in WORKFLOW if t.target == target]
    if not steps:
        raise Invalid(_("{status} is not a status a record can be put in.").format(status=target))
    who = steps[0].who
    if not _who_may(who, record.author, me, role):
        if not roles.can(role, Permission.WRITE):
            raise NotAllowed(roles.refusal(Permission.WRITE))
        if who == AUTHOR:
            raise NotAllowed(_("Only the record's author can submit it."))
        raise NotAllowed(roles.refusal(Permission.JUDGE))
    step = next((t for t in steps if t.source == record.status), None)
    if step is None:
        raise NotAllowed(
            _("The record is {status}; it cannot be {target} from there.").format(
                status=record.status, target=target
            )
        )
    if step.action in COMMENT_REQUIRED and not (comment or "").strip():
        raise Invalid(_("Say what the author must correct before returning the record."))
    return step


# -- templates and values --------------------------------------------------------------------


def template_ids(op: Operation) -> tuple[str, ...]:
    """The ids of the templates the operation uses (empty: any shipped template)."""
    found = template_set(op)
    if found is not None:
        return tuple(found.ids())
    return tuple(
        str(t["id"]) if isinstance(t, dict) else str(t)
        for t in op.templates
        if isinstance(t, str) or (isinstance(t, dict) and "id" in t)
    )


def template_for(op: Operation, template_id: str, *, in_use: bool = True) -> Template:
    """The template ``template_id`` as the operation uses it. With ``in_use`` it must be one of
    the operation's templates (new records); an existing record keeps its template."""
    allowed = template_ids(op)
    if in_use and allowed and template_id not in allowed:
        raise Invalid(
            _("Template {template} is not used in this operation.").format(template=template_id)
        )
    try:
        return operation_template(op, template_id)[0]
    except KeyError:
        raise NotFound(_("There is no template {template}.").format(template=template_id)) from None


def hidden_fields(op: Operation, template_id: str) -> frozenset[str]:
    """The fields the operation's template set hides for ``template_id`` (simplified forms)."""
    try:
        return operation_template(op, template_id)[1]
    except KeyError:
        return frozenset()


def validation(
    template: Template,
    values: dict[str, Any],
    record_id: str | None = None,
    hidden: frozenset[str] = frozenset(),
) -> ValidationResult:
    """Check ``values`` against ``template`` without refusing (the editor's live check)."""
    return validate_record(template, values, ValidationContext(record_id=record_id, hidden=hidden))


def check(
    template: Template,
    values: dict[str, Any],
    record_id: str | None = None,
    hidden: frozenset[str] = frozenset(),
) -> ValidationResult:
    """``validation``, refusing with ``InvalidRecord`` (every field error listed) when the
    values break the template; warnings are returned, they never block saving."""
    result = validation(template, values, record_id, hidden)
    if not result.ok:
        errors = [(e.field, e.message) for e in result.errors]
        raise InvalidRecord(
            _("The record was refused; fix these fields: {errors}").format(
                errors="; ".join(f"{name}: {message}" for name, message in errors)
            ),
            errors,
        )
    return result


# -- finding ---------------------------------------------------------------------------------


def find(store: Store, operation_id: str, text: str) -> Record:
    """The record named by its id or by an unambiguous prefix of at least six characters."""
    wanted = text.strip().lower()
    record = store.records.get(operation_id, wanted)
    if record is None and len(wanted) >= 6:
        matches = store.records.ids_starting(operation_id, wanted, limit=2)
        if len(matches) == 1:
            record = store.records.get(operation_id, matches[0])
    if record is None:
        raise NotFound(_("There is no record {id} in this operation.").format(id=text))
    return record


def show(profile: Profile, operation: str, record: str) -> tuple[Record, list[Revision]]:
    """A record and its revisions in clock order, logged as a consultation."""
    store = profile.store
    op = state.require_operation(store, operation)
    found = find(store, op.operation_id, record)
    viewed = store.records.view(op.operation_id, found.record_id)
    return viewed or found, store.records.timeline(op.operation_id, found.record_id)


# -- writing ---------------------------------------------------------------------------------


def add(
    profile: Profile,
    operation: str,
    template_id: str,
    values: dict[str, Any],
    status: str = "draft",
) -> Saved:
    """Check and create one record of the operation's template ``template_id``."""
    op = state.require_operation(profile.store, operation)
    template = template_for(op, template_id)
    return _create(profile, op, template, values, status)


def _create(
    profile: Profile, op: Operation, template: Template, values: dict[str, Any], status: str
) -> Saved:
    roles.require(op.role, Permission.WRITE)
    if status not in NEW_STATUSES:
        raise Invalid(_("A new record is a draft or submitted."))
    result = check(template, values, None, hidden_fields(op, template.id))
    with profile.store.transaction():
        if status != "draft":
            _submit_private_links(profile, op, result.values)
        changes = LocalChanges(profile, op.operation_id)
        (record_id,) = changes.add_records(
            template.id, int(template.version), [result.values], status
        )
    return Saved(record_id, 1, list(result.warnings))


def edit(profile: Profile, operation: str, record: str, changes: dict[str, Any]) -> Saved:
    """Check the record with ``changes`` merged in, then write only the fields given."""
    op = state.require_operation(profile.store, operation)
    current = find(profile.store, op.operation_id, record)
    template = template_for(op, current.template_id, in_use=False)
    merged = {**current.fields, **changes}
    result = check(template, merged, current.record_id, hidden_fields(op, template.id))
    return _revise(
        profile, op, current, {k: result.values.get(k) for k in changes}, None, None, result
    )


def save(
    profile: Profile,
    operation: str,
    template: Template,
    values: dict[str, Any],
    *,
    record_id: str | None,
    status: str,
) -> Saved:
    """The editor's save: a new record, or every field of an existing one where only what
    changed is written; a different ``status`` is a workflow step and must be allowed."""
    op = state.require_operation(profile.store, operation)
    if record_id is None:
        return _create(profile, op, template_for(op, template.id), values, status)
    current = find(profile.store, op.operation_id, record_id)
    result = check(template, values, current.record_id, hidden_fields(op, template.id))
    old = current.fields
    names = set(old) | set(result.values)
    diff = {n: result.values.get(n) for n in names if result.values.get(n) != old.get(n)}
    new_status = status if status != current.status else None
    return _revise(profile, op, current, diff, new_status, None, result)


def _revise(
    profile: Profile,
    op: Operation,
    record: Record,
    changes: dict[str, Any],
    status: str | None,
    comment: str | None,
    result: ValidationResult | None = None,
) -> Saved:
    me, role = profile.device_id, op.role
    if status is not None:
        check_transition(record, status, me, role, comment)
    if changes and not can_edit(record, me, role):
        lacking = Permission.EDIT_ANY if roles.can(role, Permission.WRITE) else Permission.WRITE
        raise NotAllowed(roles.refusal(lacking))
    warnings = list(result.warnings) if result is not None else []
    if not changes and status is None:
        return Saved(record.record_id, record.revision, warnings)
    try:
        with profile.store.transaction():
            if not profile.store.records.is_private(op.operation_id, record.record_id):
                _submit_private_links(profile, op, changes)
            elif status is not None:  # the draft goes out whole
                _submit_private_links(profile, op, {**record.fields, **changes})
            revision = LocalChanges(profile, op.operation_id).revise(
                record.record_id, changes, status=status, comment=comment
            )
    except ProtocolError as exc:
        raise NotAllowed(str(exc)) from exc
    return Saved(record.record_id, revision, warnings)


def _submit_private_links(
    profile: Profile, op: Operation, values: dict[str, Any], seen: set[str] | None = None
) -> None:
    """Submit the drafts kept on this device that ``values`` link to (and those they link to),
    before the record naming them goes out: the others would otherwise hold a link to nothing.
    They are this officer's own drafts, checked when they were saved (the person picked for a
    seizure being submitted)."""
    from sync.services.linked import linked_ids  # linked builds on this module

    seen = set() if seen is None else seen
    store = profile.store
    for record_id in sorted(linked_ids(values) - seen):
        seen.add(record_id)
        if not store.records.is_private(op.operation_id, record_id):
            continue
        linked = store.records.get(op.operation_id, record_id)
        if linked is None:
            continue
        _submit_private_links(profile, op, linked.fields, seen)
        check_transition(linked, "submitted", profile.device_id, op.role)
        LocalChanges(profile, op.operation_id).revise(record_id, {}, status="submitted")


def transition(
    profile: Profile, operation: str, record: str, status: str, comment: str | None = None
) -> Saved:
    """Submit, validate or return a record (``status`` is the status it goes to).

    Submitting what its author already submitted changes nothing and is not an error: `cordon
    record add` creates submitted records, and a script that adds then submits still works."""
    op = state.require_operation(profile.store, operation)
    current = find(profile.store, op.operation_id, record)
    if status == current.status == "submitted" and current.author == profile.device_id:
        return Saved(current.record_id, current.revision, [])
    return _revise(profile, op, current, {}, status, (comment or "").strip() or None)
