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
from knowledge.messages import Action, ActionKind, Actions, Message
from knowledge.outbox import Outgoing


def review_actions(evidence_id: int) -> Actions:
    """The review card's three buttons."""
    return [[Action("通过(满分)", ActionKind.REVIEW, (evidence_id, "a")),
             Action("通过(部分分)", ActionKind.REVIEW, (evidence_id, "p")),
             Action("退回", ActionKind.REVIEW, (evidence_id, "r"))]]


def receipt(view: EvidenceView) -> Message:
    return Message("receipt", {"e": view})


def card(view: EvidenceView) -> Message:
    return Message("review_card", {"e": view}, actions=review_actions(view.id))


def office_targets(session: Session, campaign_id: int, configured: int | None = None) -> list[int]:
    """The campaign's office chats, and the deployment's configured office chat if it is not one."""
    chats = [c.chat_id for c in bindings.office_chats(session=session, campaign_id=campaign_id)]
    return chats + [configured] if configured and configured not in chats else chats


def submission_rows(session: Session, view: EvidenceView, chat_id: int, reply_to: int | None, private: bool,
                    configured_office: int | None = None) -> list[Outgoing]:
    """The officer's receipt and a review card per office chat."""
    first = Outgoing(f"receipt:{view.id}", chat_id, receipt(view), private=private,
                     reply_to=None if private else reply_to, campaign_id=view.campaign_id)
    return [first] + [Outgoing(f"card:{view.id}:{chat}", chat, card(view), campaign_id=view.campaign_id)
                      for chat in office_targets(session, view.campaign_id, configured_office)]


def outcome_rows(session: Session, done: EvidenceView, office_chat: int, reply_to: int | None,
                 reviewer: str) -> list[Outgoing]:
    """The confirmation where it was reviewed, and the submitter's notice with its fallbacks."""
    eid, cid = done.id, done.campaign_id
    confirm = Outgoing(f"outcome:{eid}:office", office_chat, Message("review_done", {"e": done, "reviewer": reviewer}),
                       reply_to=reply_to, campaign_id=cid)
    nobody = [Outgoing(f"outcome:{eid}:undelivered", office_chat, Message("review_undelivered", {"e": done}),
                       campaign_id=cid)]
    in_group = Message("review_notice_group", {"e": done, "user_id": done.submitter_user_id,
                                               "officer": done.officer_name})
    groups = [Outgoing(f"outcome:{eid}:group:{c.chat_id}", c.chat_id, in_group, campaign_id=cid, fallback=nobody)
              for c in bindings.liaison_chats(session=session, campaign_id=cid)] or nobody
    if not done.submitter_user_id:
        return [confirm, *groups]
    notice = Outgoing(f"outcome:{eid}:private", done.submitter_user_id, Message("review_notice", {"e": done}),
                      private=True, campaign_id=cid, fallback=groups)
    return [confirm, notice]
