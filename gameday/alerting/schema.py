"""The keys Alertmanager 0.25 accepts, section by section, with their value types.

Alertmanager unmarshals its configuration strictly (``yaml.UnmarshalStrict``): any key
not listed here is an error. A spec is a mapping ``key -> type``; a type is a name
understood by :mod:`gameday.alerting.checks`, a nested spec (a mapping), or
``("list", spec, on_null)`` for a list of mappings, where ``on_null`` says what a
``null`` entry means: ``"error"`` (Alertmanager crashes or refuses it: pointer
entries it dereferences while loading), ``"drop"`` (ignored), ``"zero"`` (an empty
mapping) or ``"keep"`` (``None`` is passed on). HTTP client settings are those of
``prometheus/common`` 0.38, the version Alertmanager 0.25 was built with.
"""

from __future__ import annotations

from typing import Any

Spec = dict[str, Any]

TLS: Spec = {
    "ca_file": "str",
    "cert_file": "str",
    "key_file": "str",
    "server_name": "str",
    "insecure_skip_verify": "bool",
    "min_version": "tlsversion",
    "max_version": "tlsversion",
}
HTTP: Spec = {
    "basic_auth": {"username": "str", "password": "str", "password_file": "str"},
    "authorization": {"type": "str", "credentials": "str", "credentials_file": "str"},
    "oauth2": {
        "client_id": "str",
        "client_secret": "str",
        "client_secret_file": "str",
        "scopes": "strlist",
        "token_url": "str",
        "endpoint_params": "strmap",
        "proxy_url": "anyurl",
        "tls_config": TLS,
    },
    "bearer_token": "str",
    "bearer_token_file": "str",
    "proxy_url": "anyurl",
    "tls_config": TLS,
    "follow_redirects": "bool",
    "enable_http2": "bool",
}
SIGV4: Spec = {
    "region": "str",
    "access_key": "str",
    "secret_key": "str",
    "profile": "str",
    "role_arn": "str",
}

GLOBAL: Spec = {
    "resolve_timeout": "duration",
    "http_config": HTTP,
    "smtp_from": "str",
    "smtp_hello": "str",
    "smtp_smarthost": "hostport",
    "smtp_auth_username": "str",
    "smtp_auth_password": "str",
    "smtp_auth_password_file": "str",
    "smtp_auth_secret": "str",
    "smtp_auth_identity": "str",
    "smtp_require_tls": "bool",
    "slack_api_url": "secreturl",
    "slack_api_url_file": "str",
    "pagerduty_url": "url",
    "opsgenie_api_url": "url",
    "opsgenie_api_key": "str",
    "opsgenie_api_key_file": "str",
    "wechat_api_url": "url",
    "wechat_api_secret": "str",
    "wechat_api_corp_id": "str",
    "victorops_api_url": "url",
    "victorops_api_key": "str",
    "victorops_api_key_file": "str",
    "telegram_api_url": "url",
    "webex_api_url": "url",
}

_N: Spec = {"send_resolved": "bool", "http_config": HTTP}  # every HTTP notifier has these

INTEGRATIONS: dict[str, Spec] = {
    "discord_configs": {**_N, "webhook_url": "secreturl", "title": "str", "message": "str"},
    "email_configs": {
        "send_resolved": "bool",
        "to": "str",
        "from": "str",
        "hello": "str",
        "smarthost": "hostport",
        "auth_username": "str",
        "auth_password": "str",
        "auth_password_file": "str",
        "auth_secret": "str",
        "auth_identity": "str",
        "headers": "strmap",
        "html": "str",
        "text": "str",
        "require_tls": "bool",
        "tls_config": TLS,
    },
    "pagerduty_configs": {
        **_N,
        "service_key": "str",
        "service_key_file": "str",
        "routing_key": "str",
        "routing_key_file": "str",
        "url": "url",
        "client": "str",
        "client_url": "str",
        "description": "str",
        "details": "strmap",
        "images": ("list", {"src": "str", "alt": "str", "href": "str"}, "drop"),
        "links": ("list", {"href": "str", "text": "str"}, "drop"),
        "source": "str",
        "severity": "str",
        "class": "str",
        "component": "str",
        "group": "str",
    },
    "slack_configs": {
        **_N,
        "api_url": "secreturl",
        "api_url_file": "str",
        "channel": "str",
        "username": "str",
        "color": "str",
        "title": "str",
        "title_link": "str",
        "pretext": "str",
        "text": "str",
        "fields": ("list", {"title": "str", "value": "str", "short": "bool"}, "drop"),
        "short_fields": "bool",
        "footer": "str",
        "fallback": "str",
        "callback_id": "str",
        "icon_emoji": "str",
        "icon_url": "str",
        "image_url": "str",
        "thumb_url": "str",
        "link_names": "bool",
        "mrkdwn_in": "strlist",
        "actions": (
            "list",
            {
                "type": "str",
                "text": "str",
                "url": "str",
                "style": "str",
                "name": "str",
                "value": "str",
                "confirm": {"text": "str", "title": "str", "ok_text": "str", "dismiss_text": "str"},
            },
            "drop",
        ),
    },
    "webhook_configs": {**_N, "url": "url", "max_alerts": "uint"},
    "opsgenie_configs": {
        **_N,
        "api_key": "str",
        "api_key_file": "str",
        "api_url": "url",
        "message": "str",
        "description": "str",
        "source": "str",
        "details": "strmap",
        "entity": "str",
        "responders": (
            "list",
            {"id": "str", "name": "str", "username": "str", "type": "str"},
            "zero",
        ),
        "actions": "str",
        "tags": "str",
        "note": "str",
        "priority": "str",
        "update_alerts": "bool",
    },
    "wechat_configs": {
        **_N,
        "api_secret": "str",
        "corp_id": "str",
        "message": "str",
        "api_url": "url",
        "to_user": "str",
        "to_party": "str",
        "to_tag": "str",
        "agent_id": "str",
        "message_type": "str",
    },
    "pushover_configs": {
        **_N,
        "user_key": "str",
        "token": "str",
        "title": "str",
        "message": "str",
        "url": "str",
        "url_title": "str",
        "sound": "str",
        "priority": "str",
        "retry": "godur",
        "expire": "godur",
        "html": "bool",
    },
    "victorops_configs": {
        **_N,
        "api_key": "str",
        "api_key_file": "str",
        "api_url": "url",
        "routing_key": "str",
        "message_type": "str",
        "state_message": "str",
        "entity_display_name": "str",
        "monitoring_tool": "str",
        "custom_fields": "strmap",
    },
    "sns_configs": {
        **_N,
        "api_url": "str",
        "sigv4": SIGV4,
        "topic_arn": "str",
        "phone_number": "str",
        "target_arn": "str",
        "subject": "str",
        "message": "str",
        "attributes": "strmap",
    },
    "telegram_configs": {
        **_N,
        "api_url": "url",
        "bot_token": "str",
        "chat_id": "int",
        "message": "str",
        "disable_notifications": "bool",
        "parse_mode": "str",
    },
    "webex_configs": {**_N, "api_url": "url", "message": "str", "room_id": "str"},
}

RECEIVER: Spec = {"name": "str", **{k: ("list", v, "error") for k, v in INTEGRATIONS.items()}}

TIME_RANGE: Spec = {"start_time": "str", "end_time": "str"}
TIME_INTERVAL: Spec = {
    "times": ("list", TIME_RANGE, "keep"),
    "weekdays": "nullablelist",
    "days_of_month": "nullablelist",
    "months": "nullablelist",
    "years": "nullablelist",
    "location": "str",
}
NAMED_INTERVAL: Spec = {"name": "str", "time_intervals": ("list", TIME_INTERVAL, "zero")}

ROUTE: Spec = {
    "receiver": "str",
    "group_by": "strlist",
    "match": "strmap",
    "match_re": "strmap",
    "matchers": "strlist",
    "mute_time_intervals": "strlist",
    "active_time_intervals": "strlist",
    "continue": "bool",
    "routes": "routes",
    "group_wait": "duration",
    "group_interval": "duration",
    "repeat_interval": "duration",
}

INHIBIT_RULE: Spec = {
    "source_match": "strmap",
    "source_match_re": "strmap",
    "source_matchers": "strlist",
    "target_match": "strmap",
    "target_match_re": "strmap",
    "target_matchers": "strlist",
    "equal": "nullablelist",
}

CONFIG: Spec = {
    "global": GLOBAL,
    "route": ROUTE,
    "inhibit_rules": ("list", INHIBIT_RULE, "drop"),  # amtool accepts; the server would crash
    "receivers": ("list", RECEIVER, "error"),
    "templates": "strlist",
    "mute_time_intervals": ("list", NAMED_INTERVAL, "drop"),
    "time_intervals": ("list", NAMED_INTERVAL, "drop"),
}

# Keys from later Alertmanager versions, to explain why 0.25 refuses them.
LATER_KEYS = {
    "msteams_configs": "Alertmanager 0.26",
    "msteamsv2_configs": "Alertmanager 0.28",
    "jira_configs": "Alertmanager 0.28",
    "rocketchat_configs": "Alertmanager 0.28",
    "incidentio_configs": "Alertmanager 0.29",
    "proxy_from_environment": "prometheus/common 0.39 (Alertmanager 0.26)",
    "no_proxy": "prometheus/common 0.39 (Alertmanager 0.26)",
    "proxy_connect_header": "prometheus/common 0.39 (Alertmanager 0.26)",
}
