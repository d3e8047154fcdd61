"""The one transitions table: every status any object of the portal can take, and the only code
that assigns it.

A transition is a registered action (its label is in `actions.ACTIONS`) that moves one kind of
object from one of its allowed source states to its target. `move`, `move_all` and `try_move`
apply it as a conditional UPDATE (`WHERE status IN sources`), so a stale object or a race never
moves twice, and write its audit entry in the same transaction. `initial` gives the status of an
object created in a state (results imported with a catalogue). A test scans the code so that no
other module assigns a `status`.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError

from .services import entry, record, record_all

NEW = None  # the source of a transition that creates its object


@dataclass(frozen=True)
class Transition:
    model: str  # app_label.ModelName
    sources: frozenset
    target: str


def _t(model: str, sources: set, target: str) -> Transition:
    return Transition(model, frozenset(sources), target)


P, F, A, PUB = "assessments.Period", "indicators.Framework", "assessments.Assessment", "rankings.Publication"

TRANSITIONS: dict[str, Transition] = {
    # periods
    "period.opened": _t(P, {"draft"}, "open"),
    # catalogues
    "framework.activated": _t(F, {"draft"}, "active"),
    "framework.retired": _t(F, {"active"}, "retired"),
    # one unit's assessment
    "assessment.created": _t(A, {NEW}, "draft"),
    "assessment.imported": _t(A, {NEW}, "final"),  # a past year's result loaded with its catalogue
    "assessment.submitted": _t(A, {"draft"}, "submitted"),
    "assessment.withdrawn": _t(A, {"submitted"}, "draft"),
    "assessment.not_reported": _t(A, {"draft"}, "not_reported"),
    "assessment.round1.started": _t(A, {"submitted"}, "round1"),
    "assessment.returned": _t(A, {"round1"}, "returned"),
    "assessment.round1.closed": _t(A, {"round1"}, "round2"),
    "assessment.explained": _t(A, {"returned"}, "explained"),
    "assessment.round2.started": _t(A, {"explained", "returned"}, "round2"),
    "assessment.finalised": _t(A, {"round2"}, "final"),
    "assessment.reopened": _t(A, {"final"}, "round2"),
    "assessment.published": _t(A, {"final"}, "published"),
    # publications (a worker's moves happen within its attempt: see rankings.publication)
    "publication.requested": _t(PUB, {NEW}, "queued"),
    "publication.started": _t(PUB, {"queued"}, "running"),
    "publication.retried": _t(PUB, {"queued", "running", "failed"}, "queued"),
    "publication.failed": _t(PUB, {"queued", "running"}, "failed"),
    "publication.published": _t(PUB, {"running"}, "published"),
}


def initial(action: str) -> str:
    """The status of an object the `action` creates."""
    transition = TRANSITIONS[action]
    if NEW not in transition.sources:
        raise ValueError(f"“{action}” không tạo đối tượng mới.")
    return transition.target


def targets_from(model: str, status: str) -> set[str]:
    """Where an object of `model` in `status` may go (for pages that offer the next acts)."""
    return {t.target for t in TRANSITIONS.values() if t.model == model and status in t.sources}


def _transition(action: str, obj) -> Transition:
    transition = TRANSITIONS[action]
    if obj._meta.label != transition.model:
        raise ValueError(f"“{action}” không áp dụng cho {obj._meta.label}.")
    return transition


def _refusal(obj, transition: Transition) -> ValidationError:
    current = obj.get_status_display() if hasattr(obj, "get_status_display") else obj.status
    wanted = obj._meta.get_field("status").choices
    target = dict(wanted).get(transition.target, transition.target)
    return ValidationError(f"{obj} đang ở trạng thái “{current}”, không chuyển sang “{target}” được "
                           "(có thể vừa có người khác thao tác; hãy tải lại trang).")


def try_move(action: str, obj, *, actor, where: dict | None = None, fields: dict | None = None,
             old: dict | None = None, new: dict | None = None, reason: str = "", label: str | None = None) -> bool:
    """Move `obj` if it is still in a source state (and matches `where`): one conditional UPDATE
    with `fields`, then its entry. False, and nothing written, when it was not."""
    transition = _transition(action, obj)
    rows = type(obj)._base_manager.filter(pk=obj.pk, status__in=transition.sources - {NEW}, **(where or {}))
    before = obj.status
    if rows.update(status=transition.target, **(fields or {})) != 1:
        return False
    obj.refresh_from_db()
    record(action, actor=actor, target=obj, label=label, old={"status": before, **(old or {})},
           new={"status": transition.target, **(new or {})}, reason=reason)
    return True


def move(action: str, obj, *, actor, fields: dict | None = None, old: dict | None = None, new: dict | None = None,
         reason: str = "", indicator=None) -> None:
    """Move `obj` (the caller holds its lock) or refuse with a Vietnamese message naming its state."""
    transition = _transition(action, obj)
    if obj.status not in transition.sources:
        raise _refusal(obj, transition)
    before = obj.status
    updated = type(obj)._base_manager.filter(pk=obj.pk, status=before).update(status=transition.target, **(fields or {}))
    if updated != 1:
        raise _refusal(obj, transition)
    obj.status = transition.target
    for name, value in (fields or {}).items():
        setattr(obj, name, value)
    record(action, actor=actor, target=obj, indicator=indicator, old={"status": before, **(old or {})},
           new={"status": transition.target, **(new or {})}, reason=reason)


def move_all(action: str, objs: list, *, actor, new: dict | None = None) -> None:
    """Move these locked objects together: one UPDATE and one insert of entries, whatever their number
    (a period's act on 150 units). Refuses, moving none, when any is not in a source state."""
    if not objs:
        return
    transition = _transition(action, objs[0])
    wrong = [obj for obj in objs if obj.status not in transition.sources]
    if wrong:
        raise _refusal(wrong[0], transition)
    model = type(objs[0])
    updated = model._base_manager.filter(pk__in=[o.pk for o in objs], status__in=transition.sources).update(
        status=transition.target)
    if updated != len(objs):
        raise ValidationError("Trạng thái của một số đơn vị vừa thay đổi; hãy tải lại trang rồi làm lại.")
    entries = [entry(action, actor=actor, target=obj, old={"status": obj.status},
                     new={"status": transition.target, **(new or {})}) for obj in objs]
    for obj in objs:
        obj.status = transition.target
    record_all(entries)


def create_all(action: str, objs: list, *, actor, new=None) -> list:
    """Insert new objects in the state `action` creates, with one entry each (opening a period)."""
    if not objs:
        return []
    status = initial(action)
    for obj in objs:
        obj.status = status
    model = type(objs[0])
    made = model._base_manager.bulk_create(objs, batch_size=500)
    record_all(entry(action, actor=actor, target=obj, new={"status": status, **(new(obj) if new else {})}) for obj in made)
    return made


def create(action: str, obj, *, actor, new: dict | None = None, label: str | None = None):
    """Save a new object in the state `action` creates, with its entry."""
    obj.status = initial(action)
    obj.save()
    record(action, actor=actor, target=obj, label=label, new={"status": obj.status, **(new or {})})
    return obj
