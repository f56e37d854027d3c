"""The Voila plan-builder app in a real Chromium: each clinic workflow, end to end.

Needs Debian's ``chromium`` package and the Python package ``playwright`` (Playwright's own
browser download is not used); each test is skipped, naming what is missing, without
them. The server and the browser are the shared fixtures of ``tests/browser_app.py``.
Screenshots go to ``artifacts/`` for review.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from browser_app import SHARED_CLINIC, open_page, open_section

import backplan as bp

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "artifacts"

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(300)]


@pytest.fixture(scope="module")
def app(app_url: str, app_home: Path) -> tuple[str, Path]:
    """The app as ``make app`` serves it (the worker's shared server, tests/browser_app.py):
    its URL and plans folder."""
    return app_url, app_home / "plans"


def _open(browser: object, url: str, width: int = 1920, height: int = 1080) -> object:
    return open_page(browser, url, width, height)


def _shot(page: object, name: str, full: bool = True) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=full)  # type: ignore[attr-defined]
    print(f"screenshot: {path}")
    return path


def _type(page: object, css: str, text: str) -> None:
    box = page.locator(f"{css} input, {css} textarea").first  # type: ignore[attr-defined]
    box.fill(text)
    box.press("Tab")


def test_two_patients_saved_and_both_intact(app, browser) -> None:
    from playwright.sync_api import expect

    url, plans = app
    page = _open(browser, url)
    status = page.locator(".bp-status")
    _type(page, ".bp-patient", "Ann Example")
    page.locator(".bp-save").click()
    expect(status).to_contain_text("Saved the plan of Ann Example", timeout=15_000)
    _type(page, ".bp-patient", "Bob Example")
    _type(page, ".bp-reps-heel-raises", "12")
    expect(page.locator(".bp-preview")).to_contain_text("12", timeout=15_000)
    page.locator(".bp-save").click()
    expect(status).to_contain_text("Saved the plan of Bob Example", timeout=15_000)
    open_section(page, "patients")
    listing = page.locator(".bp-plans select")
    expect(listing).to_contain_text("Ann Example")
    expect(listing).to_contain_text("Bob Example")
    body = page.locator("body").inner_text()
    assert str(plans) not in body and "/tmp" not in body  # no server path on screen
    _shot(page, "app-two-patients.png", full=False)
    ann = bp.load_plan(next(plans.glob("ann-example_*.json")))
    bob = bp.load_plan(next(plans.glob("bob-example_*.json")))
    assert ann.patient == "Ann Example" and bob.patient == "Bob Example"
    assert {p.exercise: p.reps for p in ann.prescriptions}["heel-raises"] == 10
    assert {p.exercise: p.reps for p in bob.prescriptions}["heel-raises"] == 12
    page.close()


def test_template_to_plan(app, browser) -> None:
    from playwright.sync_api import expect

    url, _ = app
    page = _open(browser, url)
    _type(page, ".bp-patient", "Tess Template")
    open_section(page, "patients")
    page.locator(".bp-template select").select_option(label="First two weeks")
    expect(page.locator("body")).to_contain_text("NHS inform", timeout=15_000)
    page.locator(".bp-use-template").click()
    expect(page.locator(".bp-status")).to_contain_text("First two weeks", timeout=15_000)
    row = page.locator(".bp-preview tr", has_text="Heel slides").last
    cells = row.locator("td")
    assert cells.nth(0).inner_text() == "2"  # the last week of a 2-week plan
    assert cells.nth(3).inner_text() == "7"  # 5 reps, 2 more in week 2
    assert cells.nth(6).inner_text() == "3"  # 3 times a day
    assert page.locator(".bp-patient input").input_value() == "Tess Template"
    _shot(page, "app-template.png", full=False)
    page.close()


def test_downloaded_pdf_opens_and_names_the_patient(app, browser, tmp_path: Path) -> None:
    from playwright.sync_api import expect
    from pypdf import PdfReader

    url, _ = app
    page = _open(browser, url)
    _type(page, ".bp-patient", "Dora Download")
    page.locator(".bp-make-downloads").click()
    link = page.locator(".bp-download a", has_text="Handout (PDF)")
    expect(link).to_be_visible(timeout=30_000)
    assert "/tmp" not in page.locator(".bp-app").inner_text()
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename.startswith("dora-download_")
    pdf = tmp_path / download.suggested_filename
    download.save_as(pdf)
    text = "".join(p.extract_text() for p in PdfReader(pdf).pages)
    assert "Dora Download" in text and SHARED_CLINIC in text
    ARTIFACTS.mkdir(exist_ok=True)
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "70",
            "-png",
            "-f",
            "1",
            "-l",
            "1",
            str(pdf),
            str(ARTIFACTS / "app-pdf"),
        ],
        check=True,
    )
    with page.expect_download() as info:
        page.locator(".bp-download a", has_text="Plan file").click()
    plan_file = tmp_path / info.value.suggested_filename
    info.value.save_as(plan_file)
    assert bp.load_plan(plan_file).patient == "Dora Download"
    _shot(page, "app-downloads.png", full=False)
    page.close()


def test_invalid_value_shows_its_message_and_changes_nothing(app, browser) -> None:
    from playwright.sync_api import expect

    url, _ = app
    page = _open(browser, url)
    preview = page.locator(".bp-preview")
    before = preview.inner_text()
    _type(page, ".bp-reps-heel-raises", "99")
    error = page.locator(".bp-words-heel-raises .bp-field-error")
    expect(error).to_contain_text("reps: 1 to 50", timeout=15_000)
    expect(page.locator(".bp-status")).to_contain_text("nothing was changed")
    assert page.locator(".bp-reps-heel-raises input").input_value() == "99"  # not clamped
    assert preview.inner_text() == before
    page.locator(".bp-reps-heel-raises").scroll_into_view_if_needed()
    _shot(page, "app-invalid.png", full=False)
    page.close()


def _upload(page: object, css: str, path: Path) -> None:
    """Click an upload button as a physio would and pick ``path`` in the file chooser."""
    with page.expect_file_chooser() as chooser:  # type: ignore[attr-defined]
        page.locator(css).click()  # type: ignore[attr-defined]
    chooser.value.set_files(str(path))


def test_uploaded_plan_and_logs_show_this_patients_review(app, browser, tmp_path) -> None:
    from playwright.sync_api import expect

    from backplan._io.paths import data_dir

    url, _ = app
    demo = data_dir() / "demo"
    page = _open(browser, url)
    open_section(page, "patients", "review")
    _upload(page, ".bp-upload-plan", demo / "plans" / "SYN-0001.json")
    expect(page.locator(".bp-status")).to_contain_text("Opened SYN-0001.json", timeout=15_000)
    assert page.locator(".bp-patient input").input_value() == "SYN-0001"
    _upload(page, ".bp-upload-logs", demo / "logs.csv")
    review = page.locator(".bp-review")
    expect(review).to_contain_text("Adherence over ended weeks", timeout=30_000)
    expected = bp.adherence(demo / "logs.csv", [bp.load_plan(demo / "plans" / "SYN-0001.json")])
    assert f"{expected.by_patient.iloc[0]['adherence']:.0%}" in review.inner_text()
    assert "/tmp" not in page.locator(".bp-app").inner_text()
    # The plan has ended: the decision is shown, but only a new plan can go on.
    decision = page.locator(".bp-decision")
    expect(decision).to_contain_text("Week 8 review", timeout=15_000)
    expect(page.locator(".bp-apply-review button, button.bp-apply-review")).to_be_disabled()
    page.close()


def test_review_decision_applied_as_a_revision(app, browser, tmp_path) -> None:
    import pandas as pd
    from playwright.sync_api import expect

    from backplan._io.paths import data_dir

    url, _ = app
    demo = data_dir() / "demo"
    plan = bp.load_plan(demo / "plans" / "SYN-0001.json")
    logs = pd.read_csv(demo / "logs.csv")
    end = pd.Timestamp(plan.start_date) + pd.Timedelta(days=28)
    four_weeks = tmp_path / "four-weeks.csv"
    logs[pd.to_datetime(logs["date"]) < end].to_csv(four_weeks, index=False)
    expected = bp.review(plan, four_weeks)
    page = _open(browser, url, 1280, 800)
    open_section(page, "patients", "review")
    _upload(page, ".bp-upload-plan", demo / "plans" / "SYN-0001.json")
    expect(page.locator(".bp-status")).to_contain_text("Opened SYN-0001.json", timeout=15_000)
    _upload(page, ".bp-upload-logs", four_weeks)
    decision = page.locator(".bp-decision")
    expect(decision).to_contain_text(
        f"Week {expected.week} review: {expected.decision.upper()}", timeout=30_000
    )
    assert expected.reason in decision.inner_text()
    decision.scroll_into_view_if_needed()
    _shot(page, "app-review.png", full=False)
    page.locator(".bp-apply-review").click()
    expect(page.locator(".bp-status")).to_contain_text("applied as revision 2", timeout=15_000)
    changes = page.locator(".bp-changes")
    expect(changes).to_contain_text("What the patient is told changed")
    revised = bp.apply_review(plan, expected, by=plan.clinician)
    for sentence in bp.what_changed(revised):
        assert sentence in changes.inner_text()
    changes.scroll_into_view_if_needed()
    _shot(page, "app-review-applied.png", full=False)
    page.close()


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (1920, 1080)])
def test_layout_readable_labelled_and_keyboard_usable(app, browser, width, height) -> None:
    url, _ = app
    page = _open(browser, url, width, height)
    # Nothing runs off the right edge.
    assert page.evaluate("document.scrollingElement.scrollWidth") <= width
    # The chart is shown at its natural size, so its 12 px legend text stays 12 px.
    chart = page.locator(".bp-chart img")
    natural, shown = chart.evaluate("i => [i.naturalWidth, i.getBoundingClientRect().width]")
    assert natural == pytest.approx(shown, abs=1)
    assert "repetitions per week" in chart.get_attribute("alt")
    # Preview headings sit over their columns.
    lefts = page.evaluate(
        """() => { const t = document.querySelector('.bp-preview table');
        const th = [...t.querySelectorAll('th')].map(c => c.getBoundingClientRect());
        const td = [...t.querySelector('tbody tr').querySelectorAll('td')]
            .map(c => c.getBoundingClientRect());
        return th.map((h, i) => [h.left, td[i].left, h.right, td[i].right]); }"""
    )
    for h_left, d_left, h_right, d_right in lefts:
        assert h_left == pytest.approx(d_left, abs=1) and h_right == pytest.approx(d_right, abs=1)
    # Every control has a name a screen reader can say (the folded sections opened).
    open_section(page, "patients", "review", "clinic")
    unnamed = page.evaluate(
        """() => [...document.querySelectorAll(
              '.bp-app input, .bp-app select, .bp-app textarea, .bp-app button')]
            .filter(e => e.offsetParent !== null && e.type !== 'file')
            .filter(e => !((e.labels && [...e.labels].some(l => l.textContent.trim()))
                || e.getAttribute('aria-label') || e.title || e.textContent.trim()))
            .map(e => e.outerHTML.slice(0, 80))"""
    )
    assert unnamed == []
    # Tab reaches the form and the focused control shows a visible outline.
    page.locator(".bp-search input").focus()
    outlines = []
    for _ in range(6):
        page.keyboard.press("Tab")
        outlines.append(
            page.evaluate(
                "() => { const s = getComputedStyle(document.activeElement);"
                " return [document.activeElement.tagName, s.outlineStyle, s.outlineWidth]; }"
            )
        )
    assert all(style != "none" and width_ != "0px" for _, style, width_ in outlines), outlines
    # Each exercise shows its picture, big enough to see the pose.
    picture = page.locator(".bp-picture-wall-squats svg[role=img]")  # not its panels
    box = picture.bounding_box()
    assert box is not None and box["height"] >= 60, box
    _shot(page, f"app-{width}x{height}.png", full=False)
    page.close()


def test_voila_uses_this_environment_for_the_kernel() -> None:
    """Voila starts kernels from the 'python3' kernelspec; it must map to this venv."""
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager

    spec = KernelSpecManager().get_kernel_spec("python3")
    manager = KernelManager(kernel_name="python3")
    cmd = manager.format_kernel_cmd()
    assert spec.argv[0] in ("python", "python3", sys.executable)
    assert cmd[0] == sys.executable
