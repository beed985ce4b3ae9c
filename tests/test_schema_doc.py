"""SCHEMA.md is the schema: its reference is generated from it, every field is documented, and its
example is a file that `check` accepts and `load` loads."""

from __future__ import annotations

import inspect
import typing

from pydantic import BaseModel
from sqlmodel import Session

from bot.cli import main
from knowledge import schema
from knowledge.loader import data_dir, load_all
from knowledge.schema_doc import BEGIN, END, all_models, reference, section_of
from tests.conftest import new_engine

PAGE = (data_dir() / "SCHEMA.md").read_text(encoding="utf-8")


def example() -> str:
    return PAGE.split("## 示例", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]


def reachable(model: type[BaseModel], seen: set | None = None) -> set[type[BaseModel]]:
    seen = set() if seen is None else seen
    if model in seen:
        return seen
    seen.add(model)
    for info in model.model_fields.values():
        stack = [info.annotation]
        while stack:
            t = stack.pop()
            stack += list(typing.get_args(t))
            if inspect.isclass(t) and issubclass(t, BaseModel):
                reachable(t, seen)
    return seen


def test_reference_is_generated_from_the_schema():
    block = PAGE.split(BEGIN, 1)[1].split(END, 1)[0].strip()
    assert block == reference().strip(), "SCHEMA.md is stale: python -m knowledge.schema_doc"


def test_every_schema_field_is_documented_in_its_section():
    models = reachable(schema.CampaignDocument) | reachable(schema.NationalVersion)
    assert models <= set(all_models()), models - set(all_models())
    for model in models:
        title = section_of(model)
        section = PAGE.split(f"### {title}\n", 1)[1].split("\n### ", 1)[0]
        for name, info in model.model_fields.items():
            row = next((line for line in section.splitlines() if line.startswith(f"| `{name}` |")), None)
            assert row, f"{title}.{name} is not documented"
            assert ("**必填**" in row) == info.is_required(), row
            assert row.rstrip(" |").split("|")[-1].strip(), f"{title}.{name} has no meaning"


def test_example_passes_check_and_loads(tmp_path, monkeypatch, capsys):
    (tmp_path / "example.yaml").write_text(example(), encoding="utf-8")
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.delenv("CAMPAIGNS_DIR", raising=False)
    assert main(["check", "--dir", str(tmp_path)]) == 0, capsys.readouterr().err
    assert "example.yaml: 通过校验 — 2 项指标" in capsys.readouterr().out
    with Session(new_engine()) as s:
        reports = load_all(s, tmp_path)
    assert [r.slug for r in reports] == ["example"] and reports[0].error is None
