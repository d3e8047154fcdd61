"""Each review's assessment (that of its answer), then every assessment's stored totals and
decision counts, through the one function that computes them."""

from django.db import migrations
from django.db.models import OuterRef, Subquery

from assessments.totals import refresh_totals


def fill(apps, schema_editor):
    Assessment, Answer, Review = (apps.get_model("assessments", name) for name in ("Assessment", "Answer", "Review"))
    Review.objects.filter(assessment__isnull=True).update(
        assessment=Subquery(Answer.objects.filter(pk=OuterRef("answer_id")).values("assessment_id")[:1]))
    models = (Assessment, apps.get_model("indicators", "Indicator"), Answer, Review)
    for period in list(Assessment.objects.values_list("period_id", flat=True).distinct()):  # bounded memory
        refresh_totals(Assessment.objects.filter(period_id=period).values_list("pk", flat=True), models=models)


class Migration(migrations.Migration):

    dependencies = [
        ("assessments", "0005_review_assessment_decided"),
        ("indicators", "0001_initial"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
