"""The processes a fault test starts, breaks and restarts: a Redis server and Celery workers."""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import redis

from tests.workers import ROOT, die_with_parent


def wait_for(condition, timeout, message, interval=0.05):
    """Poll `condition` until it is true; fail with `message` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"{message} (waited {timeout} s)")
        time.sleep(interval)
    return result


class RedisServer:
    """A redis-server of the test's own, keeping nothing on disk.

    It listens on a Unix socket in a folder of its own, not on a TCP port: a
    free port picked here and bound later by redis-server (or again after a
    restart) could be taken in between by anything else on the machine, and
    the test would then talk to someone else's Redis, or to nothing.
    """

    def __init__(self):
        self.folder = tempfile.mkdtemp(prefix="relais-redis-")  # short: socket paths are
        self.socket = os.path.join(self.folder, "redis.sock")  # limited to 107 bytes
        self.url = f"redis+socket://{self.socket}"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [shutil.which("redis-server"), "--port", "0", "--unixsocket", self.socket]
            + ["--unixsocketperm", "700", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            preexec_fn=die_with_parent,
        )
        wait_for(self._answers, 30, "redis-server did not start")
        return self

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def close(self):
        """Stop it for good, and remove its folder."""
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    def client(self):
        return redis.Redis(unix_socket_path=self.socket, socket_connect_timeout=5)

    def queued(self):
        """Messages waiting in the three queues."""
        with self.client() as client:
            return sum(client.llen(queue) for queue in ("high", "default", "bulk"))

    def _answers(self):
        if self.process.poll() is not None:
            raise AssertionError(f"redis-server exited with status {self.process.returncode}")
        try:
            with self.client() as client:
                return client.ping()
        except (redis.ConnectionError, redis.TimeoutError):
            return False


class Worker:
    """One `celery worker` process (with its pool) that can be killed like a lost machine."""

    def __init__(self, env, concurrency=4, pool="threads"):
        self.env = os.environ | {"CELERY_TASK_ALWAYS_EAGER": "false"} | env
        self.concurrency = concurrency
        self.pool = pool
        self.process = None
        self.started = 0

    def start(self):
        self.started += 1
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", "high,default,bulk"]
            + ["-n", f"fault{self.started}@%h", "--pool", self.pool]
            + ["--concurrency", str(self.concurrency), "--without-gossip", "--without-mingle"]
            + ["--loglevel", "ERROR"],
            cwd=ROOT,
            env=self.env,
            start_new_session=True,  # its own process group: a kill takes its pool too
            preexec_fn=die_with_parent,
        )
        return self

    def kill(self):
        """SIGKILL, as the kernel's OOM killer or a lost machine would: no cleanup at all."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill()

    def alive(self):
        return self.process is not None and self.process.poll() is None
