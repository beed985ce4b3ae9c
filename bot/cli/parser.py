"""argparse in Chinese: the usage line, the help headings and the errors people see.

argparse builds its messages in English before it calls ``error``; ``ChineseParser.error`` puts
each known message into Chinese (an unknown one passes through as it is), and the formatter and
the group titles do the same for ``--help``. Only argparse and ``re`` are loaded here: this
module runs for every command, ``--help`` included.
"""

from __future__ import annotations

import argparse
import re
import sys
from typing import NoReturn

TYPES = {"int": "整数", "float": "数字"}


class ChineseFormatter(argparse.HelpFormatter):
    """``用法:`` instead of ``usage:``."""

    def add_usage(self, usage, actions, groups, prefix=None) -> None:  # noqa: ANN001
        super().add_usage(usage, actions, groups, "用法: " if prefix is None else prefix)


class ChineseParser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose usage, headings and errors are Chinese (subcommands inherit it)."""

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        kwargs.setdefault("formatter_class", ChineseFormatter)
        super().__init__(*args, **kwargs)
        self._positionals.title = "位置参数"
        self._optionals.title = "选项"
        if "-h" in self._option_string_actions:
            self._option_string_actions["-h"].help = "显示帮助并退出"

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: 错误: {self.translate(message)}\n(用 {self.prog} -h 查看用法)\n")

    def translate(self, message: str) -> str:
        """One of argparse's English messages in Chinese; any other message unchanged."""
        if m := re.fullmatch(r"the following arguments are required: (.+)", message):
            return "缺少必填的参数:" + "、".join(self._named(n) for n in m.group(1).split(", "))
        if m := re.fullmatch(r"argument (.+?): invalid choice: '?(.*?)'? \(choose from (.+)\)", message):
            choices = "、".join(c.strip(" '\"") for c in m.group(3).split(","))
            if m.group(1) == "命令" or m.group(1) in self._subcommand_dests():
                return f"没有“{m.group(2)}”这个命令,可选:{choices}"
            return f"{m.group(1)} 不能是“{m.group(2)}”,可选:{choices}"
        if m := re.fullmatch(r"argument (.+?): invalid (\w+) value: '?(.*?)'?", message):
            return f"{m.group(1)}:“{m.group(3)}”不是{TYPES.get(m.group(2), '有效的 ' + m.group(2))}"
        if m := re.fullmatch(r"argument (.+?): expected one argument", message):
            return f"{m.group(1)} 后面要跟一个值"
        if m := re.fullmatch(r"argument (.+?): expected at (least|most) one argument", message):
            return f"{m.group(1)} 后面{'至少' if m.group(2) == 'least' else '至多'}要跟一个值"
        if m := re.fullmatch(r"argument (.+?): not allowed with argument (.+)", message):
            return f"{m.group(1)} 不能和 {m.group(2)} 同时使用"
        if m := re.fullmatch(r"unrecognized arguments: (.+)", message):
            return f"不认识的参数:{m.group(1)}"
        if m := re.fullmatch(r"ambiguous option: (\S+) could match (.+)", message):
            return f"选项 {m.group(1)} 不明确,可能是:{m.group(2)}"
        if m := re.fullmatch(r"one of the arguments (.+) is required", message):
            return f"需要以下参数之一:{m.group(1)}"
        return message

    def _subcommand_dests(self) -> dict[str, list[str]]:
        return {a.dest: list(a.choices) for a in self._actions if isinstance(a, argparse._SubParsersAction)}

    def _named(self, name: str) -> str:
        """A missing subcommand reads as the choices it has; an option as itself."""
        subs = {**self._subcommand_dests(), **{a.metavar: list(a.choices) for a in self._actions
                                               if isinstance(a, argparse._SubParsersAction) and a.metavar}}
        if name in subs:
            return f"命令({' / '.join(subs[name])} 之一)"
        return name
