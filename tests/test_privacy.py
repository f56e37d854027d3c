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
    """Of the label's identity form (patient_key: NFC, case-folded, spaces folded)."""
    expected = hmac.new(KEY, b"syn-0001", hashlib.sha256).hexdigest()[:16]
    assert pseudonym("SYN-0001", KEY) == "PSN-" + expected
    assert pseudonym("  syn-0001 ", KEY) == pseudonym("SYN-0001", KEY)
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


# --- all free text, whole words (issue 21) ---------------------------------------------------


def test_labels_in_plan_notes_and_revision_reasons_are_replaced(catalogue) -> None:
    """pseudonymise once left the patient's name in plan notes and revision reasons."""
    plan = bp.build_plan(catalogue, "beginners", ["heel-raises"], patient="Ann Smith",
                         notes="Ann Smith walks her dog; ANN  SMITH's knee", start_date="2026-01-05")  # fmt: skip
    plan = bp.revise(plan, 2, {"heel-raises": {"reps": 5}}, why="Ann Smith said it hurt",
                     by="A. Physio", when=pd.Timestamp("2026-01-10").to_pydatetime())  # fmt: skip
    alias = pseudonym("Ann Smith", KEY)
    for shared in (bp.pseudonymise(plan, KEY), bp.pseudonymise([plan], KEY)[0]):
        text = bp.plan_to_json(shared)
        assert "ann" not in text.lower(), text
        assert shared.notes == f"{alias} walks her dog; {alias}'s knee"
        assert shared.revisions[0].why == f"{alias} said it hurt"
        assert bp.plan_from_json(text) == shared  # still a valid plan
    assert plan.patient == "Ann Smith"  # the input is not changed


def test_numeric_labels_do_not_rewrite_dates_or_numbers() -> None:
    """With labels "1".."12" every digit of every text cell was once replaced ("11 Jan
    2026" became "PSN-... Jan PSN-...")."""
    labels = [str(i) for i in range(1, 13)]
    logs = pd.DataFrame({"patient": labels,
                         "note": ["11 Jan 2026", "did 12 reps", "3", "P3 rang"] * 3,
                         "file": ["logs/1.csv", "x/2026-01-11.csv", "12", "7.csv"] * 3})  # fmt: skip
    out = bp.pseudonymise(logs, KEY)
    assert out["patient"].tolist() == [pseudonym(x, KEY) for x in labels]
    assert out["note"].tolist()[:4] == [
        "11 Jan 2026",
        "did 12 reps",
        pseudonym("3", KEY),
        "P3 rang",
    ]
    assert out["file"].tolist()[:4] == [f"logs/{pseudonym('1', KEY)}.csv", "x/2026-01-11.csv",
                                        pseudonym("12", KEY), f"{pseudonym('7', KEY)}.csv"]  # fmt: skip


def test_labels_match_as_whole_words_in_any_case_and_spacing() -> None:
    logs = pd.DataFrame({"patient": ["P1", "J.S.", "Zoë Adams"],
                         "note": ["P10 is not P1", "saw j.s. today", "ZOË   adams, Zoëy"]})  # fmt: skip
    out = bp.pseudonymise(logs, KEY)
    p1, js, zoe = (pseudonym(x, KEY) for x in ("P1", "J.S.", "Zoë Adams"))
    assert out["note"].tolist() == [f"P10 is not {p1}", f"saw {js} today", f"{zoe}, Zoëy"]
    untouched = pd.DataFrame({"patient": ["Ann"], "note": ["Annie and Joanna"]})
    assert bp.pseudonymise(untouched, KEY)["note"].tolist() == ["Annie and Joanna"]


def test_review_page_names_an_unreadable_plan_by_file_name_only(tmp_path, capsys) -> None:
    """``backplan review`` once wrote the absolute path of an unreadable plan into the page."""
    from backplan.cli import main

    plans, logs = bp.synthetic_cohort(n_patients=2, weeks=2, seed=5)
    folder = tmp_path / "Ann Smith's plans"
    for i, plan in enumerate(plans):
        bp.save_plan(plan, folder / f"p{i}.json")
    (folder / "broken.json").write_text("{")
    logs.loc[0, "pain"] = 11  # a rejected row: its file is listed in the report's page
    logs.to_csv(tmp_path / "logs.csv", index=False)
    review, report = tmp_path / "review.html", tmp_path / "report.html"
    args = [str(tmp_path / "logs.csv"), "-p", str(folder), "-o"]
    assert main(["review", *args, str(review)]) == 0
    (folder / "broken.json").unlink()  # adherence reads every plan or none
    assert main(["adherence", *args, str(report)]) == 0
    capsys.readouterr()
    for page in (review.read_text(), report.read_text()):
        assert str(tmp_path) not in page and "Ann Smith" not in page
    assert "broken.json" in review.read_text() and "logs.csv" in report.read_text()


def test_one_patient_by_the_identity_rule_gets_one_pseudonym() -> None:
    """Logs typed "ANN SMITH" (or NFD "Zoe\u0308") join the plan of "Ann Smith" (or "Zoë")
    in adherence; pseudonymised apart, they must still join."""
    plans = [p.model_copy(update={"patient": name}) for p, name in
             zip(bp.synthetic_cohort(n_patients=2, weeks=2, seed=5).plans,
                 ["Ann Smith", "Zoë Weiß"], strict=True)]  # fmt: skip
    logs = pd.DataFrame({"patient": ["ANN  SMITH", "Zoe\u0308 WEISS", "ann smith"]})
    shared = bp.pseudonymise(logs, KEY)["patient"].tolist()
    aliases = [p.patient for p in bp.pseudonymise(plans, KEY)]
    assert shared == [aliases[0], aliases[1], aliases[0]]


@pytest.mark.parametrize(
    ("label", "note"),
    [
        ("Weiß", "Weiß rang"),  # its own spelling: once missed (casefold makes it "weiss")
        ("Weiß", "WEISS rang"),
        ("STRASSE", "Straße rang"),
        ("Zoë Adams", "Zoe\u0308 ADAMS rang"),  # NFD, capitals
        ("Οδυσσέας", "ΟΔΥΣΣΈΑΣ rang"),  # final sigma
    ],
)
def test_names_in_text_are_found_by_the_identity_rule(label: str, note: str) -> None:
    out = bp.pseudonymise(pd.DataFrame({"patient": [label], "note": [note]}), KEY)
    assert out["note"].tolist() == [f"{pseudonym(label, KEY)} rang"]


def test_plan_ids_and_file_names_that_hold_the_name_are_replaced(catalogue) -> None:
    plan = bp.build_plan(catalogue, "beginners", ["heel-raises"], patient="José O'Neil",
                         start_date="2026-01-05")  # fmt: skip
    for plan_id in ("jose-o-neil-2026", "JOSE.O.NEIL", "2026-jose-o-neil"):
        shared = bp.pseudonymise(plan.model_copy(update={"plan_id": plan_id}), KEY)
        assert shared.plan_id == pseudonym(plan_id, KEY)
        assert bp.plan_from_json(bp.plan_to_json(shared)) == shared  # still a valid plan id
    kept = plan.model_copy(update={"plan_id": "joseph-o-neill-1"})  # another name
    assert bp.pseudonymise(kept, KEY).plan_id == "joseph-o-neill-1"
    assert bp.pseudonymise(plan, KEY).plan_id == plan.plan_id  # a hash: nothing to hide
    name = bp.plan_file_name(plan)  # the name backplan gives the plan's file
    table = pd.DataFrame({"patient": ["José O'Neil"], "file": [f"plans/{name}"]})
    alias = pseudonym(plan.patient, KEY)
    assert bp.pseudonymise(table, KEY)["file"].tolist() == [f"plans/{alias}_2026-01-05.json"]
    cyrillic = plan.model_copy(update={"patient": "Иван Петров"})  # a hashed file name
    table = pd.DataFrame({"patient": [cyrillic.patient], "file": [bp.plan_file_name(cyrillic)]})
    alias = pseudonym(cyrillic.patient, KEY)
    assert bp.pseudonymise(table, KEY)["file"].tolist() == [f"{alias}_2026-01-05.json"]
