"""Atomic writes keep old files and permissions; clinic settings round-trip."""

from __future__ import annotations

import os
import stat

import pytest

import backplan as bp
from backplan._io.files import ReadError, read_capped, same_file, write_atomic
from backplan.settings import ClinicSettings, SettingsError, load_settings, save_settings


def test_failed_write_leaves_old_file(tmp_path):
    target = tmp_path / "report.html"
    target.write_text("old")

    def boom(fh):
        fh.write(b"half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_atomic(target, boom)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_save_plan_keeps_permissions(tmp_path):
    path = tmp_path / "plan.json"
    path.write_text("{}")
    os.chmod(path, 0o644)
    plan = bp.build_plan(bp.load_catalogue(), "beginners", start_date="2026-01-05")
    bp.save_plan(plan, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert bp.load_plan(path) == plan


def test_settings_round_trip_and_env(tmp_path, monkeypatch):
    path = tmp_path / "clinic.json"
    save_settings(ClinicSettings(clinic="Riverside", phone="0123", physio="A. P."), path)
    monkeypatch.setenv("BACKPLAN_SETTINGS", str(path))
    assert load_settings() == ClinicSettings(clinic="Riverside", phone="0123", physio="A. P.")


def test_broken_settings_name_the_file(tmp_path):
    path = tmp_path / "clinic.json"
    path.write_bytes(b"\xff\xfe")
    with pytest.raises(SettingsError, match="clinic.json"):
        load_settings(path)
    path.write_text('{"clinic": "x", "fax": "1"}')
    with pytest.raises(SettingsError, match="fax"):
        load_settings(path)


# --- capped reads, no device or pipe, an output never an input (issue 21) --------------------


def test_settings_from_a_device_a_pipe_or_a_huge_file_are_refused_at_once(tmp_path, monkeypatch):
    """``BACKPLAN_SETTINGS=/dev/zero`` once read until MemoryError; a pipe would wait for ever."""
    fifo = tmp_path / "clinic.json"
    os.mkfifo(fifo)
    huge = tmp_path / "huge.json"
    huge.write_text('{"clinic": "' + "x" * 100_000 + '"}')
    for path, words in [("/dev/zero", "device"), (fifo, "pipe"), (huge, "at most 64 KB"),
                        (tmp_path, "folder")]:  # fmt: skip
        monkeypatch.setenv("BACKPLAN_SETTINGS", str(path))
        with pytest.raises(SettingsError, match=words):
            load_settings()
    monkeypatch.setenv("BACKPLAN_SETTINGS", str(tmp_path / "missing.json"))
    assert load_settings() == ClinicSettings()  # no file: no clinic details


def test_settings_are_strict_json_and_text(tmp_path):
    path = tmp_path / "clinic.json"
    for text, words in [('{"clinic": 5}', "clinic"), ('{"clinic": "a", "clinic": "b"}', "JSON"),
                        ('{"phone": NaN}', "JSON"), ("[" * 100 + "]" * 100, "JSON")]:  # fmt: skip
        path.write_text(text)
        with pytest.raises(SettingsError, match=words):
            load_settings(path)


def test_plan_files_are_read_only_when_regular_and_capped(tmp_path):
    with pytest.raises(bp.PlanError, match="device"):
        bp.load_plan("/dev/zero")
    with pytest.raises(bp.PlanError, match="folder"):
        bp.load_plan(tmp_path)
    with pytest.raises(ReadError, match="at most 1 KB"):
        (tmp_path / "rules.csv").write_text("x" * 2000)
        read_capped(tmp_path / "rules.csv", 1024, "rules file")


def test_same_file_sees_through_links_and_dots(tmp_path):
    plan = tmp_path / "plan.json"
    plan.write_text("{}")
    (tmp_path / "soft.json").symlink_to(plan)
    os.link(plan, tmp_path / "hard.json")
    (tmp_path / "sub").mkdir()
    for other in ("soft.json", "hard.json", "sub/../plan.json", "./plan.json"):
        assert same_file(tmp_path / other, plan), other
    assert not same_file(tmp_path / "new.pdf", plan)


def test_writes_need_a_file_path(tmp_path):
    """Only a regular file is ever replaced: run as root, a write to ``-o /dev/zero`` once
    replaced the device with a file (found by the property tests)."""
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    for bad in ("", None, 5, tmp_path, pipe, tmp_path / "link"):
        if bad == tmp_path / "link":
            bad.symlink_to(pipe)
        with pytest.raises(bp.BackplanError):
            write_atomic(bad, "x")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link", "pipe"]
    assert pipe.is_fifo()
