from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("indicators", "0002_rule_ratio_steps"),
    ]

    operations = [
        migrations.AddField(
            model_name="framework",
            name="non_reporting",
            field=models.CharField(
                choices=[("last", "Xếp sau tất cả đơn vị có báo cáo"), ("unranked", "Không xếp hạng")],
                default="last", max_length=10, verbose_name="đơn vị không báo cáo",
            ),
        ),
    ]
