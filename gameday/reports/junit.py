"""JUnit XML for CI: one test suite per run, one test case per scoring dimension.

A dimension that kept less than half of its points is a ``<failure>`` whose message is
its first piece of evidence and whose text is all of it; every case's ``<system-out>``
holds the target, what happened and the points. The document follows the JUnit schema
Jenkins, GitLab and GitHub reporters read (``<testsuites>`` around one ``<testsuite>``).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from typing import Any

from gameday.textsafe import visible_data


def _timestamp(result: dict[str, Any]) -> str:
    when = result.get("generated_at") or result["scenario"]["start_time"]
    moment = datetime.fromisoformat(when)
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def _case_text(dim: dict[str, Any], card: dict[str, Any]) -> str:
    lines = [
        f"Target: {dim['target']}",
        f"What happened: {dim['happened']}",
        f"Points: {dim['points']:.1f} / {dim['max_points']:.1f}",
    ]
    lines += [f"- {e}" for e in dim["evidence"]]
    if dim["key"] == "injects":  # every inject's answer, the met ones too
        lines += [f"* {a['sentence']}" for a in card.get("injects") or []]
    return "\n".join(lines) + "\n"


def render_junit(result: dict[str, Any]) -> str:
    """The JUnit XML document of a run, as text with an XML declaration.

    Control characters are shown escaped (XML 1.0 cannot hold most of them anyway).
    """
    result = visible_data(result)
    scn, card = result["scenario"], result["scorecard"]
    dims = card["dimensions"]
    failures = sum(1 for d in dims if not d["passed"])
    duration = f"{(card.get('key_times') or {}).get('end') or 0.0:.3f}"
    suite_name = f"gameday.{scn['id']}"
    root = ET.Element(
        "testsuites",
        {
            "name": "gameday",
            "tests": str(len(dims)),
            "failures": str(failures),
            "errors": "0",
            "time": duration,
        },
    )
    suite = ET.SubElement(
        root,
        "testsuite",
        {
            "name": suite_name,
            "tests": str(len(dims)),
            "failures": str(failures),
            "errors": "0",
            "skipped": "0",
            "time": duration,
            "timestamp": _timestamp(result),
            "hostname": "gameday",
        },
    )
    props = ET.SubElement(suite, "properties")
    for name, value in [
        ("scenario", scn["id"]),
        ("severity", scn["severity"]),
        ("seed", result["seed"]),
        ("responder", result["responder"]),
        ("score", f"{result['score']:.1f}"),
        ("pass_score", f"{result['pass_score']:g}"),
        ("passed", str(result["passed"]).lower()),
    ]:
        ET.SubElement(props, "property", {"name": name, "value": str(value)})
    for dim in dims:
        case = ET.SubElement(
            suite,
            "testcase",
            {
                "classname": suite_name,
                "name": dim["key"],
                "time": "0.000",
            },
        )
        if not dim["passed"]:
            message = dim["evidence"][0] if dim["evidence"] else dim["happened"]
            failure = ET.SubElement(
                case,
                "failure",
                {
                    "message": message,
                    "type": "TargetMissed",
                },
            )
            failure.text = _case_text(dim, card)
        out = ET.SubElement(case, "system-out")
        out.text = _case_text(dim, card)
    summary = ET.SubElement(suite, "system-out")
    summary.text = (
        f"{scn['title']}: score {result['score']:.1f} / 100, pass at "
        f"{result['pass_score']:g}: {'passed' if result['passed'] else 'failed'}\n"
    )
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
