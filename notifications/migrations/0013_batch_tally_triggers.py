"""The database keeps each batch's tally as its deliveries change (SPEC N-18).

Every way a delivery moves on — planning's bulk insert, a worker's UPDATE, a
late webhook, a bulk cancellation — goes through the table, so the counts are
kept by the table: triggers add +1 to the row's new bucket and -1 to its old
one, in the same transaction as the change. No code path can forget it, and no
view counts the delivery table.

PostgreSQL: statement-level triggers read the statement's transition tables, net
the changes by batch and bucket (a 2,000-row insert is a handful of upserts) and
add them to the shard of this connection (pg_backend_pid() % 16), in a fixed
order: workers sending at once do not queue on one counter row, nor deadlock.
SQLite has one writer at a time and row-level triggers only: one shard.

A row's bucket, from its status and reason code: pending (scheduled, queued,
sending), sent, delivered (delivered, opened, clicked), failed (failed, bounced),
resent (failed, then sent again), fell_back (failed, then sent on the rule's fallback
channel), skipped:<reason code>
(suppressed, cancelled).
"""

from django.db import migrations

TALLY = "notifications_batchtally"
DELIVERY = "notifications_delivery"


def bucket(row):
    return f"""(CASE
        WHEN {row}.status IN ('scheduled', 'queued', 'sending') THEN 'pending'
        WHEN {row}.status = 'sent' THEN 'sent'
        WHEN {row}.status IN ('delivered', 'opened', 'clicked') THEN 'delivered'
        WHEN {row}.status IN ('failed', 'bounced') AND {row}.reason_code IN ('resent', 'fell_back')
            THEN {row}.reason_code
        WHEN {row}.status IN ('failed', 'bounced') THEN 'failed'
        ELSE 'skipped:' || {row}.reason_code
    END)"""


def postgres_function(name, deltas):
    """A trigger function adding the statement's net changes to this connection's shard."""
    return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO {TALLY} (batch_id, bucket, shard, count)
    SELECT batch_id, bucket, pg_backend_pid() % 16, sum(n)
    FROM ({deltas}) AS delta
    WHERE batch_id IS NOT NULL
    GROUP BY batch_id, bucket
    HAVING sum(n) <> 0
    ORDER BY batch_id, bucket
    ON CONFLICT (batch_id, bucket, shard)
    DO UPDATE SET count = {TALLY}.count + EXCLUDED.count;
    RETURN NULL;
END $$;
"""


ADDED = f"SELECT batch_id, {bucket('new_rows')} AS bucket, 1 AS n FROM new_rows"
REMOVED = f"SELECT batch_id, {bucket('old_rows')} AS bucket, -1 AS n FROM old_rows"

POSTGRES = [
    postgres_function("notifications_tally_inserted", ADDED),
    postgres_function("notifications_tally_updated", f"{ADDED} UNION ALL {REMOVED}"),
    postgres_function("notifications_tally_deleted", REMOVED),
    f"""CREATE TRIGGER notifications_tally_inserted AFTER INSERT ON {DELIVERY}
        REFERENCING NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION notifications_tally_inserted()""",
    f"""CREATE TRIGGER notifications_tally_updated AFTER UPDATE ON {DELIVERY}
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION notifications_tally_updated()""",
    f"""CREATE TRIGGER notifications_tally_deleted AFTER DELETE ON {DELIVERY}
        REFERENCING OLD TABLE AS old_rows
        FOR EACH STATEMENT EXECUTE FUNCTION notifications_tally_deleted()""",
]
POSTGRES_UNDO = [
    f"DROP TRIGGER IF EXISTS notifications_tally_{op} ON {DELIVERY}"
    for op in ("inserted", "updated", "deleted")
] + [
    f"DROP FUNCTION IF EXISTS notifications_tally_{op}()"
    for op in ("inserted", "updated", "deleted")
]


def sqlite_add(row, n):
    return f"""INSERT INTO {TALLY} (batch_id, bucket, shard, count)
        SELECT {row}.batch_id, {bucket(row)}, 0, {n} WHERE {row}.batch_id IS NOT NULL
        ON CONFLICT (batch_id, bucket, shard) DO UPDATE SET count = count + {n};"""


SQLITE = [
    f"""CREATE TRIGGER notifications_tally_inserted AFTER INSERT ON {DELIVERY}
        WHEN NEW.batch_id IS NOT NULL
        BEGIN {sqlite_add("NEW", 1)} END""",
    f"""CREATE TRIGGER notifications_tally_updated AFTER UPDATE ON {DELIVERY}
        WHEN (OLD.batch_id IS NOT NULL OR NEW.batch_id IS NOT NULL)
            AND ({bucket("OLD")} IS NOT {bucket("NEW")} OR OLD.batch_id IS NOT NEW.batch_id)
        BEGIN {sqlite_add("OLD", -1)} {sqlite_add("NEW", 1)} END""",
    f"""CREATE TRIGGER notifications_tally_deleted AFTER DELETE ON {DELIVERY}
        WHEN OLD.batch_id IS NOT NULL
        BEGIN {sqlite_add("OLD", -1)} END""",
]
SQLITE_UNDO = [
    f"DROP TRIGGER IF EXISTS notifications_tally_{op}" for op in ("inserted", "updated", "deleted")
]


def run(statements_by_vendor):
    def apply(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor)
        if statements is None:
            raise NotImplementedError(
                f"Batch tallies need triggers written for {schema_editor.connection.vendor}."
            )
        for statement in statements:
            schema_editor.execute(statement, params=None)  # "%" is SQL here, not a placeholder

    return apply


class Migration(migrations.Migration):
    dependencies = [("notifications", "0012_batches")]

    operations = [
        migrations.RunPython(
            run({"postgresql": POSTGRES, "sqlite": SQLITE}),
            run({"postgresql": POSTGRES_UNDO, "sqlite": SQLITE_UNDO}),
        )
    ]
