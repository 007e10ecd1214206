"""The runbook viewer: the linked runbook as Markdown, steps ticked once someone did them.

The text is drawn by Rich's Markdown in one Static (about 10 ms for a runbook) rather than
Textual's Markdown widget, which mounts a widget per block and took 230-350 ms on every
update: each ticked step redrew the runbook and held up the key that caused it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.reactive import reactive
from textual.widgets import Static

from gameday.session.events import Event
from gameday.textsafe import visible

CODE_THEME = "ansi_dark"  # terminal colours, no background block of its own

_ITEM = re.compile(r"^(\s*(?:\d+[.)]|[-*+])\s+)")
_FENCE = re.compile(r"^(\s*(?:```|~~~))(.*)$")
DONE = "✅ "


def tick_lines(text: str, lines: set[int]) -> str:
    """``text`` with a tick after the list marker of each 1-based line in ``lines``."""
    out = text.splitlines()
    for number in sorted(lines):
        if 1 <= number <= len(out):
            line = out[number - 1]
            m = _ITEM.match(line)
            out[number - 1] = (m[1] + DONE + line[m.end() :]) if m else DONE + line
    return "\n".join(out) + "\n"


def label_fences(text: str, language: str = "sh") -> str:
    """Give unlabelled code fences a language, so the viewer need not guess one (slow)."""
    out, inside = [], False
    for line in text.splitlines():
        m = _FENCE.match(line)
        if m:
            if not inside and not m[2].strip():
                line = f"{m[1]}{language}"
            inside = not inside
        out.append(line)
    return "\n".join(out) + "\n"


class RunbookViewer(VerticalScroll):
    """Shows one runbook file; ticks steps whose commands (or incident verbs) were done.

    Args:
        runbooks: parsed runbooks (``gameday.runbooks.Runbook``), may be empty.
        files: the scenario's runbook files, shown raw when nothing is parsed.
    """

    path: reactive[str] = reactive("", init=False)

    def __init__(
        self,
        runbooks: Sequence[Any],
        files: Sequence[Path],
        servers: tuple[tuple[str, str], ...] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.runbooks = list(runbooks)
        self.servers = servers  # the scenario's database servers, for what psql observed
        self.files = [Path(f) for f in files]
        self.done_lines: dict[str, set[int]] = {}
        self.typed: list[str] = []  # successful commands so far, for multi-verb steps
        self._texts: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        """The Markdown body."""
        yield Static(_markdown("*No runbook linked yet.*"), id="runbook-md")

    def on_mount(self) -> None:
        """Show the first runbook (after the first frame) until an alert links one."""
        self.call_after_refresh(self._show_first)

    def _show_first(self) -> None:
        if self.files and not self.path:
            self.path = str(self.files[0])

    def select_for_alert(self, alertname: str, annotations: dict[str, str]) -> None:
        """Show the runbook the alert's ``runbook_url`` (or name) links to."""
        try:
            from gameday.runbooks import runbook_for_alert
        except ImportError:
            return
        found = runbook_for_alert(alertname, annotations, self.runbooks)
        if found is not None:
            self.path = str(found.path)

    def feed(self, events: Sequence[Event]) -> None:
        """Tick the steps that successful actions among ``events`` performed."""
        changed = False
        for event in events:
            if event.kind != "action" or not event.data.get("ok"):
                continue
            self.typed.append(str(event.data.get("command", "")))
            looked = not event.data.get("changed")
            for rb in self.runbooks:
                for line in self._steps_done(rb, looked):
                    done = self.done_lines.setdefault(str(rb.path), set())
                    if line not in done:
                        done.add(line)
                        changed = changed or str(rb.path) == self.path
        if changed:
            self._show()

    def _steps_done(self, runbook: Any, looked: bool) -> list[int]:
        """Lines of the steps the commands typed so far do (the last one may finish a
        step that asks for two verbs, "acknowledge and declare"). A quick-assessment or
        diagnosis step is also done by a command that changed nothing (``looked``) and
        observed what the step's command observes, as the scorecard counts it."""
        from gameday.runbooks import step_done, step_matches
        from gameday.runbooks.verbs import verb_of, verbs_done
        from gameday.scoring.looks import LOOK_KINDS, observes

        last = self.typed[-1]
        lines = []
        for sec, step in runbook.steps:
            if (
                (step_matches(step, last) or (verb_of(last) in step.verbs))
                and step_done(step, self.typed)
                or (
                    looked
                    and sec.kind in LOOK_KINDS
                    and step.commands
                    and observes(step, last, self.servers)
                    and (not step.verbs or verbs_done(step.verbs, self.typed))
                )
            ):
                lines.append(step.line)
        return lines

    def steps_progress(self) -> tuple[int, int]:
        """(done, total) steps with commands in the shown runbook."""
        for rb in self.runbooks:
            if str(rb.path) == self.path:
                total = sum(1 for _s, step in rb.steps if step.commands or step.verbs)
                return len(self.done_lines.get(self.path, set())), total
        return 0, 0

    def watch_path(self, path: str) -> None:
        """Load and show the runbook at ``path``."""
        self._show()

    def _show(self) -> None:
        if not self.path:
            return
        if self.path not in self._texts:
            try:
                self._texts[self.path] = Path(self.path).read_text(encoding="utf-8")
            except OSError as exc:
                self._texts[self.path] = f"*Cannot read {self.path}: {exc}*"
        text = tick_lines(self._texts[self.path], self.done_lines.get(self.path, set()))
        text = visible(label_fences(text))  # a runbook is anyone's text: shown inert
        done, total = self.steps_progress()
        self.border_title = f"Runbook · {visible(Path(self.path).name)}"
        self.border_subtitle = f"{done}/{total} steps done" if total else ""
        self.query_one("#runbook-md", Static).update(_markdown(text))


def _markdown(text: str) -> Any:
    from rich.markdown import Markdown

    return Markdown(text, code_theme=CODE_THEME, inline_code_theme=CODE_THEME)
