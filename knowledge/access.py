"""Who may do what, and where: one table, read top to bottom, enforced in one place.

Every way in is a ``Route`` — each command, each button kind, files sent as evidence, and the
free-text question intents that reveal more than the document (another unit's submissions).
Each route has one ``Rule``: who may use it (a ``Need``) and whether it is confined to private
chats or to groups. ``decide(route, role, chat)`` turns that into the cell of the table: ``""``
(allowed) or the name of the template that tells the person why not.

The defaults, and why:
- What the documents say (indicators, units, tasks, phases) is ``MEMBER``: anyone in a bound
  group may ask, because the group itself was admitted by the office; in private only
  registered officers, so a stranger is told how to register and a pending one that the office
  has not decided yet. The ``m:`` buttons (查看全部成员, 完整时间表, 指标体系) show the rest of a
  reply to such a question (leading group, phases, overview), so they are ``ASK`` as well:
  whoever may ask the question may see the whole answer.
- Doing something for a unit (submitting evidence, entering figures) is ``OFFICER``: an active
  officer with a unit, anywhere the campaign is known.
- Changing the campaign or seeing every unit's work is ``OFFICE``: active office officers of
  that campaign, and the admins from the settings (who are office everywhere).
- ``ANYONE`` routes ask nothing: registering, help.
- ``ACTIVE`` routes need an active officer row (a unit or not) or the office: entering figures,
  withdrawing one's own submission (the domain checks it is one's own) — a revoked officer's
  old commands and buttons stop working.
- Another unit's submissions (``OWE_OTHER``) are the office's, unless the campaign publishes
  its league table to officers (``publish_status: true`` in its YAML; ``publishes_status``).
- A button is judged in the campaign it names, with the presser's *current* role; ``setup:``
  also in the chat's own campaign (``ALSO_HERE``): only a chat's own office rebinds it.
- An unbound group has no campaign, so nothing but registration hints and /setup works there;
  the refusal says how to bind it (``group_unbound``).

This module speaks plain values; the face classifies the update into a ``Role`` and a
``ChatKind`` and renders the refusal.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    """Who is asking, in the campaign at hand."""

    STRANGER = "stranger"  # no officer row in this campaign
    PENDING = "pending"  # registered, not yet approved
    REVOKED = "revoked"  # revoked or rejected
    LIAISON = "liaison"  # active officer of a unit
    OFFICE = "office"  # active officer with the office role
    ADMIN = "admin"  # ADMIN_USER_IDS: office in every campaign


class ChatKind(StrEnum):
    """Where it is asked."""

    PRIVATE = "private"
    LIAISON_GROUP = "liaison_group"  # a group bound to a campaign as its liaison group
    OFFICE_CHAT = "office_chat"  # a group bound as the office's chat
    UNBOUND_GROUP = "unbound_group"  # a group no one has bound yet


class Need(StrEnum):
    """The least a role must be for a route."""

    ANYONE = "anyone"
    MEMBER = "member"  # in private: an active officer (or office); in a bound group: anyone
    OFFICER = "officer"  # an active officer with a unit (office staff included when they have one)
    ACTIVE = "active"  # an active officer, with or without a unit, or the office (figures for any unit)
    OFFICE = "office"


class Route(StrEnum):
    """Every way in. Commands by name, buttons by their ``ActionKind`` prefix, then the rest."""

    START = "start"
    HELP = "help"
    ASK = "ask"  # /my /unit /ind /find /phase, the open buttons i: u: t: m:, and free-text questions
    OWE = "owe"  # /status, "我们还差什么": one's own unit
    OWE_OTHER = "owe_other"  # /status 发改委, "发改委还差什么": another unit's submissions
    SCORE = "score"
    SUBMIT = "submit"  # /submit and its sb: buttons
    FILE = "file"  # a document or photo captioned "#12 …"
    WITHDRAW = "withdraw"
    FIGURE = "figure"
    REMINDERS = "reminders"
    MUTE = "mute"
    ACK = "ack"
    REGISTER = "register"  # the reg: buttons and a typed unit name
    SETUP = "setup"  # /setup in a group
    SETUP_BUTTON = "setup_button"  # setup:<campaign>:l|o
    APPROVE = "approve"  # apv: buttons
    REVIEW = "review"  # /review: what waits, in this chat's campaign
    REVIEW_BUTTON = "review_button"  # rv: buttons and replies to a points/reason prompt (the evidence's campaign)
    BIND = "bind"
    REVOKE = "revoke"
    PHASE_ADMIN = "phase_admin"  # /phase set|shift
    DUE = "due"
    PAUSE = "pause"  # /pause and /resume
    ACKS = "acks"
    DIGEST = "digest"
    EXPORT = "export"


@dataclass(frozen=True)
class Rule:
    """One line of the table: who (``need``), and in which chats (``only``)."""

    need: Need
    only: str = ""  # "private" or "group": the other kind is told where to go instead
    unbound: str = "group_unbound"  # the refusal in an unbound group ("" when allowed there)
    published: Need | None = None  # the need instead when the campaign publishes status (``publish_status``)


ALLOWED = ""

TABLE: dict[Route, Rule] = {
    Route.START:         Rule(Need.ANYONE, only="private", unbound=ALLOWED),
    Route.HELP:          Rule(Need.ANYONE),
    Route.ASK:           Rule(Need.MEMBER),
    Route.OWE:           Rule(Need.MEMBER),
    Route.OWE_OTHER:     Rule(Need.OFFICE, published=Need.MEMBER),
    Route.SCORE:         Rule(Need.MEMBER),
    Route.SUBMIT:        Rule(Need.OFFICER),
    Route.FILE:          Rule(Need.OFFICER),
    Route.WITHDRAW:      Rule(Need.ACTIVE),
    Route.FIGURE:        Rule(Need.ACTIVE),
    Route.REMINDERS:     Rule(Need.OFFICER),
    Route.MUTE:          Rule(Need.OFFICER),
    Route.ACK:           Rule(Need.OFFICER),
    Route.REGISTER:      Rule(Need.ANYONE, unbound=ALLOWED),
    Route.SETUP:         Rule(Need.OFFICE, only="group", unbound=ALLOWED),
    Route.SETUP_BUTTON:  Rule(Need.OFFICE, only="group", unbound=ALLOWED),
    Route.APPROVE:       Rule(Need.OFFICE, unbound=ALLOWED),
    Route.REVIEW:        Rule(Need.OFFICE),
    Route.REVIEW_BUTTON: Rule(Need.OFFICE, unbound=ALLOWED),
    Route.BIND:          Rule(Need.OFFICE),
    Route.REVOKE:        Rule(Need.OFFICE),
    Route.PHASE_ADMIN:   Rule(Need.OFFICE),
    Route.DUE:           Rule(Need.OFFICE),
    Route.PAUSE:         Rule(Need.OFFICE),
    Route.ACKS:          Rule(Need.OFFICE),
    Route.DIGEST:        Rule(Need.OFFICE),
    Route.EXPORT:        Rule(Need.OFFICE),
}

# Every bot command, with the route it enters; /help lists those its reader may use here
# (``commands_for``), so it cannot fall behind the table. "status 单位" and "phase set" are the
# same commands with an argument that changes their route.
COMMANDS: dict[str, Route] = {
    "my": Route.ASK, "unit": Route.ASK, "ind": Route.ASK, "find": Route.ASK, "phase": Route.ASK,
    "status": Route.OWE, "status 单位": Route.OWE_OTHER, "score": Route.SCORE, "submit": Route.SUBMIT,
    "withdraw": Route.WITHDRAW, "figure": Route.FIGURE, "reminders": Route.REMINDERS, "mute": Route.MUTE,
    "start": Route.START, "help": Route.HELP, "setup": Route.SETUP, "review": Route.REVIEW,
    "bind": Route.BIND, "revoke": Route.REVOKE, "phase set": Route.PHASE_ADMIN, "due": Route.DUE,
    "pause": Route.PAUSE, "resume": Route.PAUSE, "acks": Route.ACKS, "digest": Route.DIGEST,
    "export": Route.EXPORT,
}

# Where a route confined to one kind of chat sends the other kind.
ELSEWHERE = {"private": "start_in_private", "group": "setup_in_group"}
# What each need says to a role that falls short, in private (groups differ only for MEMBER).
SHORT = {
    Need.MEMBER: {Role.STRANGER: "need_registration", Role.PENDING: "pending", Role.REVOKED: "need_registration"},
    Need.OFFICER: "submit_need_officer",
    Need.ACTIVE: "submit_need_officer",
    Need.OFFICE: "office_only",
}
OFFICE_ROLES = frozenset({Role.OFFICE, Role.ADMIN})
# Buttons judged in the chat's own campaign as well as in the one they name: rebinding a chat
# bound to campaign X needs the office of X (or an admin), whatever campaign the button names.
ALSO_HERE = frozenset({Route.SETUP_BUTTON})


def publishes_status(extra: dict | None) -> bool:
    """The one reading of a campaign's ``publish_status`` setting (``campaign.extra``, from its YAML):
    True when the office publishes every unit's status (the league table) to its officers."""
    return bool((extra or {}).get("publish_status"))


def role_of(*, status: str | None, role: str | None, admin: bool = False) -> Role:
    """The one office predicate: admins, else an *active* officer row with the office role.

    ``status``/``role`` are the officer row's in the campaign at hand (None: no row).
    """
    if admin:
        return Role.ADMIN
    if status is None:
        return Role.STRANGER
    if status == "pending":
        return Role.PENDING
    if status != "active":
        return Role.REVOKED
    return Role.OFFICE if role == "office" else Role.LIAISON


def decide(route: Route, role: Role, chat: ChatKind, *, has_unit: bool = True, campaign: bool = True,
           published: bool = False) -> str:
    """The cell of the table: ``""`` when allowed, else the template that says why not.

    Whose unit a question is about is already in its route (``question_route``). ``has_unit`` is
    whether the asker has an active officer row naming a unit (``OFFICER`` routes need one);
    ``campaign=False`` says no campaign is loaded at all (private chats only); ``published`` is the
    campaign's ``publish_status`` (a rule's ``published`` need then applies).
    """
    rule = TABLE[route]
    private = chat is ChatKind.PRIVATE
    if rule.only == "private" and not private or rule.only == "group" and private:
        return ELSEWHERE[rule.only]
    if chat is ChatKind.UNBOUND_GROUP and rule.unbound:
        return rule.unbound
    need = rule.published if published and rule.published else rule.need
    if private and not campaign and need is not Need.ANYONE:
        return "no_campaign"
    return _need_met(need, role, private, has_unit)


def commands_for(role: Role, chat: ChatKind, *, has_unit: bool = True, published: bool = False,
                 offered: frozenset[str] | None = None) -> dict[str, list[str]]:
    """The commands ``role`` may use in ``chat``, as /help lists them: everyone's, then the office's;
    ``offered``: the command words a face implements (a face that has not all of them lists only its own)."""
    shown: dict[str, list[str]] = {"commands": [], "office": []}
    for name, route in COMMANDS.items():
        if offered is not None and name.split()[0] not in offered:
            continue
        if decide(route, role, chat, has_unit=has_unit, published=published) == ALLOWED:
            rule = TABLE[route]
            need = rule.published if published and rule.published else rule.need
            shown["office" if need is Need.OFFICE else "commands"].append(name)
    return shown


def _need_met(need: Need, role: Role, private: bool, has_unit: bool) -> str:
    """``""`` when ``role`` meets ``need``; else the refusal."""
    if need is Need.ANYONE:
        return ALLOWED
    if need is Need.MEMBER:
        return ALLOWED if not private or role in (Role.LIAISON, *OFFICE_ROLES) else SHORT[need][role]
    if need is Need.OFFICER:
        return ALLOWED if role in (Role.LIAISON, *OFFICE_ROLES) and has_unit else SHORT[need]
    if need is Need.ACTIVE:
        return ALLOWED if role in (Role.LIAISON, *OFFICE_ROLES) else SHORT[need]
    return ALLOWED if role in OFFICE_ROLES else SHORT[need]


def question_route(*, reads_submissions: bool, other_units: bool) -> Route:
    """The route of a question (command or free text), from what its answer reads.

    Questions about the documents are ``ASK``. A question whose answer reads submissions is
    ``OWE`` when it is about the asker's own unit and ``OWE_OTHER`` (the office's) when it names
    another unit, a name that is no unit, or every unit ("哪些单位还没交材料").
    """
    if not reads_submissions:
        return Route.ASK
    return Route.OWE_OTHER if other_units else Route.OWE
