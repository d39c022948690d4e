"""Settings of the worker processes the fault tests start: the test settings, with short waits."""

from tests.settings import *  # noqa: F403

# A provider that does not answer is given up on after 5 s, not anymail's 30 s; still
# far longer than any real answer of the fake provider takes on a loaded machine, so a
# slow success is never taken for a timeout (and sent twice).
# (A Python number: an ANYMAIL_REQUESTS_TIMEOUT variable would arrive as text.)
ANYMAIL = {**ANYMAIL, "REQUESTS_TIMEOUT": 5.0}  # noqa: F405

# The workers send as production does: batches of 50, their provider calls overlapping on
# a pool of 8 threads (the test process itself sends one call after another).
RELAIS_SEND_BATCH_SIZE = 50
RELAIS_SEND_THREADS = 8
