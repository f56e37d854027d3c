"""What printing names and clinic text in other scripts costs, against Latin in the same run.

Writes the same N synthetic 6-week PDF handouts (see ``handouts.py``) four times: Latin
names (the baseline), Chinese names, Arabic names, and Arabic names with a clinic catalogue
whose first three exercises have Arabic names, positions and steps (shaped text in the
blocks and the diary columns). Prints CPU milliseconds per handout, the ratio to Latin, and
what the first handout of each kind costs in a fresh process (cutting and loading the fonts).

Target on a 2-core machine: a Chinese or Arabic handout costs at most 1.5 times a Latin one.

Run: ``.venv/bin/python benchmarks/handouts_scripts.py [N]``
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from handouts import plans

import backplan as bp

TARGET_RATIO = 1.5
ARABIC = ("رفع", "واقفاً، ويداك على ظهر كرسي", "قف مستقيماً|ارفع كعبيك ببطء|عد ببطء")


def arabic_catalogue() -> object:
    cat = bp.load_catalogue()
    for n, key in enumerate(("ankle-lifts", "heel-slides", "abdominal-contraction"), start=1):
        row = cat.id == key
        name, position, steps = ARABIC
        cat.loc[row, "name"] = f"{name} {n}"
        cat.loc[row, "position_detail"], cat.loc[row, "steps"] = position, steps
    return cat


def cpu_ms(kind: str, n: int, folder: Path) -> float:
    names = {"latin": None, "chinese": "王小明", "arabic": "محمد عبد الله"}
    catalogue = arabic_catalogue() if kind == "arabic catalogue" else None
    rename = names.get(kind, names["arabic"])
    batch = [
        p.model_copy(update={"patient": f"{rename} {i:03d}"}) if rename else p
        for i, p in enumerate(plans(n))
    ]
    bp.handout.to_pdf(batch[0], folder / "warm.pdf", catalogue=catalogue)  # fonts loaded
    start = time.process_time()
    for i, plan in enumerate(batch):
        bp.handout.to_pdf(plan, folder / f"{i}.pdf", catalogue=catalogue)
    return (time.process_time() - start) / n * 1000


def first_ms(kind: str) -> float:
    """CPU ms of the first handout of a kind in a fresh process (fonts cut and loaded)."""
    code = (
        "import sys, time, tempfile\n"
        "sys.path.insert(0, 'benchmarks')\n"
        "import handouts_scripts as s, backplan as bp\n"
        "from handouts import plans\n"
        "p = plans(1)[0]\n"
        f"kind = {kind!r}\n"
        "cat = s.arabic_catalogue() if kind == 'arabic catalogue' else None\n"
        "names = {'latin': p.patient, 'chinese': '王小明'}\n"
        "p = p.model_copy(update={'patient': names.get(kind, 'محمد عبد الله')})\n"
        "bp.handout.to_pdf(plans(1)[0], tempfile.mkdtemp() + '/w.pdf')  # Latin warm-up\n"
        "t = time.process_time()\n"
        "bp.handout.to_pdf(p, tempfile.mkdtemp() + '/a.pdf', catalogue=cat)\n"
        "print((time.process_time() - t) * 1000)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def main(n: int = 60) -> int:
    folder = Path(tempfile.mkdtemp(prefix="bench-scripts-"))
    kinds = ("latin", "chinese", "arabic", "arabic catalogue")
    ms = {kind: cpu_ms(kind, n, folder) for kind in kinds}
    worst = 0.0
    for kind in kinds:
        ratio = ms[kind] / ms["latin"]
        worst = max(worst, ratio)
        print(
            f"{kind}: {ms[kind]:.1f} CPU ms per handout, {ratio:.2f} x Latin; "
            f"first handout in a fresh process {first_ms(kind):.0f} CPU ms"
        )
    print(f"worst ratio: {worst:.2f} (target <= {TARGET_RATIO})")
    return 0 if worst <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main(*(int(a) for a in sys.argv[1:])))
