"""A physio's day in the Voila app, in a real Chromium: each item of issue 22.

One server (served as ``make app`` serves it: two preheated kernels, culling) for the
module, not the shared one: these tests change the clinic details. Plans and clinic
details live in a temporary folder; the browser is the shared fixture of
``tests/browser_app.py``. Screenshots go to ``artifacts/``.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from browser_app import (
    AXE,
    need_browser,
    open_page,
    open_section,
    serve,
    settle,
    shot,
    type_in,
    upload,
)

import backplan as bp
from backplan.settings import ClinicSettings, load_settings, save_settings

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(400)]

START = "2026-01-05"


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("clinic-day")


@pytest.fixture(scope="module")
def url(home: Path) -> Iterator[str]:
    need_browser()
    save_settings(ClinicSettings(clinic="Riverside Physio (synthetic)", phone="01234 567890"),
                  home / "clinic.json")  # fmt: skip
    yield from serve(home)


def _expect():
    from playwright.sync_api import expect

    return expect


def _status(page):
    return page.locator(".bp-status")


def _new_plan(page, patient: str, start: str = START, weeks: str = "6") -> None:
    type_in(page, ".bp-patient", patient)
    page.locator(".bp-start input").fill(start)
    page.locator(".bp-start input").press("Tab")
    type_in(page, ".bp-weeks", weeks)


def _save(page, who: str) -> None:
    expect = _expect()
    expect(page.locator("[data-unsaved='1']")).to_have_count(1, timeout=30_000)  # edits seen
    page.locator(".bp-save").click()
    expect(page.locator("[data-unsaved='1']")).to_have_count(0, timeout=30_000)
    expect(_status(page)).to_contain_text(f"Saved the plan of {who}", timeout=30_000)


def _weeks_shown(page, want: list[int], timeout_s: float = 30) -> list[int]:
    """The weeks the preview table lists, once they are ``want`` (or the time is up)."""
    import time

    cells = page.locator(".bp-preview table tbody tr td:first-child")
    deadline = time.monotonic() + timeout_s
    while True:
        weeks = sorted({int(t) for t in cells.all_inner_texts()})
        if weeks == want or time.monotonic() > deadline:
            return weeks
        time.sleep(0.3)


def _plan_file(home: Path, stem: str) -> Path:
    return home / "plans" / f"{stem}_{START}.json"


# --- 1. Nothing is lost -----------------------------------------------------------------


def test_a_new_plan_never_silently_replaces_a_saved_one(url, browser, home) -> None:
    """Item 1/2 of the issue: 'Alice Archer' typed again replaced her restricted plan."""
    expect = _expect()
    page = open_page(browser, url)
    _new_plan(page, "Alice Archer")
    page.get_by_label("Cannot lie on stomach").check()
    _save(page, "Alice Archer")
    open_section(page, "patients")  # the earlier versions, below
    saved = _plan_file(home, "alice-archer")
    before = saved.read_bytes()
    assert bp.load_plan(saved).restrictions.avoid_positions == ("lying on stomach",)
    # New patient clears everything about Alice.
    page.locator(".bp-new-patient").click()
    expect(_status(page)).to_contain_text("New patient", timeout=30_000)
    assert page.locator(".bp-patient input").input_value() == ""
    assert not page.get_by_label("Cannot lie on stomach").is_checked()
    assert page.locator(".bp-start input").input_value() == date.today().isoformat()
    # The same patient typed another way, same start date: asked, nothing replaced.
    _new_plan(page, "ALICE ARCHER", weeks="2")
    page.locator(".bp-save").click()
    confirm = page.locator(".bp-confirm")
    expect(confirm).to_contain_text("already holds a plan of Alice Archer", timeout=30_000)
    assert confirm.is_visible() and confirm.bounding_box()["y"] < 300  # in the toolbar
    assert saved.read_bytes() == before
    # Replace on purpose: the old version is kept and can be restored.
    page.locator(".bp-replace").click()
    expect(_status(page)).to_contain_text("Saved the plan of ALICE ARCHER", timeout=30_000)
    assert bp.load_plan(saved).weeks == 2
    versions = page.locator(".bp-versions select option")
    expect(versions).to_have_count(1, timeout=30_000)
    page.locator(".bp-restore").click()
    expect(page.locator(".bp-weeks input")).to_have_value("6", timeout=30_000)
    assert page.get_by_label("Cannot lie on stomach").is_checked()
    expect(page.locator(".bp-unsaved")).to_be_visible()
    _save(page, "Alice Archer")
    assert bp.load_plan(saved) == bp.plan_from_json(before)
    assert len(list((home / "plans" / "history" / saved.stem).glob("*.json"))) == 2
    page.close()


def test_two_tabs_never_undo_each_other(url, browser, home) -> None:
    expect = _expect()
    first = open_page(browser, url)
    _new_plan(first, "Tabitha Two")
    _save(first, "Tabitha Two")
    second = open_page(browser, url)
    open_section(second, "patients")
    type_in(second, ".bp-search", "tabitha")
    second.locator(".bp-plans select").select_option(index=0)
    second.locator(".bp-open").click()
    expect(_status(second)).to_contain_text("Opened the plan of Tabitha Two", timeout=30_000)
    type_in(first, ".bp-weeks", "8")
    _save(first, "Tabitha Two")
    type_in(second, ".bp-weeks", "3")
    second.locator(".bp-save").click()
    confirm = second.locator(".bp-confirm")
    expect(confirm).to_contain_text(re.compile(r"changed by someone else at \d\d:\d\d: reload"),
                                    timeout=30_000)  # fmt: skip
    assert bp.load_plan(_plan_file(home, "tabitha-two")).weeks == 8  # the first tab's save
    second.locator(".bp-keep-both").click()
    expect(_status(second)).to_contain_text("tabitha-two_2026-01-05-2.json", timeout=30_000)
    assert bp.load_plan(home / "plans" / "tabitha-two_2026-01-05-2.json").weeks == 3
    shot(second, "app-two-tabs.png")
    first.close()
    second.close()


def test_unsaved_edits_are_asked_about_before_open_and_closing(url, browser, home) -> None:
    expect = _expect()
    cat = bp.load_catalogue()
    bp.PlanLibrary(home / "plans").save(
        bp.build_plan(cat, "beginners", patient="Olive Open", start_date=START)
    )
    page = open_page(browser, url)
    type_in(page, ".bp-reps-heel-raises", "12")
    expect(page.locator(".bp-unsaved")).to_be_visible(timeout=30_000)
    # Open another patient's plan: asked first, in the toolbar.
    open_section(page, "patients")
    type_in(page, ".bp-search", "olive")
    page.locator(".bp-plans select").select_option(index=0)
    page.locator(".bp-open").click()
    ask = page.locator(".bp-ask-discard")
    expect(ask).to_contain_text("unsaved changes", timeout=30_000)
    page.locator(".bp-keep-editing").click()
    assert page.locator(".bp-reps-heel-raises input").input_value() == "12"
    # Leaving the page (reload or close: the same beforeunload): the browser asks, and
    # staying keeps the page and its kernel working. Chrome asks only after a real
    # key press or click on the page, as a physio's typing is.
    dialogs: list[str] = []

    def stay(dialog) -> None:
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", stay)
    page.locator(".bp-reps-heel-raises input").click()
    page.keyboard.press("End")
    page.keyboard.type("3")  # 123: too many, still an edit
    page.keyboard.press("Tab")
    page.evaluate("() => location.reload()")
    page.wait_for_timeout(1500)
    assert dialogs == ["beforeunload"] and not page.is_closed()
    before = page.locator(".bp-preview").inner_text()
    type_in(page, ".bp-reps-heel-raises", "13")
    expect(page.locator(".bp-preview")).not_to_have_text(before, timeout=30_000)  # kernel alive
    page.remove_listener("dialog", stay)
    page.on("dialog", lambda d: d.accept())
    page.close(run_before_unload=True)


# --- 2. A patient list ------------------------------------------------------------------


def test_patient_list_sorts_searches_and_archives(url, browser, home) -> None:
    expect = _expect()
    today = date.today()
    lib = bp.PlanLibrary(home / "plans")
    cat = bp.load_catalogue()
    for who, start in (("Lena List", today - timedelta(weeks=10)), ("Mo List", today),
                       ("Noor List", today - timedelta(weeks=2))):  # fmt: skip
        lib.save(bp.build_plan(cat, "beginners", patient=who, start_date=start, weeks=6))
    page = open_page(browser, url)
    open_section(page, "patients")
    type_in(page, ".bp-search", "LIST")  # any case
    options = page.locator(".bp-plans select option")
    expect(options).to_have_count(3, timeout=30_000)
    page.locator(".bp-sort select").select_option("Start date")
    expect(options.first).to_contain_text("Mo List", timeout=30_000)
    texts = [t.replace("\xa0", " ") for t in options.all_inner_texts()]
    assert [t.split(" · ")[0] for t in texts] == ["Mo List", "Noor List", "Lena List"]
    assert "finished" in texts[2] and "active" in texts[0] and "no review yet" in texts[0]
    end = today - timedelta(weeks=10) + timedelta(days=41)
    assert f"to {end.day} {end:%b %Y}" in texts[2]  # the end date
    page.locator(".bp-plans select").select_option(index=2)
    page.locator(".bp-archive").click()
    expect(options).to_have_count(2, timeout=30_000)
    page.locator(".bp-show select").select_option(label="Archived")
    expect(options).to_have_count(1, timeout=30_000)
    expect(options.first).to_contain_text("Lena List")
    expect(options.first).to_contain_text("archived")
    assert list((home / "plans" / "archived").glob("lena-list_*.json"))  # kept, not deleted
    shot(page, "app-patient-list.png")
    page.close()


# --- 4. Whole numbers are typed, not guessed --------------------------------------------


def test_whole_number_boxes_keep_what_was_typed_and_say_why(url, browser) -> None:
    expect = _expect()
    page = open_page(browser, url)
    preview = page.locator(".bp-preview")
    before = preview.inner_text()
    box = page.locator(".bp-hold-s-wall-squats input")
    words = page.locator(".bp-words-wall-squats")
    for typed, says in (("2.5", "2.5 is not a whole number"), ("1e1", "'1e1' is not a number"),
                        ("ten", "'ten' is not a number"), ("", "the box is empty"),
                        ("12.5", "12.5 is not a whole number")):  # fmt: skip
        type_in(page, ".bp-hold-s-wall-squats", typed)
        expect(words).to_contain_text(says, timeout=30_000)
        assert box.input_value() == typed  # never changed behind the physio's back
        expect(page.locator(".bp-hold-s-wall-squats")).to_have_class(re.compile("bp-invalid"))
        assert preview.inner_text() == before  # the plan stays as it was
        # the message sits beside the box, not off screen
        gap = abs(words.bounding_box()["y"] - box.bounding_box()["y"])
        assert gap < 80, gap
    shot(page, "app-whole-numbers.png")
    type_in(page, ".bp-hold-s-wall-squats", "8")
    expect(preview).to_contain_text("560", timeout=30_000)  # 10 reps x 8 s x 7 days
    page.close()


# --- 5. Messages where the eye is; clinic details checked and shared --------------------


def test_clinic_details_are_checked_beside_each_field_and_shared_by_open_tabs(
    url, browser, home, tmp_path
) -> None:
    from pypdf import PdfReader

    expect = _expect()
    other = open_page(browser, url)  # a colleague's tab, open all along
    open_section(other, "clinic")
    page = open_page(browser, url, 1280, 800)
    open_section(page, "clinic")
    settings = (home / "clinic.json").read_bytes()
    type_in(page, ".bp-clinic-clinic", "")
    type_in(page, ".bp-clinic-phone", "call reception")
    page.locator(".bp-save-clinic").click()
    name_error = page.locator(".bp-clinic-clinic-error")
    phone_error = page.locator(".bp-clinic-phone-error")
    expect(name_error).to_contain_text("Type the clinic's name", timeout=30_000)
    expect(phone_error).to_contain_text("not a number a patient can dial")
    box = phone_error.bounding_box()
    assert 0 <= box["y"] <= 800 - box["height"], box  # in view, beside the field
    assert "String should have" not in page.locator(".bp-app").inner_text()
    assert (home / "clinic.json").read_bytes() == settings  # nothing saved
    type_in(page, ".bp-clinic-clinic", "Hill Clinic (synthetic)")
    type_in(page, ".bp-clinic-phone", "01632 960000")
    page.locator(".bp-save-clinic").click()
    expect(page.locator(".bp-clinic-message")).to_contain_text("Clinic details saved",
                                                               timeout=30_000)  # fmt: skip
    assert load_settings(home / "clinic.json").phone == "01632 960000"
    # The other tab prints the new details at once.
    type_in(other, ".bp-patient", "Shared Clinic")
    other.locator(".bp-make-downloads").click()
    link = other.locator(".bp-download a", has_text="Handout (PDF)")
    expect(link).to_be_visible(timeout=60_000)
    with other.expect_download() as info:
        link.click()
    pdf = tmp_path / "h.pdf"
    info.value.save_as(pdf)
    text = "".join(p.extract_text() for p in PdfReader(pdf).pages)
    assert "01632 960000" in text and "Hill Clinic (synthetic)" in text
    assert "01234 567890" not in text
    # the clinic's page explains the app's Upload logs (item 8), and still the code path
    assert "Upload logs" in text and "backplan.read_logs" in text
    assert other.locator(".bp-clinic-phone input").input_value() == "01632 960000"
    # The Excel handout: headings in words, the clinic on every row.
    import openpyxl

    with other.expect_download() as info:
        other.locator(".bp-download a", has_text="Excel").click()
    xlsx = tmp_path / "h.xlsx"
    info.value.save_as(xlsx)
    sheet = openpyxl.load_workbook(xlsx).active
    heads = [c.value for c in sheet[1]]
    assert heads[:2] == ["Patient", "Physio"] and heads[-2:] == ["Clinic", "Clinic phone"]
    assert "hold_s" not in heads and "Hold (seconds)" in heads
    row = [c.value for c in sheet[2]]
    assert row[-2:] == ["Hill Clinic (synthetic)", "01632 960000"]
    page.close()
    other.close()


# --- 6. The preview shows every week that changes; body areas count once ---------------


def test_preview_lists_every_changing_week_and_body_areas_add_up(url, browser) -> None:
    expect = _expect()
    page = open_page(browser, url)
    page.get_by_label("Add to the dose every few weeks").check()
    type_in(page, ".bp-add-every", "2")
    assert _weeks_shown(page, [1, 3, 5]) == [1, 3, 5]  # not just weeks 1 and 6
    chart = page.locator(".bp-chart img")
    # 560 reps a week, 2 more per exercise every 2 weeks (the chart says its totals)
    totals = "560, 560, 616, 616, 672, 672"
    expect(chart).to_have_attribute("alt", re.compile(totals), timeout=30_000)
    by_exercise, src = chart.get_attribute("alt"), chart.get_attribute("src")
    page.get_by_label("Split").select_option(label="by body area")
    expect(chart).not_to_have_attribute("src", src, timeout=30_000)
    # by body area every rep is counted once: the same weekly totals as by exercise
    assert chart.get_attribute("alt") == by_exercise
    shot(page, "app-preview-weeks.png")
    page.close()


# --- 7. Accessible ----------------------------------------------------------------------


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (1920, 1080)])
def test_accessible_and_the_preview_stays_in_view(url, browser, width, height) -> None:
    if not AXE.exists():
        pytest.skip("needs axe-core: npm ci --prefix tools/axe")
    page = open_page(browser, url, width, height)
    # The sections under the form come folded (their controls are no work for the page
    # while it loads); a skip link opens its section and Tab goes on into it.
    assert page.locator(".bp-plans, .bp-clinic-clinic, .bp-upload-logs").count() == 0
    page.locator(".bp-skip a", has_text="Clinic details").click()
    _expect()(page.locator(".bp-clinic-clinic input")).to_be_visible(timeout=30_000)
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.closest('.bp-clinic-clinic') !== null")
    # Opened from the keyboard, Tab goes on into the section.
    page.locator(".bp-section-patients button.bp-unfold").focus()
    page.keyboard.press("Enter")
    _expect()(page.locator(".bp-search input")).to_be_visible(timeout=30_000)
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.closest('.bp-section-patients') !== null")
    # axe-core, headings and names with every section open.
    open_section(page, "review")
    page.evaluate("() => window.scrollTo(0, 0)")
    page.wait_for_timeout(500)
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        """async () => (await axe.run(document)).violations.map(v =>
             [v.id, v.nodes.slice(0, 3).map(n => n.target.join(' '))])"""
    )
    assert violations == [], violations
    assert page.locator("main, [role=main]").count() == 1
    levels = page.evaluate(
        "() => [...document.querySelectorAll('h1,h2,h3,h4')].filter(h => h.offsetParent)"
        ".map(h => +h.tagName[1])"
    )
    assert levels[0] == 1 and all(b - a <= 1 for a, b in itertools.pairwise(levels))
    assert page.locator("[title=null], [title=undefined]").count() == 0
    status = page.locator(".bp-status")
    assert status.get_attribute("aria-live") == "polite"
    # Save is reached in a handful of Tab presses from the top of the page.
    page.locator("body").click(position={"x": 5, "y": 5})
    presses = 0
    while presses < 15:
        page.keyboard.press("Tab")
        presses += 1
        if page.evaluate("() => document.activeElement.classList.contains('bp-save')"):
            break
    assert presses <= 8, presses
    # Editing a dose far down the form, the preview is still in view.
    page.locator(".bp-reps-straight-leg-raises input").scroll_into_view_if_needed()
    before = page.locator(".bp-preview").inner_text()
    type_in(page, ".bp-reps-straight-leg-raises", "12")
    # the preview is drawn again: measure the new table, not the one being replaced
    _expect()(page.locator(".bp-preview")).not_to_have_text(before, timeout=30_000)
    _expect()(page.locator(".bp-preview table")).to_be_visible(timeout=30_000)
    preview = page.locator(".bp-preview table").bounding_box()
    assert preview["y"] < height and preview["y"] + preview["height"] > 0, preview
    assert page.evaluate("document.scrollingElement.scrollWidth") <= width
    shot(page, f"app-{width}x{height}-editing.png")
    page.locator(".bp-skip").scroll_into_view_if_needed()
    shot(page, f"app-{width}x{height}.png")
    page.close()


# --- 8, and issue 21's app items: uploads and templates explained beside them ----------


def test_uploads_and_templates_never_fail_silently(url, browser, tmp_path) -> None:
    import pandas as pd

    from backplan._io.paths import data_dir

    expect = _expect()
    demo = data_dir() / "demo"
    page = open_page(browser, url)
    open_section(page, "patients", "review")
    upload(page, ".bp-upload-plan", demo / "plans" / "SYN-0002.json")
    expect(_status(page)).to_contain_text("Opened SYN-0002.json", timeout=30_000)
    # One patient's own logs (the first symptom: nothing happened for most of them), under
    # a 105-character Japanese file name (an OSError with the server's temp path before).
    logs = pd.read_csv(demo / "logs.csv")
    own = logs[logs["patient"] == "SYN-0002"].to_csv(index=False).encode()
    with page.expect_file_chooser() as chooser:
        page.locator(".bp-upload-logs").click()
    name = "患者の運動記録" * 15 + ".csv"  # 105 characters, 315 bytes: too long for a file
    chooser.value.set_files({"name": name, "mimeType": "text/csv", "buffer": own})
    review = page.locator(".bp-review")
    expect(review).to_contain_text("Adherence over ended weeks", timeout=60_000)
    assert "/tmp" not in page.locator(".bp-app").inner_text()
    # A broken plan file is explained in plain words beside the button.
    bad = tmp_path / "broken.json"
    bad.write_text("{not json")
    upload(page, ".bp-upload-plan", bad)
    message = page.locator(".bp-plans-message")
    expect(message).to_contain_text("not a backplan plan file", timeout=30_000)
    assert "Expecting" not in message.inner_text()
    # A 201-character name and a template: said beside the template button.
    type_in(page, ".bp-patient", "x" * 201)
    page.locator(".bp-use-template").click()
    said = page.locator(".bp-template-message")
    expect(said).to_contain_text("at most 200 characters", timeout=30_000)
    expect(page.locator(".bp-details-error")).to_contain_text("at most 200 characters")
    settle(page)
    page.close()
