"""One campaign's own vocabulary, built from the loaded plan: what the question path repairs
typed text towards, and what it checks a question's words against.

Why from the plan and not from a hand list: every city writes its units, titles and topics in
its own words, and an officer's typo is a typo *of those words*. Two uses:

- ``repair``: a pinyin input method puts a homophone in place of the character meant ("工信句"
  for 工信局, "市场监官局", "指表"). A run of characters that is not a word, differs from one of
  the plan's terms in exactly one character, and that character sounds the same (toneless
  pinyin, with the initials and finals southern speakers merge: z/zh, c/ch, s/sh, n/l, -n/-ng)
  is replaced by the term. Matching is by index, not by scanning: each term is filed under its
  text with one character masked, so a window finds its one-character neighbours in a lookup.
- ``unknown_words``: the words of a question that the plan never uses ("纸质版", "摊", "补助"):
  a question about them is one the document does not answer, whatever its phrasing.

Built once per campaign and data version (``for_campaign``), about 0.1 s for a plan of 40 KB.
"""

from __future__ import annotations

import functools
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from sqlmodel import Session, select

from knowledge.models import (
    Campaign,
    Indicator,
    IndicatorItem,
    IndicatorUnit,
    LeadingGroupMember,
    NationalIndicator,
    Phase,
    Task,
    TaskUnit,
    UnitName,
)
from knowledge.text import (
    add_words,
    fold,
    is_function_word,
    is_word,
    search_words_of,
    tag_of,
    words_of,
)


class _Names(Protocol):
    """What the lexicon reads of a ``knowledge.units.UnitDirectory`` (which builds it: no import back)."""

    forms: dict[str, set[int]]
    units: dict



# The question path's own words: a homophone of one of these is a typo of it.
GRAMMAR_TERMS = (
    "指标", "任务", "负责", "牵头", "配合", "组长", "副组长", "成员", "成员单位", "领导小组", "办公室",
    "阶段", "材料", "评分", "打分", "得分", "分值", "合格", "联络员", "验收", "评估", "单位", "部门",
    "截止", "时间", "哪些", "什么", "多少", "一共", "总共", "责任单位", "主要任务", "评分标准", "佐证材料",
    "领导", "主任", "市长", "副市长", "办公室主任", "领导小组办公室", "提交", "总分", "满分", "合格线", "一级指标", "二级指标", "三级指标",
    "占比", "比例", "解读", "要求", "标准",  # the frames' measures and asks: "站比" is 占比, "解毒" is 解读
    "意思", "含义", "解释",  # "是什么意思": the what-frame's own words, not a typo of a plan word (意识)
)

# Words that carry no topic of their own: question words, particles, the bot's grammar. A
# question's other words are its content; content the plan never uses is "not in the document".
_STOP = frozenset("""
的 了 吗 呢 吧 啊 呀 哦 哈 嘛 么 啦 哇 噢 呐 嗯 是 有 没 没有 不 不是 要 不要 要不要 需要 需不需要 用 用不用 能 能不能 可以 可不可以
会 会不会 该 应该 得 都 也 还 就 才 又 再 先 和 与 跟 及 或 或者 还是 以及 并 而 但 但是 如果 那 那么 这 这个 那个 这些
那些 哪 哪个 哪些 哪里 哪儿 哪边 哪家 哪天 哪位 什么 啥 怎么 怎样 怎么样 如何 咋 咋办 为什么 为啥 谁 几 多少 多 多久
一共 总共 一下 请问 请 麻烦 帮 帮忙 我 我们 咱 咱们 你 你们 您 他 她 它 他们 本 我局 本单位 单位 部门 局 一 个 项 条
家 位 名 种 次 些 点 个人 大家 现在 目前 今年 明年 去年 今天 明天 时候 什么时候 以后 之前 之后 里 里面 上 下 中 内 外
好 对 行 嗯嗯 ok 呃 额 诶 唉 问 想 想问 知道 告诉 说 讲 看 看看 查 查查 给 让 把 被 在 到 从 对于 关于 按 按照 由
来 去 出 交 做 干 弄 搞 管 算 报 写 填 发 拿 收 送 找 号 第 分 算是 属于 包括 包含 开始 结束 最 很 太 更 较 挺 最晚 最迟
交给 报给 送给 发给 交到 报到 送到 上交 那边 这边 这块 那块 这里 那里 方面 那个 这个 咋样 咋整 咋弄 吗吗 么么 啊啊 呗 咯 罢 嘞 喽 呵 哟 唷 哎 呦 耶 滴 地 之 其 所 者 已 已经 正在 将 能否 是否 是不是 有没有 有无
具体 到底 究竟 大概 大约 一般 通常 指 指的是 意思 含义 解释 叫 叫做 称为 算作 的话 对应 对应的 相应 门槛 提前 素材
来着 着 翻 翻了 翻遍 半天 找着 没找着 没找 没找到 找到 找了半天 一下子 做点 干点 弄点 关系 有关系 有份 没份 创建 这个创建 尽 尽到 尽啥
干些 做些 弄些 搞些 些啥 些什么 事 事情 哪些事 啥事 处在 处于 完成到 什么程度 程度 要干 要做 要搞 干嘛 年底 年初 月底 年中 最低 最高 至少 百分之 百分比 规定 咋规定 影响 会影响 办完 办结 输了 打输 打赢 赢了 本来 原本 原定 按理 按理说 按说 计划 这个计划 创建计划
""".split())

# Words officers use for a topic that plans write otherwise, each with the plan's words for it, in
# the order to try: a question's word the plan does not use is read as the first of these the plan
# does use ("直播带货" where the items write 直播电商; "网络基建" where they write 基础设施). Shared by
# every city; a city whose plan uses the officers' word itself keeps it as written.
EVERYDAY_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("直播带货", ("直播电商", "网络直播")),
    ("带货", ("直播电商", "网络直播")),
    ("基建", ("基础设施",)),
    ("网上看病", ("互联网医院", "互联网医疗")),
    ("线上看病", ("互联网医院", "互联网医疗")),
    ("网上问诊", ("互联网医院", "互联网医疗")),
    ("寄递", ("快递",)),
    ("快递", ("寄递",)),
    ("开网店的", ("网络交易经营者",)),
    ("开网店", ("网络交易经营者",)),
    ("网上开店", ("网络交易经营者",)),
    ("网店", ("网络交易经营者",)),
    ("消费维权", ("消费者权益", "消费投诉")),
    # "网上卖东西的平台公司", "网上做生意做了两年的商户": selling online is the plan's 网络交易
    ("网上卖的东西", ("产品", "商品")),
    ("卖的东西", ("产品", "商品")),
    ("网上卖东西", ("网络交易", "网络市场")),
    ("网上卖货", ("网络交易", "网络市场")),
    ("网上做生意", ("网络交易", "网络市场")),
    ("网上做买卖", ("网络交易", "网络市场")),
    ("拿到网上去卖", ("电商", "网络交易")),
    ("拿到网上卖", ("电商", "网络交易")),
    ("放到网上卖", ("电商", "网络交易")),
    ("放网上卖", ("电商", "网络交易")),
    ("网上去卖", ("电商", "网络交易")),
    ("网上卖", ("网络交易", "电商")),
    ("网上买东西", ("网络消费",)),
    ("网上购物", ("网络消费",)),
    ("网购", ("网络消费",)),
    ("商户", ("经营者", "经营主体")),
    ("商家", ("经营者", "经营主体")),
    ("卖家", ("经营者", "经营主体")),
    ("店家", ("经营者", "经营主体")),
    ("平台公司", ("平台企业",)),
    ("增长速度", ("增速",)),
    ("增长", ("增速",)),
    ("办执照", ("准入", "登记")),
    ("上新闻", ("媒体宣传报道", "宣传报道")),
    ("央视", ("国家级", "媒体")),
    ("网红", ("直播电商", "网络直播")),
    ("卖假货", ("假冒伪劣", "产品质量")),
    ("假货", ("假冒伪劣", "产品质量")),
    ("老百姓", ("消费者",)),
    # "干部培训学时", "网购吵架纠纷", "人民银行河津支行": the plan's 人员, 纠纷, 人行
    ("干部", ("人员",)),
    ("吵架", ("纠纷",)),
    ("扯皮", ("纠纷",)),
    ("人民银行", ("人行", "人民银行")),
    ("群众", ("消费者",)),
    ("网民", ("消费者",)),
    ("黑名单", ("失信",)),
    ("网上交的税", ("电子商务纳税额", "税收贡献度")),
    ("交的税", ("纳税", "税收")),
    ("交税", ("纳税", "税收")),
    ("缴税", ("纳税", "税收")),
    ("罚款", ("处罚",)),
    ("限上", ("规模以上",)),
    ("网上办事", ("政务服务", "一网通办")),
    ("食品安全", ("食品",)),
    # "打官司网上案件胜诉率", "网上的案子被复议撤销": the plan's 涉网案件, 胜诉率, 行政复议
    # "网络带动就业那个指标", "网上干活就业的人那个占比": the plan's 就业贡献度
    ("带动就业", ("就业贡献度", "就业")),
    ("网上干活", ("网络市场就业", "就业")),
    ("网上就业", ("网络市场就业", "就业")),
    ("打官司", ("胜诉", "诉讼")),
    ("官司", ("胜诉", "诉讼")),
    ("网上的案子", ("涉网案件", "涉网违法案件")),
    ("网上案件", ("涉网案件", "涉网违法案件")),
    ("案子", ("案件",)),
    # "开了两年以上还在的网店占比", "开网店的人占所有企业的比例": the plan's 存续, 占市场主体比重
    ("还在的", ("存续",)),
    ("还活着的", ("存续",)),
    ("还开着的", ("存续",)),
    ("所有企业", ("市场主体",)),
    ("全部企业", ("市场主体",)),
    ("比例", ("占比",)),
    # "网上卖的东西能追溯来源": the plan's 质量安全追溯
    ("追溯来源", ("追溯",)),
    ("查来源", ("追溯",)),
)


@dataclass
class Lexicon:
    """The plan's terms (for ``repair``) and every word its text uses (for ``unknown_words``)."""

    terms: frozenset[str]
    plan_words: frozenset[str]
    plan_text: str = ""  # every text of the plan, folded, joined: a word it contains is the plan's
    common: frozenset[str] = frozenset()  # two-character words the plan uses often, and the grammar's
    _masked: dict[str, list[str]] = field(default_factory=dict, repr=False)
    _longest: int = 2
    _sounded: dict[tuple[str, ...], list[str]] | None = field(default=None, repr=False)
    # The texts a reading is answered from, folded: the timeline (phases, the plan's period) and
    # each unit's items (the indicators and tasks that list it, the leading group's posts in it).
    phase_text: str = ""
    step_text: str = ""  # the phases' names and texts and the plan's period only, folded
    title_text: str = ""  # the indicators' and tasks' titles, folded
    people: dict[str, int | None] = field(default_factory=dict)  # the leading group's names → their unit
    unit_text: dict[int, str] = field(default_factory=dict)
    # the 数据或资料来源 the indicators name, each with the shorter forms officers use ("国家网络交易
    # 监管平台" → 网络交易监管平台): a source named in a question is that column asked about
    sources: dict[str, str] = field(default_factory=dict)

    @classmethod
    def build(cls, terms: Iterable[str], plan_text: Iterable[str]) -> Lexicon:
        """The lexicon of ``terms`` (units' names, titles, the grammar's words) over ``plan_text``."""
        folded = {fold(t).strip() for t in terms}
        folded = {t for t in folded if 2 <= len(t) <= 12 and not re.search(r"[\s\d]", t)}
        add_words(folded)
        words: set[str] = set(folded)
        texts = [fold(t) for t in plan_text if t]
        for text in texts:
            words.update(words_of(text))
        masked: dict[str, list[str]] = defaultdict(list)
        for t in folded:
            for i in range(len(t)):
                masked[t[:i] + "\0" + t[i + 1:]].append(t)
        joined = "\n".join(texts)
        # every dictionary word of two characters the plan writes, counted as written (not as
        # segmented: segmentation shifts with the words other campaigns add to the dictionary)
        counts = Counter(pair for text in texts for pair in (text[i:i + 2] for i in range(len(text) - 1))
                         if _HAN.fullmatch(pair) and is_word(pair))
        common = {w for w, n in counts.items() if n >= 3} | set(GRAMMAR_TERMS)
        for w in common:  # "电商", "监管": a typo of one is repaired like a typo of a unit's name
            if len(w) == 2:
                for i in range(2):
                    masked[w[:i] + "\0" + w[i + 1:]].append(w)
        return cls(frozenset(folded | common), frozenset(words), joined + "\n" + "\n".join(sorted(folded)),
                   frozenset(common), dict(masked), max(map(len, folded), default=2))

    @functools.cached_property
    def item_text(self) -> str:
        """The indicators' and tasks' texts, folded: what a topic is answered from (the plan's
        goals may use a word, "直播带货", that no item does)."""
        return self.title_text + "\n" + "\n".join(self.unit_text.values())

    def plain(self, text: str) -> str:
        """``text`` with each everyday word the plan does not use (``EVERYDAY_WORDS``) read as the
        plan's word for it, when the plan's items use one: topics by what they mean."""
        for word, meant in EVERYDAY_WORDS:
            if word in text and word not in self.item_text:
                if (plan_word := next((m for m in meant if m in self.item_text), None)) is not None:
                    text = text.replace(word, plan_word)
        return text

    def repair(self, text: str) -> str:
        """``text`` with each homophone typo of a plan term replaced by the term (see the module),
        and a homophone of the counter after an item's number ("第36像" is 第36项)."""
        text = _COUNTER_TYPO.sub(_counter, text)
        text = _HOW_MANY_TYPO.sub(r"\1个", text)
        text = _LAST_ASK.sub(_ask_word, text)
        folded = fold(text)
        if len(folded) != len(text):  # a form NFKC changes the length of: compare as typed only
            return text
        spans = _occurrences(folded, self.terms, self._longest)
        out = list(text)
        for size in range(min(self._longest, len(folded)), 1, -1):
            for start in range(len(folded) - size + 1):
                end = start + size
                # a window may extend a term it contains ("工信" in "工信句"), never cut one
                if any(s < end and start < e and not (start <= s and e <= end) for s, e in spans):
                    continue
                if any(start <= s and e <= end and e - s == size for s, e in spans):
                    continue  # the window is a term as typed
                term = self._neighbour(folded[start:end], folded[max(0, start - 1):start], folded[end:end + 1])
                if term is not None:
                    out[start:end] = list(term)
                    spans.append((start, end))
        return "".join(out)

    def sound_alike(self, word: str) -> str | None:
        """The one plan term ``word`` may be a typo of — same length, one character read alike —
        with none of ``repair``'s caution about where a typo may sit ("和格" may be 合格): asked only
        before saying the document does not speak of ``word``, never to rewrite a question at large."""
        word = fold(word)
        if not _HAN.fullmatch(word) or len(word) < 2:
            return None
        found = {term for i in range(len(word)) for term in self._masked.get(word[:i] + "\0" + word[i + 1:], ())
                 if term != word and _sound(term[i]) & _sound(word[i])}
        return found.pop() if len(found) == 1 else None

    def plan_word_alike(self, window: str, at: int) -> str | None:
        """The one word of the plan's text that ``window`` becomes when its character ``at`` is
        replaced by one read alike ("初甚" → 初审, a word too rare to be a term): asked only before
        saying the document does not speak of a character jieba left alone."""
        window = fold(window)
        if not _HAN.fullmatch(window) or not 0 <= at < len(window):
            return None
        found = {w for w in self.plan_words if len(w) == len(window) and w != window
                 and w[:at] == window[:at] and w[at + 1:] == window[at + 1:] and _sound(w[at]) & _sound(window[at])}
        return found.pop() if len(found) == 1 else None

    def _neighbour(self, window: str, before: str = "", after: str = "") -> str | None:
        if not _HAN.fullmatch(window) or is_word(window) or (before and is_word(before + window)):
            return None  # "百分之": a word with the character before it is no typo of 分值
        found, rank = None, 2
        for i in range(len(window)):
            for term in self._masked.get(window[:i] + "\0" + window[i + 1:], ()):
                if term != window and self._may_replace(window, i, before, (window[i + 1:] or after)[:1]) and \
                        _sound(term[i]) & _sound(window[i]):
                    if len(term) == 2 and term not in self.common:  # two characters: only common ones
                        continue
                    # two characters are too few to trust a fuzzy or rare reading: "号能" is not 效能
                    # (号 is rarely xiao), "条讲" is not 条件 (jiang is not jian); "指表" is 指标
                    if len(term) == 2 and _usual(window[i]) != _usual(term[i]):
                        continue
                    # a term the typed character's usual reading gives beats one only a rarer reading
                    # gives: 租 is zu (and rarely ju), so "租长" is 组长, not 局长
                    r = 0 if _reading(window[i]) == _reading(term[i]) else 1
                    if found is not None and found != term and r == rank:
                        return None  # two terms sound alike: do not guess
                    if r < rank:
                        found, rank = term, r
        if found is None and len(window) >= 3 and window[-1] in self._ends:
            alike = self._by_reading().get(tuple(_reading(c) for c in window), [])
            if len(alike) == 1 and all(a == b or self._may_replace(window, i, before)
                                       for i, (a, b) in enumerate(zip(window, alike[0], strict=True))):
                found = alike[0]
        return found

    @functools.cached_property
    def _ends(self) -> frozenset[str]:
        """The last characters of the names a whole reading may find (同济局 ends as 统计局 does):
        a window ending otherwise is not looked up, and needs no pinyin."""
        return frozenset(t[-1] for t in self.terms if len(t) >= 3)

    def _by_reading(self) -> dict[tuple[str, ...], list[str]]:
        """Each name of three characters or more filed under its whole reading: "同济局" (tong ji ju)
        is 统计局 although two of its characters differ. Built on the first window that needs it, so
        a question with no typo never loads pypinyin's tables (a one-off ``ask`` stays quick)."""
        if self._sounded is None:
            sounded: dict[tuple[str, ...], list[str]] = defaultdict(list)
            for t in self.terms:
                if len(t) >= 3 and _HAN.fullmatch(t) and t not in self.common:
                    sounded[tuple(_reading(c) for c in t)].append(t)
            self._sounded = dict(sounded)
        return self._sounded

    def _may_replace(self, window: str, i: int, before: str = "", after: str = "") -> bool:
        """Whether ``window[i]`` may be a typo (``before``: the character typed before the window).
        A function character never is; a name ending (局, 县) only where it ends the window after one
        of the plan's common words ("合格县" is 合格线, while "管理局有" stays); a particle (的, 地) only
        as the second of two characters whose first makes no word with what precedes it ("快地这块"
        is 快递, "很快地" stays); a measure word after a number or a demonstrative stays ("这个县")."""
        char = window[i]
        if char in _COUNTED_BY and after in _MEASURES:
            return False  # a number before its measure word: "交一次" is no 交易
        if char in _ENDINGS:
            return i == len(window) - 1 and window[:-1] in self.common
        if char in _PARTICLES:
            return len(window) == 2 and i == 1 and not (before and is_word(before + window[0]))
        if char in _MEASURES and (window[:i] or before)[-1:] in _COUNTED_BY:
            return False
        return char not in _FUNCTION_CHARS

    def unknown_words(self, text: str, known: str = "", *, topic: bool = False, within: str | None = None) -> list[str]:
        """The content words of ``text`` that neither the plan nor ``known`` (the grammar's own
        phrases, joined) contains, question words and particles aside.

        For a search the officer asked for (``topic``: "直播带货相关指标") empty as well when it also
        names something only the plan does (直播 is the plan's): then the plan's part is searched.
        ``within``: the text of the one part of the plan the question was matched to (the timeline,
        a unit's items), which must hold each word of two characters or more, not the plan at large."""
        unknown, specific = [], False
        words = words_of(text)
        for i, w in enumerate(words):
            core = "" if is_function_word(w) else _core(w)
            if within is not None:
                after = words[i + 1] if i + 1 < len(words) else ""
                if len(core) > 1 and len(after) == 1 and _core(after) == after and not _tag_is_verb(after):
                    core += after  # "评估" + "组": the compound is what is asked about, not 评估
                if len(core) > 1 and core not in within and w not in within and core not in known:
                    unknown.append(core)
                continue
            if core and (kept := _core(w, keep=True)) != core and (kept in self.plan_words or self._parts_known(kept)):
                core = kept  # "人员培训": the plan's words, once 人 is not taken for a counter
            if not core or w in self.plan_words or core in self.plan_words or core in self.plan_text:
                specific = specific or bool(core and core not in known and len(core) > 1)
                continue
            if core in known:
                continue
            if self._parts_known(core):  # "媒体报道": the plan writes 媒体 and 报道 (媒体宣传报道)
                specific = True
                continue
            if len(core) == 2 and core[1] in _RESULTS and _tag_is_verb(core[0]):
                continue  # "考到多少分", "做完": a verb and its result say how it is asked, not what about
            unknown.append(w)
        return [] if specific and topic else unknown

    def _parts_known(self, core: str) -> bool:
        """Whether a compound of four characters or more is made wholly of words the plan writes
        (jieba's search mode names the words inside it): the plan says it in other order or with
        a word between, and the question is about what the plan says."""
        if len(core) < 4:
            return False
        covered = [False] * len(core)
        for part in search_words_of(core):
            if part != core and len(part) > 1 and (part in self.plan_words or part in self.plan_text):
                at = core.find(part)
                covered[at:at + len(part)] = [True] * len(part)
        return all(covered)

    def only_steps(self, text: str, known: str = "") -> bool:
        """Whether every content word of ``text`` (``known``, the grammar's phrases, aside) is the
        timeline's own ("评估初审向哪个部门提": 评估, 初审 and 部门 are all phase 4's words), and one
        of them no indicator or task title uses: a question the phases answer, though it names none."""
        cores = [c for w in words_of(text) if len(c := _core(w)) > 1 and c not in known]
        return (bool(self.step_text) and all(c in self.step_text for c in cores)
                and any(c not in self.title_text for c in cores))  # one word is the timeline's alone


def _tag_is_verb(char: str) -> bool:
    """"阶段" + "定": a verb after a noun is what is done to it, not a compound ("评估" + "组" is)."""
    return tag_of(char).startswith("v")


def _core(word: str, *, keep: bool = False) -> str:
    """``word`` without the particles and counters jieba glued to it ("项加" → 加, "第三阶段" → 阶段);
    ``keep``: a first character that also starts words stays ("人员培训", not 员培训)."""
    if _LATIN.fullmatch(word):  # "word", "pdf": a Latin word is content too (the plan writes 5G, ODR)
        return "" if word in _STOP else word
    if word in _STOP or not _HAN.search(word) or _COUNTER.fullmatch(word):
        return ""
    while len(word) > 1 and (word[0] in _GLUE or word[:2] in _STOP) and not (
            keep and word[0] in _GLUE_WORDLIKE and is_word(word[:2]) and word[:2] not in _STOP):
        word = word[2:] if word[:2] in _STOP and len(word) > 2 else word[1:]
    while len(word) > 1 and (word[-1] in _GLUE or word[-2:] in _STOP):
        word = word[:-2] if word[-2:] in _STOP and len(word) > 2 else word[:-1]
    if len(word) > 2 and word.endswith(_INSIDE):  # "分工表里": 里 says where, 分工表 is asked about
        word = word[:-2] if word.endswith(_INSIDE[1:]) else word[:-1]
    elif len(word) == 2 and word[1] == "里":  # "分工表里" cut 分工/表里: 表 is the word
        word = word[0]
    return "" if word in _STOP else word


_INSIDE = ("里", "里头", "里面")
_RESULTS = frozenset("到完好成")


_GLUE = frozenset("第几多少两一二三四五六七八九十个位项条家名人种次类块号分才算是哪咋啥吗呢的了都也还就要归由")
# Glue that also starts words: "人员培训", "分工表", "就业", "要求" keep their first character.
_GLUE_WORDLIKE = frozenset("家名人种类号分就要")


# Characters too common as words of their own to be taken for a typo ("是统计局" is not 市统计局), and
# the endings of bodies' names and the question words, typed right far more often than not
# ("管理局有" is not 管理具有, "分几块" is not 分级块).
_PARTICLES = frozenset("的得地")
_MEASURES = frozenset("个位项条家名种次遍回趟份")
_COUNTED_BY = frozenset("这那哪每某一两几多三四五六七八九十0123456789")
_ENDINGS = frozenset("局委办部市县区厅")
_FUNCTION_CHARS = frozenset("是在再有又和或与就也都要么吗呢吧啊了着过把被给让从向几多少哪谁啥什怎") | _PARTICLES | _ENDINGS
_LATIN = re.compile(r"[a-z]{2,}")
# "第36像", "第12好": a homophone of the counter after an item's number (项 xiang, 号 hao)
# "有几各", "多少各": 各 (ge) after a how-many word is the measure 个, never "each"
_HOW_MANY_TYPO = re.compile(r"(几|多少)各(?!自)")
_COUNTER_TYPO = re.compile(r"(第\s*(?:\d{1,3}|[零〇一二两三四五六七八九十百]{1,4})\s*)([\u4e00-\u9fff])")


# the question's last character, before closing punctuation: where 啥 (sha) is typed as 撒 or 沙
_LAST_ASK = re.compile(r"([\u4e00-\u9fff])([\u4e00-\u9fff])(?=[\s？?。！!，,~～…]*$)")


def _ask_word(m: re.Match[str]) -> str:
    """"要干撒": a last character read like 啥 that makes no word with the one before is 啥."""
    before, char = m.group(1), m.group(2)
    if char == "啥" or is_word(before + char) or not _sound(char) & _sound("啥"):
        return m.group(0)
    return before + "啥"


def _counter(m: re.Match[str]) -> str:
    char = m.group(2)
    if char in "项号条个位名家次类块部":
        return m.group(0)
    for counter in "项号":
        if _sound(char) & _sound(counter):
            return m.group(1) + counter
    return m.group(0)
_HAN = re.compile(r"[\u4e00-\u9fff]+")
_COUNTER = re.compile(r"[第几多少两一二三四五六七八九十]+[个位项条家名人种次类块部分号]?")


def _occurrences(text: str, terms: frozenset[str], longest: int) -> list[tuple[int, int]]:
    spans = []
    for size in range(min(longest, len(text)), 1, -1):
        for start in range(len(text) - size + 1):
            if text[start:start + size] in terms:
                spans.append((start, start + size))
    return spans


def warm() -> None:
    """Load pypinyin's tables (0.4–0.7 s) now: the bot calls this at start, so an officer's first
    typo does not pay for it; a one-off ``liaison-bot ask`` pays only if its question needs them.
    cn2an too (imported on the first Chinese numeral, "第十二项")."""
    from knowledge.numbers import read_number

    _sound("中")
    read_number("十二")


@functools.lru_cache(maxsize=8192)
def _sound(char: str) -> frozenset[str]:
    """Every toneless reading of ``char``, with the initials and finals often merged folded."""
    from pypinyin import Style, pinyin

    readings = pinyin(char, style=Style.NORMAL, heteronym=True)[0]
    return frozenset(_fuzzy(r) for r in readings)


@functools.lru_cache(maxsize=8192)
def _reading(char: str) -> str:
    """The usual toneless reading of ``char``, folded like ``_sound``'s."""
    from pypinyin import Style, pinyin

    return _fuzzy(pinyin(char, style=Style.NORMAL)[0][0])


@functools.lru_cache(maxsize=8192)
def _usual(char: str) -> str:
    """The usual toneless reading of ``char`` as pypinyin gives it, unfolded."""
    from pypinyin import Style, pinyin

    return pinyin(char, style=Style.NORMAL)[0][0]


def same_sound(a: str, b: str) -> bool:
    """Whether two characters share a (toneless, fuzzily folded) reading: a pinyin typo of each other."""
    return bool(_sound(a) & _sound(b))


def _fuzzy(reading: str) -> str:
    reading = re.sub(r"^([zcs])h", r"\1", reading)
    reading = re.sub(r"^l", "n", reading)
    return re.sub(r"ng$", "n", reading)


_CACHE: dict[tuple, Lexicon] = {}


def for_campaign(session: Session, campaign: Campaign, directory: _Names) -> Lexicon:
    """The lexicon of ``campaign`` as loaded: rebuilt when its data hash changes, and when the
    office renames or rewrites the phases (``phases set``), which are not in the file's hash."""
    phases = tuple(session.exec(select(Phase.name, Phase.text, Phase.period_as_written)
                                .where(Phase.campaign_id == campaign.id).order_by(Phase.no)))
    key = (campaign.id or 0, campaign.data_hash, phases)
    if (lex := _CACHE.get(key)) is None:
        if len(_CACHE) >= 32:  # timelines set over and over in one process: keep the newest
            _CACHE.pop(next(iter(_CACHE)))
        lex = _CACHE[key] = Lexicon.build(_terms(session, campaign, directory), _plan_text(session, campaign))
        lex.phase_text, lex.title_text, lex.unit_text = _item_texts(session, campaign)
        lex.step_text = fold("\n".join([campaign.goal_period or "", *(f"{name}\n{text}" for name, text, _ in phases)]))
        lex.people = {m.name: m.unit_id for m in session.exec(select(LeadingGroupMember).where(
            LeadingGroupMember.campaign_id == campaign.id)) if len(m.name or "") >= 2}
        lex.sources = _source_forms(session, campaign)
    return lex


def _source_forms(session: Session, campaign: Campaign) -> dict[str, str]:
    """Every form of each indicator source (as written, without 国家/全国/省/市 before it or
    平台/官网/网站/系统 after it) → the source as written; longest forms first."""
    forms: dict[str, str] = {}
    for sources in session.exec(select(Indicator.sources).where(Indicator.campaign_id == campaign.id)):
        for src in map(str, sources or []):
            src = fold(src).strip()
            short = re.sub(r"^(国家|全国|省|市)", "", src)
            for form in (src, short, re.sub(r"(平台|官网|网站|系统)$", "", src),
                         re.sub(r"(平台|官网|网站|系统)$", "", short)):
                if len(form) >= 4 and form not in forms:
                    forms[form] = src
    return dict(sorted(forms.items(), key=lambda kv: -len(kv[0])))


def _item_texts(session: Session, campaign: Campaign) -> tuple[str, str, dict[int, str]]:
    """The timeline's text (with the titles), the titles alone, and each unit's text: what a "when"
    or a "what does this unit do" question is answered from (``knowledge.ask.coverage``)."""
    # the phases, the plan's period, and the titles a date may be asked of ("就业贡献度什么时候交")
    phases = [campaign.goal_period or ""]
    for p in session.exec(select(Phase).where(Phase.campaign_id == campaign.id)):
        phases += [p.name, p.text, p.period_as_written]
    titles = [*session.exec(select(Indicator.title).where(Indicator.campaign_id == campaign.id)),
              *session.exec(select(Task.title).where(Task.campaign_id == campaign.id))]
    phases += titles
    units: dict[int, list[str]] = defaultdict(list)
    rows = session.exec(select(IndicatorUnit.unit_id, Indicator).join(Indicator)
                        .where(Indicator.campaign_id == campaign.id))
    for unit_id, ind in rows:
        units[unit_id] += [ind.title, ind.rule]
    for unit_id, task in session.exec(select(TaskUnit.unit_id, Task).join(Task).where(Task.campaign_id == campaign.id)):
        units[unit_id] += [task.title, task.text]
    for m in session.exec(select(LeadingGroupMember).where(LeadingGroupMember.campaign_id == campaign.id)):
        if m.unit_id is not None:
            units[m.unit_id] += [m.role, m.title]
    return fold("\n".join(phases)), fold("\n".join(titles)), {u: fold("\n".join(t)) for u, t in units.items()}


def _terms(session: Session, campaign: Campaign, directory: _Names) -> list[str]:
    terms = list(GRAMMAR_TERMS)
    terms += [form for form in directory.forms if len(directory.forms[form]) == 1]
    terms += [u.name for u in directory.units.values()]
    terms += list(session.exec(select(UnitName.text).where(UnitName.campaign_id == campaign.id)))
    titles = list(session.exec(select(Indicator.title).where(Indicator.campaign_id == campaign.id)))
    titles += list(session.exec(select(Task.title).where(Task.campaign_id == campaign.id)))
    terms += titles + [w for t in titles for w in words_of(t) if len(w) >= 3]
    terms += [i.level1 for i in session.exec(select(Indicator).where(Indicator.campaign_id == campaign.id))]
    terms += [i.level2 for i in session.exec(select(Indicator).where(Indicator.campaign_id == campaign.id))]
    terms += [re.sub(r"[。.]?\s*$", "", t) for t in terms if t.endswith(("。", "."))]
    return terms


def _plan_text(session: Session, campaign: Campaign) -> list[str]:
    out: list[str] = [campaign.city, campaign.title, campaign.notice_title or ""]
    out += _strings(campaign.extra or {})
    for ind in session.exec(select(Indicator).where(Indicator.campaign_id == campaign.id)):
        out += [ind.title, ind.rule, ind.level1, ind.level2, ind.nature, *map(str, ind.methods), *map(str, ind.sources)]
        out += list(session.exec(select(IndicatorItem.text).where(IndicatorItem.indicator_id == ind.id)))
    for task in session.exec(select(Task).where(Task.campaign_id == campaign.id)):
        out += [task.section, task.title, task.text, task.units_text]
    for m in session.exec(select(LeadingGroupMember).where(LeadingGroupMember.campaign_id == campaign.id)):
        out += [m.role, m.name, m.title, m.unit_as_written, m.note]
    for p in session.exec(select(Phase).where(Phase.campaign_id == campaign.id)):
        out += [p.name, p.text, p.period_as_written]
    # the national system's titles: "快递业务" is a topic of the national table, not outside it
    out += list(session.exec(select(NationalIndicator.title)))
    return out


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _strings(v)]
    return []
