import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("assessments", "0004_fill_stored_totals"),
    ]

    operations = [
        migrations.AddField(
            model_name="assessment",
            name="decided_round1",
            field=models.PositiveIntegerField(default=0, verbose_name="số chỉ tiêu đã thẩm định lần 1"),
        ),
        migrations.AddField(
            model_name="assessment",
            name="decided_round2",
            field=models.PositiveIntegerField(default=0, verbose_name="số chỉ tiêu đã thẩm định lần 2"),
        ),
        migrations.AddField(  # nullable until 0006 fills it from the answers
            model_name="review",
            name="assessment",
            field=models.ForeignKey(editable=False, null=True, on_delete=django.db.models.deletion.CASCADE,
                                    related_name="reviews", to="assessments.assessment"),
        ),
    ]
