"""Topic search over indicators (title, rule, scoring items, sources) and main tasks (title, text).

A query is folded (``knowledge.text.fold``: traditional characters, full-width digits), split
into its parts at the words that only ask ("相关的", "指标", "谁") and cut into jieba words; items
are ranked with BM25 over the campaign's index (``knowledge.search_index``). What a caller can
read from each ``Hit`` besides its rank:

- ``topic``: the item holds the query's *topic term*: the most specific word of a part of the
  query (with any about as specific), when the plan uses it and few items hold it ("5G网络建设"
  → 5g). Every item that holds it is returned, however far down the ranking and beyond
  ``limit``: "5G建设是谁的任务" lists every task about 5G. ``term`` is that word as the item writes it.
- ``phrase``: the field (title, items, rule, sources) holding a whole part of the query outright.
- ``coverage`` (0–1): the share of the query's words the item holds, each weighted by its idf,
  so that the rare word counts and "网络" hardly does; a word the plan never uses weighs most.
- ``close`` = ``phrase or topic or coverage >= CLOSE``: the item is about what was asked. A
  result with no close hit means the plan does not speak of it ("加班补助": no item at all;
  "互联网医院" in Hejin: items that share only "互联网"), and a caller should say so rather than
  offer the nearest wording as the answer.
- ``units``: the responsible units, so a list of hits can say who answers for each.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from sqlmodel import Session

from knowledge.models import Campaign
from knowledge.search_index import Doc, Index, index_of, tiles
from knowledge.text import fold, search_words_of, words_of

# Words that say "show me" rather than what to show; they split a question into its parts.
_NOISE = frozenset("""有关 相关 有哪些 哪些 什么 的 指标 任务 事项 方面 关于 查找 搜索 查询 一下 请问 帮我 找 查 吗 呢
那条 这条 那项 这项 那个 这个 那块 这块 归 哪个 是 在 哪 哪一 哪一项 属于 哪项 哪条 和 与 及 或 跟 单位 部门 谁 搞
内容 东西 情况 从 哪里 怎么 如何 多少 有没有 没有 有无 是不是 负责 要 啥 那 这
涉及 涉及到 几条 几个 几项 几件 哪几个 哪几条 哪几项 哪几件""".split())
# "12315投诉处理" is two parts: a run of digits or Latin letters stands apart from the Chinese around it.
# (Runs of three or more: "5g网络" stays one part, and jieba cuts it into 5g and 网络.)
_SCRIPT_EDGE = re.compile(r"(?<=[0-9a-z]{3})(?=[\u4e00-\u9fff])|(?<=[\u4e00-\u9fff])(?=[0-9a-z]{3})")
_PUNCT = re.compile(r"[\s,.;:!?、，。；：！？“”\"'()（）]+")
_FEW = 3  # a topic term fewer items hold than this is widened to its variants (``_variants``)
CLOSE = 0.6  # coverage at or above which an item is about the query even without its topic term
FIELDS = ("title", "items", "rule", "sources")


@dataclass(frozen=True)
class Hit:
    kind: str  # indicator | task
    no: int
    title: str
    score: float  # BM25 (titles weighted twice), for ranking within one search
    snippet: str
    phrase: str = ""  # the field where a whole part of the query was found ("title", "items", "rule"), if any
    coverage: float = 0.0  # the idf-weighted share of the query's words the item holds
    topic: bool = False  # the item holds the query's topic term
    close: bool = False  # phrase, topic or coverage >= CLOSE: the item is about what was asked
    rare: bool = False  # the item holds a word of the query that few items hold ("直播", not "建设")
    units: tuple[str, ...] = ()  # the responsible units, in document order
    term: str = ""  # the topic term the item holds, as the item writes it ("5G")


def topic_words(query: str) -> list[str]:
    """The parts of a question that name its topic ("有没有快递业务的指标" → ["快递业务"]): the runs of
    its jieba words between words that only ask ("有没有", "的", "指标")."""
    text = _SCRIPT_EDGE.sub(" ", fold(query).replace("规上", "规模以上"))  # officers' shorthand for the titles' word
    parts = []
    for segment in _PUNCT.split(text):
        run: list[str] = []
        for word in [*words_of(segment), "的"]:
            if word not in _NOISE:
                run.append(word)
            elif run:
                parts.append("".join(run))
                run = []
    return parts


def indicator_titles(session: Session, campaign: Campaign) -> list[tuple[int, str]]:
    """(number, title) of every indicator, from the cached index (no query per question)."""
    return [(d.no, d.title) for d in index_of(session, campaign).docs if d.kind == "indicator"]


@dataclass
class _Query:
    parts: list[str]  # the query's parts, as whole phrases
    words: list[str]  # jieba words of the parts (search mode), for BM25
    weights: dict[str, float]  # the parts' own words, each with its idf, for coverage
    topics: list[tuple[str, ...]]  # the topic words of each part that has them
    held: list[frozenset[int]]  # the items holding each of ``topics``


def _read(index: Index, query: str) -> _Query:
    parts = topic_words(query)
    parts = [p for p in parts if len(p) > 1] or parts  # a stray single character is in every text
    words = list(dict.fromkeys(w for p in parts for w in search_words_of(p) if len(w) > 1))
    weights = {t: index.idf(t) for p in parts for w in words_of(p) if len(w) > 1 for t in tiles(w)}
    topics: list[tuple[str, ...]] = []
    widened: list[tuple[tuple[str, ...], frozenset[int]]] = []
    for part in parts:
        # The part's most specific word, with any about as specific ("公平竞争审查": both words, so
        # "维护公平竞争市场秩序" is not about it); when the plan never uses it ("医院"), no topic here.
        own = {w: index.idf(w) for w in words_of(part) if len(w) > 1}
        key = max(own, key=lambda w: (own[w], len(w)), default="")
        if key and not index.df_of(key):  # "互联网医院买药": a rare plan term beside words it never uses
            rare = {w: idf for w, idf in own.items() if 0 < index.df_of(w) < _FEW}
            if rare:
                own, key = rare, max(rare, key=lambda w: (rare[w], len(w)))
        if key and 0 < index.df_of(key) <= index.specific:
            topics.append(tuple(w for w, idf in own.items() if idf >= 0.8 * own[key]))
            if topics[-1] == (key,) and index.df_of(key) < _FEW:  # one rare word is the whole topic
                widened += _variants(index, key)
    held = [(words, frozenset.intersection(*(index.holders(w) for w in words))) for words in topics]
    return _Query(parts, words or parts, weights, [w for w, _ in held + widened], [h for _, h in held + widened])


def _variants(index: Index, key: str) -> list[tuple[tuple[str, ...], frozenset[int]]]:
    """A rare compound's variants: the items writing its first word with the second changed after
    its first character ("人才培养" → "人才培…": 人才培训), as holders of the topic."""
    out = []
    for part in search_words_of(key):
        rest = key[len(part):] if key.startswith(part) else ""
        if 1 < len(part) and len(rest) == 2 and 0 < index.df_of(part) <= _FEW:
            docs = frozenset(i for i in index.holders(part) if part + rest[0] in index.docs[i].text)
            if docs:
                out.append(((part,), docs))
    return out


def _snippet(doc: Doc, words: list[str], width: int = 40) -> str:
    """The words around the first of ``words`` the item holds: in its text where the text holds it
    ("培训学时": …不低于50学时), else in an indicator's title (shown above it anyway)."""
    body = (doc.fields.get("items", "") + " " + doc.fields["rule"]).strip() if doc.kind == "indicator" else doc.fields["rule"]
    texts = [body, doc.fields["title"]] if doc.kind == "indicator" else [body]
    for word in words:
        for text in texts:
            pos = fold(text).find(word)  # fold keeps offsets: a position in the folded text is one in the written text
            if pos >= 0:
                start = max(0, pos - width // 2)
                return ("…" if start else "") + text[start:start + width] + ("…" if start + width < len(text) else "")
    return body[:width] + ("…" if len(body) > width else "")


def _hits(index: Index, q: _Query, kinds: set[str]) -> list[Hit]:
    """Every item of ``kinds`` that scores or holds a topic (snippets are cut later, for those shown)."""
    hits = []
    total = sum(q.weights.values()) or 1.0
    rare = set().union(*(index.holders(w) for w in q.weights if 0 < index.df_of(w) <= index.specific))
    held_by = q.held
    for i, (doc, score) in enumerate(zip(index.docs, index.scores(q.words), strict=True)):
        held = next((words for words, docs in zip(q.topics, held_by, strict=True) if i in docs), ())
        if doc.kind not in kinds or not (score > 0 or held):
            continue
        phrase = next((name for name in FIELDS for p in q.parts if p in doc.low.get(name, "")), "")
        coverage = sum(v for w, v in q.weights.items() if i in index.holders(w)) / total
        if doc.low["title"] in q.parts:  # "强化智慧监管" is that indicator's whole title
            score *= 2
        weight = 0.8 if doc.kind == "task" else 1.0
        hits.append(Hit(doc.kind, doc.no, doc.title, score * weight, "", phrase, coverage, bool(held),
                        bool(phrase or held or coverage >= CLOSE), i in rare, doc.units,
                        "".join(doc.written(w) for w in held[:1])))
    return hits


def search(*, session: Session, campaign: Campaign, query: str, limit: int = 10,
           include_tasks: bool = True, tasks_only: bool = False, tasks_may_lead: bool = True) -> list[Hit]:
    """Indicators (and tasks) ranked by how well they match ``query``; weak matches dropped, every
    item holding the query's topic term kept (even beyond ``limit``).

    ``tasks_only`` is for "5G网络相关任务": the officer asked for main tasks, not indicators;
    ``tasks_may_lead=False`` keeps indicators first when the question asked for indicators.
    """
    index = index_of(session, campaign)
    q = _read(index, query)
    if not q.parts:
        return []
    kinds = {"task"} if tasks_only else {"indicator", "task"} if include_tasks else {"indicator"}
    hits = _hits(index, q, kinds)
    # Indicators first (they are what is scored), then tasks; within each kind keep what is at
    # least a third as relevant as its best hit, so one common word does not list half the table.
    # When only tasks hold the whole phrase ("公平竞争审查"), they come first.
    order = [("indicator", limit - limit // 3 if include_tasks else limit), ("task", limit)]
    if tasks_may_lead and any(h.phrase for h in hits if h.kind == "task") and \
            not any(h.phrase for h in hits if h.kind == "indicator"):
        order = [("task", limit - limit // 3), ("indicator", limit)]
        hits = [h for h in hits if h.kind == "task" or h.topic or h.coverage >= CLOSE]  # only indicators that match
    # A hit that holds no part of the query whole, nor its topic, and under half of its words is
    # noise beside one that holds them ("沙盒监管": indicator 28, not every task with "监管").
    # (Indicators are what is scored: a task's phrase does not push out one that holds a rare word.)
    phrased = {h.kind for h in hits if h.phrase or h.topic}
    if phrased:
        hits = [h for h in hits if h.phrase or h.topic or h.coverage >= 0.5
                or (h.kind == "indicator" and "indicator" not in phrased and h.rare)]
    out: list[Hit] = []
    for kind, share in order:
        # Items holding a whole part of the question first ("5G网络建设" before "5G网络覆盖"), then by score.
        mine = sorted((h for h in hits if h.kind == kind), key=lambda h: (not h.phrase, -h.score, h.no))
        if mine:
            best = max(h.score for h in mine)
            kept = [h for h in mine if h.score >= best / 3 or h.phrase][:share]
            out += kept + [h for h in mine if h.topic and h not in kept]
    shown = out[:limit] + [h for h in out[limit:] if h.topic]
    words = [w for t in q.topics for w in t] + q.parts + q.words
    return [replace(h, snippet=_snippet(index.doc(h.kind, h.no), words)) for h in shown]
