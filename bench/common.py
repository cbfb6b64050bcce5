"""What every benchmark shares: scale, interleaved repetitions, statistics, the
printed table and the JSON written to bench/results/<name>.json."""

import asyncio
import inspect
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"
CACHE = REPO / "bench" / ".cache"
MB = 1_000_000
MiB = 1024 * 1024

# BENCH_SCALE=small shrinks files (1 GB -> 10 MB) and repetitions for a smoke run;
# `make bench` uses the full sizes of the issue.
SMALL = os.environ.get("BENCH_SCALE", "full") == "small"


T = TypeVar("T")


def scaled(full: T, small: T) -> T:
    return small if SMALL else full


class BenchFailure(Exception):
    """The timed work gave a wrong answer: the benchmark must not report it."""


def check(condition: bool, message: str) -> None:
    """Fail the benchmark unless `condition` holds (an assert that -O keeps)."""
    if not condition:
        raise BenchFailure(message)


# One repetition of one variant: metric name -> value.
Sample = dict[str, float]
Variant = Callable[[], Awaitable[Sample] | Sample]


async def interleave(
    variants: Mapping[str, Variant], reps: int, *, warmup: int = 0
) -> dict[str, dict[str, list[float]]]:
    """Run the variants in turn (A B A B ...) `reps` times after `warmup` untimed
    rounds; returns variant -> metric -> one value per repetition.

    Interleaving spreads drift (page cache, CPU boost, a noisy neighbour) over every
    variant instead of charging it to whichever ran last.
    """
    samples: dict[str, dict[str, list[float]]] = {name: {} for name in variants}
    for rep in range(warmup + reps):
        for name, run in variants.items():
            result = run()
            sample = await result if inspect.isawaitable(result) else result
            if rep < warmup:
                continue
            for metric, value in sample.items():
                samples[name].setdefault(metric, []).append(value)
    return samples


def work_dir(name: str) -> Path:
    """bench/.cache/run-<name>, emptied: data dirs and logs of this run (kept
    afterwards for a look at the logs)."""
    path = CACHE / f"run-{name}"
    shutil.rmtree(path, ignore_errors=True)
    (path / "logs").mkdir(parents=True)
    return path


def median(values: list[float]) -> float:
    return statistics.median(values)


def p95(values: list[float]) -> float:
    """The 95th percentile, interpolated; the maximum of fewer than 20 values
    is close to it, and with 1 value it is that value."""
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[94]


def p99(values: list[float]) -> float:
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[98]


def ratio(ours: list[float], baseline: list[float]) -> float:
    """Median over median: the figure each benchmark reports."""
    base = median(baseline)
    return median(ours) / base if base else float("inf")


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 10 else f"{seconds:.1f} s"


def secs(seconds: float) -> str:
    return f"{seconds:.3f} s" if seconds < 10 else f"{seconds:.1f} s"


def megabytes(n: float) -> str:
    return f"{n / MB:.0f} MB" if n >= 10 * MB else f"{n / MB:.1f} MB"


def times(x: float) -> str:
    return f"{x:.2f}x"


@dataclass
class Table:
    """A markdown table: printed as is, and pasted into the README unchanged."""

    title: str
    headers: list[str]
    rows: list[list[str]] = field(default_factory=list)

    def add(self, *cells: object) -> None:
        self.rows.append([str(cell) for cell in cells])

    def render(self) -> str:
        lines = [f"**{self.title}**", ""]
        lines.append("| " + " | ".join(self.headers) + " |")
        lines.append("|" + "|".join("---" for _ in self.headers) + "|")
        lines += ["| " + " | ".join(row) + " |" for row in self.rows]
        return "\n".join(lines)


@dataclass
class Ratio:
    """One headline figure: ours against its baseline, with how to read it."""

    name: str
    value: float
    meaning: str

    def line(self) -> str:
        return f"{self.name}: {self.value:.2f}x ({self.meaning})"


@dataclass
class Report:
    name: str
    config: dict[str, Any] = field(default_factory=dict)
    tables: list[Table] = field(default_factory=list)
    ratios: list[Ratio] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    samples: dict[str, Any] = field(default_factory=dict)

    def table(self, title: str, *headers: str) -> Table:
        table = Table(title, list(headers))
        self.tables.append(table)
        return table

    def ratio(self, name: str, value: float, meaning: str) -> None:
        self.ratios.append(Ratio(name, value, meaning))

    def print(self) -> None:
        for table in self.tables:
            print()
            print(table.render())
        print()
        for item in self.ratios:
            print(f"ratio  {item.line()}")
        for note in self.notes:
            print(f"note   {note}")

    def write(self, seconds: float) -> Path:
        RESULTS.mkdir(parents=True, exist_ok=True)
        path = RESULTS / f"{self.name}.json"
        body = {
            "benchmark": self.name,
            "ok": True,
            "seconds": round(seconds, 1),
            "machine": machine(),
            "scale": "small" if SMALL else "full",
            "config": self.config,
            "tables": [asdict(t) | {"markdown": t.render()} for t in self.tables],
            "ratios": [asdict(r) for r in self.ratios],
            "notes": self.notes,
            "samples": self.samples,
        }
        path.write_text(json.dumps(body, indent=2, default=str) + "\n")
        return path


def machine() -> dict[str, Any]:
    """Where the figures come from: enough to tell two machines apart."""

    def first(path: str, prefix: str) -> str:
        try:
            for line in Path(path).read_text().splitlines():
                if line.startswith(prefix):
                    return line.split(":", 1)[1].strip() if ":" in line else line
        except OSError:
            pass
        return "unknown"

    mem_kb = first("/proc/meminfo", "MemTotal").split()[0]
    os_name = first("/etc/os-release", "PRETTY_NAME=").removeprefix("PRETTY_NAME=")
    return {
        "cpus": os.cpu_count(),
        "cpu_model": first("/proc/cpuinfo", "model name"),
        "memory_gib": round(int(mem_kb) / 1024**2, 1) if mem_kb.isdigit() else None,
        "os": os_name.strip('"'),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "ffmpeg": _output(["ffmpeg", "-version"]).split(" Copyright")[0],
        "commit": _output(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"]),
        "dirty_tree": bool(_output(["git", "-C", str(REPO), "status", "--short"])),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def _output(args: list[str]) -> str:
    try:
        done = subprocess.run(args, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return done.stdout.splitlines()[0].strip() if done.stdout else ""


def main(name: str, run: Callable[[Report], Coroutine[Any, Any, None]]) -> None:
    """Run one benchmark, print its tables and write its JSON; exit 1 when the
    work it timed was wrong or it could not run."""
    report = Report(name)
    print(f"== {name} ({'small' if SMALL else 'full'} scale)", flush=True)
    started = time.monotonic()
    try:
        run_loop(run(report))
    except BenchFailure as failure:
        print(f"FAILED {name}: {failure}", file=sys.stderr)
        sys.exit(1)
    elapsed = time.monotonic() - started
    report.print()
    path = report.write(elapsed)
    print(f"\n{name}: {elapsed:.0f} s, results in {path.relative_to(REPO)}")


def run_loop(coro: Coroutine[Any, Any, None]) -> None:
    # uvloop when installed, as uvicorn picks for `gql-media serve`.
    try:
        import uvloop
    except ImportError:
        asyncio.run(coro)
    else:
        uvloop.run(coro)


def log(message: str) -> None:
    """Progress on stderr, so long runs show they are alive."""
    print(f"  {time.strftime('%H:%M:%S')} {message}", file=sys.stderr, flush=True)
