"""Receivers and their integrations, checked as Alertmanager 0.25's ``config`` package does.

Each ``<type>_configs`` entry becomes an :class:`Integration` that keeps its type, its
settings (with the ``global`` defaults filled in, as Alertmanager fills them) and whether
it sends resolved notifications (Alertmanager's per-type default unless set).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from gameday.alerting.schema import INTEGRATIONS

# send_resolved defaults per integration (Alertmanager's Default<Type>Config).
SEND_RESOLVED_DEFAULT = {
    "discord": True,
    "email": False,
    "pagerduty": True,
    "slack": False,
    "webhook": True,
    "opsgenie": True,
    "wechat": False,
    "pushover": True,
    "victorops": True,
    "sns": True,
    "telegram": True,
    "webex": True,
}

Fail = Callable[[tuple[Any, ...], str], None]

_OPSGENIE_TYPES = {"team", "teams", "user", "escalation", "schedule"}
_VICTOROPS_RESERVED = (
    "routing_key",
    "message_type",
    "state_message",
    "entity_display_name",
    "monitoring_tool",
    "entity_id",
    "entity_state",
)
_DEFAULT_URLS = {
    "pagerduty_url": "https://events.pagerduty.com/v2/enqueue",
    "opsgenie_api_url": "https://api.opsgenie.com/",
    "wechat_api_url": "https://qyapi.weixin.qq.com/cgi-bin/",
    "victorops_api_url": "https://alert.victorops.com/integrations/generic/20131114/alert/",
    "telegram_api_url": "https://api.telegram.org",
    "webex_api_url": "https://webexapis.com/v1/messages",
}


@dataclass(frozen=True)
class Integration:
    """One notifier of a receiver: ``type`` is e.g. ``"webhook"`` or ``"pagerduty"``."""

    type: str
    settings: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    send_resolved: bool = True
    index: int = 0


@dataclass(frozen=True)
class Receiver:
    """A named receiver with its integrations (possibly none, which sends nothing)."""

    name: str
    integrations: tuple[Integration, ...] = ()


def global_defaults(g: dict[str, Any]) -> dict[str, Any]:
    """The ``global`` section with Alertmanager's defaults for keys not set."""
    out = {"resolve_timeout": 300.0, "smtp_hello": "localhost", "smtp_require_tls": True}
    out.update(_DEFAULT_URLS)
    out.update({k: v for k, v in g.items() if v is not None or k not in _DEFAULT_URLS})
    return out


def check_http(h: dict[str, Any] | None, loc: tuple[Any, ...], fail: Fail) -> None:
    """``HTTPClientConfig.Validate`` of prometheus/common 0.38."""
    if not h:
        return
    bearer = bool(h.get("bearer_token")) or bool(h.get("bearer_token_file"))
    basic, oauth, auth = h.get("basic_auth"), h.get("oauth2"), h.get("authorization")
    if h.get("bearer_token") and h.get("bearer_token_file"):
        fail(loc, "at most one of bearer_token & bearer_token_file must be configured")
    if (basic is not None or oauth is not None) and bearer:
        fail(
            loc,
            "at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be "
            "configured",
        )
    if basic and basic.get("password") and basic.get("password_file"):
        fail(
            (*loc, "basic_auth"),
            "at most one of basic_auth password & password_file must be configured",
        )
    if auth is not None:
        if bearer:
            fail(loc, "authorization is not compatible with bearer_token & bearer_token_file")
        if auth.get("credentials") and auth.get("credentials_file"):
            fail(
                (*loc, "authorization"),
                "at most one of authorization credentials & credentials_file must be configured",
            )
        if str(auth.get("type", "")).lower() == "basic":
            fail(
                (*loc, "authorization"),
                'authorization type cannot be set to "basic", use "basic_auth" instead',
            )
        if basic is not None or oauth is not None:
            fail(loc, "at most one of basic_auth, oauth2 & authorization must be configured")
    if oauth is not None:
        if basic is not None:
            fail(loc, "at most one of basic_auth, oauth2 & authorization must be configured")
        if not oauth.get("client_id"):
            fail((*loc, "oauth2"), "oauth2 client_id must be configured")
        if not oauth.get("client_secret") and not oauth.get("client_secret_file"):
            fail(
                (*loc, "oauth2"),
                "either oauth2 client_secret or client_secret_file must be configured",
            )
        if not oauth.get("token_url"):
            fail((*loc, "oauth2"), "oauth2 token_url must be configured")
        if oauth.get("client_secret") and oauth.get("client_secret_file"):
            fail(
                (*loc, "oauth2"),
                "at most one of oauth2 client_secret & client_secret_file must be configured",
            )


def _either(c: dict[str, Any], key: str) -> bool:
    return bool(c.get(key) or c.get(key + "_file"))


def _both(c: dict[str, Any], a: str, b: str, loc: tuple[Any, ...], fail: Fail) -> None:
    if c.get(a) and c.get(b):
        fail(loc, f"at most one of {a} & {b} must be configured")


def check_integration(
    kind: str, c: dict[str, Any], g: dict[str, Any], loc: tuple[Any, ...], fail: Fail
) -> dict[str, Any]:
    """Check one ``<kind>_configs`` entry; return its settings with globals filled in."""
    c = dict(c)
    check_http(c.get("http_config"), (*loc, "http_config"), fail)
    if kind == "email":
        if not c.get("to"):
            fail(loc, "missing to address in email config")
        seen: set[str] = set()
        for h in c.get("headers", {}):
            canon = "-".join(p[:1].upper() + p[1:].lower() for p in h.split("-"))
            if canon in seen:
                fail((*loc, "headers", h), f'duplicate header "{canon}" in email config')
            seen.add(canon)
        for key, gkey, msg in (
            ("smarthost", "smtp_smarthost", "no global SMTP smarthost set"),
            ("from", "smtp_from", "no global SMTP from set"),
        ):
            if not c.get(key):
                if not g.get(gkey):
                    fail(loc, msg)
                c[key] = g.get(gkey, "")
        for key in ("hello", "auth_username", "auth_secret", "auth_identity"):
            c.setdefault(key, g.get("smtp_" + key, ""))
        c.setdefault("require_tls", g.get("smtp_require_tls", True))
    elif kind == "slack":
        _both(c, "api_url", "api_url_file", loc, fail)
        if not c.get("api_url") and not c.get("api_url_file"):
            if not g.get("slack_api_url") and not g.get("slack_api_url_file"):
                fail(loc, "no global Slack API URL set either inline or in a file")
            c["api_url"] = g.get("slack_api_url")
        for i, f in enumerate(c.get("fields", [])):
            if not f.get("title"):
                fail((*loc, "fields", i), "missing title in Slack field configuration")
            elif not f.get("value"):
                fail((*loc, "fields", i), "missing value in Slack field configuration")
        for i, a in enumerate(c.get("actions", [])):
            if not a.get("type"):
                fail((*loc, "actions", i), "missing type in Slack action configuration")
            elif not a.get("text"):
                fail((*loc, "actions", i), "missing text in Slack action configuration")
            elif not a.get("url") and not a.get("name"):
                fail((*loc, "actions", i), "missing name or url in Slack action configuration")
            elif "confirm" in a and not a["confirm"].get("text"):
                fail(
                    (*loc, "actions", i, "confirm"),
                    "missing text in Slack confirmation configuration",
                )
    elif kind == "pagerduty":
        if not any(
            c.get(k) for k in ("routing_key", "service_key", "routing_key_file", "service_key_file")
        ):
            fail(loc, "missing service or routing key in PagerDuty config")
        _both(c, "routing_key", "routing_key_file", loc, fail)
        _both(c, "service_key", "service_key_file", loc, fail)
        c.setdefault("url", g.get("pagerduty_url"))
    elif kind == "opsgenie":
        _both(c, "api_key", "api_key_file", loc, fail)
        for i, r in enumerate(c.get("responders", [])):
            where = (*loc, "responders", i)
            if not (r.get("id") or r.get("username") or r.get("name")):
                fail(
                    where,
                    "opsGenieConfig responder has to have at least one of id, username or name "
                    "specified",
                )
            rtype = r.get("type", "")
            if "{{" not in rtype and rtype.lower() not in _OPSGENIE_TYPES:
                fail(
                    where,
                    "opsGenieConfig responder type does not match valid options "
                    "^(team|teams|user|escalation|schedule)$",
                )
        c.setdefault("api_url", g.get("opsgenie_api_url"))
        if not _either(c, "api_key") and not _either(g, "opsgenie_api_key"):
            fail(loc, "no global OpsGenie API Key set either inline or in a file")
    elif kind == "wechat":
        mtype = c.setdefault("message_type", "text") or "text"
        if mtype not in ("text", "markdown"):
            fail(
                (*loc, "message_type"),
                f'weChat message type "{mtype}" does not match valid options ^(text|markdown)$',
            )
        c.setdefault("api_url", g.get("wechat_api_url"))
        for key, gkey, msg in (
            ("api_secret", "wechat_api_secret", "no global Wechat ApiSecret set"),
            ("corp_id", "wechat_api_corp_id", "no global Wechat CorpID set"),
        ):
            if not c.get(key):
                if not g.get(gkey):
                    fail(loc, msg)
                c[key] = g.get(gkey, "")
    elif kind == "victorops":
        if not c.get("routing_key"):
            fail(loc, "missing Routing key in VictorOps config")
        _both(c, "api_key", "api_key_file", loc, fail)
        for name in _VICTOROPS_RESERVED:
            if name in c.get("custom_fields", {}):
                fail(
                    (*loc, "custom_fields", name),
                    f"victorOps config contains custom field {name} "
                    "which cannot be used as it conflicts with the fixed/static fields",
                )
        c.setdefault("api_url", g.get("victorops_api_url"))
        if not _either(c, "api_key") and not _either(g, "victorops_api_key"):
            fail(loc, "no global VictorOps API Key set")
    elif kind == "pushover":
        if not c.get("user_key"):
            fail(loc, "missing user key in Pushover config")
        elif not c.get("token"):
            fail(loc, "missing token in Pushover config")
    elif kind == "sns":
        t, p, a = (not c.get(k) for k in ("topic_arn", "phone_number", "target_arn"))
        if (a != t) != p:
            fail(loc, "must provide either a Target ARN, Topic ARN, or Phone Number for SNS config")
    elif kind == "telegram":
        if not c.get("bot_token"):
            fail(loc, "missing bot_token on telegram_config")
        elif not c.get("chat_id"):
            fail(loc, "missing chat_id on telegram_config")
        elif c.get("parse_mode", "HTML") not in ("", "Markdown", "MarkdownV2", "HTML"):
            fail(
                (*loc, "parse_mode"),
                "unknown parse_mode on telegram_config, must be Markdown, "
                "MarkdownV2, HTML or empty string",
            )
        c.setdefault("api_url", g.get("telegram_api_url"))
    elif kind == "discord":
        if not c.get("webhook_url"):
            fail(loc, "no discord webhook URL provided")
    elif kind == "webex":
        if not c.get("room_id"):
            fail(loc, "missing room_id on webex_config")
        elif not (c.get("http_config") or {}).get("authorization"):
            fail(loc, "missing webex_configs.http_config.authorization")
        c.setdefault("api_url", g.get("webex_api_url"))
    elif kind == "webhook" and not c.get("url"):
        fail(loc, "missing URL in webhook config")
    return c


def build_receiver(
    data: dict[str, Any], g: dict[str, Any], loc: tuple[Any, ...], fail: Fail
) -> Receiver:
    """Check one receiver and build it with its integrations in Alertmanager's order."""
    if not data.get("name"):
        fail(loc, "missing name in receiver")
    integrations: list[Integration] = []
    for key in INTEGRATIONS:
        kind = key[: -len("_configs")]
        for i, entry in enumerate(data.get(key, [])):
            settings = check_integration(kind, entry, g, (*loc, key, i), fail)
            resolved = settings.get("send_resolved", SEND_RESOLVED_DEFAULT[kind])
            integrations.append(Integration(kind, settings, bool(resolved), i))
    return Receiver(str(data.get("name", "")), tuple(integrations))
