"""Resolves unit names as people write them to one canonical unit of a campaign.

Three sources of names feed one index: the canonical name, every form the document writes
(Hejin spells its industry-and-IT bureau three ways), and everyday aliases (发改委, 市监局 …).
Exact matches win; a name that could mean several units, or only resembles one, comes back
as ranked suggestions so the caller asks instead of guessing.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process
from sqlmodel import Session, select

from knowledge.models import Campaign, Unit, UnitMember, UnitName

if TYPE_CHECKING:
    from knowledge.lexicon import Lexicon

_DROP = re.compile(r"[\s\u3000、,，。.;；:：'\"“”‘’《》<>]+")
_TRAILING = ("等单位", "等部门", "等")
# Endings that make a word the name of a body rather than a topic.
_ORGAN = re.compile(r"(局|委|办|中心|部|部门|会|行|社|关|政府|单位|区|市|县|组|所|院|网信|人行|消协|海关|街道|乡镇)$")
# Accept a fuzzy match only when it is this good and this far ahead of the next unit.
FUZZY_ACCEPT = 90.0
FUZZY_MARGIN = 10.0
FUZZY_FLOOR = 55.0


def normalize(text: str) -> str:
    """Fold width, brackets, spaces and punctuation so that forms compare equal."""
    text = unicodedata.normalize("NFKC", text or "").strip().lower()
    text = text.replace("（", "(").replace("）", ")")
    text = _DROP.sub("", text)
    for tail in _TRAILING:
        if text.endswith(tail) and len(text) > len(tail) + 1:
            text = text[: -len(tail)]
            break
    return text


@dataclass(frozen=True)
class UnitRef:
    """A unit as callers see it: enough to name it and to look it up again."""

    id: int
    name: str
    kind: str
    full_name: str = ""

    @property
    def is_group(self) -> bool:
        return self.kind == "group"


@dataclass(frozen=True)
class Suggestion:
    unit: UnitRef
    score: float
    matched: str


@dataclass
class Resolution:
    """The outcome of resolving one name: a unit, or suggestions to choose from."""

    query: str
    unit: UnitRef | None = None
    how: str = "none"  # exact | fuzzy | ambiguous | none
    suggestions: list[Suggestion] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.unit is not None


class UnitDirectory:
    """All names of one campaign's units, loaded once and queried many times."""

    def __init__(self, campaign: Campaign, units: list[Unit], names: list[UnitName],
                 members: list[UnitMember]) -> None:
        self.campaign_slug = campaign.slug
        self.city = campaign.city
        self.units = {u.id: UnitRef(u.id, u.name, u.kind, u.full_name) for u in units}
        self.forms: dict[str, set[int]] = defaultdict(set)
        for n in names:
            self.forms[n.norm].add(n.unit_id)
        for u in units:
            self.forms[normalize(u.name)].add(u.id)
        self.members: dict[int, list[int]] = defaultdict(list)
        for m in members:
            self.members[m.group_id].append(m.member_id)
        self._form_list = list(self.forms)
        city = normalize(campaign.city)
        self._prefixes = tuple(p for p in (city, city.removesuffix("市"), "市") if p)
        self.lexicon: Lexicon | None = None  # the plan's vocabulary: set by ``load``
        self._mentionable: list[str] | None = None

    @classmethod
    def load(cls, session: Session, campaign: Campaign) -> UnitDirectory:
        """Read every unit, name and group membership of ``campaign``."""
        units = list(session.exec(select(Unit).where(Unit.campaign_id == campaign.id)))
        names = list(session.exec(select(UnitName).where(UnitName.campaign_id == campaign.id)))
        ids = [u.id for u in units]
        members = list(session.exec(select(UnitMember).where(UnitMember.group_id.in_(ids))))
        directory = cls(campaign, units, names, members)
        from knowledge.lexicon import for_campaign  # the lexicon reads the directory's forms

        directory.lexicon = for_campaign(session, campaign, directory)
        return directory

    def _variants(self, norm: str) -> list[str]:
        out = [norm]
        for p in self._prefixes:
            if norm.startswith(p) and len(norm) > len(p) + 1:
                out.append(norm[len(p):])
        out += ["市" + v for v in list(out) if not v.startswith("市")]
        return out

    def resolve(self, text: str) -> Resolution:
        """Resolve ``text`` to one unit, or say which units it might mean."""
        norm = normalize(text)
        res = Resolution(query=text)
        if not norm:
            return res
        for variant in self._variants(norm):
            ids = self.forms.get(variant)
            if ids:
                if len(ids) == 1:
                    res.unit, res.how = self.units[next(iter(ids))], "exact"
                    return res
                res.how = "ambiguous"
                res.suggestions = [Suggestion(self.units[i], 100.0, variant) for i in sorted(ids)]
                return res
        res.suggestions = self.suggest(norm)
        if res.suggestions:
            top = res.suggestions[0]
            second = res.suggestions[1].score if len(res.suggestions) > 1 else 0.0
            if top.score >= FUZZY_ACCEPT and top.score - second >= FUZZY_MARGIN:
                res.unit, res.how = top.unit, "fuzzy"
        return res

    def suggest(self, norm: str, limit: int = 5) -> list[Suggestion]:
        """Units ranked by how closely one of their names resembles ``norm``."""
        best: dict[int, Suggestion] = {}
        hits = process.extract(norm, self._form_list, scorer=fuzz.WRatio, limit=40)
        for form, score, _ in hits:
            if len(norm) >= 2 and norm in form:
                score = max(score, 92.0 if len(self.forms[form]) == 1 else 80.0)
            for uid in self.forms[form]:
                if score >= FUZZY_FLOOR and (uid not in best or best[uid].score < score):
                    best[uid] = Suggestion(self.units[uid], float(score), form)
        ranked = sorted(best.values(), key=lambda s: (-s.score, s.unit.name))
        return ranked[:limit]

    def without_mentions(self, text: str) -> str:
        """``text`` (normalised) with the unit names it mentions cut out, leaving the topic."""
        norm = normalize(text)
        for start, end, _uid in sorted(self._spans(norm), reverse=True):
            norm = norm[:start] + " " + norm[end:]
        return norm

    def mentions(self, text: str) -> list[UnitRef]:
        """Units named inside a sentence, longest names first, without overlaps.

        Only forms that read as the name of a body count here: bare words such as 财政 or
        教育 are fine after /unit but are topics, not units, inside a sentence.
        """
        seen: list[UnitRef] = []
        for _s, _e, uid in sorted(self._spans(normalize(text))):
            if self.units[uid] not in seen:
                seen.append(self.units[uid])
        return seen

    def _mention_forms(self) -> list[str]:
        """The forms that may name a unit inside a sentence, longest first (worked out once)."""
        if self._mentionable is None:
            self._mentionable = [form for form in sorted(self.forms, key=len, reverse=True)
                                 if len(form) >= 2 and len(self.forms[form]) == 1
                                 and (_ORGAN.search(form) or self.units[next(iter(self.forms[form]))].kind == "county")]
        return self._mentionable

    def _spans(self, norm: str) -> list[tuple[int, int, int]]:
        found: list[tuple[int, int, int]] = []
        for form in self._mention_forms():
            start = norm.find(form)
            while start >= 0:
                end = start + len(form)
                if all(end <= s or start >= e for s, e, _ in found):
                    found.append((start, end, next(iter(self.forms[form]))))
                start = norm.find(form, end)
        return found

    def expand(self, unit_id: int) -> list[UnitRef]:
        """The member units of a group (the unit itself when it is not a group)."""
        if unit_id not in self.members:
            return [self.units[unit_id]]
        return [self.units[m] for m in self.members[unit_id]]

    def groups_of(self, unit_id: int) -> list[UnitRef]:
        """The groups this unit belongs to (它作为成员单位所在的组)."""
        return [self.units[g] for g, ms in self.members.items() if unit_id in ms]

    def by_name(self, name: str) -> UnitRef | None:
        """The unit whose canonical name is exactly ``name``."""
        for ref in self.units.values():
            if ref.name == name:
                return ref
        return None
