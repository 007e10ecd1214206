"""`gameday serve` serves an imported incident: a seat's commands are answered from the
recording, and the journal says the session replays one."""

from __future__ import annotations

import json
from pathlib import Path

from tests.clirun import run_gameday
from tests.imported.incident import import_args, write_incident
from tests.serve.test_serve_seats import gameday


def test_serve_an_imported_folder_and_join_it(capsys, tmp_path: Path) -> None:
    folder = tmp_path / "orders-outage"
    assert run_gameday(capsys, *import_args(write_incident(tmp_path), folder))[0] == 0
    server = gameday("serve", str(folder), "--port", "0", "--speed", "10", cwd=tmp_path)
    try:
        assert server.stdout is not None
        line = server.stdout.readline().split()
        assert line[:2] == ["gameday", "join"] and line[3] == "--token", line
        (tmp_path / "a.txt").write_text(
            "kubectl get pods -n shop\npromtool query instant 'up{instance=\"orders-a1\"}'\n"
        )
        seat = gameday(
            "join", line[2], "--token", line[4], "--role", "ops", "--name", "ana",
            "--script", "a.txt", "--json", cwd=tmp_path,
        )  # fmt: skip
        out, err = seat.communicate(timeout=60)
        assert seat.returncode == 0, err
        events = [json.loads(x) for x in out.splitlines()]
        assert events[0]["kind"] == "session.start" and events[0]["data"]["recorded"] is True
        (kube, _), (query, t) = ((e["data"], e["t"]) for e in events if e["kind"] == "action")
        assert not kube["ok"]
        assert kube["output"].startswith(
            "kubectl: not available in an imported incident (no cluster was recorded)"
        )
        # from the recording, stamped with the session's wall clock (18:00 UTC + t) as
        # promtool prints a time: Go's shortest float, no trailing zeros
        assert query["ok"], query
        stamp = (1_793_815_200_000 + round(t * 1000)) / 1000
        assert query["output"] == f'up{{instance="orders-a1", job="orders"}} => 1 @[{stamp!r}]'

    finally:
        server.terminate()
        server.communicate(timeout=10)
    journal = next(tmp_path.glob("reports/*/journal.jsonl")).read_text()
    assert '"recorded":true' in journal
    assert '"command":"kubectl get pods -n shop"' in journal
