"""Snow alerts' consent is given to one company, not to its whole organisation (SPEC A-2).

The ledger's purpose was "snow_alerts" for every company of an organisation: a number
confirmed for one company was green for another of the same organisation, which never
asked. It is now "snow_alerts:<company id>". What was recorded before applied to every
company of the organisation, so each company that has the contact point gets its copy of
the records (the ledger is append-only: the old ones stay, as history nothing reads any
more) and of the state, which the ledger's replay then agrees with.
"""

from django.db import migrations

OLD = "snow_alerts"


def per_company(apps, schema_editor):
    Company = apps.get_model("alerts", "Company")
    ContactPoint = apps.get_model("alerts", "ContactPoint")
    ConsentRecord = apps.get_model("notifications", "ConsentRecord")
    ContactConsent = apps.get_model("notifications", "ContactConsent")

    for company in Company.objects.all():
        purpose = f"{OLD}:{company.pk}"
        points = set(
            ContactPoint.objects.filter(company=company).values_list("method", "address")
        )
        records = ConsentRecord.objects.filter(
            organisation_id=company.organisation_id, purpose=OLD
        ).order_by("pk")
        copies = {}
        for entry in records:
            if (entry.channel, entry.address) in points:
                copies[entry.pk] = _copy(entry, purpose=purpose).pk
        states = ContactConsent.objects.filter(
            organisation_id=company.organisation_id, purpose=OLD
        )
        for state in states:
            if (state.channel, state.address) in points:
                record_id = copies.get(state.record_id, state.record_id)
                _copy(state, purpose=purpose, record_id=record_id)


def _copy(row, **changes):
    """A new row like `row`, with `changes` (created, never saved over: append-only)."""
    model = type(row)
    fields = {f.attname: getattr(row, f.attname) for f in model._meta.concrete_fields}
    del fields[model._meta.pk.attname]
    return model.objects.create(**{**fields, **changes})


class Migration(migrations.Migration):
    dependencies = [
        ("alerts", "0001_initial"),
        ("notifications", "0020_batch_tally_on_batch_deletion"),
    ]

    operations = [migrations.RunPython(per_company, migrations.RunPython.noop)]
