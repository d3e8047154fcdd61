"""Move every assessment event into the tenant's audit log (assessments.Event is then removed).

Round 1's closing was one kind of event with two outcomes; it becomes two transitions: to round 2
("assessment.round1.closed") and back to the unit for its explanation ("assessment.returned").
"""

from django.db import migrations


def copy_events(apps, schema_editor):
    Event = apps.get_model("assessments", "Event")
    Entry = apps.get_model("audit", "Entry")
    batch = []
    rows = Event.objects.select_related("assessment__period", "assessment__unit").order_by("pk").iterator(chunk_size=2000)
    for event in rows:
        assessment = event.assessment
        action = event.action
        if action == "assessment.round1.closed" and (event.new or {}).get("status") == "returned":
            action = "assessment.returned"
        batch.append(Entry(
            province_id=assessment.period.province_id, actor_id=event.actor_id, action=action,
            target_type="assessment", target_id=assessment.pk,
            target_label=f"{assessment.unit.name} – {assessment.period.name}"[:255],
            period_id=assessment.period_id, assessment_id=assessment.pk, indicator_id=event.indicator_id,
            old=event.old, new=event.new, reason=event.reason, created_at=event.created_at,
        ))
        if len(batch) >= 2000:
            Entry.objects.bulk_create(batch)
            batch = []
    Entry.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(copy_events, migrations.RunPython.noop)]
