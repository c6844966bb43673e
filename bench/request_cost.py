"""Issue 17 benchmark: the gateway's cost per request type, as a ratio to the trivial request.

    python -m bench.request_cost [--scenarios trivial customer page] [--requests 200]
                                 [--backend sqlite] [--customers 5000] [--no-callgrind]

Runs each scenario of `bench.cpu_profile` in its own process, in-process ASGI calls (no socket,
no load client), one request at a time: once for CPU time, once under
`valgrind --tool=callgrind` for the instructions of the measured requests only (warm-up and
start-up excluded). Instruction counts repeat within a percent or two on a busy machine, where
CPU times do not; both are printed with their ratio to `{ __typename }` with an API key.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import orjson
from rich.console import Console
from rich.table import Table

from bench.cpu_profile import CALLGRIND_ENV, SCENARIOS
from bench.server import OUT, ROOT


def _profile_args(args: argparse.Namespace, scenario: str, requests: int) -> list[str]:
    return [
        "-m",
        "bench.cpu_profile",
        "--scenario",
        scenario,
        "--requests",
        str(requests),
        "--concurrency",
        "1",
        "--customers",
        str(args.customers),
        "--backend",
        args.backend,
        "--json",
    ]


def _last_json_line(output: str) -> dict[str, float]:
    return orjson.loads(output.strip().splitlines()[-1])  # type: ignore[no-any-return]


def cpu_ms(args: argparse.Namespace, scenario: str) -> float:
    """CPU ms per request of `scenario` (process time of the measured requests)."""
    result = subprocess.run(
        [sys.executable, *_profile_args(args, scenario, args.requests)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return _last_json_line(result.stdout)["cpu_ms"]


def instructions(args: argparse.Namespace, scenario: str) -> float:
    """Instructions per request of `scenario`, counted by callgrind."""
    OUT.mkdir(parents=True, exist_ok=True)
    out = OUT / f"callgrind-{scenario}-{args.backend}.out"
    out.unlink(missing_ok=True)
    requests = args.callgrind_requests
    subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            "--instr-atstart=no",
            f"--callgrind-out-file={out}",
            sys.executable,
            *_profile_args(args, scenario, requests),
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={**os.environ, CALLGRIND_ENV: "1"},
    )
    return _callgrind_total(out) / requests


def _callgrind_total(path: Path) -> int:
    # `totals:` counts what ran while instrumentation was on (`summary:` stays 0 with it off
    # at start).
    for line in path.read_text().splitlines():
        if line.startswith("totals:"):
            return int(line.split()[1])
    raise RuntimeError(f"no totals in {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scenarios", nargs="+", choices=SCENARIOS, default=["trivial", "customer", "page"]
    )
    parser.add_argument("--requests", type=int, default=200, help="per scenario, for CPU time")
    parser.add_argument(
        "--callgrind-requests", type=int, default=30, help="per scenario, under callgrind"
    )
    parser.add_argument("--customers", type=int, default=5000)
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--no-callgrind", action="store_true", help="CPU time only")
    args = parser.parse_args()
    scenarios = ["trivial", *(s for s in args.scenarios if s != "trivial")]
    console = Console(width=150)
    rows: list[tuple[str, float, float | None]] = []
    for scenario in scenarios:
        cpu = cpu_ms(args, scenario)
        counted = None if args.no_callgrind else instructions(args, scenario)
        counts = f", {counted:,.0f} instructions/request" if counted is not None else ""
        console.log(f"{scenario}: {cpu:.2f} ms CPU{counts}")
        rows.append((scenario, cpu, counted))
    table = Table(title=f"Gateway cost per request ({args.backend}, {args.customers:,} customers)")
    for column in ("request", "CPU ms", "CPU ratio", "instructions (M)", "instr. ratio"):
        table.add_column(column, justify="right")
    _, base_cpu, base_instr = rows[0]
    for scenario, cpu, counted in rows:
        table.add_row(
            scenario,
            f"{cpu:.2f}",
            f"{cpu / base_cpu:.1f}x",
            f"{counted / 1e6:.2f}" if counted is not None else "-",
            f"{counted / base_instr:.1f}x" if counted is not None and base_instr else "-",
        )
    console.print(table)


if __name__ == "__main__":
    main()
