"""``liaison-bot``: the command-line face of the same core the bot uses.

Exit codes: 0 success, 1 validation errors (``check``), 2 bad input (unknown campaign or
unit, bad arguments). Messages for people are Chinese; ``--json`` output is a contract.

The subcommands come in groups (``GROUPS``, in the order ``--help`` lists them); each group's
options are in ``bot.cli.options`` and its commands in ``bot.cli.<group>``, imported only when
one of them runs, so ``--help`` and a simple command do not load Telegram, charts or
spreadsheets.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.cli import options
from bot.cli.common import failure
from bot.cli.parser import ChineseParser

if TYPE_CHECKING:
    from bot.settings import Settings

# The subcommand groups, in --help order: the data files, the bot itself, the weekly digest,
# rosters and chats, the timeline and reminders, operations, evidence files.
GROUPS = (options.data, options.bot, options.digest, options.people, options.schedule, options.ops,
          options.files)


def build_parser() -> argparse.ArgumentParser:
    """Every subcommand and option; the shapes are contracts."""
    parser = ChineseParser(prog="liaison-bot", description="联络员助手 — 命令行")
    sub = parser.add_subparsers(dest="command", required=True, metavar="命令", title="命令")
    for group in GROUPS:
        group(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``liaison-bot`` console script."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8")
    args = build_parser().parse_args(argv)
    settings: Settings | None = None
    try:
        from bot.settings import Settings

        settings = Settings()
        return int(args.func(args, settings) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `liaison-bot … | head`: the reader left; that is not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:
        code = failure(exc, settings)
        if code is None:  # not ours to explain (a module of the bot itself is missing)
            raise
        return code
