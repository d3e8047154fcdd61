"""django-import-export resources: the indicator rows of a framework, in and out.

The whole file is checked first by `catalogue.check_rows` (pure); the resource then saves
rows in tree order, refusing row by row what the check found, so that the preview lists
every row with its outcome and the commit is all-or-nothing (see `services.framework_import`).
"""

import json
from decimal import Decimal

from django.core.exceptions import ValidationError
from import_export import fields

from dti_portal.imports import ModelResource

from .catalogue import Problem, Row
from .models import Framework, Indicator

EXPORT_COLUMNS = [
    "code", "parent_code", "name", "max_points", "rule", "params", "guidance",
    "evidence_required", "data_source", "verifying_agency", "aggregates",
]


def _plain(value: Decimal) -> Decimal:
    """10.0000 → 10, 0.6000 → 0.6: what a person would type."""
    normalized = value.normalize()
    return normalized.quantize(Decimal(1)) if normalized == normalized.to_integral() else normalized


class IndicatorResource(ModelResource):
    parent_code = fields.Field(column_name="parent_code")
    params = fields.Field(column_name="params")
    aggregates = fields.Field(column_name="aggregates")

    class Meta:
        model = Indicator
        fields = EXPORT_COLUMNS
        export_order = EXPORT_COLUMNS
        import_id_fields = ["code"]
        skip_unchanged = False
        skip_diff = True
        use_transactions = False  # the caller's transaction makes the import all-or-nothing

    def __init__(self, framework: Framework, rows: list[Row] | None = None, problems: list[Problem] = ()):
        super().__init__()
        self.framework = framework
        self.rows_by_line = {row.line: row for row in rows or []}
        self.problems_by_line: dict[int, list[str]] = {}
        for problem in problems:
            if problem.line is not None:
                self.problems_by_line.setdefault(problem.line, []).append(problem.message)
        self.saved: dict[str, Indicator] = {}

    # --- export ---------------------------------------------------------------------------
    def get_queryset(self):
        return Indicator.objects.filter(framework=self.framework).select_related("parent").prefetch_related(
            "aggregates"
        )

    def dehydrate_parent_code(self, indicator: Indicator) -> str:
        return indicator.parent.code if indicator.parent_id else ""

    def dehydrate_params(self, indicator: Indicator) -> str:
        return json.dumps(indicator.params, ensure_ascii=False, sort_keys=True) if indicator.params else ""

    def dehydrate_aggregates(self, indicator: Indicator) -> str:
        return "|".join(a.name for a in indicator.aggregates.all())

    def dehydrate_max_points(self, indicator: Indicator) -> Decimal:
        return _plain(indicator.max_points)

    # --- import ---------------------------------------------------------------------------
    def before_import_row(self, row, **kwargs):
        messages = self.problems_by_line.get(int(row["line"]))
        if messages:
            raise ValidationError(messages)

    def import_instance(self, instance: Indicator, row, **kwargs):
        source = self.rows_by_line[int(row["line"])]
        instance.framework = self.framework
        instance.code = source.code
        instance.parent = self.saved.get(source.parent_code)
        instance.name = source.name
        instance.max_points = source.max_points
        instance.rule = source.rule
        instance.params = source.params
        instance.guidance = source.guidance
        instance.evidence_required = source.evidence_required
        instance.data_source = source.data_source
        instance.verifying_agency = source.verifying_agency
        instance.position = source.line

    def save_instance(self, instance, is_create, row, **kwargs):
        super().save_instance(instance, is_create, row, **kwargs)
        self.saved[instance.code] = instance

