"""Reads one message — a question command or free text — into a ``Question``, once.

Commands and free text take one path: "/ind 12" and "第12项" give the same ``Question``. Free
text is read by ``RULES``, tried in order; the first that recognises the text decides its
intent (so the order is the grammar's precedence: a number wins over a unit, a unit over a
topic). Whatever a composer needs from the words — a phase named, an indicator named inside
a question about dates or materials — is taken out here into the question's fields.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from knowledge.ask import coverage
from knowledge.ask import grammar as g
from knowledge.ask.question import Intent, Question
from knowledge.text import words_of
from knowledge.units import UnitDirectory, UnitRef, normalize

if TYPE_CHECKING:
    from knowledge.lexicon import Lexicon

_COMMAND = re.compile(r"^/([a-z_]+)(?:@\w+)?(?:\s+(.*))?$", re.S)


def parse(text: str, directory: UnitDirectory, bot_username: str | None = None) -> Question:
    """The question ``text`` asks: a question command ("/ind 12") or free text."""
    m = _COMMAND.match((text or "").strip())
    if m is None:
        return interpret(text, directory, bot_username)
    return parse_command(m.group(1), (m.group(2) or "").strip(), directory, text)


def parse_command(name: str, arg: str, directory: UnitDirectory, text: str = "") -> Question:
    """/help /start /my /unit /ind /find /phase /status with their argument, as a ``Question``."""
    q = Question(text=text or f"/{name} {arg}".strip())
    if name in ("help", "start"):
        q.intent = Intent.HELP
    elif name == "my" or (name == "unit" and not arg):
        q.intent = Intent.MY_UNIT
    elif name == "unit":
        q.intent, q.query = Intent.UNIT_LOOKUP, arg
    elif name == "ind":
        number = g.to_int(arg) if arg else None
        q.intent, q.numbers, q.query = (Intent.INDICATOR, [number], "") if number is not None else \
            (Intent.USAGE, [], "ind_usage")
    elif name == "find":
        q.intent, q.query = (Intent.FIND, arg) if arg else (Intent.USAGE, "find_usage")
    elif name == "phase":  # "/phase 评估验收": that phase first
        q.intent = Intent.PHASE
        q.titled, q.query = arg, phase_words(arg)
    elif name == "status":
        q.intent, q.query = Intent.STATUS, arg
        if arg:
            res = directory.resolve(arg)
            q.units = [res.unit] if res.unit else []
            q.unit_suggestions = [] if res.unit else res.suggestions
    return q


def interpret(text: str, directory: UnitDirectory, bot_username: str | None = None) -> Question:
    """Read one free-text question: the first of ``RULES`` that recognises it decides."""
    q = _read(Question(text=g.clean(text, bot_username)), directory)
    if (words := _unheard(q, directory)) and directory.lexicon is not None:
        # Before saying the document does not speak of a word, try it as a typo of one it does
        # speak of ("和格" → 合格, "消费投述" → 消费投诉): read again when every such word has
        # exactly one sound-alike.
        lexicon, fixed = directory.lexicon, q.text
        alikes = [_alike_within(w, lexicon) or _alike_beside(w, q.text, lexicon) for w in words]
        if alikes and all(alikes):
            for window, term in filter(None, alikes):
                fixed = fixed.replace(window, term)
            again = _read(Question(text=fixed), directory, repair=False)
            if again.intent != Intent.NOT_IN_DOCUMENT:
                q = again
    _leaders_and_duties(q, directory)
    _indicator_words(q)
    return q


def _unheard(q: Question, directory: UnitDirectory) -> list[str]:
    """The words of ``q`` the plan does not use, where a typo of a plan term would change the
    answer: those a not-in-document reading stands on, and those of a topic asked "who" of (a
    topic that also names a plan word is searched by it, so the typo would go unseen)."""
    if q.intent == Intent.NOT_IN_DOCUMENT and not q.query.startswith("kind:"):
        return q.query.rpartition("|")[2].split("、")
    if q.intent == Intent.WHO and not q.units and directory.lexicon is not None:
        return directory.lexicon.unknown_words(q.text, coverage.GRAMMAR_WORDS)
    return []


def _leaders_and_duties(q: Question, directory: UnitDirectory) -> None:
    """"医保局在领导小组里是谁、又负责哪条任务": a unit's place in the group and its duties at once
    are its card (which names both), not the group's list."""
    named = [u for u in q.units if not u.is_group]
    rest = g.LEADERS.sub(" ", q.text)
    people = directory.lexicon.people if directory.lexicon is not None else {}
    if q.intent == Intent.LEADERS and len(named) == 1 and "负责" in rest \
            and (g.TASK_WORD.search(rest) or g.INDICATOR_WORD.search(rest)) and not any(p in q.text for p in people):
        q.intent, q.units, q.query = Intent.UNIT, named, ""


def _alike_beside(word: str, text: str, lexicon: Lexicon) -> tuple[str, str] | None:
    """A word jieba cut off alone ("初甚" → 初 + 甚) with the character before or after it, where the
    pair sounds like one plan term and only ``word``'s own character differs ("初甚" is 初审)."""
    at = text.find(word)
    if at < 0 or len(word) != 1:
        return None
    for start in (at - 1, at):
        window = text[max(start, 0):start + 2]
        if start < 0 or len(window) != 2 or _NUMBER_MEASURE.match(window):
            continue
        if term := lexicon.plan_word_alike(window, at - start):  # the neighbour stays as typed
            return window, term
    return None


_NUMBER_MEASURE = re.compile(r"[一二两三四五六七八九十几每这那哪][个位项条家名种次遍回趟份]")


def _alike_within(word: str, lexicon: Lexicon) -> tuple[str, str] | None:
    """The longest part of ``word`` (jieba glues particles on: "那和格") that sounds like one plan term."""
    for size in range(len(word), 1, -1):
        for start in range(len(word) - size + 1):
            if _NUMBER_MEASURE.match(word, start + size - 1):
                continue  # a number before its measure word: "交一次" is no 交易
            if term := lexicon.sound_alike(word[start:start + size]):
                return word[start:start + size], term
    return None


def _read(q: Question, directory: UnitDirectory, *, repair: bool = True) -> Question:
    if repair and directory.lexicon is not None:  # "工信句" → 工信局: homophone typos of the plan's own terms
        q.text = directory.lexicon.plain(directory.lexicon.repair(q.text))
    q.text = _without_groups_left_out(_named_we(_without_context(q.text, directory), directory), directory)
    if not _by_form(q):
        body = g.FILLER.sub("", q.text)
        if not any(rule(q, body, directory) for rule in RULES):
            _search(q, body)
    coverage.check(q, directory)  # by form too: "第12项的材料发哪个邮箱" asks what the plan never states
    return q


_CLAUSE = re.compile(r"[,，。!！;；]+")
# what a clause of context says before the question: who asks, what they were handed, greetings
_CONTEXT = re.compile(r"我|俺|领导|刚|新来|新任|收到|拿到|转给|转来|你好|您好|各位|打扰")
_GREETING = re.compile(r"^(?:你好|您好|各位好|大家好|老师好|领导好)[呀啊哈,，!！\s]*")
_BACK = re.compile(r"^(?:这个|这些|这块|这事|这项|那个|那这个)")
_INTRO = re.compile(r"^(?:我是|我们是|俺是|这里是)(.{2,20}?)(?:的)?(?:新来的|新任的|新上任的|刚换的|新)?(?:的)?联络(?:员|人)$")


def _without_context(text: str, directory: UnitDirectory) -> str:
    """"你好，我是邮管局新来的联络员，领导刚把方案转给我，想问下我们局负责哪几项？谢谢": the
    question is the clauses that ask and what follows them; a clause of context before them
    ("领导刚把方案转给我", ``_CONTEXT``) is no topic, and a self-introduction keeps only the unit
    it names. Left whole when no clause asks or none would be left ("我是新来的联络员，怎么登记"
    stays a registration question)."""
    clauses = [c for c in _CLAUSE.split(text) if c.strip()]
    asking = [i for i, c in enumerate(clauses) if g.ASKS.search(c)]
    if len(clauses) < 2 or not asking:
        return text
    kept = []
    for i, c in enumerate(clauses):
        intro = _INTRO.match(_GREETING.sub("", c.strip()))
        if intro and (named := _introduced(intro.group(1), directory)):
            kept.append(named)
        elif i in asking or i > asking[0] or not _CONTEXT.search(c) or directory.mentions(c) or re.search(r"\d", c) \
                or _BACK.match(clauses[i + 1].strip()) \
                or _names_title_word(c, directory):  # "我们的工作上了国家级媒体，能得几分": what is asked of
            kept.append(c)
    return ",".join(kept) if any(g.ASKS.search(c) for c in kept) else text


def _names_title_word(clause: str, directory: UnitDirectory) -> bool:
    """Whether ``clause`` holds a word of three characters or more that an indicator's or task's
    title uses ("国家级"): a clause about the officer's own work that says what the question is of."""
    titles = directory.lexicon.title_text if directory.lexicon is not None else ""
    return any(len(w) >= 3 and w in titles for w in words_of(clause))


_WE = re.compile(r"(?:我们|俺们|咱们|我单位|本单位)(?=\S)")


def _named_we(text: str, directory: UnitDirectory) -> str:
    """"我们住建局被单独点名的指标": a "we" that a unit's name follows is that unit, said by one of
    its own (so it is neither the asker's unit added to it nor a question for someone unregistered)."""
    for m in _WE.finditer(text):
        after = text[m.end():]
        if any(not u.is_group and _first_at(after, u, directory) == 0 for u in directory.mentions(after[:16])):
            return text[:m.start()] + _named_we(after, directory)
    return text


# "“各成员单位”那种笼统的不算", "不算各成员单位的": a group the officer leaves out of the count
_LEFT_OUT = re.compile(r"[“\"「]?(?P<a>[^，,。；;？?“”\"「」]{2,20}?)[”\"」]?(?:那种|这种|那类|这类|那些|这些)?(?:笼统|泛泛)?的?都?"
                       r"(?:不算|不计|除外|不含|不用算|不要)|(?:不算|不计|不含|不包括|除去|去掉|排除|除开)(?:那些|那种)?"
                       r"[“\"「]?(?P<b>[^，,。；;？?“”\"「」]{2,20}?)[”\"」]?(?:那种|那些)?的?(?=$|[，,。；;？?])")


def _without_groups_left_out(text: str, directory: UnitDirectory) -> str:
    """"我们住建局被单独点名的指标都有哪些？“各成员单位”那种笼统的不算": the clause that leaves a
    group out is no second unit (the unit card already lists apart what comes through a group)."""
    for m in _LEFT_OUT.finditer(text):
        span = m.group("a") or m.group("b")
        named = directory.mentions(span)
        if named and all(u.is_group for u in named) and not directory.without_mentions(span).strip(" 的"):
            return (text[:m.start()] + text[m.end():]).strip(" ，,。；;")
    return text


def _introduced(name: str, directory: UnitDirectory) -> str:
    """The unit a self-introduction names ("我是住建的新联络员": 住建 is the unit's short form), as
    a later reading will find it ("" if it names none)."""
    if directory.mentions(name):
        return name
    res = directory.resolve(name.removesuffix("的"))
    return res.unit.name if res.unit is not None and res.how == "exact" else ""


def _by_form(q: Question) -> bool:
    """Readings decided by the shape of the text: greetings, bare numbers, task and indicator numbers."""
    text = q.text
    if not text or g.HELP.search(text):
        q.intent = Intent.HELP
    elif g.THANKS.match(text):
        q.intent = Intent.THANKS
    elif re.fullmatch(r"\d{1,3}", text) or re.fullmatch(rf"[{g.CN_NUM}]{{1,4}}", text):
        q.intent, q.numbers = Intent.INDICATOR, [g.to_int(text) or 0]
    elif (m := g.SECTION_TASK.search(text)) and (number := g.to_int(m.group(4))) is not None:
        q.intent, q.numbers = Intent.TASK, [number]
        q.section = g.to_int(m.group(1) or m.group(2) or m.group(3))
    elif tasks := g.numbers_in(g.TASK_PATTERNS, text):
        q.intent, q.numbers = Intent.TASK, tasks
    elif (m := re.match(r"^\s*(\d{1,3})\s*[项号条]", text)) and g.UNIT_COUNT.search(text):
        q.intent, q.numbers, q.query = Intent.INDICATOR, [int(m.group(1))], "units"  # "21项一共几家单位"
    elif (numbers := g.indicator_range(text) or g.numbers_in(g.INDICATOR_PATTERNS, text)) and not (g.SUM_OF.search(text) and
                                                                      not re.search(r"第|#|号|编号", text) and
                                                                      not g.UNIT_COUNT.search(text)):
        if g.AND.search(text):  # "比较一下10号和18号指标": every number the question names
            numbers += [n for n in (g.to_int(m.group(1)) for m in g.LISTED.finditer(text)) if n and n not in numbers]
        q.intent, q.numbers = Intent.INDICATOR, sorted(numbers) if len(numbers) > 1 else numbers
        q.query = "units" if g.UNIT_COUNT.search(text) else "due" if g.DUE_ASKED.search(text) else ""
    else:
        return False
    return True


def _howto(q: Question, body: str, directory: UnitDirectory) -> bool:
    if howto := [k for k, pattern in g.HOWTO.items() if pattern.search(body)]:
        q.intent, q.query = Intent.HOWTO, ",".join(howto)
    return bool(howto)


def _task_list(q: Question, body: str, directory: UnitDirectory) -> bool:
    tl = g.TASK_LIST.search(body)
    if tl and not g.MY.search(body) and not g.SEARCH.search(body) and \
            not re.sub(r"(主要|所有|全部|这次|创建|工作|的|一共|总共|都|有|请问|[,，\s])", "", body[:tl.start()]) and \
            not directory.mentions(body) and not g.bare_units(body, directory):
        q.intent = Intent.TASK_LIST
        return True
    return False


def _source(q: Question, body: str, directory: UnitDirectory) -> bool:
    """"哪些指标要用国家统计局的数据": the 数据来源 column. Reads the units named, for the rules after it."""
    if (m := g.SOURCE.search(body)) and (source := next(x for x in m.groups() if x).strip(" 的")):
        q.intent, q.query = Intent.SOURCE, source
        return True
    # "用国家网络交易监管平台当数据来源的指标": a source the plan names, and a word of that column
    sources = directory.lexicon.sources if directory.lexicon is not None else {}
    if g.SOURCE_FRAME.search(body) and (named := next((f for f in sources if f in body), None)):
        q.intent, q.query = Intent.SOURCE, named  # every source holding the form, as SOURCE reads it
        return True
    q.units = directory.mentions(body)
    q.units += [u for u in g.bare_units(body, directory) if u not in q.units]
    q.wants = g.wants_of(body)
    unknown = []
    named = bool(q.units)
    for word in dict.fromkeys(m.group(1) for m in g.UNITISH.finditer(directory.without_mentions(body))):
        if re.search(r"我|咱|俺", word):
            continue  # "想问下我们局": the asker's own, not a unit the city lacks
        if not named:  # "市监官局": a name one slip away from one unit's (and no other's)
            if (res := directory.resolve(word)).how == "fuzzy" and res.unit not in q.units:
                q.units.append(res.unit)
        elif (res := directory.resolve(word.removeprefix("市"))).unit is None and res.how != "ambiguous":
            unknown.append(word.removeprefix("市"))  # "商务局和工信局各管几项" in a city with no 商务局
    q.unknown_units = unknown
    return False


def _person(q: Question, body: str, directory: UnitDirectory) -> bool:
    """"顾硕是哪个单位的": a person the leading group names is asked about: their line in it."""
    people = directory.lexicon.people if directory.lexicon is not None else {}
    named = [uid for name, uid in people.items() if name in body]
    if not named:
        return False
    q.intent, q.units = Intent.LEADERS, [directory.units[u] for u in dict.fromkeys(named) if u in directory.units]
    q.office_first = "办公室" in body
    return True


def _compare(q: Question, body: str, directory: UnitDirectory) -> bool:
    """"商务局和工信局各管几项,有什么不同", "我们和商务局比有什么区别": units side by side."""
    mine = bool(g.MY.search(body))
    named = [u for u in q.units if not u.is_group]
    compare = g.COMPARE.search(body)
    which = bool(compare and compare.group(0)[0] in "谁哪")  # "谁负责得多": its 谁负责 is the comparison's, not "who"
    if compare and (len(named) >= 2 or (mine and len(named) == 1)) and (which or not g.WHO.search(body)):
        q.intent, q.units = Intent.COMPARE, named
        q.query = "mine" if len(named) == 1 else ""
        if len(named) == 2 and (side := _one_side(body, named, directory)) is not None:
            q.query = f"only:{side}"
        return True
    return False


_MORE_THAN = re.compile(r"比(?:起)?([^,，。?？]{1,12}?)(多|少)(?:负责|管|承担|涉及|分到|分了|牵头|配合)?了?(?:哪|什么|出|几|些|了|的)")
_LACKS = re.compile(r"(?<!有)没有(?!没)|没份|没他|没它|不负责|不涉及|不管")  # not "有没有": a question


def _one_side(body: str, units: list, directory: UnitDirectory) -> int | None:
    """Which of two units a one-sided comparison asks about, by where the units stand: "交通局比住建局
    多负责了哪个" (the first), "工信没有而发改有的" (the one that is not just before 没有); None when
    the question asks about both ("有什么不同")."""
    if not g.ONE_SIDED.search(body) and not _MORE_THAN.search(body) and not (
            _LACKS.search(body) and "有" in _LACKS.sub("", body)):
        return None
    text = normalize(body)
    where = [_first_at(text, u, directory) for u in units]
    if (m := _MORE_THAN.search(text)) and min(where) < m.start():
        other = 1 if where[1] > m.start() or where[1] < 0 else 0  # the unit inside "比…" is the other one
        other = 0 if 0 <= where[0] and m.start() < where[0] else other
        return (1 - other) if m.group(2) == "多" else other
    if (lack := _LACKS.search(text)) and all(w >= 0 for w in where):
        last = [_last_at(text[:lack.start()], u, directory) for u in units]
        if max(last) >= 0:
            return 1 - last.index(max(last))  # the unit named just before 没有 is the one without
    return None


def _first_at(text: str, unit: UnitRef, directory: UnitDirectory) -> int:
    """Where (in normalised ``text``) the first form of ``unit`` stands; -1 if none does."""
    found = [i for form, ids in directory.forms.items() if unit.id in ids and (i := text.find(form)) >= 0]
    return min(found, default=-1)


def _last_at(text: str, unit: UnitRef, directory: UnitDirectory) -> int:
    """Where the last form of ``unit`` in ``text`` starts; -1 if none does."""
    return max((text.rfind(form) for form, ids in directory.forms.items() if unit.id in ids), default=-1)


# "除了组长副组长", "组长副组长不算": the members without the group's heads
_WITHOUT_HEADS = re.compile(r"(?:不算|不含|不包括|不计|除了|除去|去掉|刨去|扣除|排除)[^,，。?？]{0,3}(?:正)?(?:组长|副组长)|"
                            r"(?:组长|副组长)[^,，。?？]{0,4}(?:不算|除外|不计|以外|之外|不包括在内|不含)")
_ASIDE = re.compile(r"[(（][^)）]*[)）]|(?:不含|不包括|除了|除去|不算)[^,，。?？]*")
# What a count counts, by the words that name it (the first that matches decides).
_COUNTED = [
    ("members", re.compile(r"(?:组长|副组长)[^,,。?？]{0,6}在内|总人数|全部成员|"  # "连组长副组长在内一共几个人"
                           r"(?:加上|算上|连同|包括|含)[^,,。?？]{0,3}(?:组长|副组长)|(?:组长|副组长)[^,,。?？]{0,4}(?:也算|算上|算进|都算|加上)")),
    ("title", re.compile(r"(?:几|多少)\s*[个位名]?\s*(?:副|正)?(?:局长|主任|市长|秘书长|书记|部长)")),  # "领导小组里有几个副局长"
    ("vice", re.compile(r"副组长")),
    ("head", re.compile(r"组长")),
    ("member_units", re.compile(r"成员单位|哪些单位.{0,4}(?:领导小组|成员)|领导小组.{0,6}单位")),
    ("members", re.compile(r"领导小组|成员|小组")),
    ("levels", re.compile(r"一级指标|几大(?:类|块|方面)|几个方面|几个大类")),
    ("level2", re.compile(r"二级指标")),
    ("phases", re.compile(r"阶段|步骤|几步")),
    ("indicators", re.compile(r"指标")),
    ("tasks", re.compile(r"任务")),
]


def _sole(q: Question, body: str, directory: UnitDirectory) -> bool:
    """"只有市监局一家负责的指标有哪些", "责任单位只写了各成员单位的指标": the items that unit answers
    for alone; "哪些指标只有一个责任单位": every indicator one named unit answers for alone; "哪些领导
    小组成员单位在指标表里没被点名": the members' units no indicator names (the office's questions)."""
    if g.NATURE.search(body) and g.INDICATOR_WORD.search(body):
        return False  # "变量性质只写“定量”的指标": a nature, counted by ``_count``
    if len(q.units) == 1 and g.SOLE.search(body):
        q.intent, q.query = Intent.COUNT, "sole"
    elif not q.units and g.SOLE.search(body) and g.MY.search(body):
        q.intent, q.query = Intent.COUNT, "sole:mine"  # "只有我们一家负责的指标": the asker's unit alone
    elif not q.units and g.SOLE.search(body) and g.INDICATOR_WORD.search(body):
        q.intent, q.query = Intent.COUNT, "sole_any"
    elif g.UNLISTED.search(body) and re.search(r"成员|领导小组", body):
        q.intent, q.query = Intent.COUNT, "member_unlisted"
    else:
        return False
    return True


def _without_heads(q: Question, body: str) -> bool:
    """"成员一共多少人？组长副组长不算": the members alone; "组长不算的话小组有几个人" leaves the 副组长 in."""
    if (heads := _WITHOUT_HEADS.search(body)) and re.search(r"成员|领导小组|小组", body) and g.COUNT.search(body) \
            and all(u.is_group for u in q.units):
        q.intent, q.query = Intent.COUNT, "members_only" if "副组长" in heads.group(0) else "members_but_head"
        return True
    return False


def _count(q: Question, body: str, directory: UnitDirectory) -> bool:
    """"副组长有几位", "领导小组一共几个成员", "住建局的任务有几条", "我们牵头的加起来几分":
    the number first. A unit named (or the asker's) counts its duties; else what the words name
    (an aside such as "(不含组长副组长)" names what is left out, not what is counted)."""
    if _without_heads(q, body):
        return True
    body = _ASIDE.sub(" ", body)
    points = bool(g.POINTS_SUM.search(body))
    if _ranked(q, body):
        return True
    if (where := _where(body)) and _one_unit(q, body):
        # "3分的指标里我们农业农村局负责哪些", "公安局负责的指标中3分的有几项": one unit's, filtered
        q.intent, q.query = Intent.COUNT, "where:" + where + ";unit=" + ("named" if q.units else "mine")
        return True
    if not (g.COUNT.search(body) or points):
        return False
    if not q.units and not g.MY.search(body) and (named := g.UNIT_LIKE.match(body)) and \
            (res := directory.resolve(named.group(1))).unit is None and res.how != "ambiguous":
        q.intent, q.unit_suggestions, q.query = Intent.UNIT, res.suggestions, named.group(1)
        return True  # "住建局的任务有几条" where the city has no 住建局: say so, not the campaign's total
    if "任务" in body and re.search(r"部分|板块|大块|那块|这块", body) and not g.MY.search(body):
        q.intent, q.query = Intent.COUNT, "tasks"  # "规范网络市场监管体系那部分有几条任务": one part's (its heading may name a unit)
        return True
    if q.units and all(u.is_group and "领导小组" in u.name for u in q.units):
        q.units = []  # "领导小组一共几个成员": the group's people, not the unit's duties
    mine = bool(g.MY.search(body)) and not q.units
    if (q.units[:1] or mine) and g.GROUP_WORD.search(body) and re.search(r"几\s*(?:个|位|名)?\s*人|几位|几名|多少人", body):
        q.intent, q.query = Intent.COUNT, "unit_members" + (":mine" if mine else "")  # "市场监管局有几个人在领导小组里"
        return True
    if q.units[:1] or mine:
        if len([u for u in q.units if not u.is_group]) > 1:
            return False  # several units: a comparison or what they share
        q.intent, q.query = Intent.COUNT, "unit_points" if points else "unit"
        q.mode = 1 if "牵头" in body else -1 if "配合" in body else 0
        if mine:
            q.query += ":mine"
        return True
    level = g.level_in(body)
    if where := _where(body):  # "3分的指标有几个", "纯定量的有几个", "促进发展的3分指标加起来几分"
        q.intent, q.query = Intent.COUNT, "where:" + where
        return True
    if points and not (level and (g.COUNT.search(body) or re.search(r"[这那]几[个项条]", body))):
        # "规范监管一共几分": the level's card says it; "促进发展那几个指标分值加起来": its indicators
        return False  # "一共多少分": the overview says it
    if level and not re.search(r"副组长|组长|成员", body):
        q.intent, q.query = Intent.COUNT, f"level:{level}"  # "规范监管下面有几个指标", "促进发展的分值加起来"
        return True
    if _titled_units(q, body):
        return True
    what = next((name for name, pattern in _COUNTED if pattern.search(body)), None)
    if what is None:
        return False
    q.intent, q.query = Intent.COUNT, what
    return True


def _titled_units(q: Question, body: str) -> bool:
    """"网络带动就业那个指标有几个单位一起负责": that indicator's units, which the who-reply counts."""
    if q.units or not g.UNIT_COUNT.search(body) or not re.search(r"[那这]个指标|[那这]项指标", body):
        return False
    q.intent = Intent.WHO
    q.query = re.sub(r"\s+", " ", g.WHO_FILLER.sub(" ", re.sub(r"指标|一起|共同|有", " ", g.UNIT_COUNT.sub(" ", body)))).strip()
    return True


def _ranked(q: Question, body: str) -> bool:
    """"一级指标哪个分值最高", "只负责一项指标的单位有哪些", "责任单位最多的是哪一项指标", "哪些单位负责的
    指标最多": a ranking, or the units with a given number."""
    if "一级指标" in body and re.search(r"哪[个一些]", body) and re.search(r"最高|最多|最大|最低|最少|最小", body) and not q.units:
        q.intent, q.query = Intent.COUNT, "levels"  # every level with its points
    elif g.UNITS_WITH.search(body) and not q.units:
        q.intent, q.query = Intent.COUNT, "rank"  # the units with that many
    elif g.RANK.search(body) and re.search(r"哪[一]?[项个条]指标|指标是哪|哪些指标", body) and \
            re.search(r"单位|部门", body) and not q.units:
        q.intent, q.query = Intent.COUNT, "indicator_rank"
    elif g.RANK.search(body) and re.search(r"单位|部门|谁|哪家|哪个局", body) and \
            (not q.units or g.EXCEPT.search(q.text)):
        q.intent, q.query = Intent.COUNT, "rank"  # "除了市场监管局,…最多": without it
    else:
        return False
    return True


def _one_unit(q: Question, body: str) -> bool:
    """The question names one unit (not a group), or none and says 我们: the asker's."""
    return (len(q.units) == 1 and not q.units[0].is_group) or (not q.units and bool(g.MY.search(body)))


def _where(body: str) -> str:
    """The attributes an indicator count is filtered by, as "points=3;nature=定量(仅);level=促进发展"
    ("" when the question names none): a value in points, a nature, and a level with one of them."""
    parts = []
    if (m := g.POINTS_OF.search(body)) and (value := g.to_int(m.group(1)) if not m.group(1)[0].isdigit() else m.group(1)):
        parts.append(f"points={value}")
    if g.ANY_ONE.search(body):
        parts.append("scoring=any_one")
    if nature := g.NATURE.search(body):
        word = nature.group(1)
        parts.append("nature=" + ("定量+定性" if "量" in word and "性" in word else
                                  word + ("(仅)" if g.ONLY.search(body) else "")))
    if parts and (level := g.level_in(body)):
        parts.append(f"level={level}")
    return ";".join(parts)


def _group_members(q: Question, body: str, directory: UnitDirectory) -> bool:
    """"联席会议各成员单位具体包括哪些单位": the group's members, and on what basis (the document
    may not list them: then it says so first)."""
    groups = [u for u in q.units if u.is_group]
    if len(groups) == 1 and len(q.units) == 1 and "领导小组" not in body and g.GROUP_MEMBERS.search(directory.without_mentions(body)) \
            and not g.INDICATOR_WORD.search(body) and not g.TASK_WORD.search(body):
        q.intent, q.query = Intent.UNIT, "members"
        return True
    return False


def _unit_person(q: Question, body: str, directory: UnitDirectory) -> bool:
    """"市场监管局局长叫啥", "住建局参加领导小组的是局长吗", "发改委是哪位领导": a unit's person in
    the leading group (the list gives each member's post), not the unit's duties."""
    named = [u for u in q.units if not u.is_group]
    if not named or g.TASK_WORD.search(body) or g.INDICATOR_WORD.search(body) or g.COUNT.search(body) \
            or g.CONTACTS.search(body):  # "统计局的联络员叫啥": the roster's person, not the group's
        return False
    if g.UNIT_PERSON.search(directory.without_mentions(body)):
        q.intent, q.units = Intent.LEADERS, named
        q.office_first = "办公室" in body
        return True
    return False


def _about_units(q: Question, body: str, directory: UnitDirectory) -> bool:
    """Questions that name units: is it theirs, what do they share, who are their officers."""
    mine = bool(g.MY.search(body))
    if q.units and g.IS_IT.search(directory.without_mentions(body)) and not mine:  # not the 管 of 市场监管局
        q.intent = Intent.WHO  # "网上零售额同比增速是统计局负责吗": who answers, and whether this unit is among them
        q.query = g.IS_IT.sub(" ", directory.without_mentions(body))
    elif len(q.units) >= 2 and g.SHARED.search(body) and not g.WHO.search(body):
        q.intent = Intent.SHARED  # "统计局和商务局共同负责的指标"
    elif mine and len(q.units) == 1 and g.SHARED.search(body):
        q.intent, q.query = Intent.SHARED, "mine"  # "我们和商务局共同负责哪些指标": the asker's unit is added
    elif g.CONTACTS.search(body) and (q.units or mine):
        q.intent = Intent.CONTACTS  # "统计局的联络员是谁"; "我们单位的联络员是谁": the asker's unit
        q.query = "" if q.units else "mine"
    else:
        return False
    return True


_CHANGED = re.compile(r"换人|替补|变动|变了|调整|更换|调走|离职")


def _about_document(q: Question, body: str, directory: UnitDirectory) -> bool:
    """Questions about the plan itself: liaison rule, the document, a level, nature, method, leaders, goals."""
    if g.LIAISON_RULE.search(body) and all(u.is_group for u in q.units):  # "每个成员单位的联络员": the rule
        q.intent, q.query = Intent.LEADERS, "office"  # the office block carries the liaison rule
    elif g.DOCUMENT.search(body) and not q.units and not _CHANGED.search(body):  # "换人了要重新发文吗": the group's rule
        q.intent = Intent.DOCUMENT
    elif (level := g.level_in(body)) and not q.units and \
            (not g.DETAIL.search(body) or g.LEVEL_POINTS.search(body)):  # "探索创新至少得几分才算过"
        q.intent, q.query = Intent.LEVEL, "|".join(g.levels_in(body)) or level  # "A跟B各占几分": each
    elif (nature := g.NATURE.search(body)) and "指标" in body and not q.units:
        word = nature.group(1)
        q.intent = Intent.NATURE
        q.query = "定量+定性" if "量" in word and "性" in word else word + ("(仅)" if g.ONLY.search(body) else "")
    elif g.METHODS_ASKED.search(body) and not q.units:
        q.intent, q.query, q.mode = Intent.METHOD, "", 0
    elif (method := g.METHOD.search(body)) and not q.units and re.search(r"(哪些|哪几|几项|几个|多少)", body):
        q.intent, q.query = Intent.METHOD, method.group(1)
        q.mode = 1 if g.ONLY.search(body) else -1 if g.NOT.search(body) else 0
    elif (g.LEADERS.search(body) or g.MEMBER_OF.search(body)) and (all(u.is_group for u in q.units) or "领导小组" in body
                                                                   or g.MEMBER_OF.search(body)):
        q.intent = Intent.LEADERS
        q.query = "mine" if g.MY.search(body) and not [u for u in q.units if not u.is_group] else ""
        if not [u for u in q.units if not u.is_group] and (named := g.NAMED_UNIT.search(
                re.sub(r"领导小组(?:办公室)?|小组", " ", body))):
            q.topic = named.group(1).removeprefix("市")  # "大数据管理局在领导小组里是谁": the members it writes
    elif g.GOALS.search(body) and not q.units:
        q.intent = Intent.GOALS
    else:
        return False
    return True


def _about_standing(q: Question, body: str, directory: UnitDirectory) -> bool:
    """What is owed, the overview of the system, how an indicator is scored, who answers for a topic."""
    mine = bool(g.MY.search(body))
    if mine and not q.units and g.MY_OWE.search(body):
        q.intent = Intent.OWE  # "我们单位要交什么材料": what this unit still owes
    elif g.OVERVIEW.search(body) and not q.units and not mine:
        q.intent = Intent.OVERVIEW
    elif g.OWE.search(body):
        q.intent, q.units = Intent.OWE, q.units[:1]
        if not q.units and re.search(r"(哪些单位|哪几个单位|各单位|哪个单位|哪些部门|哪几家|哪家|谁还没)", body):
            q.query = "all"  # the office asks: every unit that still owes something
        elif not q.units and not mine and g.COUNT.search(body):
            q.query = "count"  # "还有几项没交": the asker's unit, or the whole campaign for the office
    elif g.DETAIL.search(body) and not q.units:
        q.intent, q.query = Intent.DETAIL, g.DETAIL.sub(" ", body)
    elif len(q.units) == 1 and g.PARTNERS.search(body):
        return False  # "发改委的主要任务跟哪些单位一起干": the unit's own rows, each with who else is named
    elif g.WHO.search(body) or ((where := g.WHERE_ITEM.search(body)) and not q.units and "指标" not in where.group(0)):
        q.intent = Intent.WHO
        query = g.WHO_FILLER.sub(" ", g.WHO.sub(" ", g.WHERE_ITEM.sub(" ", re.sub(r"(?:的)?主要任务", " 任务", body))))  # "信用监管是哪个单位牵头" → "信用监管"
        # "直播电商 管" (归谁管), "首违不罚   的" (是哪个部门负责的), "公平竞争审查 抓" (谁来抓)
        query = re.sub(r"(?:\s+(?:管|抓|搞|弄|干|做|的事|事|的活|活|里|里面|中)|\s*(?:任务|指标)(?:里面|里|中)?|[\s的呢啊吧里]+)+$", "", query).strip() or query
        q.query = re.sub(r"\s+", " ", query)
    else:
        return False
    return True


def _month(q: Question, body: str, directory: UnitDirectory) -> bool:
    """"8月份要做什么", "十月是哪个阶段": the phases under way in that month."""
    if not q.units and not g.MY.search(body) and (m := g.MONTH.search(body)) and g.IN_MONTH.search(body) \
            and (month := g.to_int(m.group(1))) and 1 <= month <= 12:
        q.intent, q.month = Intent.PHASE, month
        return True
    return False


def _about_a_unit(q: Question, body: str, directory: UnitDirectory) -> bool:
    """A unit's duties: one named, the asker's own, or one the campaign does not know."""
    if len([u for u in q.units if not u.is_group]) >= 2:
        q.intent, q.units = Intent.COMPARE, [u for u in q.units if not u.is_group]  # "邮管局和交通局的指标": side by side
        if len(q.units) == 2 and (side := _one_side(body, q.units, directory)) is not None:
            q.query = f"only:{side}"  # "交通局比住建局多负责了哪个": what the first has
    elif q.units:
        q.intent = Intent.UNIT
    elif g.MY.search(body) and not g.UNIT_LIKE.match(body) and (
            g.TASK_WORD.search(body) or g.INDICATOR_WORD.search(body) or g.MY_DUTY.search(body)):
        q.intent = Intent.MY_UNIT  # not "住建局有没有指标…我们领导问的": a unit is named first
    elif named := g.UNIT_LIKE.match(body):  # "气象局有哪些指标": a unit we do not know
        res = directory.resolve(named.group(1))
        q.intent = Intent.UNIT
        if res.unit:
            q.units = [res.unit]
        elif res.how == "ambiguous":
            q.units = [sug.unit for sug in res.suggestions]
        else:
            q.unit_suggestions, q.query = res.suggestions, named.group(1)
    elif g.PHASE.search(body):
        q.intent = Intent.PHASE
    else:
        return False
    return True


def _search(q: Question, body: str) -> None:
    """Nothing else fits: a search for the words, and the topic when one was asked for explicitly."""
    q.intent, q.query, q.asks = Intent.SEARCH, body, bool(g.ASKS.search(body))
    if topic := g.SEARCH.split(body)[0].strip(" 的与和跟"):
        q.topic = topic if g.SEARCH.search(body) else ""


Rule = Callable[[Question, str, UnitDirectory], bool]
# The grammar's precedence, top to bottom (``_source`` also reads the units the later rules use).
RULES: list[Rule] = [_howto, _task_list, _source, _person, _compare, _sole, _count, _group_members, _unit_person, _about_units, _about_document, _about_standing,
                     _month, _about_a_unit]

_ASKED_FILLER, _MEANT_FILLER, _PHASE_FILLER = g.ASKED_FILLER, g.MEANT_FILLER, g.PHASE_FILLER


def _indicator_words(q: Question) -> None:
    """For dates, materials and overview questions: the words that may name one indicator."""
    if q.intent == Intent.PHASE:
        q.titled, q.query = q.text, phase_words(q.text)
        q.deadline = bool(re.search(r"截止|最晚|期限|deadline|哪天|几号|什么时候交|何时交", q.text))
        q.rest = _rest(_ASKED_FILLER.sub(" ", q.text), asked=True)
    elif q.intent == Intent.OWE and not q.units:  # "就业贡献度我们要提供什么材料"
        q.titled, q.rest = q.text, _rest(_ASKED_FILLER.sub(" ", q.text), asked=True)
    elif q.intent == Intent.OVERVIEW:  # "…比重占比多少能拿满分" is about one indicator
        q.titled, q.rest = q.text, _rest(_MEANT_FILLER.sub(" ", q.text), asked=False)
        # "总分多少", "一共几项指标": the totals first; "合格线是多少": the pass rule first
        q.query = "" if re.search(r"合格|及格|达标|通过|过线|算过|验收|最低|至少|得分率", q.text) else "totals"
        if not q.query:  # "合格线是多少分?有没有单项要求": the pass rule, not an indicator its words touch
            q.rest = ""
    elif q.intent == Intent.LEADERS:
        q.office_first = "办公室" in q.text or q.query == "office"


def _rest(words: str, *, asked: bool) -> str:
    """``words`` when enough is left to name an indicator; "" when what is left is a phase's
    ("评估验收什么时候") or too short to name anything."""
    if len(normalize(words)) < 4:
        return ""
    if asked and any(p in words for p in g.STEP_WORDS):
        return ""
    return words


def phase_words(text: str) -> str:
    """"自评报告哪个阶段交" → "自评报告 …": the words that may match a phase's own text."""
    return _PHASE_FILLER.sub(" ", text)
