"""The dashboard's tally by day too (SPEC P-4): weeks and months read a 24th of the rows.

The triggers of 0021 now add each statement's net changes to both tallies, the hour's and
the day's (UTC), from one netting of the transition tables: the hours' upsert is a
data-modifying CTE, the days' the statement that uses it. The day tally starts as the sum
of the hour tally's rows, before the triggers change. No table is rebuilt: the batch
tally's triggers are untouched. A later migration that rebuilds the delivery table on
SQLite must create the batch tally's triggers (0020) and these (SQLITE_TRIGGERS here) again.
"""

import importlib

import django.db.models.deletion
import django.db.models.functions.comparison
from django.db import migrations, models


hours = importlib.import_module("notifications.migrations.0021_dashboard_tally")
DAYS = "notifications_deliverydaytally"
DAY_KEY = "organisation_id, day, channel, status, reason_code, failure"
DAY_CONFLICT = "COALESCE(organisation_id, 0), day, channel, status, reason_code, failure, shard"


def postgres_function(name, deltas):
    """0021's function, its netted changes also summed by day into the day tally."""
    return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    WITH delta AS (
        SELECT {hours.KEY}, pg_backend_pid() % 16 AS shard, sum(n) AS n, sum(s) AS s
        FROM ({deltas}) AS delta
        GROUP BY {hours.KEY}
        HAVING sum(n) <> 0 OR sum(s) <> 0
    ), by_hour AS (
        INSERT INTO {hours.TALLY} ({hours.COLUMNS})
        SELECT {hours.KEY}, shard, n, s FROM delta
        ORDER BY {hours.KEY}
        ON CONFLICT ({hours.CONFLICT})
        DO UPDATE SET count = {hours.TALLY}.count + EXCLUDED.count,
            segments = {hours.TALLY}.segments + EXCLUDED.segments
    )
    INSERT INTO {DAYS} ({DAY_KEY}, shard, count, segments)
    SELECT organisation_id, date_trunc('day', hour, 'UTC') AS day, channel, status,
        reason_code, failure, shard, sum(n), sum(s)
    FROM delta
    GROUP BY {DAY_KEY}, shard
    HAVING sum(n) <> 0 OR sum(s) <> 0
    ORDER BY {DAY_KEY}
    ON CONFLICT ({DAY_CONFLICT})
    DO UPDATE SET count = {DAYS}.count + EXCLUDED.count,
        segments = {DAYS}.segments + EXCLUDED.segments;
    RETURN NULL;
END $$;
"""


POSTGRES_BACKFILL = f"""
INSERT INTO {DAYS} ({DAY_KEY}, shard, count, segments)
SELECT organisation_id, date_trunc('day', hour, 'UTC') AS day, channel, status, reason_code,
    failure, 0, sum(count), sum(segments)
FROM {hours.TALLY}
GROUP BY {DAY_KEY}
"""
POSTGRES = [
    POSTGRES_BACKFILL,
    postgres_function("notifications_dashboard_inserted", hours.ADDED),
    postgres_function(
        "notifications_dashboard_updated", f"{hours.ADDED} UNION ALL {hours.REMOVED}"
    ),
]
POSTGRES_UNDO = [  # 0021's functions again; the day tally goes with its table
    hours.postgres_function("notifications_dashboard_inserted", hours.ADDED),
    hours.postgres_function(
        "notifications_dashboard_updated", f"{hours.ADDED} UNION ALL {hours.REMOVED}"
    ),
]


def sqlite_add(row, sign):
    """0021's upsert of one row's change, and the same into its day."""
    return (
        hours.sqlite_add(row, sign)
        + f"""
        INSERT INTO {DAYS} ({DAY_KEY}, shard, count, segments) VALUES ({row}.organisation_id,
        strftime('%Y-%m-%d 00:00:00', {row}.created_at), {row}.channel, {row}.status,
        {row}.reason_code, {row}.failure, 0, {sign}1, {sign}COALESCE({row}.segments, 0))
        ON CONFLICT ({DAY_CONFLICT}) DO UPDATE SET count = count + excluded.count,
            segments = segments + excluded.segments;"""
    )


def sqlite_triggers(add):
    return [
        *hours.SQLITE_UNDO,
        f"""CREATE TRIGGER notifications_dashboard_inserted AFTER INSERT ON {hours.DELIVERY}
            BEGIN {add("NEW", "")} END""",
        f"""CREATE TRIGGER notifications_dashboard_updated AFTER UPDATE ON {hours.DELIVERY}
            WHEN {hours.MOVED}
            BEGIN {add("OLD", "-")} {add("NEW", "")} END""",
    ]


SQLITE_TRIGGERS = sqlite_triggers(sqlite_add)
SQLITE = [
    f"""INSERT INTO {DAYS} ({DAY_KEY}, shard, count, segments)
    SELECT organisation_id, strftime('%Y-%m-%d 00:00:00', hour) AS day, channel, status,
        reason_code, failure, 0, sum(count), sum(segments)
    FROM {hours.TALLY} GROUP BY {DAY_KEY}""",
    *SQLITE_TRIGGERS,
]
SQLITE_UNDO = sqlite_triggers(hours.sqlite_add)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_organisation_retention_months"),
        ("notifications", "0022_privacy_retention_and_forgotten"),
    ]

    operations = [
        migrations.CreateModel(
            name="DeliveryDayTally",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("channel", models.CharField(max_length=10)),
                ("status", models.CharField(max_length=12)),
                ("reason_code", models.CharField(max_length=20)),
                ("failure", models.CharField(max_length=40)),
                ("shard", models.PositiveSmallIntegerField()),
                ("count", models.BigIntegerField(default=0)),
                ("segments", models.BigIntegerField(default=0)),
                ("day", models.DateTimeField()),
                (
                    "organisation",
                    models.ForeignKey(
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="accounts.organisation",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(fields=["organisation", "day"], name="delivery_day_organisation"),
                    models.Index(fields=["day"], name="delivery_day_tally"),
                ],
                "constraints": [
                    models.UniqueConstraint(
                        django.db.models.functions.comparison.Coalesce("organisation", 0),
                        models.F("day"),
                        models.F("channel"),
                        models.F("status"),
                        models.F("reason_code"),
                        models.F("failure"),
                        models.F("shard"),
                        name="one_delivery_day_tally_per_shard",
                    )
                ],
            },
        ),
        migrations.RunPython(
            hours.run({"postgresql": POSTGRES, "sqlite": SQLITE}),
            hours.run({"postgresql": POSTGRES_UNDO, "sqlite": SQLITE_UNDO}),
        ),
    ]
