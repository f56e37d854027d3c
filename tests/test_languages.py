"""The message catalogue and its languages: every message translated with the English's
placeholders, each language's own plural rules and dates, an honest review status, and
clear errors for an unknown language or a broken language file (nothing written then)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

import backplan as bp
from backplan.locales import LanguageError, language_codes, languages
from backplan.locales.files import (
    STAFF_PREFIX,
    check_messages,
    language_file,
    load_english,
    load_language_file,
    placeholders,
)
from backplan.words import words_for

TRANSLATED = language_codes()[1:]


def test_the_languages_are_welsh_and_the_census_most_spoken() -> None:
    table = languages()
    assert list(table.code) == ["en", "cy", "pl", "ro", "pa", "ur", "pt", "es", "ar", "bn"]
    # ONS Census 2021 (England and Wales): Polish 611,845 > Romanian > Panjabi > Urdu > ...
    ranked = table.set_index("code").loc[["pl", "ro", "pa", "ur", "pt", "es"], "speakers_2021"]
    assert list(ranked) == sorted(ranked, reverse=True) and ranked["pl"] == 611_845
    assert table.set_index("code").loc["ur", ["script", "direction"]].tolist() == ["Arabic", "rtl"]
    assert table.set_index("code").loc["pa", "script"] == "Gurmukhi"


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_message_is_translated_with_the_english_placeholders(code: str) -> None:
    """A missing translation, a placeholder that differs from the English (the numbers a
    patient reads) or a wrong number of plural forms names the language and the message."""
    messages = load_language_file(language_file(code), code)
    problems = check_messages(messages, load_english(), complete=True)
    assert problems == [], f"{code}.po: " + "; ".join(problems)
    english = load_english()
    for (context, msgid), forms in english.forms.items():
        if context.startswith(STAFF_PREFIX):
            continue
        got = messages.forms[(context, msgid)]
        want = set(placeholders(forms[-1])) - ({"side"} if ":" in context else set())
        for form in got:
            assert want <= set(placeholders(form)), (code, context, form)


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_language_file_says_it_is_a_draft_nobody_reviewed(code: str) -> None:
    status = load_language_file(language_file(code), code).status
    assert (status.status, status.reviewed_by, status.reviewed_on) == ("draft", "", None)
    assert "machine translation" in status.drafted_by
    assert bp.locales.language_info(code).status == "draft"


def test_a_picker_gets_names_in_each_language_and_the_draft_status() -> None:
    choices = dict(bp.locales.language_choices())
    assert choices["English"] == "en"
    assert choices["Polski (Polish, draft)"] == "pl"
    assert choices["Cymraeg (Welsh, draft)"] == "cy"
    assert choices["العربية (Arabic, draft)"] == "ar"
    assert len(choices) == len(language_codes())


def test_the_template_is_in_step_with_the_data_files() -> None:
    """Every advice and exercise text of data/ is a message of messages.pot (run
    ``python -m tools.messages`` after changing them)."""
    from tools.messages import update

    assert update(check=True) == 0


@pytest.mark.parametrize("code", language_codes()[1:])
def test_no_message_is_both_in_use_and_kept_as_obsolete(code: str) -> None:
    """A text no longer used is kept at the end (``#~``) for a translator; once it is used
    again it is not kept twice (round 19: "small lift" was both, in all 9 files, and GNU
    ``msgfmt``, which a translator's tools run, refused every file)."""
    from babel.messages.pofile import read_po

    from backplan._io.paths import data_dir

    with open(data_dir() / "locales" / f"{code}.po", "rb") as f:
        catalog = read_po(f)
    twice = [m.id for m in catalog.obsolete.values() if catalog.get(m.id, context=m.context)]
    assert not twice, (code, twice)


@pytest.mark.parametrize(
    ("code", "counts"),
    [
        ("pl", {1: "1 raz", 2: "2 razy", 5: "5 razy", 22: "22 razy"}),
        ("ro", {1: "1 dată", 2: "2 ori", 20: "20 de ori"}),
        ("cy", {1: "1 waith", 2: "2 waith", 3: "3 gwaith", 10: "10 gwaith"}),
        ("ar", {2: "2 مرات", 10: "10 مرات", 11: "11 مرة"}),
        ("en", {1: "1 time", 2: "2 times"}),
    ],
)
def test_counted_words_follow_each_languages_plural_rules(code: str, counts: dict) -> None:
    w = words_for(code)
    assert {n: w.plural("times", n) for n in counts} == counts


def test_dose_words_are_one_function_in_every_language() -> None:
    p = bp.Prescription(exercise="x", sets=2, reps=5, per_side=True, hold_s=1, days_per_week=3)
    assert bp.words.dose_words(p, "leg") == (
        "2 rounds of 5 times on each leg, hold each for 1 second, once a day, on 3 days a week"
    )
    assert bp.words.dose_words(p, "leg", language="pl") == (
        "2 serie po 5 razy na każdą nogę, przytrzymaj każde przez 1 sekundę, raz dziennie, "
        "3 dni w tygodniu"
    )
    assert bp.words.dose_words(p, "leg", language="es").startswith("2 series de 5 veces")


def test_dates_are_written_the_languages_own_way() -> None:
    day = date(2026, 1, 5)
    assert words_for("pl").date_words(day) == "5 stycznia 2026"
    assert words_for("cy").date_words(day) == "5 Ionawr 2026"
    assert words_for("en").date_words(day) == "5 January 2026"
    assert "يناير" in words_for("ar").day_label(day)
    assert words_for("en").day_label(date(2026, 9, 1)) == "Tue 1 Sep 2026"


def test_a_phone_number_keeps_its_digit_groups_in_order_in_right_to_left_text() -> None:
    said = words_for("ur").text("call_physio", phone="01234 567890")
    assert "\u202a01234 567890\u202c" in said
    assert words_for("pl").text("call_physio", phone="01234 567890").endswith("01234 567890.")


# --- bad input -------------------------------------------------------------------------------


def test_an_unknown_language_is_a_clear_error_and_nothing_is_written(
    tmp_path: Path, beginner_plan: bp.Plan
) -> None:
    for writer, name in ((bp.handout.to_pdf, "h.pdf"), (bp.handout.to_html, "h.html"),
                         (bp.handout.to_csv, "h.csv")):  # fmt: skip
        with pytest.raises(LanguageError, match=r"expected one of en \(English\), cy \(Welsh\)"):
            writer(beginner_plan, tmp_path / name, language="fr")
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(LanguageError, match="got 'xx'"):
        bp.handout.export_handouts([beginner_plan], tmp_path / "out", language="xx")
    assert not (tmp_path / "out").exists()


def test_a_plan_file_with_an_unknown_language_names_the_field(beginner_plan: bp.Plan) -> None:
    text = bp.plan_to_json(beginner_plan.model_copy(update={"language": "pl"}))
    with pytest.raises(bp.PlanError, match=r"column 'language': expected one of en .* got 'tlh'"):
        bp.plan_from_json(text.replace('"language": "pl"', '"language": "tlh"'))


def _broken_copy(tmp_path: Path, code: str, old: str, new: str) -> Path:
    folder = tmp_path / "locales"
    folder.mkdir(exist_ok=True)
    text = language_file(code).read_text(encoding="utf-8")
    assert old in text
    (folder / f"{code}.po").write_text(text.replace(old, new, 1), encoding="utf-8")
    return folder


def test_a_language_file_with_a_broken_placeholder_is_refused_naming_line_and_message(
    tmp_path: Path, beginner_plan: bp.Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _broken_copy(tmp_path, "pl", 'msgstr "Zadzwoń do fizjoterapeuty: {phone}."',
                          'msgstr "Zadzwoń do fizjoterapeuty: {telefon}."')  # fmt: skip
    monkeypatch.setenv("BACKPLAN_LOCALES", str(folder))
    with pytest.raises(LanguageError) as err:
        bp.handout.to_pdf(beginner_plan, tmp_path / "h.pdf", language="pl", phone="01234")
    message = str(err.value)
    assert message.startswith("pl.po: 1 problem")
    line = re.search(r"line (\d+), message 'call_physio'", message)
    assert line and "{phone}" in message and "{telefon}" in message
    lines = (folder / "pl.po").read_text(encoding="utf-8").splitlines()
    assert lines[int(line.group(1)) - 1] == 'msgid "Call your physio on {phone}."'  # its msgid
    assert not (tmp_path / "h.pdf").exists()


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('"X-Backplan-Status: draft\\n"', '"X-Backplan-Status: checked\\n"',
         "expected one of draft, reviewed, got 'checked'"),
        ('"X-Backplan-Status: draft\\n"', '"X-Backplan-Status: reviewed\\n"',
         "must say who reviewed it and when"),
        ('msgstr[2] "{n} razy"', 'msgstr[2] "{n} razy {n"', "expected the placeholders {n}"),
        ('msgstr "Dbaj o bezpieczeństwo"', 'msgstr ""',
         "expected a translation of 'Stay safe', got none"),
        ("nplurals=3;", "nplurals=2;", "more translations than num_plurals of catalog on 60"),
    ],
)  # fmt: skip
def test_a_broken_language_file_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, old: str, new: str, expected: str
) -> None:
    folder = _broken_copy(tmp_path, "pl", old, new)
    monkeypatch.setenv("BACKPLAN_LOCALES", str(folder))
    with pytest.raises(LanguageError, match=re.escape(expected)):
        words_for("pl")


def test_a_reviewed_copy_of_a_clinic_replaces_the_draft(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _broken_copy(
        tmp_path, "pl", '"X-Backplan-Status: draft\\n"\n"X-Backplan-Reviewed-By: \\n"\n'
        '"X-Backplan-Reviewed-On: \\n"', '"X-Backplan-Status: reviewed\\n"\n'
        '"X-Backplan-Reviewed-By: J. Kowalska (synthetic)\\n"\n"X-Backplan-Reviewed-On: 2026-12-01\\n"',
    )  # fmt: skip
    monkeypatch.setenv("BACKPLAN_LOCALES", str(folder))
    status = words_for("pl").messages.status
    assert (status.status, status.reviewed_by, status.reviewed_on) == (
        "reviewed", "J. Kowalska (synthetic)", date(2026, 12, 1),
    )  # fmt: skip


def test_a_name_that_mixes_scripts_or_runs_to_300_characters_is_refused(
    tmp_path: Path, catalogue
) -> None:
    plan = bp.build_plan(catalogue, "beginners", ["heel-raises"], patient="Ivаn Petrov",
                         start_date="2026-01-05", weeks=1, language="pl")  # fmt: skip
    with pytest.raises(bp.BackplanError, match="patient: the word 'Ivаn' mixes Cyrillic and Latin"):
        bp.handout.to_pdf(plan, tmp_path / "h.pdf")
    with pytest.raises(bp.PlanError, match=r"column 'patient': .*at most 200 characters"):
        bp.build_plan(catalogue, "beginners", patient="Ł" * 300, start_date="2026-01-05",
                      language="pl")  # fmt: skip
    assert list(tmp_path.iterdir()) == []


# --- the plan stores its language ------------------------------------------------------------


def test_a_plan_stores_its_language_and_english_plans_save_as_before(
    beginner_plan: bp.Plan,
) -> None:
    english = bp.plan_to_json(beginner_plan)
    assert '"language"' not in english  # saved exactly as before the field existed
    polish = beginner_plan.model_copy(update={"language": "pl"})
    back = bp.plan_from_json(bp.plan_to_json(polish))
    assert back.language == "pl" and back.plan_id == beginner_plan.plan_id
    assert bp.plan_from_json(english).language == "en"


def test_the_shipped_demo_and_template_plans_are_byte_identical_after_a_round_trip() -> None:
    from backplan._io.paths import data_dir

    files = sorted((data_dir() / "demo").rglob("*.json"))
    files += sorted((data_dir() / "templates").rglob("*.json"))
    plans = [f for f in files if '"prescriptions"' in f.read_text(encoding="utf-8")]
    assert plans
    for f in plans[:5]:
        text = f.read_text(encoding="utf-8")
        if '"start_date"' in text:
            assert bp.plan_to_json(bp.plan_from_json(text)).strip() == text.strip(), f.name


# --- the command line --------------------------------------------------------------------------


def test_the_command_line_prints_in_the_language_asked(
    tmp_path: Path, beginner_plan: bp.Plan, capsys: pytest.CaptureFixture[str]
) -> None:
    from backplan.cli import build_parser, main

    plan = tmp_path / "plan.json"
    bp.save_plan(beginner_plan, plan)
    assert main(["handout", str(plan), "-o", str(tmp_path / "x.pdf"), "--language", "xx"]) == 2
    assert "expected one of en (English)" in capsys.readouterr().err
    assert not (tmp_path / "x.pdf").exists()
    assert main(["handout", str(plan), "-o", str(tmp_path / "h.md"), "--language", "cy"]) == 0
    table = (tmp_path / "h.md").read_text(encoding="utf-8")
    assert "Codi'r sodlau" in table and "Heel raises" in table  # Welsh, with English beside
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command" or a.choices)
    help_text = " ".join(sub.choices["handout"].format_help().split())
    listed = re.search(r"language: ([a-z, ]+) \(default", help_text)
    codes = [c for c in re.findall(r"[a-z]{2}", listed.group(1) if listed else "") if c != "or"]
    assert codes == list(language_codes())


def test_a_clinics_own_text_without_a_translation_prints_in_english_and_says_so(
    catalogue,
) -> None:
    from backplan.handout.content import handout_content
    from backplan.locales import UntranslatedWarning

    own = catalogue.copy()
    own.loc[own.id == "heel-raises", "steps"] = "Stand tall. | Rise up slowly on your toes."
    plan = bp.build_plan(own, "beginners", ["heel-raises"], start_date="2026-01-05", weeks=1,
                         language="pl")  # fmt: skip
    with pytest.warns(UntranslatedWarning, match=r"exercise 1 \(heel-raises\), step 1: 'Stand"):
        h = handout_content(plan, own)
    assert h.blocks[0].steps == ("Stand tall.", "Rise up slowly on your toes.")
    assert h.blocks[0].name == "Wspięcia na palce"  # the shipped name is still translated


def test_a_batch_prints_each_plan_in_its_own_language(tmp_path: Path, beginner_plan) -> None:
    plans = [beginner_plan, beginner_plan.model_copy(update={"language": "es"})]
    done = bp.handout.export_handouts(plans, tmp_path, formats=("md",), progress=False)
    first, second = (Path(p).read_text(encoding="utf-8") for p in done["path"])
    assert "Heel raises" in first and "dose_en" not in first
    assert "Ponerse de puntillas" in second and "dose_en" in second
    done = bp.handout.export_handouts(plans, tmp_path / "cy", formats=("md",), progress=False,
                                      language="cy")  # fmt: skip
    assert all("Codi'r sodlau" in Path(p).read_text(encoding="utf-8") for p in done["path"])
