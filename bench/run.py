"""Run the benchmarks (`make bench`, `make bench ONLY=fanout`): each in its own
process, then print every ratio and write bench/results/summary.md, the table
the README's Performance section shows."""

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from bench.common import REPO, RESULTS, SMALL, machine

# (name, module), in the order they run.
BENCHMARKS: list[tuple[str, str]] = [
    ("tree", "tree"),
    ("assets", "assets"),
    ("import", "imports"),
    ("hash", "hash"),
    ("fanout", "fanout"),
    ("dispatch", "dispatch"),
    ("memory", "memory"),
    ("stitch", "stitch"),
    ("search", "search"),
]
# Why a benchmark whose module is absent cannot run yet (listed, never skipped
# silently).
MISSING = {
    "tree": "not yet available: it times the generation -> variant -> scene tree "
    "query, which is being built (issue 4); no bench/tree.py, nothing measured",
}


def missing(name: str, module: str) -> str | None:
    if (REPO / "bench" / f"{module}.py").exists():
        return None
    return MISSING.get(name, f"no bench/{module}.py")


def busy_seconds() -> float:
    """CPU time spent by everything on the machine (all cores) since boot."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def children_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def other_load(busy: float, ours: float, seconds: float) -> float:
    """Cores' worth of CPU used by processes outside this run: a second benchmark
    or a build on the same machine skews every figure. PostgreSQL's work for us
    counts as outside, so a little is normal."""
    return max(0.0, (busy - ours) / seconds) if seconds > 0 else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", default="", help="comma-separated names")
    args = parser.parse_args()
    names = [name for name, _ in BENCHMARKS]
    asked = {n.strip() for n in args.only.split(",") if n.strip()} or set(names)
    unknown = sorted(asked - set(names))
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; known: {names}")
        return 2
    chosen = [name for name in names if name in asked]
    started = time.monotonic()
    outcome: dict[str, str] = {}
    load: dict[str, float] = {}
    for name, module in BENCHMARKS:
        if name not in chosen:
            continue
        if (why := missing(name, module)) is not None:
            print(f"== {name}: {why}\n", flush=True)
            outcome[name] = why
            continue
        (RESULTS / f"{name}.json").unlink(missing_ok=True)  # no stale figures
        begun, busy, ours = time.monotonic(), busy_seconds(), children_seconds()
        done = subprocess.run([sys.executable, "-m", f"bench.{module}"], cwd=REPO)
        seconds = time.monotonic() - begun
        load[name] = other_load(
            busy_seconds() - busy, children_seconds() - ours, seconds
        )
        outcome[name] = "ok" if done.returncode == 0 else f"FAILED ({done.returncode})"
        print(
            f"-- {name}: {outcome[name]} in {seconds:.0f} s; other processes used "
            f"{load[name]:.2f} cores meanwhile\n",
            flush=True,
        )
    total = time.monotonic() - started
    summary = render_summary(chosen, outcome, load, total)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "summary.md").write_text(summary)
    print("=" * 72)
    print(summary)
    print(f"(also in {(RESULTS / 'summary.md').relative_to(REPO)})")
    failed = [n for n, status in outcome.items() if status.startswith("FAILED")]
    return 1 if failed else 0


def render_summary(
    chosen: list[str], outcome: dict[str, str], load: dict[str, float], total: float
) -> str:
    info = machine()
    scale = "BENCH_SCALE=small (smoke run, not the issue's sizes)" if SMALL else ""
    lines = [
        f"Machine: {info['cpus']} cores ({info['cpu_model']}), "
        f"{info['memory_gib']} GiB RAM, {info['os']}, Linux {info['kernel']}, "
        f"Python {info['python']}, {info['ffmpeg']}.",
        f"Command: `make bench`{' with ' + scale if scale else ''}; "
        f"{total / 60:.1f} min in all; commit {info['commit']}"
        f"{' + uncommitted changes' if info['dirty_tree'] else ''}, "
        f"{info['date']}.",
        "CPU used by other processes while each benchmark ran (cores; PostgreSQL's "
        "work for the benchmarks counts here): "
        + ", ".join(f"{name} {cores:.2f}" for name, cores in load.items())
        + ".",
        "",
    ]
    ratios: list[str] = []
    for name in chosen:
        status = outcome.get(name, "not run")
        path = RESULTS / f"{name}.json"
        if status != "ok" or not path.exists():
            lines += [f"**{name}**: {status}; no figures.", ""]
            continue
        result = json.loads(path.read_text())
        for table in result["tables"]:
            lines += [table["markdown"], ""]
        ratios += [
            f"- {r['name']}: **{r['value']:.2f}x** ({r['meaning']})"
            for r in result["ratios"]
        ]
    lines += [
        "**Every ratio** (medians; baselines measured in the same run; what each "
        "one measures: bench/README.md)",
        "",
    ]
    lines += ratios
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
