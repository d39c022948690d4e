"""A batch deleted takes its tally with it, whatever its deliveries do meanwhile (SPEC N-18).

Django deletes a batch's tally rows first, then unlinks its deliveries (SET_NULL):
that UPDATE fires the tally triggers of 0014, which counted the rows out of the batch
into new tally rows — rows of a batch about to go, which its deletion then orphaned
(a foreign key error at commit: an organisation or a batch could not be deleted).

Now the triggers count only into batches that exist, and a trigger on the batch
table deletes its tally rows just before the batch row goes (after Django's own
updates of the deliveries), on PostgreSQL and on SQLite alike.
"""

from django.db import migrations

TALLY = "notifications_batchtally"
DELIVERY = "notifications_delivery"
BATCH = "notifications_batch"


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
    return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO {TALLY} (batch_id, bucket, shard, count)
    SELECT batch_id, bucket, pg_backend_pid() % 16, sum(n)
    FROM ({deltas}) AS delta
    WHERE batch_id IS NOT NULL
        AND EXISTS (SELECT 1 FROM {BATCH} WHERE {BATCH}.id = delta.batch_id)
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
    f"""CREATE OR REPLACE FUNCTION notifications_tally_batch_deleted() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            DELETE FROM {TALLY} WHERE batch_id = OLD.id;
            RETURN OLD;
        END $$;""",
    f"""CREATE TRIGGER notifications_tally_batch_deleted BEFORE DELETE ON {BATCH}
        FOR EACH ROW EXECUTE FUNCTION notifications_tally_batch_deleted()""",
]
POSTGRES_UNDO = [
    f"DROP TRIGGER IF EXISTS notifications_tally_batch_deleted ON {BATCH}",
    "DROP FUNCTION IF EXISTS notifications_tally_batch_deleted()",
]


def sqlite_add(row, n):
    return f"""INSERT INTO {TALLY} (batch_id, bucket, shard, count)
        SELECT {row}.batch_id, {bucket(row)}, 0, {n}
        WHERE {row}.batch_id IS NOT NULL
            AND EXISTS (SELECT 1 FROM {BATCH} WHERE {BATCH}.id = {row}.batch_id)
        ON CONFLICT (batch_id, bucket, shard) DO UPDATE SET count = count + {n};"""


SQLITE_TRIGGERS = [
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
SQLITE = [
    *(
        f"DROP TRIGGER IF EXISTS notifications_tally_{op}"
        for op in ("inserted", "updated", "deleted")
    ),
    *SQLITE_TRIGGERS,
    f"""CREATE TRIGGER notifications_tally_batch_deleted BEFORE DELETE ON {BATCH}
        BEGIN DELETE FROM {TALLY} WHERE batch_id = OLD.id; END""",
]
SQLITE_UNDO = ["DROP TRIGGER IF EXISTS notifications_tally_batch_deleted"]


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
    dependencies = [("notifications", "0019_rule_sender_staff")]

    operations = [
        migrations.RunPython(
            run({"postgresql": POSTGRES, "sqlite": SQLITE}),
            run({"postgresql": POSTGRES_UNDO, "sqlite": SQLITE_UNDO}),
        )
    ]
