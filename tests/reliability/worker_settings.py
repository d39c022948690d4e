"""Settings of the worker processes the fault tests start: the test settings, with short waits."""

from tests.settings import *  # noqa: F403

# A provider that does not answer is given up on after 1 s, not anymail's 30 s.
# (A Python number: an ANYMAIL_REQUESTS_TIMEOUT variable would arrive as text.)
ANYMAIL = {**ANYMAIL, "REQUESTS_TIMEOUT": 1.0}  # noqa: F405
