"""Superseded by 0006, which fills the stored totals once reviews know their assessment (the fill
reads reviews through that field). Kept, empty, so that databases which applied it stay in order."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("assessments", "0003_stored_totals"),
        ("indicators", "0001_initial"),
    ]

    operations = []
