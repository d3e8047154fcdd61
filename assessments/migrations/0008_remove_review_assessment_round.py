from django.db import migrations


class Migration(migrations.Migration):
    """EXPLAIN with 18 provinces (766 000 reviews): the planner reads a period's reviews through the
    foreign-key index on Review.assessment and never chose (assessment, round, reviewer), which only
    cost writes and space."""

    dependencies = [
        ("assessments", "0007_review_assessment_required"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="review", name="review_assessment_round"),
    ]
