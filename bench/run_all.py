"""`make bench`: run every benchmark in turn; each prints its own table.

    python -m bench.run_all [--quick]

Large stores (100,000 customers) are seeded once into bench/out/ and reused.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(*args: str) -> None:
    print(f"\n=== python -m {' '.join(args)}", flush=True)
    subprocess.run([sys.executable, "-m", *args], cwd=ROOT, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small stores and short runs")
    quick = parser.parse_args().quick
    _run("bench.metrics_calculators", "20000" if quick else "100000")
    _run("bench.matching.run", *(["--quick"] if quick else []))
    api = ["--customers", "5000", "--duration", "3"] if quick else []
    _run("bench.api_latency", *api)
    _run("bench.metrics_recompute", "--customers", "5000" if quick else "100000")
    summary = ["--customers", "20000", "--observations", "200000"] if quick else []
    _run("bench.metric_summary", *summary)
    business = ["--customers", "20000", "--spend-rows", "2000", "--requests", "10"] if quick else []
    _run("bench.business_metrics", *business)
    _run("bench.support_desk", *(["--duration", "3"] if quick else []))
    _run("bench.search", *(["--customers", "20000", "--queries", "100"] if quick else []))
    _run("bench.transport", *(["--requests", "500"] if quick else []))
    _run("bench.hostile_documents", *(["--repeats", "5"] if quick else []))
    _run("bench.overload", *(["--duration", "5"] if quick else []))
    _run("bench.soak", *(["--minutes", "1", "--window", "15"] if quick else []))
    _run("bench.request_cost", *(["--no-callgrind"] if quick else []))


if __name__ == "__main__":
    main()
