from editorial.models.audit import AuditChainHead, AuditEntry
from editorial.models.blackouts import Blackout, BlackoutRule, BlackoutScope, PostAlert
from editorial.models.channels import Campaign, Channel, Network
from editorial.models.plans import PlanState, WeeklyPlan
from editorial.models.posts import (
    BY_SCHEDULE,
    Approval,
    ApprovalLevel,
    Category,
    Comment,
    Post,
    PostImage,
    PostState,
    PostVariant,
)
from editorial.models.publishing import (
    Heartbeat,
    Publication,
    PublicationState,
    PublishingPause,
)
from editorial.models.rules import SensitivityRule

__all__ = [
    "BY_SCHEDULE",
    "Approval",
    "ApprovalLevel",
    "AuditChainHead",
    "AuditEntry",
    "Blackout",
    "BlackoutRule",
    "BlackoutScope",
    "Campaign",
    "Category",
    "Channel",
    "Comment",
    "Heartbeat",
    "Network",
    "PlanState",
    "Post",
    "PostAlert",
    "PostImage",
    "PostState",
    "PostVariant",
    "Publication",
    "PublicationState",
    "PublishingPause",
    "SensitivityRule",
    "WeeklyPlan",
]
