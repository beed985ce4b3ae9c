"""One campaign file checked, read-only: every problem in Chinese with its line, TODOs as warnings.

``inspect_file`` is what ``check`` runs and what the loader runs before it writes anything:

- YAML syntax errors name their line (``knowledge.yamlfile``);
- pydantic's errors are translated ("缺少必填字段", "应为整数" …); an unknown key says
  "您是不是要写 …" with the nearest field of that place;
- the cross-field rules (``knowledge.checks``) and the national version;
- a value written ``'TODO: …'`` (what ``draft`` could not read) is a warning with its line. A
  TODO in a field that is not text (a date, a number) cannot be validated: that field is left
  out of the check, or, when it is required, the entry holding it (that phase, that member).
  ``load`` refuses a file that still has TODOs; ``check`` accepts it with the warnings.
"""

from __future__ import annotations

import copy
import difflib
import inspect
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from knowledge.checks import Problem, check_document, is_todo
from knowledge.schema import CampaignDocument, NationalVersion
from knowledge.yamlfile import YamlSyntaxError, parse

LISTS = {"indicators": ("指标", "no"), "tasks": ("任务", "seq"), "phases": ("阶段", "no"),
         "leading_group": ("领导小组成员", None), "units": ("单位", "name"), "groups": ("单位组", "name"),
         "corrections": ("更正", None), "levels": ("一级指标", "name")}


@dataclass
class FileCheck:
    """What ``check`` found in one file; ``doc`` is None when it could not be read or validated."""

    path: Path
    doc: CampaignDocument | None = None
    national: NationalVersion | None = None
    digest: str = ""
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    todos: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def label(raw: Any, path: tuple[Any, ...]) -> str:  # noqa: ANN401
    """('indicators', 11, 'points') → '指标 12: points', with the entry's own number or name."""
    parts: list[str] = []
    node = raw
    i = 0
    while i < len(path):
        key = path[i]
        if i == 0 and isinstance(node, dict) and key in LISTS and i + 1 < len(path) and isinstance(path[i + 1], int):
            idx = path[i + 1]
            entries = node.get(key) or []
            entry = entries[idx] if isinstance(entries, list) and idx < len(entries) else None
            name, own = LISTS[key]
            num = entry.get(own) if own and isinstance(entry, dict) else None
            parts.append(f"{name} {num}" if num is not None and not isinstance(num, dict | list)
                         else f"{name}第 {idx + 1} 项")
            node = entry
            i += 2
            continue
        parts.append(str(key))
        if isinstance(node, dict):
            node = node.get(key)
        elif isinstance(node, list) and isinstance(key, int) and key < len(node):
            node = node[key]
        else:
            node = None
        i += 1
    if not parts:
        return "文件"
    return parts[0] + (": " + ".".join(parts[1:]) if len(parts) > 1 else "")


def _clean_loc(raw: Any, loc: tuple[Any, ...]) -> tuple[tuple[Any, ...], bool]:  # noqa: ANN401
    """The loc without pydantic's union-branch tags ('Goal', 'str'); whether a tag was dropped."""
    out: list[Any] = []
    node = raw
    tagged = False
    for part in loc:
        if isinstance(node, dict) and part in node:
            node = node[part]
            out.append(part)
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
            out.append(part)
        elif isinstance(node, dict | list) or node is None:
            if isinstance(part, str) and (part[:1].isupper() or "[" in part or part in ("str", "int", "bool")):
                tagged = True
                continue
            out.append(part)  # a missing key
            node = None
        else:
            tagged = True
    return tuple(out), tagged


def _model_at(model: Any, path: tuple[Any, ...]) -> type[BaseModel] | None:  # noqa: ANN401
    """The pydantic model that validates the mapping at ``path`` (for "did you mean")."""
    t: Any = model
    for part in path:
        t = _unwrap(t, isinstance(part, int))
        if isinstance(part, int):
            continue
        if not (inspect.isclass(t) and issubclass(t, BaseModel)) or part not in t.model_fields:
            return None
        t = t.model_fields[part].annotation
    t = _unwrap(t, False)
    return t if inspect.isclass(t) and issubclass(t, BaseModel) else None


def _unwrap(t: Any, index: bool) -> Any:  # noqa: ANN401
    origin = typing.get_origin(t)
    args = typing.get_args(t)
    if origin in (typing.Union, types.UnionType):
        for a in args:
            if inspect.isclass(a) and issubclass(a, BaseModel) and not index:
                return a
            if typing.get_origin(a) is list and index:
                return typing.get_args(a)[0]
        return next((a for a in args if a is not type(None)), t)
    if origin is list and index:
        return _unwrap(args[0], False)
    return t


def _suggest(name: str, choices: list[str]) -> str:
    near = difflib.get_close_matches(str(name), choices, n=2, cutoff=0.5)
    if near:
        return "您是不是要写 " + "、".join(f"“{n}”" for n in near) + "?"
    return "可用的字段:" + "、".join(choices)


_TYPES = {
    "missing": "缺少必填字段",
    "string_type": "应为文字", "int_type": "应为整数", "int_parsing": "应为整数",
    "int_from_float": "应为整数", "float_type": "应为数字", "float_parsing": "应为数字",
    "decimal_type": "应为数字", "decimal_parsing": "应为数字", "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false", "list_type": "应为列表(每项以“- ”开头)",
    "dict_type": "应为映射(“键: 值”)", "model_type": "应为映射(“键: 值”)",
    "model_attributes_type": "应为映射(“键: 值”)", "date_type": "应为日期(YYYY-MM-DD)",
    "date_parsing": "应为日期(YYYY-MM-DD)", "date_from_datetime_parsing": "应为日期(YYYY-MM-DD)",
    "date_from_datetime_inexact": "应为日期(YYYY-MM-DD),不带时间",
}


def _message(err: dict, raw: Any, loc: tuple[Any, ...]) -> str:  # noqa: ANN401
    kind = err["type"]
    ctx = err.get("ctx") or {}
    got = err.get("input")
    shown = f"(现在是“{got}”)" if isinstance(got, str | int | float) and not isinstance(got, bool) else ""
    if kind == "extra_forbidden":
        model = _model_at(CampaignDocument, loc[:-1])
        choices = list(model.model_fields) if model else []
        return f"未知字段“{loc[-1]}”;" + (_suggest(loc[-1], choices) if choices else "请删去")
    if kind in _TYPES:
        return _TYPES[kind] + ("" if kind == "missing" else shown)
    if kind == "literal_error":
        expected = str(ctx.get("expected", "")).replace(" or ", ", ").replace("'", "")
        return f"应为以下之一:{'、'.join(x.strip() for x in expected.split(','))}{shown}"
    if kind == "greater_than":
        return f"应大于 {ctx.get('gt')}{shown}"
    if kind == "less_than_equal":
        return f"应不大于 {ctx.get('le')}{shown}"
    if kind == "too_short":
        return f"至少需要 {ctx.get('min_length')} 项"
    if kind == "string_pattern_mismatch":
        return f"格式不对{shown}:只能用小写拉丁字母开头,后接小写字母、数字、- 或 _"
    if kind == "value_error":
        return str(ctx.get("error") or err.get("msg", "")).removeprefix("Value error, ")
    return f"取值不合法{shown}"


def _translate(exc: ValidationError, raw: Any) -> list[Problem]:  # noqa: ANN401
    found: list[tuple[tuple[Any, ...], bool, str, str]] = []
    for err in exc.errors():
        loc, tagged = _clean_loc(raw, tuple(err["loc"]))
        found.append((loc, tagged, err["type"], _message(err, raw, loc)))
    out: list[Problem] = []
    mismatch = {"string_type", "dict_type", "model_type", "model_attributes_type", "list_type", "literal_error",
                "is_instance_of"}
    for loc, tagged, kind, text in found:
        # a union (goals: Goal | str): keep the branch that fits what is written
        if tagged and kind in mismatch and any(o != (loc, tagged, kind, text) and o[1] and o[0][:len(loc)] == loc
                                               for o in found):
            continue
        p = Problem(loc, text)
        if p not in out:
            out.append(p)
    return out


def _todos(raw: Any, path: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], str]]:  # noqa: ANN401
    if is_todo(raw):
        return [(path, raw)]
    if isinstance(raw, dict):
        return [t for k, v in raw.items() for t in _todos(v, path + (k,))]
    if isinstance(raw, list):
        return [t for i, v in enumerate(raw) for t in _todos(v, path + (i,))]
    return []


def _delete(raw: Any, path: tuple[Any, ...]) -> bool:  # noqa: ANN401
    node = raw
    for part in path[:-1]:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return False
    try:
        del node[path[-1]]
    except (KeyError, IndexError, TypeError):
        return False
    return True


def to_raw(path: tuple[Any, ...], removed: dict[str, list[int]]) -> tuple[Any, ...]:
    """A path into the validated copy, as a path into the file (entries left out shift indices)."""
    if len(path) < 2 or path[0] not in removed or not isinstance(path[1], int):
        return path
    idx = path[1]
    for r in sorted(removed[path[0]]):
        if r <= idx:
            idx += 1
    return (path[0], idx, *path[2:])


def _validate_around_todos(raw: dict, todos: set[tuple[Any, ...]], removed: dict[str, list[int]]
                           ) -> tuple[CampaignDocument | None, list[Problem], list[Problem]]:
    """Validate, leaving out TODO values that are not text (and then entries they leave incomplete).

    ``removed`` receives the file indices of the entries left out, per list."""
    work = copy.deepcopy(raw)
    skipped: list[Problem] = []
    for _ in range(4):
        try:
            return CampaignDocument.model_validate(work), [], skipped
        except ValidationError as exc:
            problems = [Problem(to_raw(p.path, removed), p.text) for p in _translate(exc, work)]
            at_todo = [p for p in problems if p.path in todos]
            missing = [p for p in problems if p.text == "缺少必填字段" and any(t[:len(p.path)] == p.path for t in todos)]
            if not at_todo and not missing:
                return None, problems, skipped
            entries = sorted({p.path[:2] for p in missing if len(p.path) >= 2 and p.path[0] in LISTS
                              and isinstance(p.path[1], int)}, reverse=True)
            for p in at_todo:
                if p.path[:2] not in entries:
                    _delete_at(work, p.path, removed)
            for entry in entries:
                skipped.append(Problem(entry, "含有待补的必填项(TODO),补齐前这一项不参与校验", warning=True))
                _delete_at(work, entry, removed)
                removed.setdefault(entry[0], []).append(entry[1])
            if not at_todo and not entries:
                return None, problems, skipped
    return None, [Problem((), "TODO 过多,无法校验")], skipped


def _delete_at(work: dict, raw_path: tuple[Any, ...], removed: dict[str, list[int]]) -> None:
    """Delete the value at a file path from the working copy."""
    if len(raw_path) >= 2 and raw_path[0] in removed and isinstance(raw_path[1], int):
        idx = raw_path[1] - sum(1 for r in removed[raw_path[0]] if r < raw_path[1])
        raw_path = (raw_path[0], idx, *raw_path[2:])
    _delete(work, raw_path)


def national_problem(doc: CampaignDocument) -> str | None:
    """Why the national version ``doc`` names cannot be used (unknown, not transcribed), else None."""
    from knowledge.national import UnknownVersion, version

    name = doc.campaign.national_version
    try:
        nat = version(name)
    except UnknownVersion as exc:
        return str(exc)
    if not nat.transcribed:
        return (f"全国指标体系 {name} 版({nat.name})的指标体系尚未录入"
                f"(knowledge/data/national/{name}.yaml 只有合格标准和创建周期),暂不能按此版本校验和加载;"
                "请先录入该版本的指标体系,或改用已录入的版本")
    return None


def inspect_file(path: Path) -> FileCheck:
    """Check one campaign file without writing anything."""
    out = FileCheck(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        out.errors.append(f"无法读取文件({type(exc).__name__}),请确认是 UTF-8 编码的文本")
        return out
    from knowledge.national import file_digest

    out.digest = file_digest(text)
    try:
        parsed = parse(text)
    except YamlSyntaxError as exc:
        out.errors.append(str(exc))
        return out
    raw = parsed.data

    def say(p: Problem) -> str:
        line = parsed.line_of(p.path)
        where = f"第 {line} 行: " if line else ""
        return f"{where}{label(raw, p.path)}: {p.text}"

    if not isinstance(raw, dict):
        out.errors.append("文件内容不是一个 YAML 映射(顶层应为 campaign:、office: 等键)")
        return out
    for dpath, first, again in parsed.duplicates:
        out.errors.append(f"第 {again} 行: {label(raw, dpath)}: 键重复(第 {first} 行已写过;YAML 只保留后一个)")
    todos = _todos(raw)
    out.todos = len(todos)
    for tpath, value in todos:
        out.warnings.append(say(Problem(tpath, f"待补 — {value}")))
    removed: dict[str, list[int]] = {}
    doc, problems, skipped = _validate_around_todos(raw, {t for t, _ in todos}, removed)
    out.warnings += [say(p) for p in skipped]
    out.errors += [say(p) for p in problems]
    if doc is None:
        return out
    out.doc = doc
    bad = national_problem(doc)
    if bad:
        out.errors.append(say(Problem(("campaign", "national_version"), bad)))
        return out
    from knowledge.national import version

    out.national = version(doc.campaign.national_version)
    for p in check_document(doc, out.national):
        p = Problem(to_raw(p.path, removed), p.text, p.warning)
        (out.warnings if p.warning else out.errors).append(say(p))
    if doc.campaign.slug != path.stem:
        out.errors.append(say(Problem(("campaign", "slug"), f"“{doc.campaign.slug}”与文件名“{path.stem}”不一致")))
    return out

