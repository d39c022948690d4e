"""PostgreSQL only: the exclusion constraint that refuses overlapping bookings (SPEC B-19)."""

from django.db import migrations

from bookings import constraints


def add(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite: the service's check inside an IMMEDIATE transaction guards instead
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    schema_editor.add_constraint(apps.get_model("bookings", "Booking"), constraints.no_overlap())


def remove(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.remove_constraint(
        apps.get_model("bookings", "Booking"), constraints.no_overlap()
    )


class Migration(migrations.Migration):
    dependencies = [("bookings", "0001_initial")]
    operations = [migrations.RunPython(add, remove)]
