"""The search index of one campaign: its indicators and tasks as jieba words, ranked with BM25.

Built once per campaign and version of its data (``Campaign.data_hash``) and kept in memory.
Before the plan's texts are cut into words, the plan's own terms become words of the jieba
dictionary (``knowledge.text.add_words``): unit names and aliases, the terms of indicator and
task titles ("跨境电商", "信用监管" out of "发挥信用监管的基础作用"), quoted terms ("首违不罚"),
the items of a list after its first ("跨境电商", "农村电商" in "在直播电商、跨境电商、农村电商等")
and runs of Latin letters and digits ("5g", "12315", "odr"). The dictionary is one per process,
so every loaded campaign's terms are added before any index is cut, and an index cut before the
dictionary grew (a campaign loaded later) is built again (``dictionary_size``).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import cache, lru_cache

from sqlmodel import Session, select

from knowledge.models import (
    Campaign,
    Indicator,
    IndicatorItem,
    IndicatorUnit,
    Task,
    TaskUnit,
    Unit,
    UnitName,
)
from knowledge.text import add_words, dictionary_size, fold, search_words_of

# A title's leading verb is not part of its term: "发展农村电商" is about 农村电商.
_VERBS = re.compile(r"^(积极|大力|广泛|全面|持续|深入|及时|依法|严厉)?(推进|推动|加强|强化|发挥|建立健全|建立|健全|完善|构建|"
                    r"运用|提供|支持|提升|开展|鼓励|促进|落实|加快|加大|助推|探索|升级|立足|整合|紧贴|坚持|动员|优化|"
                    r"培育|做强|发展|打造|建强|激发|营造|围绕|提高|受理|处理|查处|办理|在全市推行|推行|改进|创新)")
_SPLIT = re.compile(r"[,，、;；:：。“”\"()（）\s]|和|与|及|的")
_QUOTED = re.compile(r"“([\u4e00-\u9fff0-9a-z+]{2,10})”")
_LISTED = re.compile(r"(?<=、)[\u4e00-\u9fff0-9a-z]{2,6}(?=、|等)")  # "直播电商、跨境电商、农村电商等": all but the first
_LATIN = re.compile(r"[0-9a-z][0-9a-z+]*[0-9a-z]")
TITLE_WEIGHT = 2.0  # a word in the title counts twice a word in the text


@dataclass
class Doc:
    """One searchable item: an indicator (by number) or a main task (by sequence)."""

    kind: str  # indicator | task
    no: int
    title: str
    fields: dict[str, str]  # title, items, rule, sources (tasks: title, rule) as the document writes them
    units: tuple[str, ...] = ()  # the responsible units' names, in document order
    low: dict[str, str] = field(default_factory=dict)  # the same, folded (offsets are the original's)
    text: str = ""  # every field folded, joined: "does the item contain this word"
    words: frozenset[str] = frozenset()

    def holds(self, word: str) -> bool:
        """Whether the item holds ``word``: as a word, or inside its text (jieba may cut it otherwise there)."""
        return word in self.words or word in self.text

    def written(self, word: str) -> str:
        """``word`` (folded) as the item writes it ("5g" → "5G"), or ``word`` when no field has it."""
        for name, low in self.low.items():
            pos = low.find(word)
            if pos >= 0 and len(low) == len(self.fields[name]):
                return self.fields[name][pos:pos + len(word)]
        return word


@dataclass
class Index:
    docs: list[Doc]
    held: dict[str, frozenset[int]]  # which items hold a word, filled by ``holders`` as questions ask
    title_bm25: object
    body_bm25: object
    dict_size: int

    @property
    def specific(self) -> int:
        """A word held by at most this many items names a topic; one in more is common ("网络", "监管")."""
        return max(3, len(self.docs) // 6)

    def holders(self, word: str) -> frozenset[int]:
        """The positions in ``docs`` of the items that hold ``word`` (``Doc.holds``), kept per word."""
        if word not in self.held:
            if len(self.held) > 50_000:  # questions' words, not the plan's: keep the memory bounded
                self.held.clear()
            self.held[word] = frozenset(i for i, d in enumerate(self.docs) if d.holds(word))
        return self.held[word]

    def df_of(self, word: str) -> int:
        """How many items hold ``word``."""
        return len(self.holders(word))

    def doc(self, kind: str, no: int) -> Doc:
        return next(d for d in self.docs if d.kind == kind and d.no == no)

    def idf(self, word: str) -> float:
        """BM25's idf; a word the plan never uses has the highest (it is the most specific)."""
        n, df = len(self.docs), self.df_of(word)
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def scores(self, words: list[str]) -> list[float]:
        """Each item's BM25 score for ``words``: title matches weighted above text matches."""
        title = self.title_bm25.get_scores(words)  # type: ignore[attr-defined]
        body = self.body_bm25.get_scores(words)  # type: ignore[attr-defined]
        return [float(TITLE_WEIGHT * t + b) for t, b in zip(title, body, strict=True)]


@lru_cache(maxsize=8192)
def tiles(word: str) -> tuple[str, ...]:
    """``word`` as the dictionary words it is made of, longest first ("互联网医院" → 互联网, 医院;
    "信用监管" → 信用, 监管); the word itself when they do not make it up whole ("互联网")."""
    subs = {w for w in search_words_of(word) if w != word and len(w) > 1}
    out, i = [], 0
    while i < len(word):
        tile = max((w for w in subs if word.startswith(w, i)), key=len, default="")
        if not tile:
            return (word,)
        out.append(tile)
        i += len(tile)
    return tuple(out) or (word,)


_INDEXES: dict[tuple[int, str], Index] = {}
_TERMS: set[tuple[int, str]] = set()  # the campaigns (and data versions) whose terms are in the dictionary


def index_of(session: Session, campaign: Campaign) -> Index:
    """The campaign's index, built on first use per version of its data."""
    key = (campaign.id or 0, campaign.data_hash)
    cached = _INDEXES.get(key)
    if cached is None or cached.dict_size != dictionary_size():
        _add_terms(session)
        tiles.cache_clear()  # cut with the dictionary as it is now
        _INDEXES[key] = cached = _build(_docs(session, campaign))
    return cached


def _add_terms(session: Session) -> None:
    """Every loaded campaign's terms, so that a text is cut the same whichever city asked first."""
    for camp in session.exec(select(Campaign)):
        if (camp.id or 0, camp.data_hash) not in _TERMS:
            add_words(plan_terms(session, camp, _docs(session, camp)))
            _TERMS.add((camp.id or 0, camp.data_hash))


def _docs(session: Session, campaign: Campaign) -> list[Doc]:
    items: dict[int, list[str]] = {}
    for it in session.exec(select(IndicatorItem).join(Indicator).where(Indicator.campaign_id == campaign.id)
                           .order_by(IndicatorItem.no)):
        items.setdefault(it.indicator_id, []).append(it.text)
    units: dict[tuple[str, int], list[str]] = {}
    for link, ind_id in session.exec(select(Unit.name, IndicatorUnit.indicator_id).join(IndicatorUnit)
                                     .where(Unit.campaign_id == campaign.id).order_by(IndicatorUnit.position)):
        units.setdefault(("indicator", ind_id), []).append(link)
    for link, task_id in session.exec(select(Unit.name, TaskUnit.task_id).join(TaskUnit)
                                      .where(Unit.campaign_id == campaign.id).order_by(TaskUnit.position)):
        units.setdefault(("task", task_id), []).append(link)
    # Sources count as text: "12315" or "国家网络交易监管平台" is often only there.
    docs = [Doc("indicator", i.no, i.title, {"title": i.title, "items": " ".join(items.get(i.id or 0, [])),
                                             "rule": i.rule, "sources": " ".join(i.sources or [])},
                tuple(units.get(("indicator", i.id or 0), ())))
            for i in session.exec(select(Indicator).where(Indicator.campaign_id == campaign.id).order_by(Indicator.no))]
    docs += [Doc("task", t.seq, t.title, {"title": t.title, "rule": t.text}, tuple(units.get(("task", t.id or 0), ())))
             for t in session.exec(select(Task).where(Task.campaign_id == campaign.id).order_by(Task.seq))]
    return docs


def plan_terms(session: Session, campaign: Campaign, docs: list[Doc]) -> list[str]:
    """The words the plan itself uses that jieba's own dictionary may cut apart."""
    terms = [n.text for n in session.exec(select(UnitName).where(UnitName.campaign_id == campaign.id))]
    for doc in docs:
        for part in _SPLIT.split(fold(doc.title)):
            terms += [part, _VERBS.sub("", part)] if len(part) <= 8 else [_VERBS.sub("", part)]
        body = fold(" ".join(doc.fields.values()))
        terms += _QUOTED.findall(body) + _LISTED.findall(body) + _LATIN.findall(body)
    return [t for t in dict.fromkeys(terms) if 2 <= len(t) <= 10]


def _build(docs: list[Doc]) -> Index:
    bm25s = _bm25s()
    titles, bodies = [], []
    for doc in docs:
        doc.low = {name: fold(text) for name, text in doc.fields.items()}
        doc.text = " ".join(doc.low.values())
        words = [w for text in doc.fields.values() for w in search_words_of(text)]
        doc.words = frozenset(words)
        titles.append(list(search_words_of(doc.title)))
        bodies.append(words)
    title_bm25, body_bm25 = bm25s.BM25(), bm25s.BM25()
    title_bm25.index(titles, show_progress=False)
    body_bm25.index(bodies, show_progress=False)
    return Index(docs, {}, title_bm25, body_bm25, dictionary_size())


@cache
def _bm25s():  # noqa: ANN202 - imported on first use: numpy and scipy cost ~0.2 s at start
    import bm25s

    return bm25s
