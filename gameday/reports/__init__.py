"""Reports of a run: postmortem draft, result.json, JUnit XML, an HTML page."""

from gameday.reports.html import render_html
from gameday.reports.junit import render_junit
from gameday.reports.postmortem import action_items, render_markdown
from gameday.reports.result_json import SCHEMA, build_result, dumps_result, load_result
from gameday.reports.timeline import key_events
from gameday.reports.writer import ReportPaths, debrief, report_folder, write_reports

__all__ = [
    "SCHEMA",
    "ReportPaths",
    "action_items",
    "build_result",
    "debrief",
    "dumps_result",
    "key_events",
    "load_result",
    "render_html",
    "render_junit",
    "render_markdown",
    "report_folder",
    "write_reports",
]
