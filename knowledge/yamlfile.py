"""Reading a hand-edited YAML file with the line of every key and list item.

The person who reads ``check``'s messages edits the YAML in a text editor: every problem names a
line. Three traps of YAML 1.1 (PyYAML) are handled here rather than surprising the editor:

- ``- no: 1`` reads the key ``no`` as the boolean ``false`` (so do ``yes``, ``on``, ``off``): in
  our files every key is a name, so a key is always read as the text written.
- a key written twice silently keeps the last value: here it is a problem at the second line.
- a syntax error's own mark is often the end of the file (an unclosed ``[`` or quote): the
  message names the line where the unclosed thing starts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

Path = tuple[Any, ...]
STR = "tag:yaml.org,2002:str"


class YamlSyntaxError(ValueError):
    """A syntax error at ``line`` (1-based), with a Chinese ``message``."""

    def __init__(self, line: int | None, message: str) -> None:
        self.line = line
        self.message = message
        super().__init__(f"第 {line} 行: {message}" if line else message)


class _NoBoolKeys:
    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict:
        for key, _ in node.value:
            if isinstance(key, ScalarNode) and key.tag == "tag:yaml.org,2002:bool":
                key.tag = STR  # `no:` is the key "no", not False
        return super().construct_mapping(node, deep=deep)  # type: ignore[misc]


class _Loader(_NoBoolKeys, yaml.SafeLoader):
    """The pure-Python parser: its errors are the ones ``_syntax_error`` translates."""


# libyaml's parser when PyYAML has it: the same safe loader, about 7x faster on the campaign
# files (1.1 s → 0.16 s on a slow machine), and every command and the bot read them at start.
_FastLoader = type("_FastLoader", (_NoBoolKeys, yaml.CSafeLoader), {}) if hasattr(yaml, "CSafeLoader") else _Loader


@dataclass
class YamlFile:
    data: Any
    lines: dict[Path, int] = field(default_factory=dict)
    duplicates: list[tuple[Path, int, int]] = field(default_factory=list)  # (path, first line, again)

    def line_of(self, path: Path) -> int | None:
        """The line of ``path``, or of its nearest ancestor that the file has."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return None

    def value_line(self, path: Path) -> int | None:
        return self.lines.get(tuple(path) + ("<value>",)) or self.line_of(path)


def parse(text: str, *, lines: bool = True) -> YamlFile:
    """Parse ``text``; raises ``YamlSyntaxError`` naming the line. Without ``lines`` (loading at
    start, not checking) libyaml parses it and no line map is built; a file it refuses is parsed
    again the slow way, for the error message ``check`` gives."""
    if not lines:
        try:
            return YamlFile(yaml.load(text, Loader=_FastLoader))  # noqa: S506 (a safe loader)
        except yaml.YAMLError:
            pass
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        raise _syntax_error(exc, text) from None
    finally:
        loader.dispose()
    out = YamlFile(data)
    if node is not None:
        _walk(node, (), out)
    return out


def _key(node: Node) -> Any:  # noqa: ANN401
    if isinstance(node, ScalarNode) and node.tag == "tag:yaml.org,2002:int":
        try:
            return int(node.value)
        except ValueError:
            return node.value
    return node.value if isinstance(node, ScalarNode) else str(node.start_mark.line + 1)


def _walk(node: Node, path: Path, out: YamlFile) -> None:
    if isinstance(node, MappingNode):
        seen: dict[Any, int] = {}
        for k, v in node.value:
            key = _key(k)
            line = k.start_mark.line + 1
            if key in seen:
                out.duplicates.append((path + (key,), seen[key], line))
            seen[key] = line
            out.lines[path + (key,)] = line
            out.lines[path + (key, "<value>")] = v.start_mark.line + 1
            _walk(v, path + (key,), out)
    elif isinstance(node, SequenceNode):
        for i, v in enumerate(node.value):
            out.lines[path + (i,)] = v.start_mark.line + 1
            _walk(v, path + (i,), out)


_PROBLEMS = [
    ("mapping values are not allowed here", "这里不能再出现“:”(值里有冒号时请给整个值加引号,或检查缩进)"),
    ("cannot start any token", "含有不能出现在这里的字符(常见的是制表符 Tab:YAML 只能用空格缩进)"),
    ("could not find expected ':'", "缺少“:”(键和值之间要有冒号和空格)"),
    ("found undefined alias", "用了未定义的别名(*…)"),
    ("found unexpected end of stream", "文件在这里意外结束"),
    ("found duplicate anchor", "锚点(&…)重复"),
]
_CONTEXTS = [
    ("while parsing a flow sequence", "第 {ctx} 行开始的“[”没有闭合“]”(或其中少了逗号)"),
    ("while parsing a flow mapping", "第 {ctx} 行开始的“{{”没有闭合“}}”(或其中少了逗号)"),
    ("while scanning a quoted scalar", "第 {ctx} 行开始的引号没有闭合"),
    ("while parsing a block collection", "缩进与第 {ctx} 行开始的列表对不齐(或在列表中混入了“键: 值”)"),
    ("while parsing a block mapping", "缩进与第 {ctx} 行开始的映射对不齐"),
]


def _unclosed_flow(text: str) -> int | None:
    """The line of the last "[" or "{" still open where the scanner stopped (an unclosed bracket
    is otherwise reported at the end of the file)."""
    stack: list[int] = []
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            if isinstance(token, yaml.FlowSequenceStartToken | yaml.FlowMappingStartToken):
                stack.append(token.start_mark.line + 1)
            elif isinstance(token, yaml.FlowSequenceEndToken | yaml.FlowMappingEndToken) and stack:
                stack.pop()
    except yaml.YAMLError:
        pass
    return stack[-1] if stack else None


def _syntax_error(exc: yaml.YAMLError, text: str = "") -> YamlSyntaxError:
    problem = str(getattr(exc, "problem", "") or "")
    context = str(getattr(exc, "context", "") or "")
    pm, cm = getattr(exc, "problem_mark", None), getattr(exc, "context_mark", None)
    pline = pm.line + 1 if pm else None
    cline = cm.line + 1 if cm else None
    opened = _unclosed_flow(text) if text and ("flow" in context or "stream end" in problem) else None
    if opened is not None:
        where = f"(在第 {pline} 行发现)" if pline and pline != opened else ""
        return YamlSyntaxError(opened, f"YAML 语法错误: 第 {opened} 行的“[”或“{{”没有闭合(或其中少了逗号){where}")
    for needle, text in _CONTEXTS:
        if needle in context and cline:
            unclosed = "没有闭合" in text
            line = cline if unclosed else pline
            where = f"(在第 {pline} 行发现)" if unclosed and pline and pline != cline else ""
            return YamlSyntaxError(line, "YAML 语法错误: " + text.format(ctx=cline) + where)
    for needle, text in _PROBLEMS:
        if needle in problem:
            return YamlSyntaxError(pline, f"YAML 语法错误: {text}")
    return YamlSyntaxError(pline, "YAML 语法错误: 无法解析这一行(请检查缩进、冒号和引号)")
