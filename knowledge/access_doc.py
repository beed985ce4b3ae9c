"""The access table as markdown, for ``docs/operations.md``: generated from ``knowledge.access``,
so the document and the bot cannot disagree (``tests/test_access_matrix.py`` compares them)."""

from __future__ import annotations

from knowledge.access import ALSO_HERE, TABLE, ChatKind, Role, Route, decide

# What each route is, in the words an operator uses.
WHAT = {
    Route.START: "/start (register)",
    Route.HELP: "/help",
    Route.ASK: "/my /unit /ind /find /phase, questions, the i: u: t: m: buttons",
    Route.OWE: "/status, 我们还差什么 (own unit)",
    Route.OWE_OTHER: "/status 发改委, 发改委还欠哪些材料, 哪些单位还没交材料 (other units)",
    Route.SCORE: "/score",
    Route.SUBMIT: "/submit and its sb: buttons",
    Route.FILE: "a file captioned #12, an album",
    Route.WITHDRAW: "/withdraw (one's own)",
    Route.FIGURE: "/figure",
    Route.REMINDERS: "/reminders",
    Route.MUTE: "/mute",
    Route.ACK: "the 签收 button (ack:)",
    Route.REGISTER: "the reg: buttons, a typed unit name",
    Route.SETUP: "/setup",
    Route.SETUP_BUTTON: "the setup: buttons",
    Route.APPROVE: "the apv: buttons",
    Route.REVIEW: "/review",
    Route.REVIEW_BUTTON: "the rv: buttons, points/reason replies",
    Route.BIND: "/bind (reply)",
    Route.REVOKE: "/revoke (reply)",
    Route.PHASE_ADMIN: "/phase set, /phase shift",
    Route.DUE: "/due",
    Route.PAUSE: "/pause, /resume",
    Route.ACKS: "/acks",
    Route.DIGEST: "/digest",
    Route.EXPORT: "/export",
}
ROLES = (Role.STRANGER, Role.PENDING, Role.REVOKED, Role.LIAISON, Role.OFFICE, Role.ADMIN)
SHORT = {Role.STRANGER: "S", Role.PENDING: "P", Role.REVOKED: "R", Role.LIAISON: "L", Role.OFFICE: "O",
         Role.ADMIN: "A"}
KINDS = (ChatKind.PRIVATE, ChatKind.LIAISON_GROUP, ChatKind.OFFICE_CHAT, ChatKind.UNBOUND_GROUP)
START, END = "<!-- access-table:start -->", "<!-- access-table:end -->"


def cell(route: Route, kind: ChatKind, *, published: bool = False) -> str:
    """The roles allowed in one cell, as letters ("—" when none)."""
    allowed = [SHORT[r] for r in ROLES if decide(route, r, kind, published=published) == ""]
    return " ".join(allowed) or "—"


def markdown() -> str:
    """The whole table, between its markers."""
    lines = [START, "", "| route | what | private | liaison group | office chat | unbound group |",
             "| --- | --- | --- | --- | --- | --- |"]
    for route in TABLE:
        mark = " ¹" if route in ALSO_HERE else ""
        lines.append(f"| `{route.value}`{mark} | {WHAT[route]} | " + " | ".join(cell(route, k) for k in KINDS) + " |")
        if TABLE[route].published:
            lines.append(f"| `{route.value}` with `publish_status` | the same, when the campaign publishes it | "
                         + " | ".join(cell(route, k, published=True) for k in KINDS) + " |")
    lines += ["", "S stranger · P pending · R revoked or rejected · L active liaison officer · O office · "
              "A admin (`ADMIN_USER_IDS`). ¹ also needs the office of the campaign the chat is bound to now.",
              "", END]
    return "\n".join(lines)


def section(text: str) -> str:
    """The table as it stands in a document (between the markers), or "" when it has none."""
    if START not in text or END not in text:
        return ""
    return text[text.index(START):text.index(END) + len(END)]
