"""Once created the periodic tasks; they are declared in settings.RELAIS_PERIODIC_TASKS now.

Kept, empty, so the migrations that follow still have it to depend on.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("visitors", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = []
