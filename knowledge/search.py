"""Topic search over indicator titles, rules and scoring items (and task titles and texts).

Chinese has no spaces to split on, so a query is scored by its character bigrams: every
bigram found in a title counts more than one found in a rule. A whole-phrase hit counts most.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sqlmodel import Session, select

from knowledge.models import Campaign, Indicator, IndicatorItem, Task

# Words that say "show me" rather than what to show.
_NOISE = re.compile(
    r"(有关|相关|有哪些|哪些|什么|的|指标|任务|事项|方面|关于|查找|搜索|查询|一下|请问|帮我|找|查|吗|呢|？|\?|"
    r"那条|这条|那项|这项|那个|这个|那块|这块|归哪个|是哪个|在哪个|在哪一|在哪|属于|哪个|是哪项|哪一项|哪项|哪条|"
    r"和|与|及|或|跟|单位|部门|谁|搞|内容|东西|情况)")
_WEIGHTS = (("title", 3.0), ("items", 2.0), ("rule", 1.0), ("sources", 1.0))
# "12315投诉处理" is two words: a run of digits or Latin letters stands apart from the Chinese around it.
# (Runs of three or more: "5g网络" stays one word.)
_SCRIPT_EDGE = re.compile(r"(?<=[0-9a-z]{3})(?=[\u4e00-\u9fff])|(?<=[\u4e00-\u9fff])(?=[0-9a-z]{3})")


@dataclass(frozen=True)
class Hit:
    kind: str  # indicator | task
    no: int
    title: str
    score: float
    snippet: str
    phrase: str = ""  # the field where a whole query word was found ("title", "items", "rule"), if any
    coverage: float = 0.0  # the share of the query's bigrams found anywhere in the item


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    text = text.replace("规上", "规模以上")  # officers' shorthand for the titles' word
    text = _SCRIPT_EDGE.sub(" ", _NOISE.sub(" ", text))
    return re.sub(r"[\s,.;:!、，。；：！“”\"'()（）]+", " ", text).strip()


def _bigrams(word: str) -> set[str]:
    """Chinese is matched by character pairs; a number or a Latin word ("12315", "odr") only whole."""
    if len(word) <= 1 or word.isascii():
        return {word}
    return {word[i:i + 2] for i in range(len(word) - 1)}


def _score(words: list[str], fields: dict[str, str]) -> tuple[float, str]:
    """The match score, and the best field holding a whole query word ("" when only bigrams match)."""
    score, phrase = 0.0, ""
    for word in words:
        grams = _bigrams(word)
        for name, weight in _WEIGHTS:
            text = fields.get(name, "")
            if not text:
                continue
            if word in text:
                score += weight * 4 * len(grams)  # the whole phrase counts far above scattered bigrams
                if name == "title" and word == text:  # "强化智慧监管" is that indicator's whole title
                    score += weight * 8 * len(grams)
                phrase = phrase or name
            else:
                score += weight * sum(1 for g in grams if g in text) * 0.5
    return score, phrase


def topic_words(query: str) -> list[str]:
    """The words of a question that name its topic ("有没有快递业务的指标" → ["快递业务"])."""
    return [w for w in _clean(re.sub(r"(有没有|有无|是不是|没有|吗)", " ", query)).split() if w]


def query_grams(query: str) -> int:
    """How many distinct character pairs a query has (coverage × this = pairs found)."""
    return len({g for w in _clean(query).split() if w for g in _bigrams(w)})


def _coverage(words: list[str], fields: dict[str, str]) -> float:
    grams = {g for w in words for g in _bigrams(w)}
    text = fields["all"]
    return sum(1 for g in grams if g in text) / len(grams) if grams else 0.0


def _snippet(text: str, words: list[str], width: int = 40) -> str:
    low = text.lower()  # the query is lower-cased ("odr"); the document writes "ODR"
    for word in words:
        pos = low.find(word)
        if pos >= 0:
            start = max(0, pos - width // 2)
            return ("…" if start else "") + text[start:start + width] + ("…" if start + width < len(text) else "")
    return text[:width] + ("…" if len(text) > width else "")


_CORPUS: dict[tuple[int, str], tuple[list, list]] = {}


def _corpus(session: Session, campaign: Campaign) -> tuple[list, list]:
    """The searchable text of a campaign, read once per version of its data (keyed by hash)."""
    key = (campaign.id or 0, campaign.data_hash)
    if key not in _CORPUS:
        items: dict[int, list[str]] = {}
        for it in session.exec(select(IndicatorItem).join(Indicator).where(Indicator.campaign_id == campaign.id)):
            items.setdefault(it.indicator_id, []).append(it.text)
        # Sources count as much as the rule: "12315" or "国家网络交易监管平台" is often only there.
        indicators = [(i.no, i.title, {"title": i.title, "items": " ".join(items.get(i.id, [])), "rule": i.rule,
                                       "sources": " ".join(i.sources or [])})
                      for i in session.exec(select(Indicator).where(Indicator.campaign_id == campaign.id))]
        tasks = [(t.seq, t.title, {"title": t.title, "rule": t.text})
                 for t in session.exec(select(Task).where(Task.campaign_id == campaign.id))]
        # Matching is on lower-cased text ("odr" finds "ODR"); "low" keeps that copy beside the original.
        for _, _, fields in indicators + tasks:
            fields["low"] = {name: text.lower() for name, text in fields.items()}
            fields["low"]["all"] = " ".join(fields["low"].values())  # for coverage, joined once
        _CORPUS[key] = (indicators, tasks)
    return _CORPUS[key]


def indicator_titles(session: Session, campaign: Campaign) -> list[tuple[int, str]]:
    """(number, title) of every indicator, from the cached corpus (no query per question)."""
    return [(no, title) for no, title, _fields in _corpus(session, campaign)[0]]


def search(*, session: Session, campaign: Campaign, query: str, limit: int = 10,
           include_tasks: bool = True, tasks_only: bool = False, tasks_may_lead: bool = True) -> list[Hit]:
    """Indicators (and tasks) ranked by how well they match ``query``; weak matches dropped.

    ``tasks_only`` is for "5G网络相关任务": the officer asked for main tasks, not indicators;
    ``tasks_may_lead=False`` keeps indicators first when the question asked for indicators.
    """
    words = [w for w in _clean(query).split() if w]
    words = [w for w in words if len(w) > 1] or words  # a stray "和" or "与" is in every text
    if not words:
        return []
    hits: list[Hit] = []
    indicators, tasks = _corpus(session, campaign)
    for no, title, fields in [] if tasks_only else indicators:
        score, phrase = _score(words, fields["low"])
        if score:
            text = title if any(w in title.lower() for w in words) else fields["items"] + fields["rule"]
            hits.append(Hit("indicator", no, title, score, _snippet(text, words), phrase,
                            _coverage(words, fields["low"])))
    if include_tasks or tasks_only:
        for seq, title, fields in tasks:
            score, phrase = _score(words, fields["low"])
            if score:
                hits.append(Hit("task", seq, title, score * 0.8, _snippet(fields["rule"], words), phrase,
                                _coverage(words, fields["low"])))
    # Indicators first (they are what is scored), then tasks; within each kind keep what is at
    # least a third as relevant as its best hit, so one stray bigram does not list half the table.
    # When only tasks hold the whole phrase ("公平竞争审查"), they come first.
    out: list[Hit] = []
    kinds = [("indicator", limit - limit // 3 if include_tasks else limit), ("task", limit)]
    if tasks_may_lead and any(h.phrase for h in hits if h.kind == "task") and \
            not any(h.phrase for h in hits if h.kind == "indicator"):
        kinds = [("task", limit - limit // 3), ("indicator", limit)]
        hits = [h for h in hits if h.kind == "task" or h.coverage >= 0.6]  # only indicators that really match
    # A hit that holds none of the query's words whole and shares under half of its bigrams is
    # noise beside one that holds them ("沙盒监管": indicator 28, not every task with "监管").
    # (Indicators are what is scored: a task's phrase does not push them out.)
    phrased = {h.kind for h in hits if h.phrase}
    if phrased:
        hits = [h for h in hits if h.phrase or h.coverage >= 0.5 or (h.kind == "indicator" and "indicator" not in phrased)]
    for kind, share in kinds:
        mine = sorted((h for h in hits if h.kind == kind), key=lambda h: (-h.score, h.no))
        if mine:
            out += [h for h in mine if h.score >= mine[0].score / 3 or h.phrase][:share]
    return out[:limit]
