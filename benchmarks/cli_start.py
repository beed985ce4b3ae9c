"""Cold start of ``liaison-bot``: each command timed as a whole process, several runs.

    .venv/bin/python -m benchmarks.cli_start [-n 7] [--tree DIR ...]

Every ``--tree`` is a checkout of the project (default: this one); the trees run in turn, run by
run, so a comparison of two commits holds while the machine's speed drifts. Each process starts
with ``python -m bot.cli`` and ``PYTHONPATH`` on its tree, in an empty folder with its own
``DATA_DIR`` (no ``.env``, no token). One warm-up run per tree and command is not counted: it
creates and loads the store, as the first command after an install does; the counted runs are
what every later command costs. Prints min / median / max wall seconds and the median CPU
seconds (user + system) per tree and command.

An older checkout of the project: ``git archive 0a8abeb | tar -x -C /tmp/base``.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# What a new user types first; ``units`` names its campaign so that older trees, which
# required --campaign, run the same command.
COMMANDS = (
    ("--help",),
    ("ask", "第12项谁负责"),
    ("ask", "--json", "商务局负责哪些指标"),
    ("units", "--campaign", "hejin"),
)


def run_once(tree: Path, data: Path, argv: tuple[str, ...]) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of one whole process; a failing command stops the
    benchmark. CPU time holds better than wall time on a machine shared with other work."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_URL", "DEFAULT_"))}
    env.update(PYTHONPATH=str(tree), DATA_DIR=str(data), PYTHONDONTWRITEBYTECODE="")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "bot.cli", *argv], cwd=data, env=env, capture_output=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode != 0:
        raise SystemExit(f"{tree}: liaison-bot {' '.join(argv)} exited {done.returncode}:\n"
                         f"{done.stderr.decode(errors='replace')[-2000:]}")
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=7, help="counted runs per tree and command")
    parser.add_argument("--tree", action="append", type=Path, help="a checkout to time (repeatable)")
    args = parser.parse_args()
    trees = [t.resolve() for t in (args.tree or [ROOT])]
    with tempfile.TemporaryDirectory() as tmp:
        data = {t: Path(tmp) / f"tree{i}" for i, t in enumerate(trees)}
        for folder in data.values():
            folder.mkdir()
        walls: dict[tuple[Path, tuple[str, ...]], list[tuple[float, float]]] = {}
        for argv in COMMANDS:
            for t in trees:
                run_once(t, data[t], argv)  # warm-up: the store is created and loaded once
            for _ in range(args.n):
                for t in trees:
                    walls.setdefault((t, argv), []).append(run_once(t, data[t], argv))
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}, {args.n} runs each, seconds")
    print("| tree | command | wall min | wall median | wall max | CPU median |")
    print("| --- | --- | --- | --- | --- | --- |")
    for (t, argv), runs in walls.items():
        w = [wall for wall, _ in runs]
        cpu = statistics.median(c for _, c in runs)
        print(f"| {t.name} | `liaison-bot {' '.join(argv)}` | {min(w):.2f} | {statistics.median(w):.2f} | {max(w):.2f} "
              f"| {cpu:.2f} |")


if __name__ == "__main__":
    main()
