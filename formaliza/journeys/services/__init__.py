"""Writes of the journeys app, grouped by concern; import them from here.

lifecycle: journey_start, journey_link_resend, journey_link_renew, journey_link_request,
           journey_expire, journey_cancel_closed, journeys_sweep
steps:     journey_open, journey_welcome_confirm, journey_terms_accept,
           journey_conditions_confirm, journey_issue_report, journey_sign
reading:   journey_contracts_shown, journey_contract_reading_record, journey_contracts_accept
captures:  journey_capture_submit, journey_capture_open
face_match: face_match_request (from captures), journey_face_match_run, journey_face_match_review,
           journey_face_match_image_open, face_match_policy_save
issues:    journey_issue_resolve, journey_help_request
messages:  journey_notification_send
seal_request: journey_seal_request, journey_sealed_notify, journey_seal_failure_report
content:   journey_content_install_defaults, journey_terms_current, journey_terms_publish,
           contract_template_for, contract_template_save
"""

from formaliza.journeys.services.captures import (
    CaptureOutcome,
    OpenedCapture,
    journey_capture_open,
    journey_capture_submit,
)
from formaliza.journeys.services.content import (
    contract_template_for,
    contract_template_save,
    journey_content_install_defaults,
    journey_terms_current,
    journey_terms_publish,
)
from formaliza.journeys.services.face_match import (
    OpenedFaceImage,
    face_match_policy_save,
    journey_face_match_image_open,
    journey_face_match_review,
    journey_face_match_run,
)
from formaliza.journeys.services.issues import journey_help_request, journey_issue_resolve
from formaliza.journeys.services.lifecycle import (
    JourneyStarted,
    LinkRenewed,
    SweepResult,
    journey_cancel_closed,
    journey_expire,
    journey_link_renew,
    journey_link_request,
    journey_link_resend,
    journey_start,
    journeys_sweep,
)
from formaliza.journeys.services.messages import journey_notification_send
from formaliza.journeys.services.reading import (
    journey_contract_reading_record,
    journey_contracts_accept,
    journey_contracts_shown,
)
from formaliza.journeys.services.rendering import journey_contracts_render
from formaliza.journeys.services.seal_request import (
    journey_seal_failure_report,
    journey_seal_request,
    journey_sealed_notify,
)
from formaliza.journeys.services.steps import (
    journey_conditions_confirm,
    journey_issue_report,
    journey_open,
    journey_sign,
    journey_terms_accept,
    journey_welcome_confirm,
)

__all__ = [
    "CaptureOutcome",
    "JourneyStarted",
    "LinkRenewed",
    "OpenedCapture",
    "OpenedFaceImage",
    "SweepResult",
    "contract_template_for",
    "contract_template_save",
    "face_match_policy_save",
    "journey_cancel_closed",
    "journey_capture_open",
    "journey_capture_submit",
    "journey_conditions_confirm",
    "journey_content_install_defaults",
    "journey_contract_reading_record",
    "journey_contracts_accept",
    "journey_contracts_render",
    "journey_contracts_shown",
    "journey_expire",
    "journey_face_match_image_open",
    "journey_face_match_review",
    "journey_face_match_run",
    "journey_help_request",
    "journey_issue_report",
    "journey_issue_resolve",
    "journey_link_renew",
    "journey_link_request",
    "journey_link_resend",
    "journey_notification_send",
    "journey_open",
    "journey_seal_failure_report",
    "journey_seal_request",
    "journey_sealed_notify",
    "journey_sign",
    "journey_start",
    "journey_terms_accept",
    "journey_terms_current",
    "journey_terms_publish",
    "journey_welcome_confirm",
    "journeys_sweep",
]
