"""Writing the audit log: `record` one entry, or `entry` many and `record_all` them in one insert.

Called by the service that makes the write, inside its transaction, so an entry exists exactly when
its write does. The tenant, period and assessment of an entry are read off its target.
"""

from collections.abc import Iterable

from .actions import ACTIONS
from .models import Entry


def entry(action: str, *, actor, target, indicator=None, old=None, new=None, reason: str = "",
          label: str | None = None, province=None) -> Entry:
    """An unsaved entry: `target` is the model instance the action was done to (or on behalf of)."""
    if action not in ACTIONS:
        raise ValueError(f"Việc “{action}” chưa có trong dti_portal.audit.actions.ACTIONS.")
    model = target._meta.label_lower
    return Entry(
        province_id=province.pk if province is not None else _province_id(target),
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        target_type=target._meta.model_name,
        target_id=target.pk,
        target_label=(label if label is not None else str(target))[:255],
        period_id=target.pk if model == "assessments.period" else getattr(target, "period_id", None),
        assessment_id=target.pk if model == "assessments.assessment" else getattr(target, "assessment_id", None),
        indicator=indicator,
        old=old or {},
        new=new or {},
        reason=reason or "",
    )


def record(action: str, **kwargs) -> Entry:
    """Write one entry now (see `entry` for the arguments)."""
    made = entry(action, **kwargs)
    made.save()
    return made


def record_all(entries: Iterable[Entry]) -> int:
    """Write many entries in a few inserts: a period's act on 150 units is not 150 round trips."""
    made = Entry.objects.bulk_create(list(entries), batch_size=1000)
    return len(made)


def _province_id(target) -> int:
    if target._meta.label_lower == "tenancy.province":
        return target.pk
    for path in ("province_id", "period.province_id", "framework.province_id", "assessment.period.province_id",
                 "plan.province_id", "result.province_id", "task.plan.province_id"):
        value = target
        for name in path.split("."):
            value = getattr(value, name, None)
            if value is None:
                break
        if value is not None:
            return value
    raise ValueError(f"Không xác định được tỉnh của {target!r}.")


def changes(before: dict, after: dict) -> tuple[dict, dict]:
    """The keys whose values differ, as the entry's (old, new): an edit logs what it changed."""
    keys = [key for key in {**before, **after} if before.get(key) != after.get(key)]
    return {key: before.get(key) for key in keys}, {key: after.get(key) for key in keys}
