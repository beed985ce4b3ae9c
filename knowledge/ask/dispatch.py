"""From a ``Question`` to the ``Message`` that answers it: one table, intent → composer.

Adding a kind of question is one intent in ``question.Intent``, one rule in ``parse``, one
composer here and one line in ``COMPOSERS``. A composer reads the question's fields and the
store, never the raw text (the parser has taken out whatever the words say).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from knowledge.access import ChatKind, Role, commands_for, publishes_status
from knowledge.ask import cards, info, passages, tally, who
from knowledge.ask.coverage import GRAMMAR_WORDS
from knowledge.ask.grammar import PARTNERS
from knowledge.ask.parse import phase_words
from knowledge.ask.question import Asker, Intent, Question, Scope
from knowledge.duties import task_label
from knowledge.messages import Action, ActionKind, Message
from knowledge.models import Campaign

# Replies about named units, which say first which of the names the city's document has no unit for.
_ABOUT_UNITS = frozenset({"count", "compare_units", "unit_duties", "shared"})


# Readings a 保障措施 item named by its title answers ("压实工作责任那条是谁负责").
_PASSAGE_FIRST = frozenset({Intent.SEARCH, Intent.WHO, Intent.UNKNOWN, Intent.DETAIL, Intent.NOT_IN_DOCUMENT,
                            Intent.PHASE, Intent.TASK})


def answer(scope: Scope, q: Question) -> Message:
    """The reply to an interpreted question (commands included)."""
    if q.intent in _PASSAGE_FIRST and not re.search(r"\d", q.text) and (
            named := passages.passage_reply(scope.session, scope.campaign, q.text, titled_only=True)):
        return named
    if q.intent == Intent.NOT_IN_DOCUMENT and (said := _said_in_safeguards(scope, q)):
        return said  # "各成员单位要不要写实施细则": no item holds it, the 保障措施 section does
    reply = COMPOSERS.get(q.intent, _unknown)(scope, q)
    if q.unknown_units and reply.template in _ABOUT_UNITS:
        reply.data = {**reply.data, "unknown_units": q.unknown_units, "unknown_city": scope.campaign.city}
    return reply


def _said_in_safeguards(scope: Scope, q: Question) -> Message | None:
    """The 保障措施 sentences that hold every word the question was found not to be covered by
    ("细则"); a value the plan does not give (a frequency, a phone number) stays unanswered."""
    missing = [w for w in q.query.rpartition("|")[2].split("、") if w]
    if q.query.startswith("kind:") or not missing:
        return None
    said = passages.passage_reply(scope.session, scope.campaign, q.text, _GRAMMAR)
    quoted = "".join(p["text"] for p in said.data["quoted"]) if said else ""
    return said if said and all(w in quoted for w in missing) else None


def _unknown(scope: Scope, q: Question) -> Message:
    return Message("unknown", intent="unknown")


def _help(scope: Scope, q: Question) -> Message:
    return help_message(scope.campaign, scope.asker)


def help_message(campaign: Campaign, asker: Asker, offered: frozenset[str] | None = None) -> Message:
    """/help (and "帮助"): the commands this asker may use here, from the access table (``offered``:
    only those the face implements)."""
    shown = commands_for(Role(asker.role), ChatKind(asker.chat), has_unit=asker.unit is not None,
                         published=publishes_status(campaign.extra), offered=offered)
    return Message("help", {"city": campaign.city, **shown}, intent="help")


def _thanks(scope: Scope, q: Question) -> Message:
    return Message("thanks", intent="thanks")


def _usage(scope: Scope, q: Question) -> Message:
    return Message(q.query, intent="usage")


def card(scope: Scope, no: int) -> Message:
    """Indicator ``no``'s card, with what the asker's unit must do."""
    return cards.indicator_reply(scope.session, scope.campaign, scope.directory, no, scope.asker, scope.today)


def _as_detail(message: Message) -> Message:
    message.intent = "detail"
    return message


def _indicator(scope: Scope, q: Question) -> Message:
    camp = scope.campaign
    if len(q.numbers) > 3:
        return Message("choose", {"prompt": "您要看哪一项指标?"}, intent="ambiguous",
                       actions=[[cards.open_indicator(camp, n, f"第{n}项") for n in q.numbers[:6]]])
    replies = [card(scope, n) for n in q.numbers]
    if len(replies) == 1:
        reply = replies[0]
        if q.query in ("units", "due") and reply.template == "indicator":  # the asked fact first
            reply.data["asked"] = q.query
            if q.query == "due" and not reply.data["due"]:
                reply.answered_from = "not_in_document"
            elif q.query == "due" and reply.data["due"].source != "office":
                reply.answered_from = "inferred"
        return reply
    # "10号和18号指标有什么区别": a line that sets them side by side, then both in full
    rows = [i for r in replies for i in r.indicators]
    return Message("compare", {"rows": rows}, intent="indicator", parts=replies, indicators=rows,
                   units=list(dict.fromkeys(u for r in replies for u in r.units)))


def _task(scope: Scope, q: Question) -> Message:
    session, camp = scope.session, scope.campaign
    matches = cards.tasks_by_label(session, camp, q.numbers[0])
    if q.section is not None:  # "(二)1": keep the task of that section
        import cn2an  # only for a section label: importing it costs ~0.15 s at start

        head = f"({cn2an.an2cn(q.section)})"
        matches = [t for t in matches if cards.normalize_brackets(t.section).startswith(head)] or matches
    if len(matches) == 1:
        return cards.task_reply(session, camp, scope.directory, matches[0].seq)
    if not matches:
        return cards.task_reply(session, camp, scope.directory, q.numbers[0])  # beyond the last task: says so
    return Message("choose", {"prompt": "各部分的任务编号重新从1开始,您问的是哪一项?"}, intent="ambiguous",
                   actions=[[cards.open_task(camp, t.seq, f"任务{task_label(t, camp)} {t.title[:12]}")]
                            for t in matches],
                   tasks=[{"no": t.seq, "label": task_label(t, camp), "title": t.title} for t in matches])


def _my_unit(scope: Scope, q: Question) -> Message:
    if scope.asker.unit is None:
        return Message("need_unit", intent="need_registration")
    reply = cards.unit_reply(scope.session, scope.campaign, scope.directory, scope.asker.unit, today=scope.today,
                             tasks_first=q.wants == "tasks", partners=bool(PARTNERS.search(q.text)))
    reply.intent = "my_unit"
    return reply


def _unit(scope: Scope, q: Question) -> Message:
    camp = scope.campaign
    if len(q.units) == 1:
        reply = cards.unit_reply(scope.session, camp, scope.directory, q.units[0], tasks_first=q.wants == "tasks",
                                 today=scope.today, partners=bool(PARTNERS.search(q.text)))
        if q.query == "members" and q.units[0].is_group:  # its members first, and whether the document lists them
            reply.data["asked"] = "members"
            if re.search(r"未.{0,2}列出", reply.data["basis"]):
                reply.answered_from = "not_in_document"
        return reply
    if len(q.units) > 1:
        return Message("choose", {"prompt": "您问的是哪个单位?"}, intent="ambiguous",
                       actions=[[cards.open_unit(camp, u)] for u in q.units[:6]], units=[u.name for u in q.units])
    return cards.unit_not_found(camp, q.query or q.text, q.unit_suggestions, scope.session)


def _unit_lookup(scope: Scope, q: Question) -> Message:
    return cards.unit_lookup_reply(scope.session, scope.campaign, scope.directory, q.query)


# A second thing asked of the same indicator beside "who" ("…数据从哪来的 谁负责"): its card
# answers both (units, points, rule, evidence, source), where the who-reply has the units only.
_ALSO_ASKED = re.compile(r"数据从哪|从哪来|数据来源|来源是|什么材料|啥材料|要交什么|要交啥|怎么算|咋算|怎么打分|怎么评|"
                         r"几分|多少分|具体要干|要干啥|要做什么|要做啥|什么要求|啥要求|要求是|满分")


def _who(scope: Scope, q: Question) -> Message:
    if not q.units and (nos := info.indicators_listed(scope.session, scope.campaign, q.query)):
        return who.who_each_reply(scope.session, scope.campaign, scope.directory, nos)
    reply = who.who_reply(scope.session, scope.campaign, scope.directory, q.query, q.units, q.wants)
    if reply.template == "national_missing":  # the city's table leaves it out: nobody is named for it
        reply.answered_from = "not_in_document"
    elif reply.template == "search" and not (reply.indicators or reply.tasks) and (
            unheard := scope.directory.lexicon and scope.directory.lexicon.unknown_words(q.query, GRAMMAR_WORDS)):
        # "快递物流这块谁负责": no item holds the topic, and a word of it is none the plan uses, so
        # the plan names nobody for it and the reply says so ("没有找到" is for a topic it may hold)
        return tally.not_in_document_reply(scope, replace(q, query="、".join(unheard), topic=q.text))
    elif reply.template == "who" and not reply.data.get("same") and _ALSO_ASKED.search(q.text):
        reply = card(scope, reply.data["i"].no)
        reply.intent = "who"
    return reply


def _phase(scope: Scope, q: Question) -> Message:
    """"网络交易经营者数量占市场主体比重什么时候交": that indicator's card, with its date."""
    if not q.month and (no := info.indicator_asked(scope.session, scope.campaign, q)):
        reply = _as_detail(card(scope, no))
        if reply.data.get("due_phase"):  # its date is the end of a phase: the bot's inference
            reply.answered_from = "inferred"
        return reply
    reply = cards.phase_reply(scope.session, scope.campaign, scope.today, q.titled, q.query, month=q.month)
    if q.units and reply.template in ("phases", "phases_brief"):  # "我们税务局材料截止到哪天": the plan dates no unit apart
        reply.data["for_units"] = reply.units = [u.name for u in q.units]
    # "材料截止日期是哪天", "国家哪年来验收", and the plan sets no date ("用两年时间" answers only "多久")
    when = q.deadline or re.search(r"什么时候|啥时候|何时|哪天|哪年|哪一年|几月|几号", q.text)
    if not reply.data.get("phases") and when and not re.search(r"多久|多长时间|几年|多少年|期限", q.text):
        reply.answered_from = "not_in_document"
    return reply


def _detail(scope: Scope, q: Question) -> Message:
    return info.detail_reply(scope.session, scope.campaign, scope.directory, q.query, scope.asker, scope.today)


def _level(scope: Scope, q: Question) -> Message:
    if "|" in q.query:
        return info.levels_each_reply(scope.session, scope.campaign, q.query.split("|"))
    return info.level_reply(scope.session, scope.campaign, q.query)


def _contacts(scope: Scope, q: Question) -> Message:
    unit = q.units[0] if q.units else scope.asker.unit
    if unit is None:
        return Message("need_unit", intent="need_registration")
    return info.contacts_reply(scope.session, scope.campaign, unit)


def _document(scope: Scope, q: Question) -> Message:
    return info.document_reply(scope.session, scope.campaign)


def _task_list(scope: Scope, q: Question) -> Message:
    return info.task_list_reply(scope.session, scope.campaign)


def _method(scope: Scope, q: Question) -> Message:
    return info.method_reply(scope.session, scope.campaign, q.query, q.mode)


def _howto(scope: Scope, q: Question) -> Message:
    return info.howto_reply(scope.campaign, q.query.split(","))


def _source(scope: Scope, q: Question) -> Message:
    return info.source_reply(scope.session, scope.campaign, q.query)


def _nature(scope: Scope, q: Question) -> Message:
    return info.nature_reply(scope.session, scope.campaign, q.query)


def _leaders(scope: Scope, q: Question) -> Message:
    mine = [scope.asker.unit] if q.query == "mine" and scope.asker.unit else []  # "我们局长在领导小组里吗"
    return info.leaders_reply(scope.session, scope.campaign, office_first=q.office_first,
                              asked=[u for u in q.units + mine if not u.is_group], titled=q.topic)


def _shared(scope: Scope, q: Question) -> Message:
    asker = scope.asker.unit
    units = ([asker] if q.query == "mine" and asker else []) + q.units
    if len(units) < 2:  # "我们和…共同" from someone not registered, or one unit named
        if q.query == "mine" and asker is None:
            return Message("need_unit", intent="need_registration")
        return Message("shared_need_two", intent="ambiguous")
    return info.shared_reply(scope.session, scope.campaign, scope.directory, units[:4])


def _goals(scope: Scope, q: Question) -> Message:
    return info.goals_reply(scope.campaign)


def _overview(scope: Scope, q: Question) -> Message:
    """"…比重占比多少能拿满分" is about one indicator, not the whole system."""
    session, camp = scope.session, scope.campaign
    meant, candidates = info.indicator_meant(session, camp, q)
    if no := info.indicator_named(session, camp, q.titled) or meant:
        return _as_detail(card(scope, no))
    if candidates:
        return cards.choose_reply(camp, "您问的是哪一项指标的得分标准?", candidates, intent="detail", session=session)
    return info.overview_reply(session, camp, pass_first=q.query != "totals")


def _owe(scope: Scope, q: Question) -> Message:
    """"就业贡献度我们要提供什么材料": that indicator's card, with the asker's part."""
    session, camp = scope.session, scope.campaign
    if not q.units and (no := info.indicator_asked(session, camp, q)):
        return _as_detail(card(scope, no))
    if q.query == "all" or (q.query == "count" and scope.asker.unit is None):
        return info.owe_all_reply(session, camp, scope.directory, scope.today)
    return info.owe_reply(session, camp, scope.directory, q.units[0] if q.units else scope.asker.unit)


def _status(scope: Scope, q: Question) -> Message:
    """/status [单位]: what the asker's unit (or the named one) still owes."""
    if q.query and not q.units:
        return cards.unit_not_found(scope.campaign, q.query, q.unit_suggestions, scope.session)
    unit = q.units[0] if q.units else scope.asker.unit
    return info.owe_reply(scope.session, scope.campaign, scope.directory, unit)


def _search(scope: Scope, q: Question) -> Message:
    session, camp = scope.session, scope.campaign
    if missing := who.national_missing_reply(session, camp, q.query or q.text, intent="search"):
        return missing
    if not q.topic and q.asks and (no := info.indicator_named(session, camp, q.query or q.text)):
        return _as_detail(card(scope, no))  # "有特色网络市场产业指的是啥": a whole title and a frame word
    reply = cards.search_reply(session, camp, q.query or q.text, q.wants, sources=bool(_SOURCE_ASKED.search(q.text)))
    if (no := _one_meant(q, reply)) is not None:  # "存续两年以上的经营者占比要到多少": that card
        return _as_detail(card(scope, no))
    if reply.indicators or reply.tasks:
        return reply
    if q.topic:  # "12345热线相关的指标": a topic the documents do not mention
        return Message("search", {"hits": [], "query": q.topic}, intent="search")
    if (said := passages.passage_reply(session, camp, q.text, _GRAMMAR)) is not None:
        return said  # "各成员单位要不要写实施细则": the 保障措施 section says it
    if q.asks:  # "评分专家是哪些人": a question no item of the plan holds the words of
        # "自评报告交给谁初审": no item holds them, but a phase of the timeline may
        step = cards.phase_reply(session, camp, scope.today, q.text, phase_words(q.text))
        if step.data.get("asked") is not None:
            return step
        return tally.not_in_document_reply(scope, replace(q, query=""))
    return _unknown(scope, q)


_GRAMMAR = frozenset(GRAMMAR_WORDS.split("|"))
# "数据从哪来", "数据去哪查", "数据来源是啥": the 数据或资料来源 column asked of what the words find
_SOURCE_ASKED = re.compile(r"数据(?:从|去|到|在)哪|从哪(?:来|里来|儿来|取|拿)|(?:数据|资料)来源|来源是")


def _one_meant(q: Question, reply: Message) -> int | None:
    """The indicator a question asks a value of, when one search hit stands far ahead of the rest:
    "就业贡献度几个点拿1分" wants that indicator's rule, not a list of what is related. A topic
    ("直播电商相关的指标") or a question for tasks keeps the list."""
    hits = reply.data.get("hits", []) if isinstance(reply.data, dict) else []
    if q.topic or q.wants == "tasks" or not q.asks or not hits or hits[0]["kind"] != "indicator":
        return None
    first, second = hits[0], (hits[1] if len(hits) > 1 else None)
    if not (first["close"] or first["coverage"] >= 0.5):
        return None
    return first["no"] if second is None or first["score"] >= 1.5 * second["score"] else None


def _find(scope: Scope, q: Question) -> Message:
    return cards.search_reply(scope.session, scope.campaign, q.query)


Composer = Callable[[Scope, Question], Message]
COMPOSERS: dict[Intent, Composer] = {
    Intent.HELP: _help, Intent.THANKS: _thanks, Intent.USAGE: _usage, Intent.UNKNOWN: _unknown,
    Intent.INDICATOR: _indicator, Intent.TASK: _task, Intent.TASK_LIST: _task_list,
    Intent.MY_UNIT: _my_unit, Intent.UNIT: _unit, Intent.UNIT_LOOKUP: _unit_lookup,
    Intent.WHO: _who, Intent.SHARED: _shared, Intent.CONTACTS: _contacts, Intent.LEADERS: _leaders,
    Intent.PHASE: _phase, Intent.DETAIL: _detail, Intent.OVERVIEW: _overview, Intent.LEVEL: _level,
    Intent.NATURE: _nature, Intent.METHOD: _method, Intent.SOURCE: _source, Intent.DOCUMENT: _document,
    Intent.GOALS: _goals, Intent.HOWTO: _howto, Intent.OWE: _owe, Intent.STATUS: _status,
    Intent.SEARCH: _search, Intent.FIND: _find,
    Intent.COUNT: tally.count_reply, Intent.COMPARE: tally.compare_reply,
    Intent.NOT_IN_DOCUMENT: tally.not_in_document_reply,
}


def opened(scope: Scope, action: Action) -> Message:
    """What an open-button (indicator, unit, task) shows, or a MORE button (the whole of a short
    reply: every member, the timetable, the indicator system); a button of another campaign, or
    one naming what no longer exists, is stale."""
    campaign_id, ident = (action.args + (None, None))[:2]
    if campaign_id != scope.campaign.id:
        return Message("stale_button", intent="stale")
    if action.kind == ActionKind.MORE:
        return info.more_reply(scope.session, scope.campaign, str(ident), scope.today)
    if not isinstance(ident, int):
        return Message("stale_button", intent="stale")
    if action.kind == ActionKind.OPEN_INDICATOR:
        return card(scope, ident)
    if action.kind == ActionKind.OPEN_TASK:
        return cards.task_reply(scope.session, scope.campaign, scope.directory, ident)
    unit = scope.directory.units.get(ident) if action.kind == ActionKind.OPEN_UNIT else None
    if unit is None:
        return Message("stale_button", intent="stale")
    return cards.unit_reply(scope.session, scope.campaign, scope.directory, unit, today=scope.today)
