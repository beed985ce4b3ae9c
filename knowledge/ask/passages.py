"""The plan's 组织保障 / 保障措施 section as an answer: what it asks of every member is the plan's too.

"各成员单位要不要搞实施细则", "副组长分管啥工作", "压实工作责任那条是谁负责": no indicator or task
holds the words, but a sentence of the section does, and an officer should read that sentence,
not "文件没有写". A sentence answers a question when it holds most of the question's content
words (its question words, the grammar's phrases and the words that only ask taken out), one of
them a word few items use (细则, 分管, 项目化): a common word (工作, 创建) shared by chance is not
what was asked. An item named by its title ("压实工作责任") is quoted whole, with its units.
"""

from __future__ import annotations

import re

from sqlmodel import Session

from knowledge.messages import Message
from knowledge.models import Campaign
from knowledge.search import topic_words
from knowledge.search_index import index_of
from knowledge.text import fold, is_function_word, words_of

# "联席会议有哪些成员单位", "几个人": a list or a number asked for, which a sentence that only
# mentions the body does not give (an item named by its title is still quoted, units and all)
_LIST_ASKED = re.compile(r"哪些|哪几|名单|多少|几[个家项名位条人]|是谁|有谁|哪个|哪家")
_SENTENCE = re.compile(r"(?<=[。；;])")
_HELD = 0.6  # the share of the question's content words a sentence must hold


def safeguards(camp: Campaign) -> list[dict]:
    """The section's items as stored (title, text, units_text), in the document's order."""
    return list((camp.extra or {}).get("safeguards") or [])


def composition(camp: Campaign) -> str:
    """The section's sentence on who makes up the leading group ("…主要领导任组长，…主要负责人为成员"):
    what rank each member holds, which the list of names does not say."""
    for it in safeguards(camp):
        for sentence in _SENTENCE.split(it["text"]):
            if "任组长" in sentence and "成员" in sentence:
                return sentence.strip()
    return ""


def _content_words(text: str, grammar: frozenset[str]) -> list[str]:
    return list(dict.fromkeys(w for part in topic_words(text) for w in words_of(part)
                              if len(w) > 1 and w not in grammar and not is_function_word(w)))


def passage_reply(session: Session, camp: Campaign, text: str, grammar: frozenset[str] = frozenset(), *,
                  titled_only: bool = False) -> Message | None:
    """The section's sentences that answer ``text`` (see the module), or None when none does
    (``titled_only``: only an item named by its title)."""
    items = safeguards(camp)
    if not items:
        return None
    folded = fold(text)
    named = [it for it in items if len(it.get("title", "")) >= 4 and fold(it["title"]) in folded]
    if named:
        return _message(camp, [dict(title=it.get("title", ""), text=it["text"], units=it.get("units_text", ""))
                               for it in named])
    if titled_only or _LIST_ASKED.search(folded):
        return None
    words = [w for w in _content_words(folded, grammar) if w not in fold(camp.city)]
    if not words:
        return None
    index = index_of(session, camp)
    best: list[tuple[float, int, str]] = []
    for n, it in enumerate(items):
        for sentence in filter(None, (s.strip() for s in _SENTENCE.split(it["text"]))):
            low = fold(sentence)
            held = [w for w in words if w in low]
            if not any(index.df_of(w) <= index.specific for w in held):
                continue  # only common words shared: not what was asked
            share = len(held) / len(words)
            if share >= _HELD:
                best.append((share, n, sentence))
    if not best:
        return None
    top = max(s for s, _, _ in best)
    quoted = [(n, s) for share, n, s in best if share == top][:2]
    return _message(camp, [dict(title=items[n].get("title", ""), text=s, units=items[n].get("units_text", ""))
                           for n, s in quoted])


def _message(camp: Campaign, quoted: list[dict]) -> Message:
    return Message("passage", dict(city=camp.city, quoted=quoted), intent="search", answered_from="document")
