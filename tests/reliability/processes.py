"""The processes a fault test starts, breaks and restarts: a Redis server and Celery workers."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time

import redis

from tests.workers import ROOT, die_with_parent


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition, timeout, message, interval=0.05):
    """Poll `condition` until it is true; fail with `message` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"{message} (waited {timeout} s)")
        time.sleep(interval)
    return result


class RedisServer:
    """A redis-server of the test's own, on its own port, keeping nothing on disk."""

    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [shutil.which("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1"]
            + ["--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            preexec_fn=die_with_parent,
        )
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)
        wait_for(lambda: _answers(client), 10, "redis-server did not start")
        return self

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def queued(self):
        """Messages waiting in the three queues."""
        client = redis.Redis(port=self.port)
        return sum(client.llen(queue) for queue in ("high", "default", "bulk"))


def _answers(client):
    try:
        return client.ping()
    except redis.ConnectionError:
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
