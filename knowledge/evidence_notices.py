"""Who is told what about a submission and its review, as outbox rows (``knowledge.outbox``).

The rules, in one place for every face: a submission gets a receipt in the chat it came from
(quoting the file in a group) and a review card in each office chat; a review gets a
confirmation where it was made and a notice to the submitter — privately, else in the
campaign's liaison groups, else a note asking the office to pass it on. The rows are committed
with the submission or the review, so none of this can be forgotten once it happened.
"""

from __future__ import annotations

from sqlmodel import Session

from knowledge import chats as bindings
from knowledge.evidence import EvidenceView
from knowledge.identity import TELEGRAM
from knowledge.messages import Action, ActionKind, Actions, Message
from knowledge.outbox import Address, Outgoing, where


def review_actions(evidence_id: int) -> Actions:
    """The review card's three buttons."""
    return [[Action("通过(满分)", ActionKind.REVIEW, (evidence_id, "a")),
             Action("通过(部分分)", ActionKind.REVIEW, (evidence_id, "p")),
             Action("退回", ActionKind.REVIEW, (evidence_id, "r"))]]


def receipt(view: EvidenceView) -> Message:
    return Message("receipt", {"e": view})


def card(view: EvidenceView) -> Message:
    return Message("review_card", {"e": view}, actions=review_actions(view.id))


def office_targets(session: Session, campaign_id: int, configured: int | None = None) -> list[Address]:
    """The campaign's office chats (each with its channel), and the deployment's configured
    office chat (a Telegram one) if it is not one of them."""
    chats = [(c.channel, c.chat_id) for c in bindings.office_chats(session=session, campaign_id=campaign_id)]
    mine = (TELEGRAM, configured)
    return chats + [mine] if configured and mine not in chats else chats


def submission_rows(session: Session, view: EvidenceView, chat_id: int | str, reply_to: int | None, private: bool,
                    configured_office: int | None = None, channel: str = TELEGRAM) -> list[Outgoing]:
    """The officer's receipt (in the chat on ``channel`` it came from) and a review card per office
    chat, on that chat's channel."""
    first = Outgoing(f"receipt:{view.id}", chat_id, receipt(view), private=private,
                     reply_to=None if private else reply_to, campaign_id=view.campaign_id, channel=channel)
    return [first] + [Outgoing(f"card:{view.id}:{where(on, chat)}", chat, card(view), campaign_id=view.campaign_id,
                               channel=on)
                      for on, chat in office_targets(session, view.campaign_id, configured_office)]


def outcome_rows(session: Session, done: EvidenceView, office_chat: int | str, reply_to: int | None,
                 reviewer: str, channel: str = TELEGRAM) -> list[Outgoing]:
    """The confirmation where it was reviewed (``office_chat`` on ``channel``), and the submitter's
    notice (on the submitter's channel) with its fallbacks (the liaison groups, each on its own)."""
    eid, cid = done.id, done.campaign_id
    confirm = Outgoing(f"outcome:{eid}:office", office_chat, Message("review_done", {"e": done, "reviewer": reviewer}),
                       reply_to=reply_to, campaign_id=cid, channel=channel)
    nobody = [Outgoing(f"outcome:{eid}:undelivered", office_chat, Message("review_undelivered", {"e": done}),
                       campaign_id=cid, channel=channel)]
    in_group = Message("review_notice_group", {"e": done, "user_id": done.submitter_user_id,
                                               "channel": done.submitter_channel, "officer": done.officer_name})
    groups = [Outgoing(f"outcome:{eid}:group:{where(c.channel, c.chat_id)}", c.chat_id, in_group, campaign_id=cid,
                       fallback=nobody, channel=c.channel)
              for c in bindings.liaison_chats(session=session, campaign_id=cid)] or nobody
    if not done.submitter_user_id:
        return [confirm, *groups]
    notice = Outgoing(f"outcome:{eid}:private", done.submitter_user_id, Message("review_notice", {"e": done}),
                      private=True, campaign_id=cid, fallback=groups, channel=done.submitter_channel)
    return [confirm, notice]
