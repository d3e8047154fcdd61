"""Fill the stored totals of existing assessments, through the one function that computes them."""

from django.db import migrations

from assessments.totals import refresh_totals


def fill(apps, schema_editor):
    models = tuple(apps.get_model(app, name) for app, name in
                   [("assessments", "Assessment"), ("indicators", "Indicator"), ("assessments", "Answer"), ("assessments", "Review")])
    periods = models[0].objects.values_list("period_id", flat=True).distinct()
    for period in list(periods):  # one period at a time: bounded memory with 34 provinces
        refresh_totals(models[0].objects.filter(period_id=period).values_list("pk", flat=True), models=models)


class Migration(migrations.Migration):

    dependencies = [
        ("assessments", "0003_stored_totals"),
        ("indicators", "0001_initial"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
