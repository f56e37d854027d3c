"""Keep the message catalogue in step with the data: ``python -m tools.messages``.

``data/locales/messages.pot`` holds every sentence a patient reads in English. The fixed
words (labels, the pain box, dose words) are written there by hand; the advice and the
exercise text come from ``data/advice.csv`` and ``data/back-exercises.csv``, and this
tool copies them in (contexts ``advice:<section>`` and ``exercise:<id>``), with the words on
the pictures and their descriptions from ``data/poses.json`` (context ``picture:<id>``),
then updates every
``<code>.po`` the way ``pybabel update`` does: a new or changed English text arrives
untranslated (the language's check then names it), a text no longer used is kept at the
end as obsolete (``#~``) so a translator can reuse it. Each file's review header stays.

Run ``python -m tools.messages --check`` to fail (status 1) when the template is behind
the data; ``tests/test_languages.py`` does the same.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from backplan._io.paths import data_dir
from backplan.catalogue import split_steps
from backplan.locales.files import DATA_CONTEXTS, STAFF_PREFIX, template_path
from backplan.pictures.scene import FIXED_BADGES

WIDTH = 96
_OWN_HEADER = re.compile(r'^"X-Backplan-[^"]*"\n', re.MULTILINE)
_STEP_FIELDS = (("name", "name"), ("position_detail", "starting position"),
                ("steps", "step"), ("easier_option", "easier way"))  # fmt: skip


def data_messages() -> list[tuple[str, str, str]]:
    """``(context, English text, note for translators)`` for every data text a patient
    reads, in file order."""
    out: list[tuple[str, str, str]] = []
    with open(data_dir() / "advice.csv", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            out.append((f"advice:{row['section']}", row["text"], f"advice.csv: {row['role']}"))
    with open(data_dir() / "back-exercises.csv", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            ctx = f"exercise:{row['id']}"
            for column, what in _STEP_FIELDS:
                parts = split_steps(row[column]) if column == "steps" else [row[column].strip()]
                for i, text in enumerate(p for p in parts if p):
                    note = f"{row['name']}: {what}" + (f" {i + 1}" if column == "steps" else "")
                    if "{side}" in text:
                        note += (
                            f"; {{side}} is '{row['side']}': write the word as your grammar needs"
                        )
                    if re.search(r"\}\s+(seconds?|times?)\b", text):
                        note += "; {hold_s} or {reps} stands for the number with its unit ('5 "
                        note += "seconds', '10 times'): write only the placeholder"
                    out.append((ctx, text, note))
    out += picture_messages()
    return out


def picture_messages() -> list[tuple[str, str, str]]:
    """``(context, English text, note)`` for the words on each shipped picture (captions,
    labels) and its description, from ``data/poses.json``: context ``picture:<id>``."""
    with open(data_dir() / "poses.json", encoding="utf-8") as f:
        data = json.load(f)
    out: list[tuple[str, str, str]] = []
    for exercise, entry in data["exercises"].items():
        for variant, e in [("", entry)] + (
            [("easier way ", entry["easier"])] if "easier" in entry else []
        ):
            where = f"picture of {exercise}, {variant}"
            out.append((f"picture:{exercise}", e["alt"], f"{where}description, read aloud by "
                        "screen readers"))  # fmt: skip
            for badge in e.get("badges", ()):  # a picture's own badge (not a dose's)
                if badge not in FIXED_BADGES:
                    out.append((f"picture:{exercise}", badge,
                                f"{where}badge after the hold: a few words"))  # fmt: skip
            for i, panel in enumerate(e["panels"], start=1):
                if panel.get("caption"):
                    out.append((f"picture:{exercise}", panel["caption"],
                                f"{where}caption under drawing {i}: keep it short"))  # fmt: skip
                if panel.get("caption_alone"):
                    out.append((f"picture:{exercise}", panel["caption_alone"],
                                f"{where}caption under drawing {i} when it is drawn alone "
                                "(no start drawing): keep it short"))  # fmt: skip
                for mark in (*panel.get("marks", ()), *panel.get("angles", ())):
                    text = mark.get("text") or mark.get("label")
                    if text:
                        out.append((f"picture:{exercise}", text,
                                    f"{where}label on drawing {i}: a few words"))  # fmt: skip
    return out


def template() -> Catalog:
    """The template as it should be: its fixed words, then the data's texts."""
    with open(template_path(), "rb") as f:
        old = read_po(f)
    new = Catalog(project="backplan", fuzzy=False, header_comment=old.header_comment)
    new.locale = None
    for m in old:
        if m.id and not (m.context or "").startswith(DATA_CONTEXTS):
            new.add(m.id, context=m.context, auto_comments=m.auto_comments)
    for context, text, note in data_messages():
        if (text, context) not in {(m.id, m.context) for m in new if m.id}:
            new.add(text, context=context, auto_comments=[note])
    return new


def _written(catalog: Catalog, keep_header: str = "") -> str:
    buf = io.BytesIO()
    write_po(buf, catalog, width=WIDTH, omit_header=False, include_previous=False)
    text = buf.getvalue().decode("utf-8")
    text = re.sub(r'^"POT-Creation-Date: .*"\n', "", text, flags=re.MULTILINE)
    for header in ("Generated-By", "Report-Msgid-Bugs-To", "Language-Team"):
        text = re.sub(rf'^"{header}: .*"\n', "", text, flags=re.MULTILINE)
    if keep_header:  # Babel keeps only the headers it knows: put the review status back
        text = text.replace('"Content-Type:', keep_header + '"Content-Type:', 1)
    return text


def update(check: bool = False) -> int:
    """Rewrite the template and every language file; with ``check``, only report."""
    new = template()
    pot = template_path()
    text = _written(new)
    if check:
        if pot.read_text(encoding="utf-8") != text:
            print(f"{pot}: out of date with the data; run python -m tools.messages")
            return 1
        return 0
    pot.write_text(text, encoding="utf-8")
    patient = Catalog(project="backplan", fuzzy=False)  # staff words are not translated
    for m in new:
        if m.id and not (m.context or "").startswith(STAFF_PREFIX):
            patient.add(m.id, context=m.context, auto_comments=m.auto_comments)
    for po in sorted(pot.parent.glob("*.po")):
        raw = po.read_text(encoding="utf-8")
        with open(po, "rb") as f:
            catalog = read_po(f)
        catalog.update(patient, no_fuzzy_matching=True, update_header_comment=False)
        for key, m in list(catalog.obsolete.items()):  # in use again: not kept twice (a
            if catalog.get(m.id, context=m.context) is not None:  # duplicate breaks msgfmt)
                del catalog.obsolete[key]
        po.write_text(_written(catalog, "".join(_OWN_HEADER.findall(raw))), encoding="utf-8")
        print(f"updated {po.name}")
    return 0


if __name__ == "__main__":
    sys.exit(update(check="--check" in sys.argv[1:]))
