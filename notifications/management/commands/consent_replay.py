"""Replay the consent ledger and report every state that disagrees with it (SPEC N-20)."""

from django.core.management.base import BaseCommand, CommandError

from notifications.consent.replay import disagreements

TABLES = {
    "preference": "preference (person, group, channel)",
    "suppression": "suppression (channel, address)",
    "opt_in": "opt-in (organisation, purpose, channel, address)",
    "stop": "STOP (sender, number)",
}


class Command(BaseCommand):
    help = "Replay the consent ledger from its first record and report states that disagree."

    def handle(self, *args, **options):
        found = disagreements()
        for table, key, expected, actual in found:
            self.stdout.write(
                f"{TABLES[table]} {key!r}: the ledger says {_said(expected)}, "
                f"the table holds {_said(actual)}"
            )
        if found:
            raise CommandError(f"{len(found)} state(s) disagree with the consent ledger.")
        self.stdout.write(self.style.SUCCESS("The states agree with the consent ledger."))


def _said(value):
    return "nothing" if value is None else repr(value)
