"""Drafts a campaign YAML from the text of a city's plan (``liaison-bot draft``).

The reader is generic: it looks for what every such plan says (文号, 主要任务 with their
责任单位, 实施步骤, the 领导小组 list, the 评估指标体系 table) and takes the titles, points,
rules and items from the national version. What it cannot read becomes an explicit
``'TODO: …'`` value; every repair of damaged text becomes a candidate ``corrections`` entry.

Modules: ``sections`` (the parts of the document and the header), ``tasks``, ``rows`` (the
indicator table in either layout), ``units`` (unit lists and the directory), ``group`` (the
leading group and the office), ``phases``, ``national_ref`` (the one reader of the national
text), ``writer`` (the YAML and the summary).
"""

from knowledge.draft.writer import Draft, draft_plan

__all__ = ["Draft", "draft_plan"]
