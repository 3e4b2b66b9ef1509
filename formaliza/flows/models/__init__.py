"""What the flows keep: flows with their versions and runs (flows.py), the answers interaction
cards collect (interaction.py) and what the system cards keep (system.py)."""

from formaliza.flows.models.flows import BusinessPeriod, Flow, FlowRun, FlowRunEvent, FlowVersion
from formaliza.flows.models.interaction import SurveyAnswer
from formaliza.flows.models.system import (
    BulkRecipient,
    BulkSend,
    GroupNotice,
    LinkedAccount,
    MetricCount,
    NotifyGroup,
)

__all__ = [
    "BulkRecipient",
    "BulkSend",
    "BusinessPeriod",
    "Flow",
    "FlowRun",
    "FlowRunEvent",
    "FlowVersion",
    "GroupNotice",
    "LinkedAccount",
    "MetricCount",
    "NotifyGroup",
    "SurveyAnswer",
]
