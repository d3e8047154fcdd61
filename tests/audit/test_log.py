"""Issue 11, part 5: one append-only audit log for the tenant, and one transitions table."""

import ast
from pathlib import Path

import pytest
from django.apps import apps
from django.db import connection, transaction
from django_scopes import scope, scopes_disabled

from dti_portal.accounts.models import Invitation, Membership, Role
from dti_portal.accounts.services import invitation_answer, member_add, membership_remove
from dti_portal.audit.actions import ACTIONS, action_label
from dti_portal.audit.models import Entry
from dti_portal.audit.services import record
from dti_portal.audit.transitions import NEW, TRANSITIONS
from dti_portal.tenancy import services as tenancy_services
from indicators.models import Framework
from indicators.services import (
    FrameworkMeta, framework_activate, framework_clone, framework_create, framework_delete, framework_retire,
    framework_update, indicator_delete, indicator_save,
)

ROOT = Path(__file__).resolve().parents[2]
STATEFUL_MODELS = {model.__name__ for model in apps.get_models() if any(f.name == "status" for f in model._meta.fields)}
FIELDS = {"guidance": "", "evidence_required": "", "data_source": "", "verifying_agency": ""}


# --- the tables ------------------------------------------------------------------------------
def test_every_transition_is_a_registered_action_between_real_states():
    for action, transition in TRANSITIONS.items():
        assert action in ACTIONS, action
        states = {value for value, _ in apps.get_model(transition.model)._meta.get_field("status").choices}
        assert transition.target in states, action
        assert transition.sources - {NEW} <= states, action


def test_every_action_has_a_vietnamese_label_and_an_unregistered_one_is_refused(world):
    assert all(label and "." not in label.split(":")[0] for label in ACTIONS.values())
    assert action_label("assessment.round1.adjust") == "Thẩm định lần 1: Điều chỉnh điểm"
    with scopes_disabled(), pytest.raises(ValueError, match="chưa có trong"):
        record("answer.deleted_quietly", actor=None, target=world.unit_a1)


def _status_writes(path: Path) -> list[str]:
    """Places in `path` that assign a `status`: `x.status = ...`, or `status=` given to a write
    (update, create, get_or_create, update_or_create, a model constructor) or "status" in update_fields."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                parts = target.elts if isinstance(target, ast.Tuple) else [target]
                if any(isinstance(part, ast.Attribute) and part.attr == "status" for part in parts):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            writes = name in {"update", "create", "get_or_create", "update_or_create"} | STATEFUL_MODELS
            for keyword in node.keywords:
                if keyword.arg == "status" and writes:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
                if keyword.arg == "update_fields" and "'status'" in ast.unparse(keyword.value).replace('"', "'"):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_nothing_but_the_transitions_table_assigns_a_status():
    sources = [p for folder in ("assessments", "indicators", "rankings", "dti_portal") for p in (ROOT / folder).rglob("*.py")
               if "migrations" not in p.parts and p.name != "transitions.py"]
    assert len(sources) > 50
    assert [place for path in sources for place in _status_writes(path)] == []


def test_the_scan_would_catch_a_status_written_directly(tmp_path):
    for line in ("assessment.status = 'final'", "Assessment.objects.filter(pk=1).update(status='published')",
                 "Assessment(period=p, status='final')", "a.save(update_fields=['status'])"):
        probe = ROOT / "tests" / "audit" / "_probe.py"
        try:
            probe.write_text(line + "\n")
            assert _status_writes(probe), line
        finally:
            probe.unlink()
    assert not _status_writes(Path(__file__).parent / "__init__.py")


# --- append-only -------------------------------------------------------------------------------
def _an_entry(world) -> Entry:
    with scopes_disabled():
        return Entry.objects.filter(province=world.province_a).first()


def test_the_orm_refuses_to_change_or_delete_an_entry(world):
    entry = _an_entry(world)
    with scopes_disabled():
        for attempt in (entry.delete, entry.save, Entry.objects.filter(pk=entry.pk).delete,
                        lambda: Entry.objects.filter(pk=entry.pk).update(reason="sửa")):
            with pytest.raises(PermissionError):
                attempt()


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the database's own refusal: PostgreSQL (CI runs it)")
@pytest.mark.parametrize("sql", ["UPDATE audit_entry SET reason = 'sửa' WHERE id = %s", "DELETE FROM audit_entry WHERE id = %s"])
def test_postgresql_refuses_update_and_delete_on_the_log(world, sql):
    entry = _an_entry(world)
    with pytest.raises(Exception, match="Nhật ký chỉ được ghi thêm"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [entry.pk])
    with scopes_disabled():
        assert Entry.objects.get(pk=entry.pk).reason == entry.reason


def test_the_log_is_scoped_to_its_province(world):
    with scope(province=world.province_b):
        labels = set(Entry.objects.values_list("target_label", flat=True))
    assert "Sở Tài chính" in labels and "Sở Y tế" not in labels


# --- who wrote what: the province, people, the catalogue ----------------------------------------
def _entries(province, *actions) -> list[Entry]:
    with scopes_disabled():
        return list(Entry.objects.filter(province=province, action__in=actions).order_by("pk"))


def test_the_province_and_its_units_are_logged(world):
    with scopes_disabled():
        created = Entry.objects.get(province=world.province_a, action="province.created")
        tenancy_services.unit_update(unit=world.unit_a1, name="Sở Y tế tỉnh A", actor=world.admin_a)
        tenancy_services.unit_update(unit=world.unit_a1, name="Sở Y tế tỉnh A", actor=world.admin_a)  # no change: no entry
    assert created.new["slug"] == "tinh-a"
    [updated] = _entries(world.province_a, "unit.updated")
    assert (updated.actor, updated.old, updated.new) == (world.admin_a, {"name": "Sở Y tế"}, {"name": "Sở Y tế tỉnh A"})
    [alias] = _entries(world.province_a, "unit.alias_added")
    assert alias.new["alias"] == "UBND huyện Krông Pắk" and alias.target_label == "UBND huyện Krông Pắc"


def test_roles_given_invited_accepted_and_removed_are_logged(world):
    with scope(province=world.province_a):
        member_add(province=world.province_a, username="a.thamdinh", role=Role.LEADERSHIP, actor=world.admin_a)
        member_add(province=world.province_a, username="b.canbo1", role=Role.APPRAISER, actor=world.admin_a,
                   password="Mat-khau-thu-2026")
    with scopes_disabled():
        invitation = Invitation.objects.get(user=world.officer_b1)
        invitation_answer(invitation=invitation, user=world.officer_b1, accept=True)
    with scopes_disabled():
        membership = Membership.objects.get(user=world.officer_b1, province=world.province_a)
    with scope(province=world.province_a):
        membership_remove(membership=membership, actor=world.admin_a)
    entries = _entries(world.province_a, "membership.added", "invitation.sent", "invitation.accepted", "membership.removed")
    assert [(e.action, e.actor, e.target_label) for e in entries] == [
        ("membership.added", world.admin_a, "a.thamdinh: Lãnh đạo"),
        ("invitation.sent", world.admin_a, "b.canbo1: Thành viên Tổ thẩm định"),
        ("invitation.accepted", world.officer_b1, "b.canbo1: Thành viên Tổ thẩm định"),
        ("membership.removed", world.admin_a, "b.canbo1: Thành viên Tổ thẩm định"),
    ]
    assert not _entries(world.province_b, "invitation.sent")  # the log of the province that invited


def test_the_catalogue_life_is_logged_and_a_deleted_draft_keeps_its_entries(world):
    with scopes_disabled():
        kind = world.province_a.unit_kinds.get(code="so")
    with scope(province=world.province_a):
        meta = FrameworkMeta(name="Bộ thử", year=2026, unit_kind=kind)
        framework = framework_create(province=world.province_a, meta=meta, actor=world.admin_a)
        framework_update(framework=framework, meta=FrameworkMeta(name="Bộ chỉ số sở 2026", year=2026, unit_kind=kind),
                         actor=world.admin_a)
        root = indicator_save(framework=framework, indicator=None, parent=None, actor=world.admin_a, data=FIELDS | {
            "code": "1", "name": "Hạ tầng", "max_points": 10, "rule": "manual", "params": {}})
        indicator_save(framework=framework, indicator=root, parent=None, actor=world.admin_a, data=FIELDS | {
            "code": "1", "name": "Hạ tầng số", "max_points": 10, "rule": "manual", "params": {}})
        framework_activate(framework=framework, actor=world.admin_a)
        clone = framework_clone(framework=framework, year=2027, actor=world.admin_a)
        framework_retire(framework=framework, actor=world.admin_a)
        indicator_delete(indicator=clone.indicators.get(code="1"), actor=world.admin_a)
        clone_pk = clone.pk
        framework_delete(framework=clone, actor=world.admin_a)
        assert not Framework.objects.filter(pk=clone_pk).exists()
    entries = [e for e in _entries(world.province_a, *ACTIONS) if e.target_type in ("framework", "indicator")]
    assert [e.action for e in entries] == [
        "framework.created", "framework.updated", "indicator.created", "indicator.updated", "framework.activated",
        "framework.cloned", "framework.retired", "indicator.deleted", "framework.deleted"]
    assert entries[1].old == {"name": "Bộ thử"} and entries[1].new == {"name": "Bộ chỉ số sở 2026"}
    assert entries[3].old == {"name": "Hạ tầng"} and entries[3].new == {"name": "Hạ tầng số"}
    assert (entries[4].old, entries[4].new) == ({"status": "draft"}, {"status": "active"})
    assert entries[-1].target_label == "Bộ chỉ số sở 2026 (2027)" and entries[-1].target_id == clone_pk
    assert all(e.actor == world.admin_a for e in entries)
