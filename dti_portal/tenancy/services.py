"""Writes to provinces and units. Every function validates, then saves in one transaction and
leaves one entry in the province's audit log."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django_scopes import scopes_disabled

from dti_portal.audit.services import changes, record

from .models import RESERVED_SLUGS, Province, Unit, UnitAlias, UnitKind, UnitLineage
from .names import name_key

DEFAULT_UNIT_KINDS = [
    ("so", "Sở, ban, ngành", 1),
    ("huyen", "UBND huyện, thị xã, thành phố", 2),
    ("xa", "UBND xã, phường, thị trấn", 3),
]


@transaction.atomic
def province_create(*, slug: str, name: str, coordinating_agency: str, actor) -> Province:
    """Create a tenant with the usual unit kinds (sở, huyện, xã); more can be added later."""
    if slug in RESERVED_SLUGS:
        raise ValidationError({"slug": "Mã này dành cho hệ thống, hãy chọn mã khác."})
    if Province.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": "Đã có tỉnh dùng mã này."})
    province = Province(slug=slug, name=name, coordinating_agency=coordinating_agency)
    province.full_clean()
    province.save()
    for code, kind_name, order in DEFAULT_UNIT_KINDS:
        UnitKind.objects.create(province=province, code=code, name=kind_name, order=order)
    record("province.created", actor=actor, target=province,
           new={"slug": slug, "name": name, "coordinating_agency": coordinating_agency})
    return province


def _check_unit(unit: Unit) -> None:
    if unit.kind.province_id != unit.province_id:
        raise ValidationError({"kind": "Loại đơn vị không thuộc tỉnh này."})
    clash = Unit.objects.filter(province=unit.province, kind=unit.kind, key=name_key(unit.name))
    if clash.exclude(pk=unit.pk).exists():
        raise ValidationError({"name": "Đã có đơn vị cùng loại mang tên này."})
    if unit.valid_from and unit.valid_to and unit.valid_to < unit.valid_from:
        raise ValidationError({"valid_to": "Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực."})


@transaction.atomic
def unit_kind_create(*, province: Province, code: str, name: str, order: int = 0, actor) -> UnitKind:
    if UnitKind.objects.filter(province=province, code=code).exists():
        raise ValidationError({"code": "Tỉnh đã có loại đơn vị mang mã này."})
    kind = UnitKind.objects.create(province=province, code=code, name=name.strip(), order=order)
    record("unit_kind.created", actor=actor, target=kind, new={"code": code, "name": kind.name, "order": order})
    return kind


@transaction.atomic
def unit_create(
    *,
    province: Province,
    kind: UnitKind,
    name: str,
    valid_from: date | None = None,
    valid_to: date | None = None,
    note: str = "",
    aliases: list[str] = (),
    actor,
) -> Unit:
    unit = Unit(province=province, kind=kind, name=name.strip(), valid_from=valid_from, valid_to=valid_to, note=note)
    _check_unit(unit)
    unit.save()
    record("unit.created", actor=actor, target=unit, new=_unit_values(unit))
    for alias in aliases:
        unit_add_alias(unit=unit, name=alias, actor=actor)
    return unit


def _unit_values(unit: Unit) -> dict:
    """A unit as its audit entries show it."""
    return {"name": unit.name, "kind": unit.kind.name, "note": unit.note,
            "valid_from": unit.valid_from.isoformat() if unit.valid_from else None,
            "valid_to": unit.valid_to.isoformat() if unit.valid_to else None}


@transaction.atomic
def unit_update(*, unit: Unit, actor, **fields) -> Unit:
    before = _unit_values(Unit.objects.select_related("kind").get(pk=unit.pk))
    for field, value in fields.items():
        setattr(unit, field, value)
    unit.name = unit.name.strip()
    _check_unit(unit)
    unit.save()
    old, new = changes(before, _unit_values(unit))
    if new:
        record("unit.updated", actor=actor, target=unit, old=old, new=new)
    return unit


@transaction.atomic
def unit_add_alias(*, unit: Unit, name: str, note: str = "", valid_to: date | None = None, actor) -> UnitAlias:
    """Another spelling of the unit's name; with `valid_to`, a former name (used until that day),
    which the rankings of the years it was in use show."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Hãy nhập tên gọi khác."})
    if name_key(name) == name_key(unit.name) or unit.aliases.filter(key=name_key(name)).exists():
        raise ValidationError({"name": "Đơn vị đã có tên gọi này."})
    if valid_to is not None:
        if unit.valid_from and valid_to < unit.valid_from:
            raise ValidationError({"valid_to": f"Ngày này trước ngày đơn vị bắt đầu hiệu lực ({unit.valid_from:%d/%m/%Y})."})
        if unit.valid_to and valid_to >= unit.valid_to:
            raise ValidationError({"valid_to": f"Tên cũ phải thôi dùng trước ngày cuối của đơn vị ({unit.valid_to:%d/%m/%Y}); "
                                               "tên dùng đến ngày cuối là tên hiện tại của đơn vị."})
        if unit.aliases.filter(valid_to=valid_to).exists():
            raise ValidationError({"valid_to": f"Đơn vị đã có một tên cũ dùng đến ngày {valid_to:%d/%m/%Y}."})
    alias = UnitAlias.objects.create(unit=unit, name=name, note=note, valid_to=valid_to)
    new = {"alias": name, "note": note}
    if valid_to is not None:
        new["valid_to"] = valid_to.isoformat()
    record("unit.alias_added", actor=actor, target=unit, new=new)
    return alias


def _validity(unit: Unit) -> str:
    start = f"từ {unit.valid_from:%d/%m/%Y}" if unit.valid_from else "từ trước"
    return f"{start} đến {unit.valid_to:%d/%m/%Y}" if unit.valid_to else f"{start}, đang hoạt động"


@transaction.atomic
def units_merge(*, predecessors: list[Unit], successor: Unit, effective_date: date, note: str = "", actor) -> None:
    """Record that `predecessors` were merged into `successor` on `effective_date`.

    The predecessors stay (their results remain readable); they close the day before.
    """
    from .lineage import ancestor_ids, tenant_of

    day_before = effective_date - timedelta(days=1)
    for unit in predecessors:
        if unit.pk == successor.pk:
            raise ValidationError("Một đơn vị không thể sáp nhập vào chính nó.")
        if unit.province_id not in tenant_of(successor.province_id).lineage_ids:
            raise ValidationError("Chỉ sáp nhập các đơn vị trong cùng một tỉnh (kể cả các tỉnh đã hợp nhất vào tỉnh này).")
        if not unit.is_active_on(day_before):
            raise ValidationError(
                f"{unit.name} không có hiệu lực vào ngày {day_before:%d/%m/%Y} (ngày trước ngày sáp nhập) nên không thể là đơn vị "
                f"tiền thân của {successor.name}. Hiệu lực của {unit.name}: {_validity(unit)}.")
    if not successor.is_active_on(effective_date):
        raise ValidationError(
            f"{successor.name} không có hiệu lực vào ngày sáp nhập {effective_date:%d/%m/%Y}. "
            f"Hiệu lực của {successor.name}: {_validity(successor)}.")
    # a cycle: the successor already among the ancestors of a predecessor (through any chain)
    ancestors = ancestor_ids(successor.province_id, [unit.pk for unit in predecessors])
    if successor.pk in ancestors:
        names = ", ".join(unit.name for unit in predecessors)
        raise ValidationError(
            f"{successor.name} đã là đơn vị tiền thân (trực tiếp hoặc qua các lần sáp nhập trước) của {names}; "
            "ghi nhận này sẽ làm một đơn vị trở thành tiền thân của chính nó.")
    for unit in predecessors:
        UnitLineage.objects.get_or_create(
            predecessor=unit, successor=successor, defaults={"effective_date": effective_date, "note": note}
        )
        if unit.valid_to is None or unit.valid_to >= effective_date:
            unit.valid_to = effective_date - timedelta(days=1)
            unit.save(update_fields=["valid_to"])
    if successor.valid_from is None:
        successor.valid_from = effective_date
        successor.save(update_fields=["valid_from"])
    record("units.merged", actor=actor, target=successor, reason=note,
           new={"predecessors": [unit.name for unit in predecessors], "effective_date": effective_date.isoformat()})


IN_APPRAISAL = ("submitted", "round1", "returned", "explained", "round2")


@scopes_disabled()
@transaction.atomic
def province_merge(*, source: Province, target: Province, effective_date: date, actor) -> dict:
    """Merge the tenant `source` into `target` from `effective_date` (1 July 2025: Đắk Nông into Lâm Đồng).

    Nothing is copied and no history row changes province: units, catalogues, periods, results,
    publications (their files and checksums), evidence and the audit log stay under `source`'s id,
    so what was published keeps the name it was published under, and `target` holds them through
    `Province.lineage_ids` (its scope covers them). People's roles and invitations move to `target`
    (a role held in both becomes one), as do their notifications; the old slug then redirects.

    Refused: a province into itself, from or into a merged one, and while a period of either is
    between submission and final (the refusal lists them).
    """
    from dti_portal.accounts.models import Invitation, Membership, Notification
    from assessments.models import Assessment

    source = Province.objects.select_for_update().get(pk=source.pk)
    target = Province.objects.select_for_update().get(pk=target.pk)
    if source.pk == target.pk:
        raise ValidationError({"target": "Không thể hợp nhất một tỉnh vào chính nó."})
    if source.merged_into_id:
        raise ValidationError({"source": f"{source.name} đã hợp nhất vào {source.merged_into.name} "
                                         f"từ ngày {source.merged_on:%d/%m/%Y}."})
    if target.merged_into_id:
        raise ValidationError({"target": f"{target.name} đã hợp nhất vào {target.merged_into.name} "
                                         f"từ ngày {target.merged_on:%d/%m/%Y}; hãy hợp nhất vào {target.merged_into.name}."})
    if not target.is_active:
        raise ValidationError({"target": f"{target.name} đang ngừng hoạt động."})
    if source.pk in target.lineage_ids or target.pk in source.lineage_ids:  # pragma: no cover - a merged one is refused above
        raise ValidationError("Hai tỉnh này đã cùng một dòng hợp nhất.")

    busy = (
        Assessment.objects.filter(period__province_id__in=source.lineage_ids + target.lineage_ids,
                                  status__in=IN_APPRAISAL)
        .values_list("period__province__name", "period__name")
        .annotate(units=models.Count("pk"))
        .order_by("period__province__name", "period__name")
    )
    if busy:
        listed = "; ".join(f"{province}: {period} ({units} đơn vị)" for province, period, units in busy)
        raise ValidationError(
            "Chưa thể hợp nhất: các kỳ đánh giá sau đang ở giữa lúc đơn vị gửi và lúc chốt kết quả — " + listed
            + ". Hãy chốt kết quả (hoặc trả về cho đơn vị) các đánh giá này trước.")

    # A unit officer is bound to one unit: the same person officer of two units cannot keep both.
    clashes = []
    for membership in Membership.objects.filter(province=source).select_related("user", "unit"):
        held = Membership.objects.filter(province=target, user=membership.user_id, role=membership.role).first()
        if held is not None and held.unit_id != membership.unit_id:
            clashes.append(f"{membership.user.username} (đầu mối của {membership.unit} và của {held.unit})")
    if clashes:
        raise ValidationError("Chưa thể hợp nhất: một tài khoản chỉ làm đầu mối của một đơn vị — " + "; ".join(clashes)
                              + ". Hãy bỏ một trong hai vai trò trước.")

    moved = {"memberships": 0, "memberships_joined": 0, "invitations": 0}
    for membership in Membership.objects.filter(province=source):
        if Membership.objects.filter(province=target, user=membership.user_id, role=membership.role).exists():
            membership.delete()  # the same role, already held in the receiving province
            moved["memberships_joined"] += 1
        else:
            membership.province = target
            membership.save(update_fields=["province"])
            moved["memberships"] += 1
    for invitation in Invitation.objects.filter(province=source):
        if Invitation.objects.filter(province=target, user=invitation.user_id, role=invitation.role).exists():
            invitation.delete()
        else:
            invitation.province = target
            invitation.save(update_fields=["province"])
            moved["invitations"] += 1
    Notification.objects.filter(province=source).update(province=target)

    source.merged_into, source.merged_on, source.is_active = target, effective_date, False
    source.save(update_fields=["merged_into", "merged_on", "is_active"])
    day = effective_date.isoformat()
    record("province.merged_into", actor=actor, target=source, new={"into": target.name, "effective_date": day})
    record("province.merged", actor=actor, target=target,
           new={"province": source.name, "slug": source.slug, "effective_date": day, **moved})
    return moved
