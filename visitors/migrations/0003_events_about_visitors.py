"""Per-visitor events of before N-18 keep following their visit.

Until now each visitor had their own event (`data={"visitor_id": …}`); now one
event concerns the visit and each message is about its visitor. The old events
get `visitor_ids`, and their visitor's deliveries (a host's arrival notice too)
say they are about that Visitor, with the dedupe key planning now gives them, so
re-planning a moved visit keeps their pending reminders instead of doubling them
and withdrawing a visitor (`target_cancelled(visitor)`) still cancels theirs.
"""

from django.db import migrations

ABOUT_THE_VISITOR = {"visits.checked_in", "visits.not_checked_out"}  # hosts' notices too


def per_visitor_events(Event):
    return Event.objects.filter(code__startswith="visits.", data__has_key="visitor_id")


def about_visitors(apps, schema_editor):
    Event = apps.get_model("notifications", "Event")
    Delivery = apps.get_model("notifications", "Delivery")
    ContentType = apps.get_model("contenttypes", "ContentType")
    visitor_type, _ = ContentType.objects.get_or_create(app_label="visitors", model="visitor")
    for event in per_visitor_events(Event).iterator():
        visitor_id = event.data.pop("visitor_id")
        event.data["visitor_ids"] = [visitor_id]
        event.save(update_fields=["data"])
        deliveries = Delivery.objects.filter(event=event, about_id=None)
        if event.code not in ABOUT_THE_VISITOR:
            deliveries = deliveries.filter(recipient_key=f"visitors.visitor:{visitor_id}")
        for delivery in deliveries.iterator():
            delivery.about_type = visitor_type
            delivery.about_id = visitor_id
            delivery.dedupe_key = f"{delivery.dedupe_key}|visitors.visitor:{visitor_id}"[:255]
            delivery.save(update_fields=["about_type", "about_id", "dedupe_key"])


def per_visitor_again(apps, schema_editor):
    Event = apps.get_model("notifications", "Event")
    Delivery = apps.get_model("notifications", "Delivery")
    for event in Event.objects.filter(code__startswith="visits.", data__has_key="visitor_ids"):
        if len(event.data["visitor_ids"]) != 1:
            continue  # a visit's change since: it has no per-visitor form
        visitor_id = event.data.pop("visitor_ids")[0]
        event.data["visitor_id"] = visitor_id
        event.save(update_fields=["data"])
        for delivery in Delivery.objects.filter(event=event, about_id=visitor_id).iterator():
            delivery.dedupe_key = delivery.dedupe_key.removesuffix(
                f"|visitors.visitor:{visitor_id}"
            )
            delivery.about_type = delivery.about_id = None
            delivery.save(update_fields=["about_type", "about_id", "dedupe_key"])


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("notifications", "0011_delivery_about"),
        ("visitors", "0002_beat_schedule"),
    ]

    operations = [migrations.RunPython(about_visitors, per_visitor_again)]
