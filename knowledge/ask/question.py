"""The values of the question path: what was asked (``Question``), who asks (``Asker``), and
what a composer may read (``Scope``).

A command ("/ind 12") and free text ("第12项") become the same ``Question``; everything the
answer needs from the words is read once, by the parser, into its fields, so composers never
look at the raw text again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from sqlmodel import Session

from knowledge.access import Route, question_route
from knowledge.models import Campaign
from knowledge.units import Suggestion, UnitDirectory, UnitRef


class Intent(StrEnum):
    """Every reading the parser may give; ``knowledge.ask.dispatch.COMPOSERS`` has a composer for each."""

    HELP = "help"
    THANKS = "thanks"
    MY_UNIT = "my_unit"
    UNIT = "unit"
    INDICATOR = "indicator"
    TASK = "task"
    TASK_LIST = "task_list"
    WHO = "who"
    SEARCH = "search"
    PHASE = "phase"
    DETAIL = "detail"
    LEADERS = "leaders"
    OVERVIEW = "overview"
    OWE = "owe"
    NATURE = "nature"
    METHOD = "method"
    SOURCE = "source"
    LEVEL = "level"
    CONTACTS = "contacts"
    SHARED = "shared"
    GOALS = "goals"
    DOCUMENT = "document"
    HOWTO = "howto"
    COUNT = "count"  # "副组长有几位", "住建局的任务有几条": the number first (query: what is counted)
    COMPARE = "compare"  # "商务局和工信局各管几项,有什么不同": each unit's part, and the difference
    NOT_IN_DOCUMENT = "not_in_document"  # "材料要不要纸质版": the plan does not say (query: the words)
    UNKNOWN = "unknown"
    # Readings only a command gives: its argument is taken as written.
    UNIT_LOOKUP = "unit_lookup"  # /unit 发改委
    FIND = "find"  # /find 跨境电商
    STATUS = "status"  # /status [单位]
    USAGE = "usage"  # a command that needs an argument it lacks (query: the template)


# The readings free text may give (the property test checks ``interpret`` stays inside them).
FREE_TEXT_INTENTS = frozenset(Intent) - {Intent.UNIT_LOOKUP, Intent.FIND, Intent.STATUS, Intent.USAGE}
# Answers that read what changes many times a day (submissions, figures, the roster): never kept.
LIVE_INTENTS = frozenset({Intent.OWE, Intent.CONTACTS, Intent.STATUS})


@dataclass
class Question:
    """What was asked: an intent and the things it names."""

    text: str
    intent: Intent = Intent.UNKNOWN
    units: list[UnitRef] = field(default_factory=list)
    unit_suggestions: list[Suggestion] = field(default_factory=list)
    unknown_units: list[str] = field(default_factory=list)  # "商务局和工信局…" where the city has no 商务局
    numbers: list[int] = field(default_factory=list)
    query: str = ""
    wants: str = "both"  # indicators | tasks | both
    section: int | None = None  # the (二) of "(二)1"
    mode: int = 0  # a filter's sense ("哪些指标只用/不需要专家评估"): 1 only, -1 without, 0 any
    topic: str = ""  # "直播带货相关指标" → "直播带货": a search the officer asked for explicitly
    # Words that may name one indicator inside a question about something else ("X什么时候交",
    # "…占比多少能拿满分"): ``titled`` is the text a whole title may stand in, ``rest`` what is
    # left once the question's own words are taken out ("" when nothing indicator-like is left).
    titled: str = ""
    rest: str = ""
    deadline: bool = False  # "截止日期是哪天": a date asked for, not the plan's timeline
    office_first: bool = False  # "领导小组办公室…": the office block first
    asks: bool = False  # the text asks something (a question word), not a stray phrase
    month: int | None = None  # "8月份要做什么": the month a "when" question is asked of

    def route(self, asker: Asker) -> Route:
        """Which line of the access table this question falls under, for this asker: what its
        answer reads decides (another unit's submissions are the office's)."""
        if self.intent not in (Intent.OWE, Intent.STATUS):
            return question_route(reads_submissions=False, other_units=False)
        own = asker.unit.id if asker.unit else None
        unknown = self.intent is Intent.STATUS and bool(self.query) and not self.units  # "/status 气象局"
        # "哪些单位还没交材料"; "还有几项没交" from someone of no unit (the office): the whole campaign
        every = self.intent is Intent.OWE and (self.query == "all" or (self.query == "count" and own is None))
        others = unknown or every or any(u.id != own for u in self.units)
        return question_route(reads_submissions=True, other_units=others)


@dataclass
class Asker:
    """Who asks: their unit (if registered) shapes "我们单位" and "what must my unit do"; their
    role and the kind of chat (``knowledge.access`` values) shape what /help lists."""

    unit: UnitRef | None = None
    role: str = "liaison"
    chat: str = "private"


@dataclass
class Scope:
    """What a composer reads besides the question: the store, the campaign, who asks, and today."""

    session: Session
    campaign: Campaign
    directory: UnitDirectory
    asker: Asker
    today: date
