"""The broker `make run` uses by default (kombu's filesystem transport), quick to stop.

Celery runs transports that cannot wait on a socket in its blocking loop (`synloop`),
which checks for a shutdown between calls to `drain_events(timeout=2.0)` and, on its way
out, drains once more. Kombu's virtual transports return from such a call only when a
message comes or the timeout has passed: Ctrl-C took two to four seconds before the
worker even began to stop, and on a busy machine honcho's SIGKILL (after 5 s) came first.
Draining for one polling interval at most, the loop sees the shutdown within a fraction
of a second; an idle worker polls its folders just as often as before.
"""

from kombu.transport import filesystem


class Transport(filesystem.Transport):
    def drain_events(self, connection, timeout=None):
        if timeout is not None and self.polling_interval:
            timeout = min(timeout, self.polling_interval)
        return super().drain_events(connection, timeout=timeout)
