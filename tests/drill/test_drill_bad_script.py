"""``gameday drill --responder script:FILE`` with a broken script: every problem named
with its line and column, exit 2, and nothing written (no report folder, no journal)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.clirun import run_gameday


def test_a_bad_script_is_refused_before_anything_is_written(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    script = tmp_path / "s.yaml"
    script.write_text(
        "relative_to: start\n"
        "actions:\n"
        '  - {at: 20m, command: "kubectl get nodes"}\n'
        "  - {at: 99h, do: ack}\n"
    )
    out = tmp_path / "reports"
    code, stdout, err = run_gameday(
        capsys, "drill", "bad-deploy", "--responder", f"script:{script}", "--out", str(out), "-q"
    )
    assert code == 2, (stdout, err)
    assert f"{script}:3:5: actions[0].do: missing required key 'do'" in err
    assert f"{script}:3:15: actions[0].command: unknown key 'command'" in err
    assert f"{script}:4:" in err  # past the scenario's end
    assert "Traceback" not in err
    assert not out.exists()
