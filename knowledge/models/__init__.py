"""sqlmodel tables, in small families: reference data from the documents, and people/chats."""

from knowledge.models.audit import AuditLog
from knowledge.models.conversation import ConversationState
from knowledge.models.delivery import InboxUpdate, OutboxMessage
from knowledge.models.evidence import Evidence, EvidenceFile, Figure, SubmitDraft
from knowledge.models.people import Chat, Officer
from knowledge.models.reference import (
    Campaign,
    Correction,
    Indicator,
    IndicatorItem,
    IndicatorUnit,
    LeadingGroupMember,
    NationalIndicator,
    Phase,
    Task,
    TaskUnit,
    Unit,
    UnitMember,
    UnitName,
)
from knowledge.models.schedule import CampaignState, IndicatorDue, ReminderAck, ReminderLog

__all__ = [
    "AuditLog",
    "Evidence",
    "EvidenceFile",
    "Figure",
    "Campaign",
    "CampaignState",
    "ConversationState",
    "Chat",
    "Correction",
    "Indicator",
    "IndicatorItem",
    "IndicatorDue",
    "IndicatorUnit",
    "InboxUpdate",
    "LeadingGroupMember",
    "NationalIndicator",
    "Officer",
    "OutboxMessage",
    "Phase",
    "ReminderAck",
    "ReminderLog",
    "SubmitDraft",
    "Task",
    "TaskUnit",
    "Unit",
    "UnitMember",
    "UnitName",
]
