"""Whether the document covers what a question asks: its asked-about words against the plan.

A reading names what the question is about (a unit, the timeline, a topic); that the plan has
such a thing does not make it answer the question. "评估组什么时候来" is a "when" question, but
the plan's timeline says nothing of an assessment team; "统计局要报哪些数据" names a unit whose
items never speak of 数据. So the question's *asked-about words* — its content words, with its
question words, the reading's own grammar and the names it was matched by taken out — are
checked against the text the answer would come from:

- a look-up of the plan at large (a search, a detail, an overview): the plan's whole vocabulary;
- a "when" question: the timeline (phases, the plan's period) and the titles a date may be asked of;
- a question about a unit that asks for no duty: the items that list that unit;
- "how often" (多久开一次会): a frequency the plan states (每年, 定期 …) beside the asked-about words.

A word none of them holds is one the document does not speak of, and the answer says so.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from knowledge.ask import grammar as g
from knowledge.ask.question import Intent, Question
from knowledge.text import is_word
from knowledge.units import UnitDirectory, normalize

if TYPE_CHECKING:
    from knowledge.lexicon import Lexicon


def _runs(*patterns: re.Pattern[str]) -> str:
    """The Chinese phrases ``patterns`` spell out, joined: words the bot itself reads."""
    return "|".join(run for p in patterns for run in re.findall(r"[\u4e00-\u9fff]+", p.pattern))


def _grammar_words() -> str:
    """Every Chinese phrase the grammar's patterns spell out ("还欠", "及格线", "截止")."""
    patterns: list[re.Pattern[str]] = []
    for value in vars(g).values():
        values = value.values() if isinstance(value, dict) else value if isinstance(value, list) else [value]
        patterns += [p for p in values if isinstance(p, re.Pattern)]
    return _runs(*patterns)


GRAMMAR_WORDS = "|".join([_grammar_words(), *g.WHERE_TO])
# The words a "when" reading and a unit reading are made of: other words must be the answer's text's.
_WHEN_WORDS = "|".join([_runs(g.PHASE, g.PHASE_FILLER, g.ASKED_FILLER, g.ASKS, g.MONTH, g.IN_MONTH), *g.STEP_WORDS, *g.WHERE_TO])
_UNIT_WORDS = "|".join([_runs(g.MY_DUTY, g.TASK_WORD, g.INDICATOR_WORD, g.UNIT_LIKE, g.BARE, g.DUTY_WORD, g.ASKS),
                        "领导小组|小组|组长|副组长|成员|这个方案|方案里|方案|文件里|文件",
                        # "林业局跟这个示范区有没有关系": whether the campaign is the unit's at all
                        "示范区|示范创建|创建工作|创建|这个创建|关系|有关|相关|关联|沾边|有份|份"])  # a unit's posts in the leading group are its items too
_WHEN_ASKED = re.compile(r"哪一?天|几月几[号日]|几[号日]|什么时候|啥时候|何时")
# Readings the timeline may answer when every word they ask about is a phase's ("初审向哪个部门提").
_STEPS_ASKED = frozenset({Intent.WHO, Intent.SEARCH, Intent.UNKNOWN})
# Readings answered from the plan at large.
_LOOKUPS = frozenset({Intent.SEARCH, Intent.UNKNOWN, Intent.DETAIL, Intent.OWE, Intent.PHASE, Intent.OVERVIEW,
                      Intent.HOWTO})
# "多久开一次会", "频次": a frequency asked for; what the plan would write if it set one.
HOW_OFTEN = re.compile(r"(?:多久|多长时间|隔多长时间|隔几天|几个月)\S{0,3}一次|频次|频率|(?:一年|每年|每月|每季度?)(?:开|搞|报|交)?几次|"
                       r"每个?(?:年|月|季度?|周|星期)[^,,。?？]{0,6}几次|"
                       r"(?:每个?|一)(?:年|半年|月|季度?|周|星期|旬)[^,,。?？]{0,4}(?:报|交|开|汇报|报送|提交|调度|通报)一次")
_FREQUENCY = re.compile(r"每(?:年|半年|季度?|月|周|旬)|定期|年度|季度")


# Kinds of value a question may ask for, and how the plan would write one if it gave it: the plan
# answers "办公室电话多少" only if it writes a phone number, "动员会在哪开" only if it names a place
# for it; whatever else the question names (the office, the meeting) the plan may well speak of.
ASKED_KINDS: list[tuple[str, re.Pattern[str], re.Pattern[str]]] = [
    ("电话号码", re.compile(r"电话|手机号|座机|联系方式|号码是多少|打哪个号"),
     re.compile(r"(?:电话|手机|座机|联系方式)\s*[:：为是]?\s*[\d-]{7,}|\d{3,4}-\d{7,8}|1[3-9]\d{9}")),
    ("邮箱地址", re.compile(r"邮箱|电子邮件|邮件地址|e-?mail", re.I),
     re.compile(r"[\w.-]+@[\w-]+\.[a-z]{2,}|邮箱\s*[:：为是]", re.I)),
    ("地点", re.compile(r"在哪(?:里|儿)?(?:开|召开|举行|举办|集合|报到)|(?:地点|地址|会场|场地)(?:在哪|是哪|是什么|定了)|"
                      r"(?:开会|会议|活动|培训)(?:的)?(?:地点|地址|地方)|"
                      r"哪栋楼|哪座楼|几楼|几层|房间|门牌|(?:在哪|哪里)(?:办公|上班)|办公(?:地点|地址)"),
     re.compile(r"地点\s*[:：为是]|地址\s*[:：为是]|会议室|在[\u4e00-\u9fff]{2,12}(?:召开|举行|举办)")),
    ("账号开通办法", re.compile(r"账号|帐号|账户|密码|登录名|用户名"),
     re.compile(r"(?:账号|帐号|账户|密码)\s*[:：为是由]|(?:开通|分配|申请)(?:账号|帐号|账户)")),
    ("评估专家名单", re.compile(r"专家(?:组)?(?:都)?(?:是|有)?(?:哪些人|哪几位|谁|名单|是哪|来自哪|从哪)|专家组(?:成员|由谁)|谁来(?:评估|评审|打分)|"
                          r"(?:哪家|哪个|什么|哪些)(?:第三方)?(?:机构|公司)(?:来)?(?:评估|评审|打分|验收)|(?:哪家|哪个|什么)第三方|第三方(?:机构)?(?:是谁|是哪家|是哪个)|"
                          r"(?:哪些|哪几位|什么|哪里的|哪儿的)专家"),
     re.compile(r"专家(?:组)?(?:成员|名单)\s*[:：为是]|专家[\u4e00-\u9fff]{0,6}(?:由|包括)")),
    ("复核办法", re.compile(r"复核|复查|复审|重新认定|(?:几|多少)年(?:一次|.{0,3}(?:复|审|评))|有效期|摘牌"),
     re.compile(r"复核|复查|复审|有效期|每\S{1,3}年(?:复|重新)")),
    # "盐城最后评上示范区了没有": how the campaign came out, which the plan that starts it cannot say
    ("评估结果", re.compile(r"(?:评上|评下来|创建成功|拿到了?(?:牌子|称号))[^,，。?？]{0,20}(?:了没有|了没|没有|了吗)|(?:评估|验收)结果(?:出来了?|怎么样|如何)"),
     re.compile(r"已(?:被)?(?:认定|命名)为|获得[^。\n]{0,12}(?:命名|称号)(?:的)?(?:通知|决定)")),
    # "网上零售额去年具体是多少亿", "今年经营者有多少户": the city's actual figures, which a plan of
    # targets does not report (a target such as "1亿元以上" is not a figure of last year)
    ("往年或当前的实际数字（文件只写考核标准）", re.compile(r"(?:去年|今年|前年|上年|上一年|上次|上回|目前|现在|当前|眼下|实际)[^,,。?？]{0,16}(?:多少|几)\s*(?:亿|万|户|家|个|人|元|%)?"
                           r"|(?:19|20)\d{2}\s*年(?:度|全年)?[^,,。?？]{0,16}(?:是|有|达到|为)多少"
                           r"|具体(?:是)?多少(?:亿|万|户|家)"
                           # "全市在编网络交易监管人员有多少人": a head count of the city, not a target
                           r"|(?:全市|本市|我市|市里|全县|全区)(?![^,,。?？]{0,16}(?:领导小组|成员|联络员|单位|部门|指标|任务))[^,,。?？]{0,16}(?:有|是)?多少\s*(?:人|家|户|亿|万)"),
     re.compile(r"(?:去年|上年|\d{4}年)[^。\n]{0,24}(?:达到|实现|完成|为)\s*\d+(?:\.\d+)?\s*(?:万|亿)?(?:元|户|家|人)")),
    ("扣分或问责办法", re.compile(r"扣(?:分|多少|几分|绩效)|罚分|问责|追责|(?:没完成|完不成|不达标|未完成|没通过|不通过|没过|没评上|没(?:创建)?成功|创建失败|失败了?)[^。?？]{0,12}(?:怎么办|会怎样|会怎么样|处理|处分|处罚|惩罚|追究)"),
     re.compile(r"扣\s*\d|扣分|问责|追责")),
    # "领导小组办公室配了几个专职工作人员": the office's staffing, which a plan that names where the
    # office sits and who directs it does not give
    ("办公室的人员配备", re.compile(r"办公室[^,，。?？]{0,8}(?:几个|几名|几位|多少)[^,，。?？]{0,4}(?:专职|工作人员|人员|编制|人手)|"
                              r"办公室[^,，。?？]{0,6}(?:专职|工作人员|人手|编制)[^,，。?？]{0,4}(?:几个|几名|几位|多少)|"
                               # "各成员单位要抽几个人到办公室集中办公"
                               r"(?:抽|抽调|借调|派)[^,，。?？]{0,4}(?:几|多少)\s*[个名位]?\s*人[^,，。?？]{0,6}(?:办公室|集中办公|专班)"),
     re.compile(r"(?:专职|工作)人员\s*\d+\s*名|编制\s*\d+")),
    # "指标材料上传哪个系统": where evidence is sent is the office's arrangement (the bot takes it too)
    ("报送材料的系统或网址", re.compile(r"(?:上传|提交|报送|交|传)[^,，。?？]{0,8}(?:哪个|什么|专门的?|哪)[^,，。?？]{0,3}(?:系统|平台|网址|网站|网页)|"
                                 r"(?:系统|平台|网址|网站)[^,，。?？]{0,6}(?:上传|提交|报送)[^,，。?？]{0,4}(?:材料|佐证)|"
                                 r"(?:专门的?|哪个|什么)(?:系统|平台|网址|网站)[^,，。?？]{0,6}(?:上传|提交|报送)"),
     re.compile(r"(?:材料|佐证)[^。\n]{0,12}(?:上传|报送|提交)(?:至|到)[^。\n]{0,12}(?:系统|平台)")),
    # "每个单位要交多少份佐证材料": a number of copies the plan would write as "N份"
    ("材料的份数", re.compile(r"(?:交|报|提交|准备|提供)[^,，。?？]{0,4}(?:多少|几)份"), re.compile(r"\d+\s*份")),
    ("材料的盖章、签字要求", re.compile(r"盖章|盖公章|签字|签章|签名|公章|骑缝章"),
     re.compile(r"盖章|盖公章|签字|签章|公章")),
    # "市场监管局网监股股长叫什么名字": a named person below the leading group, which the plan,
    # naming only the group's posts, does not give
    ("人员姓名", re.compile(r"(?:股长|科长|处长|所长|队长|站长|经办人|联系人)[^,，。?？]{0,4}(?:叫什么|叫啥|是谁|是哪位|姓什么|姓啥|名字|姓名)"),
     re.compile(r"(?:股长|科长|处长|所长|队长|站长|经办人|联系人)\s*[:：为是由]\s*[\u4e00-\u9fff]{2,3}")),
    ("金额", re.compile(r"多少钱|几块钱|金额|(?:经费|预算|资金|补助|补贴|奖金|奖励|拨款)[^,,。?？]{0,4}(?:多少|几|是多少)|"
                      r"多少(?:的)?(?:预算|经费|资金|补助|补贴|奖金|拨款)"),
     re.compile(r"(?:经费|预算|资金|补助|补贴|奖金|奖励|拨款)[^。\n]{0,20}\d+(?:\.\d+)?\s*(?:万|亿)?元")),
]
# Readings that answer from the bot's own records or rules, not from the plan (a liaison's phone
# is in the roster; how to send a file is the bot's own rule).
_OWN_ANSWERS = frozenset({Intent.CONTACTS, Intent.HOWTO, Intent.HELP, Intent.THANKS})


# A kind a question about the campaign's own records may also seem to ask ("目前还有几项没交" is
# the bot's ledger, not a figure of the city; "没完成的指标" is what is owed).
_RECORD_KINDS = frozenset({"往年或当前的实际数字（文件只写考核标准）"})
_RECORDS = frozenset({Intent.OWE, Intent.STATUS, Intent.COUNT, Intent.MY_UNIT})
_PAST = re.compile(r"去年|前年|上年|上一年|上次|上回|往年|(?:19|20)\d{2}\s*年")


def asked_kind(text: str, plan_text: str, intent: Intent | None = None) -> str:
    """The kind of value ``text`` asks for that ``plan_text`` never states ("" if none)."""
    for kind, asked, stated in ASKED_KINDS:
        if intent in _RECORDS and kind in _RECORD_KINDS and not _PAST.search(text):
            continue  # "去年评估我们得了多少分" is no record of this campaign's
        if asked.search(text) and not stated.search(plan_text):
            return kind
    return ""


# Common surnames, without those that mostly start other words after a post ("局长任组长", "主任方案").
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶苏魏吕丁沈姚卢姜崔钟谭陆汪范廖贾夏韦邹熊孟秦邱侯尹薛闫段雷黎史陶贺顾郝龚邵覃戴莫孔汤"
_POSTS = r"副?组长|副?主任|副?局长|副?市长|副?秘书长|书记|同志"
# "副组长李明分管哪几个指标", "李明副组长": a person named beside a post
_PERSON = re.compile(rf"(?:{_POSTS})([{_SURNAMES}][\u4e00-\u9fff]{{1,2}})|([{_SURNAMES}][\u4e00-\u9fff]{{1,2}}?)(?={_POSTS})")


def unknown_person(text: str, lexicon: Lexicon) -> str:
    """A person the question names beside a post whom the leading group does not list ("" if none):
    the plan cannot say what 李明 does when it names no 李明."""
    for m in _PERSON.finditer(text):
        name = m.group(1) or m.group(2)
        if len(name) == 3 and is_word(text[m.start(1) + 2:m.start(1) + 4] if m.group(1) else ""):
            name = name[:2]  # "李明分管": 分管 is the next word
        if name[:2] in lexicon.plan_words or name in lexicon.plan_text or \
                any(p.startswith(name[:2]) or name.startswith(p) for p in lexicon.people):
            continue
        return name
    return ""


def check(q: Question, directory: UnitDirectory) -> None:
    """Read ``q`` as "not in the document" when the text its answer would come from lacks its words."""
    lexicon = directory.lexicon
    if lexicon is None or q.query == "all":
        return
    if q.intent not in _OWN_ANSWERS and (kind := asked_kind(q.text, lexicon.plan_text, q.intent)):
        q.intent, q.query, q.topic = Intent.NOT_IN_DOCUMENT, "kind:" + kind, q.text
        return
    if q.intent not in _OWN_ANSWERS and (person := unknown_person(q.text, lexicon)):
        _not_covered(q, [person])
        return
    if q.numbers:
        return
    if (q.intent in _STEPS_ASKED and not q.units and not _WHEN_ASKED.search(q.text)  # a date it gives is the phase's
            and lexicon.only_steps(q.text, GRAMMAR_WORDS)):
        q.intent, q.titled, q.query = Intent.PHASE, q.text, q.text  # the timeline answers it
        return
    if (often := HOW_OFTEN.search(q.text)) and not _states_frequency(q, directory):
        _not_covered(q, [q.text[often.start():].rstrip("?？。吗呢")])
        return
    about_unit = q.intent == Intent.UNIT and len(q.units) == 1 and not (
        g.MY_DUTY.search(q.text) or g.TASK_WORD.search(q.text) or g.INDICATOR_WORD.search(q.text))
    if about_unit and g.PHASE.search(q.text):  # "我们税务局材料截止到哪天交": that unit's dates
        q.intent = Intent.PHASE
        return
    topic_who = q.intent == Intent.WHO and not q.units  # "快递物流这块谁负责": the topic must be the plan's
    if not about_unit and not topic_who and (q.intent not in _LOOKUPS or q.units):
        return
    # the city's own name is the plan's ("河津这个创建"), however short it is written
    text = re.sub("|".join(map(re.escape, sorted({directory.city, directory.city[:-1]} - {""}, key=len, reverse=True)))
                  or "$^", " ", q.text) if directory.city else q.text
    words = lexicon.unknown_words(text, GRAMMAR_WORDS, topic=topic_who or bool(g.SEARCH.search(text)))
    if not words and about_unit:  # "統計局要報哪些數據給你們": the unit's own items must speak of it
        unit = q.units[0]
        words = lexicon.unknown_words(_without_names(text, directory, q.units), _UNIT_WORDS,
                                      within=lexicon.unit_text.get(unit.id, "") + normalize(unit.name))
        scope = "unit"
    elif not words and q.intent == Intent.PHASE:  # "验收不通过会怎么样": the timeline must speak of it
        words = lexicon.unknown_words(text, _WHEN_WORDS, within=lexicon.phase_text)
        scope = "steps"
    else:
        scope = ""
    if words:
        _not_covered(q, words, scope)


def _not_covered(q: Question, words: list[str], scope: str = "") -> None:
    """Read ``q`` as not answered; ``scope`` says where the words were looked for when the plan
    at large does hold them ("steps": the timeline, "unit": the unit's items), for the reply to say
    so ("实施步骤里没有提到“办公室”": the plan names the office elsewhere)."""
    q.intent, q.query, q.topic = Intent.NOT_IN_DOCUMENT, (f"{scope}|" if scope else "") + "、".join(words), q.text


def _without_names(text: str, directory: UnitDirectory, units: list) -> str:
    """``text`` without the names of ``units`` in any of their forms ("统计局", "药监")."""
    text = directory.without_mentions(text)
    forms = sorted((f for f, ids in directory.forms.items() if ids & {u.id for u in units}), key=len, reverse=True)
    for form in forms:
        text = text.replace(form, " ")
    return text


def _states_frequency(q: Question, directory: UnitDirectory) -> bool:
    """Whether a sentence of the plan that holds the question's asked-about words states a frequency."""
    lexicon = directory.lexicon
    assert lexicon is not None
    named = [normalize(u.name) for u in q.units]
    words = [w for w in re.split(r"[^\u4e00-\u9fff]+", HOW_OFTEN.sub(" ", q.text)) if len(w) > 1]
    for sentence in re.split(r"[。;；\n]", lexicon.plan_text):
        if _FREQUENCY.search(sentence) and any(w in sentence for w in named + words):
            return True
    return False
