"""How long a page or an expectation may wait for what it expects.

Generous: a passing test never waits it out, and on a busy two-core machine a page
with axe-core's check can take several seconds to settle.
"""

from playwright.sync_api import expect

WAIT_MS = 15_000
expect.set_options(timeout=WAIT_MS)
