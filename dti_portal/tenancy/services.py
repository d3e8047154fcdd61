"""Writes to provinces and units. Every function validates, then saves in one transaction and
leaves one entry in the province's audit log."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction

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
    from .lineage import ancestor_ids

    day_before = effective_date - timedelta(days=1)
    for unit in predecessors:
        if unit.pk == successor.pk:
            raise ValidationError("Một đơn vị không thể sáp nhập vào chính nó.")
        if unit.province_id != successor.province_id:
            raise ValidationError("Chỉ sáp nhập các đơn vị trong cùng một tỉnh.")
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
