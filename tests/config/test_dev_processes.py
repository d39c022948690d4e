"""`make run`'s processes (Procfile.dev) stop cleanly on Ctrl-C."""

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def test_ctrl_c_stops_the_dev_worker_cleanly_before_honcho_would_kill_it(tmp_path):
    """honcho sends SIGTERM to each process group and SIGKILLs what is left after 5 s: a
    prefork pool's children got the SIGTERM too and were logged as ERROR "exited with
    signal 15"; the threads pool has no children, and its warm shutdown ends in time."""
    honcho = subprocess.Popen(
        [str(BIN / "honcho"), "-f", "Procfile.dev", "start", "worker"],
        cwd=ROOT,
        env=os.environ | {"PATH": f"{BIN}:{os.environ['PATH']}", "RELAIS_DATA_DIR": str(tmp_path)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        lines = []
        for line in honcho.stdout:  # wait until the worker is up
            lines.append(line)
            if " ready." in line:
                break
        honcho.send_signal(signal.SIGINT)  # Ctrl-C
        started = time.monotonic()
        output = "".join(lines) + honcho.stdout.read()
        honcho.wait(timeout=30)
    finally:
        honcho.kill()
    assert "ERROR" not in output
    assert "SIGKILL" not in output
    assert re.search(r"worker\.1 stopped \(rc=0\)", output), output[-2000:]
    assert time.monotonic() - started < 5
