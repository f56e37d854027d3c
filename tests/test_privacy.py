"""Pseudonyms: keyed, stable across tables, never from a short key."""

from __future__ import annotations

import hashlib
import hmac

import pandas as pd
import pytest

import backplan as bp
from backplan.privacy import pseudonym

KEY = b"a key of more than sixteen bytes"


def test_same_key_same_pseudonym_across_logs_prescriptions_and_reports() -> None:
    plans, logs = bp.synthetic_cohort(n_patients=3, weeks=2, seed=3)
    table = bp.prescription_table(plans)
    logs_p = bp.pseudonymise(logs, KEY)
    table_p = bp.pseudonymise(table, KEY.decode())  # str and bytes keys agree
    assert set(logs_p["patient"]) <= set(table_p["patient"])
    assert not set(logs_p["patient"]) & set(logs["patient"])
    # the pseudonymised inputs give the pseudonymised report
    report = bp.adherence(logs, plans)
    shared = bp.pseudonymise(report, KEY)
    direct = bp.adherence(logs_p, table_p)
    pd.testing.assert_frame_equal(shared.by_patient, direct.by_patient)
    assert logs["patient"].iloc[0] == "SYN-0001"  # the input is not changed


def test_pseudonym_is_hmac_sha256_of_the_label() -> None:
    expected = hmac.new(KEY, b"SYN-0001", hashlib.sha256).hexdigest()[:16]
    assert pseudonym("SYN-0001", KEY) == "PSN-" + expected
    assert pseudonym("SYN-0001", KEY + b"x") != pseudonym("SYN-0001", KEY)


@pytest.mark.parametrize("key", [b"", "", "short", b"fifteen bytes!!"])
def test_empty_or_short_keys_are_refused(key: bytes | str) -> None:
    with pytest.raises(ValueError, match="at least 16 bytes"):
        bp.pseudonymise(pd.DataFrame({"patient": ["A"]}), key)


def test_categorical_labels_plans_and_log_tables() -> None:
    frame = pd.DataFrame({"patient": pd.Categorical(["A", "B", "A"])})
    out = bp.pseudonymise(frame, KEY)
    assert out["patient"].nunique() == 2
    assert out["patient"].iloc[0] == pseudonym("A", KEY)
    plans, logs = bp.synthetic_cohort(n_patients=2, weeks=2, seed=4)
    renamed = bp.pseudonymise(plans, KEY)
    assert [p.patient for p in renamed] == [pseudonym(p.patient, KEY) for p in plans]
    bad = logs.assign(patient=["NOPLAN", *logs["patient"].tolist()[1:]])
    table = bp.pseudonymise(bp.read_logs(bad, plans), KEY)
    assert table.rejected["patient"].tolist() == [pseudonym("NOPLAN", KEY)]
    assert table.problems["got"].tolist() == [pseudonym("NOPLAN", KEY)]


def test_no_original_id_left_in_file_names_sources_or_other_cells(tmp_path) -> None:
    plans, logs = bp.synthetic_cohort(n_patients=3, weeks=2, seed=4)
    logs = logs.copy()
    logs.loc[0, "note"] = "ask SYN-0002 about this"  # an id in another column
    logs.loc[0, "pain"] = 12  # rejected, so the note shows in the rejected table
    logs = pd.concat([logs, logs.iloc[[5]]], ignore_index=True)  # an exact duplicate
    path = tmp_path / "SYN-0001-diary.csv"  # an id in the file name
    logs.to_csv(path, index=False)
    table = bp.pseudonymise(bp.read_logs(path, plans), KEY)
    report = bp.pseudonymise(bp.adherence(path, plans), KEY)
    for thing in (table, report):
        for name, value in vars(thing).items():
            text = value.to_csv() if isinstance(value, pd.DataFrame) else repr(value)
            assert "SYN-" not in text, (type(thing).__name__, name)
    assert table.sources == (str(tmp_path / f"{pseudonym('SYN-0001', KEY)}-diary.csv"),)
    assert len(table.duplicates) >= 1 and "SYN-" not in report.to_html()
    # a pseudonymised LogTable still gives the pseudonymised report
    direct = bp.adherence(table, bp.pseudonymise(plans, KEY))
    pd.testing.assert_frame_equal(direct.by_week, report.by_week)
