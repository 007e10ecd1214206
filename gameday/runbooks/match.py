"""Runbooks against the world: steps against typed commands, alerts against runbooks.

An alert finds its runbook through its ``runbook_url`` (or ``runbook``) annotation: the
file name, the slug (file name without ``.md``) or the URL's ``#anchor`` must name the
runbook file, its title or a heading in it. :func:`check_runbooks` reports runbook rot:
commands the simulation does not know, alerts without runbooks, runbooks no alert
links to, and Markdown files without a single step.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from urllib.parse import unquote, urlsplit

from gameday.errors import InputError, Problem, did_you_mean
from gameday.runbooks.normalise import commands_match, normalise_command
from gameday.runbooks.parse import Runbook, Step, parse_runbook
from gameday.runbooks.verbs import verbs_done

_DURATION = re.compile(r"(\d+)\s*(minutes?|mins?|m|hours?|h)\b", re.IGNORECASE)


def step_matches(step: Step, command: str) -> bool:
    """True if ``command`` (as typed) does one of the step's commands."""
    return any(commands_match(expected, command) for expected in step.commands)


def step_done(step: Step, typed: Sequence[str]) -> bool:
    """True once the commands ``typed`` so far (successful ones) do the step: one of its
    commands, if it has any, and every incident verb it asks for ("acknowledge and
    declare": both ``ack`` and ``sev``), in any order."""
    if not step.commands and not step.verbs:
        return False
    if step.commands and not any(step_matches(step, c) for c in typed):
        return False
    return not step.verbs or verbs_done(step.verbs, typed)


def checkable(step: Step) -> bool:
    """True if a step asks for something the session can see done: a command or a verb."""
    return bool(step.commands or step.verbs)


def slugify(text: str) -> str:
    """GitHub-style heading anchor: lower case, punctuation dropped, spaces to dashes."""
    text = re.sub(r"[^\w\s-]", "", text.lower()).strip()
    return re.sub(r"[\s_]+", "-", text)


def _url_keys(url: str) -> tuple[set[str], str]:
    parts = urlsplit(url.strip())
    path = unquote(parts.path or url).rstrip("/")
    name = path.rsplit("/", 1)[-1]
    keys = {name.lower(), Path(name).stem.lower(), slugify(Path(name).stem)} - {""}
    return keys, slugify(unquote(parts.fragment))


def _runbook_keys(rb: Runbook) -> set[str]:
    name = Path(rb.path).name
    return {name.lower(), Path(name).stem.lower(), slugify(rb.title)} - {""}


def runbook_for_url(url: str, runbooks: Iterable[Runbook]) -> Runbook | None:
    """The runbook an annotation URL or path points at, or None."""
    if not url or not url.strip():
        return None
    keys, anchor = _url_keys(url)
    books = list(runbooks)
    for rb in books:
        if keys & _runbook_keys(rb):
            return rb
    if anchor:
        for rb in books:
            heads = {slugify(rb.title)} | {slugify(s.name) for s in rb.sections}
            if anchor in heads or anchor in {slugify(a) for a in rb.alerts}:
                return rb
    return None


def runbook_for_alert(
    alertname: str, annotations: Mapping[str, str], runbooks: Iterable[Runbook]
) -> Runbook | None:
    """The runbook an alert links to (annotation first, then the runbook's alert list)."""
    books = list(runbooks)
    url = annotations.get("runbook_url") or annotations.get("runbook") or ""
    found = runbook_for_url(str(url), books)
    if found is None and not url:
        found = next((rb for rb in books if alertname in rb.alerts), None)
    return found


def escalate_after(runbook: Runbook) -> float | None:
    """Seconds the runbook's escalation section allows before escalating, if it says."""
    for sec in runbook.sections:
        if sec.kind != "escalation":
            continue
        texts = [sec.text] + [s.text for s in sec.steps]
        for text in texts:
            m = _DURATION.search(text)
            if m:
                unit = m[2].lower()
                return int(m[1]) * (3600.0 if unit.startswith("h") else 60.0)
    return None


def _parse_all(paths: Iterable[str | Path]) -> tuple[list[Runbook], list[Problem]]:
    books, problems = [], []
    for path in paths:
        try:
            books.append(parse_runbook(path))
        except InputError as exc:
            problems += exc.problems
    return books, problems


def check_runbooks(
    paths: Iterable[str | Path],
    known_command: Callable[[str], bool] | None = None,
    alert_runbook_links: Mapping[str, str] | None = None,
) -> list[Problem]:
    """Every sign of runbook rot in ``paths``, located as ``file:line``.

    Args:
        paths: Markdown runbook files.
        known_command: predicate from the simulation; a step command it rejects is a
            problem. None: commands are only checked for being parseable.
        alert_runbook_links: alert name to its runbook annotation (``""`` if none).
            None: links are not checked.
    """
    books, problems = _parse_all(paths)
    for rb in books:
        if not any(step.commands for _, step in rb.steps):
            problems.append(
                Problem(
                    rb.path,
                    1,
                    message="runbook has no steps with commands",
                    hint="put the commands a responder runs in code blocks under numbered steps",
                )
            )
        for sec, step in rb.steps:
            for cmd, line in zip(
                step.commands, step.command_lines or [step.line] * 99, strict=False
            ):
                where = f"{sec.name} step {step.number}"
                try:
                    normalise_command(cmd)
                except ValueError as exc:
                    problems.append(
                        Problem(
                            rb.path, line, key=where, message=f"cannot parse command {cmd!r}: {exc}"
                        )
                    )
                    continue
                if known_command is not None and not known_command(cmd):
                    problems.append(
                        Problem(
                            rb.path,
                            line,
                            key=where,
                            message=f"the simulation does not know the command {cmd!r}",
                            hint="the runbook may be out of date with the tooling",
                        )
                    )
    if alert_runbook_links is not None:
        problems += _link_problems(books, alert_runbook_links)
    return sorted(problems, key=lambda p: (p.path, p.line or 0, p.message))


def _link_problems(books: list[Runbook], links: Mapping[str, str]) -> list[Problem]:
    problems: list[Problem] = []
    linked: set[str] = set()
    names = [Path(rb.path).name for rb in books]
    for alert, url in sorted(links.items()):
        if not url:
            problems.append(
                Problem(
                    "<alert rules>",
                    key=f"alert {alert}",
                    message="has no runbook_url or runbook annotation",
                    hint="every alert that can page should link its runbook",
                )
            )
            continue
        rb = runbook_for_url(url, books)
        if rb is None:
            keys, _ = _url_keys(url)
            hint = did_you_mean(next(iter(sorted(keys)), ""), names) or (
                f"known runbooks: {', '.join(names)}" if names else "no runbooks were given"
            )
            problems.append(
                Problem(
                    "<alert rules>",
                    key=f"alert {alert}",
                    message=f"runbook link {url!r} matches no runbook",
                    hint=hint,
                )
            )
        else:
            linked.add(rb.path)
    for rb in books:
        if rb.path not in linked:
            problems.append(
                Problem(
                    rb.path,
                    1,
                    message="no alert links to this runbook",
                    hint="add its URL to the runbook_url annotation of the alerts it covers",
                )
            )
    return problems
