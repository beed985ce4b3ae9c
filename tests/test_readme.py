"""The README's command table is one table and names every subcommand."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.cli import build_parser

README = Path(__file__).resolve().parent.parent / "README.md"


def test_the_command_table_is_one_table_with_every_subcommand():
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Command line"):]
    section = section[:section.index("\n## ", 1)]
    lines = section.splitlines()
    rows = [i for i, line in enumerate(lines) if line.startswith("|")]
    assert rows == list(range(rows[0], rows[-1] + 1)), "a blank or other line cuts the command table"
    assert lines[rows[0]].startswith("| command |")
    named = {part.strip("` ").split()[0] for i in rows[2:] for part in lines[i].split("|")[1].split("`, `")}
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    assert set(sub.choices) <= named, sorted(set(sub.choices) - named)
