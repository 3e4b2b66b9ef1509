"""What the fake provider checks in a send, mirroring the Cloud API's documented limits and
error codes, and how it builds the client's side of a conversation."""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")
MEDIA_LIMITS = {
    "image/jpeg": 5, "image/png": 5, "image/webp": 0.5,
    "audio/aac": 16, "audio/mp4": 16, "audio/mpeg": 16, "audio/amr": 16, "audio/ogg": 16,
    "video/mp4": 16, "video/3gpp": 16,
}  # fmt: skip
INVALID = (400, 131009, "Parameter value is not valid")


def wa_id_of(digits: str) -> str:
    """WhatsApp id of a number. Brazilian mobiles registered outside area codes 11-28 keep the
    legacy 8-digit form (55 DD 8765-4321), as commonly seen on the real platform."""
    if len(digits) == 13 and digits.startswith("55") and digits[4] == "9" and int(digits[2:4]) > 28:
        return digits[:4] + digits[5:]
    return digits


def media_problem(mime: str, size: int) -> str:
    base = mime.split(";")[0].strip().lower()
    limit_mb = MEDIA_LIMITS.get(base, 100 if base else 0)
    if not base:
        return "missing MIME type"
    if size > limit_mb * 1024 * 1024:
        return f"file too large for {base} ({size} bytes)"
    return ""


def _invalid(details: str) -> tuple:
    return (*INVALID, details)


def _check_interactive(inter: dict) -> tuple | None:
    body = (inter.get("body") or {}).get("text", "")
    if not body or len(body) > 1024:
        return _invalid("interactive body text is required and must be at most 1024 characters")
    if len((inter.get("footer") or {}).get("text", "")) > 60:
        return _invalid("footer text must be at most 60 characters")
    header = inter.get("header") or {}
    if header.get("type") == "text" and len(header.get("text", "")) > 60:
        return _invalid("header text must be at most 60 characters")
    action = inter.get("action") or {}
    if inter.get("type") == "button":
        buttons = action.get("buttons") or []
        if not 1 <= len(buttons) <= 3:
            return _invalid("buttons: between 1 and 3 reply buttons are required")
        titles = [(b.get("reply") or {}).get("title", "") for b in buttons]
        ids = [(b.get("reply") or {}).get("id", "") for b in buttons]
        if any(not t or len(t) > 20 for t in titles) or len(set(titles)) != len(titles):
            return _invalid("button titles must be unique and 1-20 characters")
        if any(not i or len(i) > 256 for i in ids) or len(set(ids)) != len(ids):
            return _invalid("button ids must be unique and 1-256 characters")
        return None
    if inter.get("type") == "list":
        if not 1 <= len(action.get("button", "")) <= 20:
            return _invalid("list button label must be 1-20 characters")
        sections = action.get("sections") or []
        rows = [r for s in sections for r in s.get("rows") or []]
        if not 1 <= len(sections) <= 10 or not 1 <= len(rows) <= 10:
            return _invalid("lists take 1-10 sections and 1-10 rows in total")
        if any(len(s.get("title", "")) > 24 for s in sections):
            return _invalid("section titles must be at most 24 characters")
        for row in rows:
            if (
                not row.get("id")
                or len(row["id"]) > 200
                or not row.get("title")
                or len(row["title"]) > 24
            ):
                return _invalid("row ids must be 1-200 and titles 1-24 characters")
            if len(row.get("description", "")) > 72:
                return _invalid("row descriptions must be at most 72 characters")
        if len({r["id"] for r in rows}) != len(rows):
            return _invalid("row ids must be unique")
        return None
    return _invalid(f"unsupported interactive type {inter.get('type')}")


def _component(template: dict, kind: str) -> dict | None:
    return next(
        (c for c in template.get("components", []) if str(c.get("type", "")).upper() == kind), None
    )


def _check_template(sent: dict, templates: list[dict]) -> tuple | None:
    name = sent.get("name", "")
    language = (sent.get("language") or {}).get("code", "")
    template = next((t for t in templates if t["name"] == name and t["language"] == language), None)
    if template is None or template.get("status", "APPROVED") != "APPROVED":
        return (404, 132001, "Template name does not exist in the translation",
                f"template name ({name}) does not exist in {language}")  # fmt: skip
    given = {c.get("type"): c for c in sent.get("components") or [] if c.get("type") != "button"}
    for kind in ("header", "body"):
        spec = _component(template, kind.upper())
        expected = PLACEHOLDER.findall((spec or {}).get("text", "")) if spec else []
        if spec and str(spec.get("format", "TEXT")).upper() != "TEXT":
            expected = ["media"]
        params = (given.get(kind) or {}).get("parameters") or []
        if len(params) != len(dict.fromkeys(expected)):
            return (400, 132000, "Number of parameters does not match the expected number of params",
                    f"{kind}: number of localizable_params ({len(params)}) does not match the expected number of params ({len(dict.fromkeys(expected))})")  # fmt: skip
        named = expected and not expected[0].isdigit() and expected != ["media"]
        for param in params:
            text = param.get("text", "")
            if param.get("type") == "text" and ("\n" in text or "\t" in text or "     " in text):
                return (400, 132018, "There was an issue with the parameters in your template.",
                        "Param text cannot have new-line/tab characters or more than 4 consecutive spaces")  # fmt: skip
            if named and param.get("parameter_name") not in expected:
                return (400, 132012, "Parameter format does not match format in the created template",
                        f"unknown parameter_name {param.get('parameter_name')!r}")  # fmt: skip
    return None


def validate_message(payload: dict, *, templates: list[dict], media: dict) -> tuple | None:
    """(http status, code, message, details) of the first problem, or None."""
    kind = payload.get("type", "text")
    if kind == "text":
        body = (payload.get("text") or {}).get("body", "")
        if not body or len(body) > 4096:
            return _invalid("text body is required and must be at most 4096 characters")
        return None
    if kind == "interactive":
        return _check_interactive(payload.get("interactive") or {})
    if kind == "template":
        return _check_template(payload.get("template") or {}, templates)
    if kind in ("image", "audio", "video", "document", "sticker"):
        obj = payload.get(kind) or {}
        if not obj.get("link") and obj.get("id") not in media:
            return _invalid("media id not found; upload the media first")
        if len(obj.get("caption", "")) > 1024:
            return _invalid("caption must be at most 1024 characters")
        return None
    return (400, 131051, "Unsupported message type", f"type {kind} is not supported")


def validate_zenvia(channel: str, payload: dict) -> str:
    contents = payload.get("contents") or []
    if not payload.get("to") or not contents:
        return "to and contents are required"
    for content in contents:
        if content.get("type") == "text":
            limit = 1520 if channel == "sms" else 4096
            if not content.get("text") or len(content["text"]) > limit:
                return f"text must be 1-{limit} characters"
        elif content.get("type") == "template":
            if not content.get("templateId"):
                return "templateId is required"
        elif channel == "sms":
            return f"content type {content.get('type')} is not supported on sms"
    return ""


def inbound_body(spec: dict, provider: Any) -> tuple[str, dict]:
    """The type and body of a client's message from a simulator spec."""
    kind = spec.get("type", "text")
    if kind == "text":
        return "text", {"text": {"body": str(spec.get("text", ""))}}
    if kind in ("button_reply", "list_reply"):
        reply = {"id": str(spec.get("id", "")), "title": str(spec.get("title", ""))}
        if kind == "list_reply" and spec.get("description"):
            reply["description"] = str(spec["description"])
        return "interactive", {"interactive": {"type": kind, kind: reply}}
    if kind == "button":
        return "button", {
            "button": {"text": str(spec.get("title", "")), "payload": str(spec.get("id", ""))}
        }
    if kind == "location":
        loc = {k: spec[k] for k in ("latitude", "longitude", "name", "address") if k in spec}
        return "location", {"location": loc}
    if kind == "reaction":
        return "reaction", {
            "reaction": {"message_id": spec.get("message_id", ""), "emoji": spec.get("emoji", "")}
        }
    if kind in ("image", "audio", "video", "document", "sticker"):
        content = base64.b64decode(spec.get("content_base64", ""))
        mime = str(spec.get("mime_type", "application/octet-stream"))
        media_id = provider.add_media(content, mime)
        obj = {"id": media_id, "mime_type": mime, "sha256": hashlib.sha256(content).hexdigest()}
        if spec.get("caption") and kind in ("image", "video", "document"):
            obj["caption"] = str(spec["caption"])
        if kind == "document":
            obj["filename"] = str(spec.get("filename", "documento"))
        if kind == "audio":
            obj["voice"] = True
        return kind, {kind: obj}
    return "unsupported", {
        "errors": [
            {
                "code": 131051,
                "title": "Message type unknown",
                "message": "Message type unknown",
                "error_data": {"details": "Message type is currently not supported."},
            }
        ]
    }
