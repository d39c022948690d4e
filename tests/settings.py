"""Test settings: the project's, plus a small test-only domain that exercises the engine."""

from config import env
from config.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "tests.testapp"]  # noqa: F405

# Tasks run in the test process unless a test starts a real worker.
CELERY_TASK_ALWAYS_EAGER = env.boolean("CELERY_TASK_ALWAYS_EAGER", True)
CELERY_TASK_EAGER_PROPAGATES = True
# A worker subprocess started by a test may ask for files instead (EMAIL_BACKEND).
EMAIL_BACKEND = env.string("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
EMAIL_FILE_PATH = env.string("EMAIL_FILE_PATH")
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# A batch's provider calls go out one after another here, in the order of its rows, so a
# test can read mail.outbox in order; tests/notifications/test_send_batches.py proves the
# overlap with a pool of its own. Worker subprocesses may ask for more.
RELAIS_SEND_THREADS = env.integer("RELAIS_SEND_THREADS", 1)
# No pacing unless a test asks for it: a paced batch waits for its turns (test_pacing.py).
RELAIS_SEND_RATES = {}
