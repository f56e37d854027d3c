"""Atomic writes keep old files and permissions; clinic settings round-trip."""

from __future__ import annotations

import os
import stat

import pytest

import backplan as bp
from backplan._io.files import write_atomic
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
