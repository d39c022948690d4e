"""`manage.py relay_events`: the relay process (notifications/relay.py), beside the workers."""

import signal

from django.core.management.base import BaseCommand

from notifications.relay import Relay


class Command(BaseCommand):
    help = "Put new events' planning on the broker until stopped (SIGTERM or Ctrl-C)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--interval", type=float, help="seconds between polls when idle (RELAIS_RELAY_INTERVAL)"
        )

    def handle(self, *args, interval=None, **options):
        relay = Relay(interval=interval)
        # Stop between rounds: a round in progress finishes (or rolls back) first.
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: relay.stop())
        self.stdout.write(f"Relaying events every {relay.interval} s when idle.")
        relay.run()
