"""Run the benchmarks one after the other, then repeat their headlines with the targets.

    python bench/run_all.py            # the sizes of bench/README.md (about 10 minutes)
    python bench/run_all.py --quick    # a tenth of them, to check the scripts run

Needs DATABASE_URL=postgres://... and CELERY_BROKER_URL=redis://... (see harness.py).
"""

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

# (script, full-size arguments, quick arguments, target)
BENCHMARKS = [
    ("fanout.py", ["--n", "100000"], ["--n", "10000", "--repeat", "1"], "<= 2.0"),
    ("alert_run.py", ["--points", "100000"], ["--points", "10000", "--repeat", "1"], "<= 2.0"),
    ("alert_urgent.py", ["--points", "20000"], ["--points", "3000", "--tries", "3"], "~ 1"),
    ("emit_overhead.py", ["--saves", "1000"], ["--saves", "200"], "<= 1.3"),
    (
        "throughput.py",
        ["--n", "10000"],
        ["--n", "1000", "--more-n", "300"],
        ">= 0.7",
    ),
    ("dispatch_due.py", ["--rows", "1000000"], ["--rows", "100000"], "<= 1.5"),
    ("admin_log.py", ["--rows", "1000000"], ["--rows", "100000", "--repeat", "3"], "<= 2.0"),
    ("dashboard.py", ["--rows", "1000000"], ["--rows", "100000", "--repeat", "3"], "<= 2.0"),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    headlines, failed = [], []
    for script, full, quick, _target in BENCHMARKS:
        print(f"\n=== {script}", flush=True)
        process = subprocess.Popen(
            [sys.executable, str(HERE / script), *(quick if args.quick else full)],
            stdout=subprocess.PIPE,
            text=True,
        )
        last = ""
        for line in process.stdout:
            print(line, end="", flush=True)
            last = line.strip() or last
        if process.wait() != 0:
            failed.append(script)
            last = f"{script.removesuffix('.py')}: did not finish"
        headlines.append(last)
    targets = ", ".join(f"{script.removesuffix('.py')} {t}" for script, _f, _q, t in BENCHMARKS)
    print(f"\n=== headlines (targets: {targets})")
    for headline in headlines:
        print(headline)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
