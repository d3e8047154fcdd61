import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("assessments", "0006_fill_review_assessment"),
    ]

    operations = [
        migrations.AlterField(
            model_name="review",
            name="assessment",
            field=models.ForeignKey(editable=False, on_delete=django.db.models.deletion.CASCADE,
                                    related_name="reviews", to="assessments.assessment"),
        ),
        # Serves the board's count of decisions per appraiser and round for a period, and the reviews
        # of one unit (refresh_totals, finalise, the unit's appraisal page): see Review's docstring.
        migrations.AddIndex(
            model_name="review",
            index=models.Index(fields=["assessment", "round", "reviewer"], name="review_assessment_round"),
        ),
    ]
