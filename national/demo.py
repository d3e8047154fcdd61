"""The demo's national DTI of Đắk Lắk: the 2021 result (seeds 001/004) and the improvement plan of seed 001
(`fixtures/national/plan_001.json`), so that the province's leadership sees both on day one.

Everything goes through the services, as the coordinating agency would enter it: owner organisations that
are not units yet (`plan.owner_create`) with the other spellings of the file's "aliases", the plan, its tasks
and their targets — each write in the audit log.
Idempotent: a province that already holds the plan (by name) is left as it is.
"""

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django_scopes import scope

from dti_portal.accounts.models import User
from dti_portal.tenancy.models import Province, Unit
from dti_portal.tenancy.selectors import find_units_by_name
from dti_portal.tenancy.services import unit_add_alias

PLAN_FILE = Path(settings.BASE_DIR) / "fixtures" / "national" / "plan_001.json"
DEMO_ACTOR = "daklak.quantri"  # the coordinating agency (Sở KH&CN) enters the plan


def plan_data() -> dict:
    """The plan of seed 001 as `fixtures/national/plan_001.json` holds it."""
    return json.loads(PLAN_FILE.read_text(encoding="utf-8"))


def _unit(province: Province, name: str, actor, owner_create) -> Unit:
    """The unit named `name` (its name or an alias), created as an organisation when there is none."""
    found = find_units_by_name(province, name)
    if len(found) > 1:
        raise ValueError(f"plan_001.json: “{name}” names {len(found)} units of {province.name}")
    return found[0] if found else owner_create(province=province, name=name, actor=actor)


@transaction.atomic
def load_national_demo():
    """Load Đắk Lắk's 2021 national result (`seed_2021.load_2021`) and the plan of seed 001; return the plan."""
    from national.models import Plan
    from national.plan import owner_create, plan_create, plan_criteria, targets_save, task_save
    from national.seed_2021 import load_2021

    data = plan_data()
    meta = data["plan"]
    province = Province.objects.get(slug=meta["province"])
    with scope(province=province):
        load_2021(province)  # once: it returns the result already there
        plan = Plan.objects.filter(province=province, name=meta["name"]).first()
        if plan is not None:
            return plan
        actor = User.objects.get(username=DEMO_ACTOR)
        units: dict[str, Unit] = {}
        for task in data["tasks"]:
            for name in [task["owner"], *task["collaborators"]]:
                if name not in units:
                    units[name] = _unit(province, name, actor, owner_create)
        for name, aliases in data.get("aliases", {}).items():
            for alias in aliases:  # the seed's other spellings find the unit, as units.csv's aliases do
                if not find_units_by_name(province, alias):
                    unit_add_alias(unit=units[name], name=alias, note="Cách viết trong Kế hoạch (seed 001)", actor=actor)
        plan = plan_create(province=province, name=meta["name"], decision=meta["decision"], base_year=meta["base_year"],
                           first_year=meta["first_year"], last_year=meta["last_year"], actor=actor)
        criteria = {indicator.code: indicator for indicator in plan_criteria(plan)}
        for row in data["tasks"]:
            if row["criterion"] not in criteria:
                raise ValueError(f"plan_001.json: criterion {row['criterion']} is not a scored criterion of the "
                                 f"national catalogue of {meta['base_year']}")
            task = task_save(
                plan=plan, indicator=criteria[row["criterion"]], title=row["title"], description=row["description"],
                owner=units[row["owner"]], collaborators=[units[name] for name in row["collaborators"]],
                deadline=date.fromisoformat(row["deadline"]) if row["deadline"] else None,
                unit_of_measure=row["unit_of_measure"], actor=actor,
            )
            if row["targets"]:
                targets_save(task=task, targets=[(t["year"], Decimal(t["value"])) for t in row["targets"]], actor=actor)
        return plan
