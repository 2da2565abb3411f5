"""`shangmi audit verify` against a real data directory whose SQLite file is tampered with directly."""

from __future__ import annotations

import json

from .support import ok, shangmi, sql


def _event(data_dir, short_code: str, seq: int) -> int:
    [(event_id,)] = sql(
        data_dir,
        "SELECT e.id FROM audit_auditevent e JOIN accounts_organisation o ON o.id = e.organisation_id "
        "WHERE o.short_code = ? AND e.seq = ?",
        (short_code, seq),
    )
    return event_id


def _broken_lines(stdout: str) -> list[str]:
    return [line for line in stdout.splitlines() if line.startswith("BROKEN")]


def test_intact_chains_exit_zero_with_ok_and_the_event_count(demo_dir):
    [(total,)] = sql(demo_dir, "SELECT COUNT(*) FROM audit_auditevent")
    result = ok(shangmi("audit", "verify", data_dir=demo_dir))
    assert (
        result.stdout.strip() == f"OK {total} events, every chain intact; 0 anchors in the evidence log match"
    )
    assert total > 100  # the demo's organisations and people were all recorded


def test_edited_verb_is_reported_with_organisation_and_seq(demo_dir):
    event_id = _event(demo_dir, "LXWY", 5)
    sql(demo_dir, "UPDATE audit_auditevent SET verb = 'x' WHERE id = ?", (event_id,))
    result = shangmi("audit", "verify", data_dir=demo_dir)
    assert result.returncode == 1
    assert _broken_lines(result.stdout) == [
        f"BROKEN organisation LXWY at seq 5 (event id {event_id}): "
        "content does not match its hash (the row was altered)"
    ]


def test_edited_changes_are_reported(demo_dir):
    event_id = _event(demo_dir, "SXSJ", 2)
    [(changes,)] = sql(demo_dir, "SELECT changes FROM audit_auditevent WHERE id = ?", (event_id,))
    edited = {**json.loads(changes), "role": "admin"}
    sql(demo_dir, "UPDATE audit_auditevent SET changes = ? WHERE id = ?", (json.dumps(edited), event_id))
    result = shangmi("audit", "verify", data_dir=demo_dir)
    assert result.returncode == 1
    assert _broken_lines(result.stdout) == [
        f"BROKEN organisation SXSJ at seq 2 (event id {event_id}): "
        "content does not match its hash (the row was altered)"
    ]


def test_deleted_middle_event_is_reported_as_a_gap(demo_dir):
    deleted = _event(demo_dir, "LXWY", 10)
    after = _event(demo_dir, "LXWY", 11)
    sql(demo_dir, "DELETE FROM audit_auditevent WHERE id = ?", (deleted,))
    result = shangmi("audit", "verify", data_dir=demo_dir)
    assert result.returncode == 1
    assert _broken_lines(result.stdout) == [
        f"BROKEN organisation LXWY at seq 11 (event id {after}): "
        "sequence jumps from 9 to 11 (an event is missing)"
    ]


def test_every_broken_chain_is_listed_once(demo_dir):
    first = _event(demo_dir, "LXWY", 3)
    second = _event(demo_dir, "MHLS", 1)
    sql(demo_dir, "UPDATE audit_auditevent SET object_repr = 'forged' WHERE id IN (?, ?)", (first, second))
    # A later event of LXWY is altered too: only the first break per chain is reported.
    sql(demo_dir, "UPDATE audit_auditevent SET verb = 'y' WHERE id = ?", (_event(demo_dir, "LXWY", 7),))
    result = shangmi("audit", "verify", data_dir=demo_dir)
    assert result.returncode == 1
    lines = _broken_lines(result.stdout)
    assert len(lines) == 2
    assert lines[0].startswith(f"BROKEN organisation LXWY at seq 3 (event id {first}):")
    assert lines[1].startswith(f"BROKEN organisation MHLS at seq 1 (event id {second}):")


def test_org_option_checks_only_that_chain(demo_dir):
    sql(demo_dir, "UPDATE audit_auditevent SET verb = 'x' WHERE id = ?", (_event(demo_dir, "SXSJ", 1),))
    [(lxwy_total,)] = sql(
        demo_dir,
        "SELECT COUNT(*) FROM audit_auditevent e JOIN accounts_organisation o ON o.id = e.organisation_id "
        "WHERE o.short_code = 'LXWY'",
    )
    intact = ok(shangmi("audit", "verify", "--org", "lxwy", data_dir=demo_dir))  # codes are case-insensitive
    assert (
        intact.stdout.strip()
        == f"OK {lxwy_total} events, every chain intact; 0 anchors in the evidence log match"
    )
    broken = shangmi("audit", "verify", "--org", "SXSJ", data_dir=demo_dir)
    assert broken.returncode == 1
    assert [line.split(" (event id")[0] for line in _broken_lines(broken.stdout)] == [
        "BROKEN organisation SXSJ at seq 1"
    ]


def test_unknown_org_is_a_clear_error(demo_dir):
    result = shangmi("audit", "verify", "--org", "NOPE", data_dir=demo_dir)
    assert result.returncode == 1
    assert result.stdout == ""
    assert "unknown organisation short code 'NOPE'" in result.stderr
