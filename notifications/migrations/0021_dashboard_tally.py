"""The database keeps the dashboard's tally of the delivery log (SPEC P-4).

Like the batch tally (0014, 0020), every way a delivery is written — planning's bulk
insert, a worker's UPDATE, a late webhook, a bulk cancellation — goes through the
table's triggers, in the same transaction as the change: +1 to the row's new key and
-1 to its old one, where the key is (organisation, hour of creation, channel, status,
reason code, failure cause), with the SMS segments summed beside the count.

The hour is the hour of creation, which never changes (see DeliveryTally): so a count
equals the delivery log filtered by creation time, and a late webhook moves it between
statuses of one hour. Deleting deliveries has no trigger: a retention purge keeps the
history the dashboard shows (an organisation's deletion takes its tally by its key).

PostgreSQL: statement-level triggers read the transition tables, net the statement's
changes by key (a 2,000-row insert is a handful of upserts; an UPDATE that moves no key,
such as a claim's attempt count or a batch unlinked, writes nothing) and add them to
this connection's shard, in a fixed order. SQLite: row triggers, one shard.

The existing log is counted once, before the triggers exist. On SQLite the new columns
rebuild the delivery table, which drops the batch tally's triggers with the old table:
they are created again here, as 0020 left them. A later migration that rebuilds the
delivery table must do the same for both.
"""

import importlib

import django.db.models.deletion
import django.db.models.functions.comparison
from django.conf import settings
from django.db import migrations, models


TALLY = "notifications_deliverytally"
DELIVERY = "notifications_delivery"
KEY = "organisation_id, hour, channel, status, reason_code, failure"
COLUMNS = f"{KEY}, shard, count, segments"
CONFLICT = "COALESCE(organisation_id, 0), hour, channel, status, reason_code, failure, shard"


def postgres_rows(table, sign):
    return (
        f"SELECT organisation_id, date_trunc('hour', created_at, 'UTC') AS hour, channel,"
        f" status, reason_code, failure, {sign}1 AS n, {sign}COALESCE(segments, 0) AS s"
        f" FROM {table}"
    )


def postgres_function(name, deltas):
    """A trigger function adding the statement's net changes to this connection's shard."""
    return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO {TALLY} ({COLUMNS})
    SELECT {KEY}, pg_backend_pid() % 16, sum(n), sum(s)
    FROM ({deltas}) AS delta
    GROUP BY {KEY}
    HAVING sum(n) <> 0 OR sum(s) <> 0
    ORDER BY {KEY}
    ON CONFLICT ({CONFLICT})
    DO UPDATE SET count = {TALLY}.count + EXCLUDED.count,
        segments = {TALLY}.segments + EXCLUDED.segments;
    RETURN NULL;
END $$;
"""


POSTGRES_BACKFILL = f"""
INSERT INTO {TALLY} ({COLUMNS})
SELECT {KEY}, 0, count(*), COALESCE(sum(segments), 0)
FROM (SELECT *, date_trunc('hour', created_at, 'UTC') AS hour FROM {DELIVERY}) AS delivery
GROUP BY {KEY}
"""
ADDED = postgres_rows("new_rows", "")
REMOVED = postgres_rows("old_rows", "-")
POSTGRES = [
    POSTGRES_BACKFILL,
    postgres_function("notifications_dashboard_inserted", ADDED),
    postgres_function("notifications_dashboard_updated", f"{ADDED} UNION ALL {REMOVED}"),
    f"""CREATE TRIGGER notifications_dashboard_inserted AFTER INSERT ON {DELIVERY}
        REFERENCING NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION notifications_dashboard_inserted()""",
    f"""CREATE TRIGGER notifications_dashboard_updated AFTER UPDATE ON {DELIVERY}
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION notifications_dashboard_updated()""",
]
POSTGRES_UNDO = [
    *(
        f"DROP TRIGGER IF EXISTS notifications_dashboard_{op} ON {DELIVERY}"
        for op in ("inserted", "updated")
    ),
    *(f"DROP FUNCTION IF EXISTS notifications_dashboard_{op}()" for op in ("inserted", "updated")),
]


def sqlite_add(row, sign):
    return f"""INSERT INTO {TALLY} ({COLUMNS}) VALUES ({row}.organisation_id,
        strftime('%Y-%m-%d %H:00:00', {row}.created_at), {row}.channel, {row}.status,
        {row}.reason_code, {row}.failure, 0, {sign}1, {sign}COALESCE({row}.segments, 0))
        ON CONFLICT ({CONFLICT}) DO UPDATE SET count = count + excluded.count,
            segments = segments + excluded.segments;"""


MOVED = " OR ".join(
    f"OLD.{column} IS NOT NEW.{column}"
    for column in ("organisation_id", "created_at", "channel", "status", "reason_code")
    + ("failure", "segments")
)
SQLITE_BACKFILL = f"""
INSERT INTO {TALLY} ({COLUMNS})
SELECT {KEY}, 0, count(*), COALESCE(sum(segments), 0)
FROM (SELECT *, strftime('%Y-%m-%d %H:00:00', created_at) AS hour FROM {DELIVERY})
GROUP BY {KEY}
"""


def sqlite_statements():
    # The batch tally's triggers went with the rebuilt table: as 0020 made them.
    batch_tally = importlib.import_module(
        "notifications.migrations.0020_batch_tally_on_batch_deletion"
    )
    return [
        *batch_tally.SQLITE_TRIGGERS,
        SQLITE_BACKFILL,
        f"""CREATE TRIGGER notifications_dashboard_inserted AFTER INSERT ON {DELIVERY}
            BEGIN {sqlite_add("NEW", "")} END""",
        f"""CREATE TRIGGER notifications_dashboard_updated AFTER UPDATE ON {DELIVERY}
            WHEN {MOVED}
            BEGIN {sqlite_add("OLD", "-")} {sqlite_add("NEW", "")} END""",
    ]


SQLITE_UNDO = [f"DROP TRIGGER IF EXISTS notifications_dashboard_{op}" for op in ("inserted", "updated")]


def run(statements_by_vendor):
    def apply(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor)
        if statements is None:
            raise NotImplementedError(
                f"The dashboard's tally needs triggers for {schema_editor.connection.vendor}."
            )
        for statement in statements() if callable(statements) else statements:
            schema_editor.execute(statement, params=None)  # "%" is SQL here, not a placeholder

    return apply


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_site_time_zone'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('notifications', '0020_batch_tally_on_batch_deletion'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='DeliveryTally',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('hour', models.DateTimeField()),
                ('channel', models.CharField(max_length=10)),
                ('status', models.CharField(max_length=12)),
                ('reason_code', models.CharField(max_length=20)),
                ('failure', models.CharField(max_length=40)),
                ('shard', models.PositiveSmallIntegerField()),
                ('count', models.BigIntegerField(default=0)),
                ('segments', models.BigIntegerField(default=0)),
            ],
        ),
        migrations.AddField(
            model_name='delivery',
            name='failure',
            field=models.CharField(blank=True, max_length=40, verbose_name='failure cause'),
        ),
        migrations.AddField(
            model_name='delivery',
            name='segments',
            field=models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='SMS segments'),
        ),
        migrations.AddIndex(
            model_name='delivery',
            index=models.Index(condition=models.Q(('failure', ''), _negated=True), fields=['failure', 'created_at'], name='delivery_failure'),
        ),
        migrations.AddField(
            model_name='deliverytally',
            name='organisation',
            field=models.ForeignKey(db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.organisation'),
        ),
        migrations.AddIndex(
            model_name='deliverytally',
            index=models.Index(fields=['organisation', 'hour'], name='delivery_tally_organisation'),
        ),
        migrations.AddIndex(
            model_name='deliverytally',
            index=models.Index(fields=['hour'], name='delivery_tally_hour'),
        ),
        migrations.AddConstraint(
            model_name='deliverytally',
            constraint=models.UniqueConstraint(django.db.models.functions.comparison.Coalesce('organisation', 0), models.F('hour'), models.F('channel'), models.F('status'), models.F('reason_code'), models.F('failure'), models.F('shard'), name='one_delivery_tally_per_shard'),
        ),
        migrations.RunPython(
            run({"postgresql": POSTGRES, "sqlite": sqlite_statements}),
            run({"postgresql": POSTGRES_UNDO, "sqlite": SQLITE_UNDO}),
        ),
    ]
