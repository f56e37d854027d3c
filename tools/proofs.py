"""Render every handout variant to PNG pages for a person to look at: ``make proofs``.

A4 and Letter x clear and large print x beginners and more advanced x 1 and 3 sessions a
day, plus a long note, a non-Latin name, a 200-character name, a name and notes in every
script the handout prints (:data:`SCRIPT_NAMES`), large print at 4 and 6
sessions a day (the diary's biggest weeks) and a plan reprinted after a revision; then
every shipped language other than English (``lang-<code>-...``: bilingual, Arabic and Urdu
right to left), clear and large print, with a move to the next level and a revision.
PDFs and PNG pages (pdftoppm, 50 dpi) go to ``artifacts/proofs/``, and the HTML handout's
print view as printed by headless Chromium (clear and large print).

Run: ``make proofs`` or ``.venv/bin/python -m tools.proofs [folder]`` from the repository.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import backplan as bp
from backplan.settings import ClinicSettings
from tools.chromium import chromium_path, print_to_pdf

SETTINGS = ClinicSettings(
    clinic="Riverside Physio (synthetic)", phone="01234 567890", physio="A. Physio"
)
#: one synthetic name in every script the handout prints (each also a note line)
SCRIPT_NAMES = {
    "Latin": "Zoë Ñúñez-O'Brien, Łukasz Żółć, Nguyễn Thị Ánh, Đorđe Šćepanović",
    "Greek": "Αλέξανδρος Παπαδόπουλος",
    "Cyrillic": "Александра Иванова",
    "Arabic": "محمد عبد الله",
    "Urdu": "عائشہ پروین",
    "Hebrew": "שרה כהן",
    "Devanagari": "प्रिया शर्मा",
    "Bengali": "সুমন চৌধুরী",
    "Gurmukhi": "ਹਰਪ੍ਰੀਤ ਸਿੰਘ",
    "Gujarati": "જયેશ પટેલ",
    "Tamil": "கார்த்திக் சுப்பிரமணியம்",
    "Chinese": "王小明",
    "Japanese": "山田 はなこ",
    "Korean": "김민준",
}
CLINIC_TEXT_SAMPLES = {
    "Arabic": ("رفع الكعب", "واقفاً، ويداك على ظهر كرسي", "قف مستقيماً|ارفع كعبيك ببطء|عد ببطء"),
    "Chinese": ("提踵", "站立，双手扶椅背", "站直|慢慢抬起脚跟|慢慢放下"),
}
#: one synthetic patient name per shipped language
LANGUAGE_NAMES = {
    "cy": "Siân Llŷr ap Gwynedd", "pl": "Łukasz Żółć", "ro": "Ștefania Țărănescu",
    "pa": "ਹਰਪ੍ਰੀਤ ਸਿੰਘ", "ur": "عائشہ پروین", "pt": "João Gonçalves", "es": "María José Núñez",
    "ar": "محمد عبد الله", "bn": "সুমন চৌধুরী",
}  # fmt: skip
LONG_NOTE = " ".join(
    ["Go gently for the first few days and stop if the pain spreads down a leg."] * 8
)


def variants() -> list[tuple[str, bp.Plan, dict]]:
    cat = bp.load_catalogue()
    out = []
    for level in ("beginners", "more advanced"):
        for sessions in (1, 3):
            plan = bp.build_plan(
                cat,
                level,
                patient="Zoë Ñúñez-O'Brien (synthetic)",
                clinician="Siobhán Ní Bhriain",
                start_date=date(2026, 3, 9),
                weeks=6,
                sessions_per_day=sessions,
                progression=[bp.AddDose(what="reps", amount=1, every_weeks=2, cap=20)],
            )
            for size in ("A4", "letter"):
                for large in (False, True):
                    name = (
                        f"{level.split()[-1]}-{sessions}x-{size.lower()}-"
                        f"{'large' if large else 'clear'}"
                    )
                    out.append((name, plan, {"page_size": size, "large_print": large}))
    special = {
        "long-note": {"notes": LONG_NOTE, "patient": "Ana Lopes (synthetic)"},
        "non-latin": {"patient": "Αλέξανδρος Παπαδόπουλος / Александра Иванова (synthetic)"},
        "name-200": {"patient": ("Bartholomew-Maximilian " * 10)[:200]},
        **{
            f"script-{key.lower()}": {
                "patient": f"{name} (synthetic)",
                "notes": f"{name}: 2 × 10, {key} 123.\n" + "\n".join(SCRIPT_NAMES.values()),
            }
            for key, name in SCRIPT_NAMES.items()
        },
    }
    for name, extra in special.items():
        plan = bp.build_plan(
            cat,
            "beginners",
            start_date=date(2026, 3, 9),
            weeks=4,
            clinician="Siobhán Ní Bhriain",
            **extra,
        )
        for large in (False, True):
            out.append(
                (
                    f"{name}-{'large' if large else 'clear'}",
                    plan,
                    {"page_size": "A4", "large_print": large},
                )
            )
    # a clinic's own catalogue text in Arabic and Chinese (proof text only, not reviewed
    # translations): exercise headings, steps and diary columns in those scripts
    for key, (name, position, steps) in CLINIC_TEXT_SAMPLES.items():
        own = cat.copy()
        row = own.id == "heel-raises"
        own.loc[row, "name"], own.loc[row, "position_detail"], own.loc[row, "steps"] = (
            name, position, steps,
        )  # fmt: skip
        plan = bp.build_plan(
            own, "beginners", ["heel-raises", "knee-to-chest"], start_date=date(2026, 3, 9),
            weeks=2, patient=SCRIPT_NAMES[key],
        )  # fmt: skip
        for large in (False, True):
            kwargs = {"large_print": large, "catalogue": own}
            out.append((f"catalogue-{key.lower()}-{'large' if large else 'clear'}", plan, kwargs))
    for sessions in (4, 6):
        plan = bp.build_plan(
            cat, "beginners", patient="Ana Lopes (synthetic)", start_date=date(2026, 3, 9),
            weeks=3, sessions_per_day=sessions,
        )  # fmt: skip
        for size in ("A4", "letter"):
            name = f"beginners-{sessions}x-{size.lower()}-large"
            out.append((name, plan, {"page_size": size, "large_print": True}))
    revised = bp.revise(
        out[0][1], 3, {"heel-slides": {"reps": 8}, "wall-squats": {"reps": 6}},
        stop=["heel-raises"], why="Pain went up in week 2.", by="Siobhán Ní Bhriain",
        when=datetime(2026, 3, 20, 9, 0),
    )  # fmt: skip
    for large in (False, True):
        out.append((f"revised-{'large' if large else 'clear'}", revised, {"large_print": large}))
    for code in bp.locales.language_codes()[1:]:
        plan = bp.build_plan(
            cat, "beginners", patient=f"{LANGUAGE_NAMES[code]} (synthetic)",
            clinician="Siobhán Ní Bhriain", start_date=date(2026, 3, 9), weeks=6,
            sessions_per_day=3, language=code,
            progression=[bp.AddDose(what="reps", amount=2, every_weeks=2, cap=20),
                         bp.next_level(cat, 5)],
        )  # fmt: skip
        plan = bp.revise(
            plan, 3, {"heel-slides": {"reps": 8}}, stop=["heel-raises"],
            why="Pain went up in week 2.", by="Siobhán Ní Bhriain",
            when=datetime(2026, 3, 20, 9, 0),
        )  # fmt: skip
        for large in (False, True):
            out.append(
                (f"lang-{code}-{'large' if large else 'clear'}", plan, {"large_print": large})
            )
    return out


def render_proofs(folder: str = "artifacts/proofs") -> int:
    """Write every variant's PDF and PNG pages (and an HTML handout) into ``folder``."""
    out = Path(folder)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for name, plan, kwargs in variants():
        pdf = bp.handout.to_pdf(plan, out / f"{name}.pdf", settings=SETTINGS, **kwargs)
        subprocess.run(["pdftoppm", "-r", "50", "-png", str(pdf), str(out / name)], check=True)
        pages = len(list(out.glob(f"{name}-*.png")))
        print(f"{name}: {pages} pages")
    in_html = {"beginners-1x-a4-clear", "beginners-1x-a4-large", "beginners-6x-a4-large",
               "revised-clear", "script-arabic-clear", "script-chinese-large",
               "lang-cy-clear", "lang-pl-large", "lang-ar-clear", "lang-ur-large",
               "lang-bn-clear", "lang-pa-clear"}  # fmt: skip
    for name, plan, kwargs in [v for v in variants() if v[0] in in_html]:
        html = bp.handout.to_html(plan, out / f"html-{name}.html", settings=SETTINGS, **kwargs)
        _print_html(html, out / f"html-{name}")
    return 0


def _print_html(html: Path, stem: Path) -> None:
    """The HTML handout's print view, printed by headless Chromium, as PNG pages."""
    if chromium_path() is None:
        print("chromium is missing: HTML print proofs skipped")
        return
    pdf = print_to_pdf(html, stem.with_suffix(".pdf"))
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(pdf), str(stem)], check=True)
    print(f"{stem.name}: {len(list(stem.parent.glob(stem.name + '-*.png')))} pages")


if __name__ == "__main__":
    sys.exit(render_proofs(*sys.argv[1:]))
