"""Soak: minutes at the target load; latency, errors and memory must not drift.

    python -m bench.soak [--minutes 10] [--window 30] [--rate R | --share 0.5] [--p95-aim-ms 250]

Starts `c360 serve` (one worker) on a seeded store and offers the target load open-loop
(bench.open_loop: profile reads and 10% `recordInteraction` writes with unique markers) in
windows of `--window` seconds. After each window: the server's resident memory (psutil, the
process and its children). The target load is `--rate`, or `--share` of the sustainable rate
measured first (closed loop, 10 clients). RELIABILITY.md item 24: p95 within its aim, errors
< 0.1%, resident memory growth < 10% after the warm-up window(s), and no write lost.
"""

from __future__ import annotations

import argparse
import uuid

import psutil
from rich.console import Console
from rich.table import Table

from bench.load_client import percentile
from bench.open_loop import run_open_loop, stored_markers
from bench.overload import sustainable_rate, workload, write_accounting
from bench.server import gateway, seeded_database


def resident_mib(pid: int) -> float:
    """Resident memory of the server process and its children, in MiB."""
    process = psutil.Process(pid)
    return sum(p.memory_info().rss for p in (process, *process.children(recursive=True))) / 2**20


def errors_of(result: dict) -> int:
    """Answers that are not a clean 200, and requests that got no answer."""
    not_ok = sum(n for status, n in result["statuses"].items() if status != "200")
    return not_ok + result["answers_with_errors"] + result["transport_errors"]


def error_kinds(result: dict) -> str:
    """The window's errors by kind: HTTP statuses other than 200, error codes, no answer."""
    kinds = {f"HTTP {s}": n for s, n in result["statuses"].items() if s != "200"}
    kinds |= result["codes"]
    if result["transport_errors"]:
        kinds["no answer"] = result["transport_errors"]
    return ", ".join(f"{kind} {n}" for kind, n in sorted(kinds.items())) or "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--window", type=float, default=30.0, help="seconds per window")
    parser.add_argument("--warmup-windows", type=int, default=2)
    parser.add_argument("--rate", type=float, help="target load, requests per second")
    parser.add_argument("--share", type=float, default=0.5, help="of the sustainable rate")
    parser.add_argument("--p95-aim-ms", type=float, default=250.0)
    parser.add_argument("--customers", type=int, default=5000)
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    args = parser.parse_args()
    console = Console(width=160)
    database_url = seeded_database(args.backend, args.customers)
    spec = workload(database_url, write_share=0.1)
    prefix = f"soak-{uuid.uuid4().hex[:8]}"
    windows = max(args.warmup_windows + 1, round(args.minutes * 60 / args.window))
    results, memory = [], []
    with gateway(database_url) as served:
        rate = args.rate or args.share * sustainable_rate(served.url, spec, 10.0)
        console.log(f"target load: {rate:.0f} req/s for {windows} windows of {args.window:.0f} s")
        for window in range(windows):
            spec_window = {**spec, "marker_prefix": f"{prefix}-{window}"}
            results.append(run_open_loop(served.url, spec_window, rate=rate, duration=args.window))
            memory.append(resident_mib(served.pid))
            console.log(
                f"window {window + 1}/{windows}: p95 {results[-1]['admitted_p95']:.0f} ms, "
                f"errors {errors_of(results[-1])}, {memory[-1]:.0f} MiB"
            )
        stored = stored_markers(database_url, prefix)
    table = Table(
        title=f"Soak: {args.backend}, {args.customers:,} customers, one worker, {rate:.0f} req/s "
        f"for {windows * args.window / 60:.1f} min ({args.window:.0f} s windows, "
        f"first {args.warmup_windows} = warm-up)"
    )
    columns = ("window", "sent", "200", "errors", "p50 ms", "p95 ms", "p99 ms", "RSS MiB")
    for column in (*columns, "what the errors were"):
        table.add_column(column, justify="right")
    for index, (result, mib) in enumerate(zip(results, memory, strict=True)):
        table.add_row(
            f"{index + 1}{' (warm-up)' if index < args.warmup_windows else ''}",
            str(result["sent"]),
            str(result["statuses"].get("200", 0)),
            str(errors_of(result)),
            f"{result['admitted_p50']:.0f}",
            f"{result['admitted_p95']:.0f}",
            f"{result['admitted_p99']:.0f}",
            f"{mib:.0f}",
            error_kinds(result),
        )
    console.print(table)
    measured = results[args.warmup_windows :]
    sent = sum(r["sent"] for r in measured)
    errors = sum(errors_of(r) for r in measured)
    p95s = [r["admitted_p95"] for r in measured]
    growth = (memory[-1] - memory[args.warmup_windows - 1]) / memory[args.warmup_windows - 1]
    writes = write_accounting(
        {"writes": {k: sum((r["writes"][k] for r in results), []) for k in results[0]["writes"]}},
        stored,
    )
    verdict = Table(title="Soak against RELIABILITY.md item 24 (after warm-up)")
    for column in ("check", "measured", "aim", "met"):
        verdict.add_column(column, justify="right")
    worst_p95 = max(p95s)
    median_p95 = percentile(p95s, 50)
    rows = [
        (
            "p95, median window (ms)",
            f"{median_p95:.0f}",
            f"<= {args.p95_aim_ms:.0f}",
            median_p95 <= args.p95_aim_ms,
        ),
        (
            "p95, worst window (ms)",
            f"{worst_p95:.0f}",
            f"<= {args.p95_aim_ms:.0f}",
            worst_p95 <= args.p95_aim_ms,
        ),
        (
            "errors",
            f"{errors} of {sent} ({errors / max(sent, 1):.3%})",
            "< 0.1%",
            errors / max(sent, 1) < 0.001,
        ),
        (
            "RSS growth",
            f"{memory[args.warmup_windows - 1]:.0f} -> {memory[-1]:.0f} MiB ({growth:+.1%})",
            "< 10%",
            growth < 0.10,
        ),
        (
            "writes lost / stored anyway",
            f"{writes['lost']} / {writes['stored_anyway']} of {writes['sent']}",
            "0 / 0",
            writes["lost"] == 0 and writes["stored_anyway"] == 0,
        ),
    ]
    for check, measured_value, aim, met in rows:
        verdict.add_row(check, measured_value, aim, "yes" if met else "NO")
    console.print(verdict)


if __name__ == "__main__":
    main()
