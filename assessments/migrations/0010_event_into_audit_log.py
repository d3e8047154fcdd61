"""Assessment events now live in the tenant's one audit log (audit.Entry, copied by audit 0002)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0009_answer_carried_over"),
        ("audit", "0002_copy_assessment_events"),
    ]

    operations = [migrations.DeleteModel(name="Event")]
