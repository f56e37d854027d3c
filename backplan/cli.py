"""The ``backplan`` command: patient handouts from saved plans, for use at a terminal.

Examples
--------
::

    backplan handout plan.json -o handout.pdf --large-print
    backplan handout plan.json -o handout.html --clinic "Riverside Physio"
    backplan handouts plans/ -o handouts/ --format pdf --format csv
    backplan adherence logs.csv -p plans/ -o report.html --as-of 2026-03-01
    backplan fhir plan.json -o careplan.json
    backplan review logs.csv -p plans/ -o review.html

Each subcommand lives in its own ``_add_*`` function, so more can be added without
touching the others.

Exit status: 0 success; 2 a usage or input error (bad option, a file that cannot be read
or is not valid, an output that would land on an input); 1 any other failure (e.g. the
output cannot be written). Errors are one line on stderr naming the file and the problem,
never a traceback (set the environment variable ``BACKPLAN_DEBUG=1`` to see one for an
unexpected failure).

Before any work every argument is checked: each is at most a stated length (a path
:data:`MAX_PATH_CHARS`, clinic details as in the clinic settings), ``--as-of`` is a real
``YYYY-MM-DD`` day from 1900 to 2100, every input can be read (a file, or a folder; never a
device or a pipe, which could block for ever), and the output is none of the inputs,
however its path is written (the same file, a hard or symbolic link, a path with ``..``):
nothing is written and no input changes when a check fails.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from ._io.dates import DATE_TEXT, parse_iso_date
from ._io.files import check_readable, same_file
from ._io.numbers import parse_decimal
from .errors import BackplanError, short

__all__ = ["MAX_ARG_CHARS", "MAX_PATH_CHARS", "build_parser", "main"]

#: The longest path accepted (Linux's PATH_MAX); each file or folder name at most 255 bytes.
MAX_PATH_CHARS = 4096
#: The longest argument of any kind (a longer one is a usage error before anything runs).
MAX_ARG_CHARS = MAX_PATH_CHARS

_SUFFIX_FORMAT = {
    ".pdf": "pdf",
    ".html": "html",
    ".htm": "html",
    ".csv": "csv",
    ".xlsx": "xlsx",
    ".md": "md",
}
_FORMATS = ("pdf", "html", "csv", "xlsx", "md")

_DESCRIPTION = """\
backplan helps physiotherapists plan home exercise for back pain.
Use a subcommand below; add --help after it to see its options, for example:
  backplan handout --help"""

_HANDOUT_HELP = """\
Make the handout a patient takes home from one saved plan (a .json file
saved by backplan). The handout lists each exercise with its dose in words,
the safety advice and a tick-box diary for every week of the plan."""

_HANDOUTS_HELP = """\
Make one handout for every saved plan (.json file) in a folder. A plan that
cannot be read is listed as an error and the others are still made."""


_ADHERENCE_HELP = """\
Check patients' exercise logs against their saved plans and write a report
for a service meeting (.html or .xlsx): adherence per patient, week and
exercise, the cohort by week, who is flagged and why, and every log row that
was rejected with the reason. Logs may be CSV, Excel, Parquet or a folder of
Parquet files."""


def _subcommand(
    sub: argparse._SubParsersAction,
    name: str,
    summary: str,
    description: str,
    example: str,
    source: tuple[str, str, str],
    output: tuple[str, str],
) -> argparse.ArgumentParser:
    """Add subcommand ``name`` with its input argument and its required ``-o/--output``."""
    p = sub.add_parser(
        name,
        help=summary,
        description=description,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=f"example:\n  backplan {name} {example}",
    )
    dest, metavar, what = source
    p.add_argument(dest, type=_path, metavar=metavar, help=what)
    metavar, what = output
    p.add_argument("-o", "--output", type=_path, required=True, metavar=metavar, help=what)
    return p


def _path(text: str) -> Path:
    """A path argument: not empty, no NUL, at most :data:`MAX_PATH_CHARS` characters and
    255 bytes a name (longer ones fail later, deep inside the system, as a write error)."""
    expected = f"a path of at most {MAX_PATH_CHARS} characters, each name at most 255 bytes"
    if not text or "\0" in text or len(text) > MAX_PATH_CHARS:
        raise argparse.ArgumentTypeError(f"expected {expected}, got {short(text)!r}")
    try:
        too_long = any(len(os.fsencode(part)) > 255 for part in Path(text).parts)
    except UnicodeError:
        raise argparse.ArgumentTypeError(
            f"expected a path in valid text, got {short(text)!r}"
        ) from None
    if too_long:
        raise argparse.ArgumentTypeError(f"expected {expected}, got {short(text)!r}")
    return Path(text)


def _text(name: str) -> Callable[[str], str]:
    """An argparse type for the clinic detail ``name``: text within the settings' limit."""
    from .handout.options import CLINIC_LIMITS

    limit = CLINIC_LIMITS[name]

    def check(text: str) -> str:
        if len(text) > limit:
            raise argparse.ArgumentTypeError(
                f"expected at most {limit} characters, got {short(text)!r}"
            )
        return text

    return check


def _add_handout(sub: argparse._SubParsersAction) -> None:
    p = _subcommand(
        sub,
        "handout",
        "make one patient handout from a saved plan",
        _HANDOUT_HELP,
        "plan.json -o handout.pdf --large-print",
        ("plan", "PLAN.json", "the saved plan"),
        ("OUT", "the file to write, e.g. handout.pdf"),
    )
    _common(p, single=True)
    p.set_defaults(run=_run_handout)


def _add_handouts(sub: argparse._SubParsersAction) -> None:
    p = _subcommand(
        sub,
        "handouts",
        "make a handout for every saved plan in a folder",
        _HANDOUTS_HELP,
        "plans/ -o handouts/ --format pdf --format csv",
        ("plans", "PLANS_DIR", "folder of saved plans (.json)"),
        ("OUT_DIR", "folder to write the handouts into (made if missing)"),
    )
    _common(p, single=False)
    p.set_defaults(run=_run_handouts)


def _add_adherence(sub: argparse._SubParsersAction) -> None:
    p = _subcommand(
        sub,
        "adherence",
        "check exercise logs against saved plans and write a report",
        _ADHERENCE_HELP,
        "logs.csv -p plans/ -o report.html --as-of 2026-03-01",
        ("logs", "LOGS", "the exercise logs (file or folder)"),
        ("REPORT", "the report to write: ends in .html or .xlsx"),
    )
    p.add_argument(
        "-p",
        "--plans",
        type=_path,
        required=True,
        metavar="PLANS_DIR",
        help="folder of the patients' saved plans (.json)",
    )
    p.add_argument(
        "--as-of",
        type=_iso_day,
        metavar="YYYY-MM-DD",
        help="count weeks that ended by this day (default: the latest log date)",
    )
    p.add_argument(
        "--threshold",
        type=_share,
        default=0.8,
        metavar="SHARE",
        help="share of the dose that counts as adherent, from 0 to 1 (default 0.8)",
    )
    p.set_defaults(run=_run_adherence, inputs={"logs": "logs", "plans": "plans"})


def _iso_day(text: str) -> str:
    """``--as-of``: a real day by the one date rule (``YYYY-MM-DD``, 1900-2100; no
    01/02/2026, no 2026-02-30, no ``today``)."""
    day = parse_iso_date(text)
    if day is None:
        raise argparse.ArgumentTypeError(f"expected {DATE_TEXT}, got {short(text)!r}")
    return day.isoformat()


def _share(text: str) -> float:
    """``--threshold``: a decimal number above 0 and at most 1, by the one number rule."""
    share = parse_decimal(text)
    if share is None or not 0 < share <= 1:
        raise argparse.ArgumentTypeError(
            f"expected a share above 0 and at most 1 (e.g. 0.8), got {short(text)!r}"
        )
    return share


def _run_adherence(args: argparse.Namespace) -> int:
    from ._io.files import atomic_path
    from .logs import report_from_files

    if args.output.suffix.lower() not in {".html", ".htm", ".xlsx"}:
        raise BackplanError(f"{args.output.name!r}: the report must end in .html or .xlsx")
    with atomic_path(args.output) as tmp:  # a failed run leaves an old report as it was
        report = report_from_files(args.logs, args.plans, tmp, args.as_of, args.threshold)
    print(report.summary())
    print(f"wrote {args.output}")
    return 0


_FHIR_HELP = """\
Convert between a saved plan and HL7 FHIR R4, the format health records
exchange. A saved plan (.json) becomes a transaction Bundle a FHIR server takes
(POST it to the server's base URL): the patient, one ServiceRequest per exercise
and stretch of weeks, the CarePlan and its history. A FHIR Bundle (or CarePlan)
that backplan wrote becomes a saved plan again. A Bundle of exercise
Observations (from a patient app) becomes a log CSV for 'backplan adherence';
each rejected entry is listed with its reason. Which way is told from the
file's content. Everything is checked against the FHIR R4 models and R4's
required codes; nothing is sent anywhere."""


def _add_fhir(sub: argparse._SubParsersAction) -> None:
    p = _subcommand(
        sub,
        "fhir",
        "convert a saved plan to a FHIR Bundle for a health record, or back",
        _FHIR_HELP,
        "plan.json -o careplan.json --patient-system https://fhir.nhs.uk/Id/nhs-number",
        ("source", "FILE.json", "a saved plan, or a FHIR Bundle/CarePlan"),
        ("OUT.json", "the FHIR Bundle or saved plan to write"),
    )
    p.add_argument("--patient-system", default="", metavar="URL",
                   help="the identifier system of your patient labels, e.g. "
                        "https://fhir.nhs.uk/Id/nhs-number (default: backplan's own)")  # fmt: skip
    p.add_argument("--patients", choices=("resource", "conditional"), default="resource",
                   help="send a Patient with the label (default), or refer to the server's "
                        "Patient by identifier only")  # fmt: skip
    p.add_argument("--canonical", default="", metavar="URL",
                   help="the base of backplan's extension URLs, if your service publishes "
                        "them elsewhere (default: backplan's)")  # fmt: skip
    p.add_argument("--as-of", type=_iso_day, metavar="YYYY-MM-DD",
                   help="the day statuses are worked out for: a plan is 'completed' after "
                        "its last day (default: today)")  # fmt: skip
    p.add_argument("--collection", action="store_true",
                   help="write a collection Bundle (a file to keep) instead of a transaction")  # fmt: skip
    p.set_defaults(run=_run_fhir, inputs={"source": "file"})


def _fhir_settings(args: argparse.Namespace) -> Any:
    from pydantic import ValidationError

    from .fhir import FhirSettings

    given = {"patient_system": args.patient_system, "patients": args.patients}
    if args.canonical:
        given["canonical"] = args.canonical.rstrip("/")
    try:
        return FhirSettings(**given)
    except ValidationError as exc:
        err = exc.errors()[0]
        option = "--" + str(err["loc"][0]).replace("_", "-")
        raise BackplanError(
            f"{option}: expected an http(s) URL, got {err.get('input')!r}"
        ) from None


def _run_fhir(args: argparse.Namespace) -> int:
    """Plan -> FHIR, FHIR -> plan, or FHIR logs -> CSV; a problem is one line on stderr
    and exit status 2."""
    import json

    from ._io.files import read_capped, write_atomic
    from ._io.json import MAX_BYTES, load_json
    from .plan import load_plan, save_plan

    try:
        from . import fhir

        settings = _fhir_settings(args)
        source = str(args.source)
        data = load_json(read_capped(args.source, MAX_BYTES, "JSON file", source), source)
        kind = data.get("resourceType") if isinstance(data, dict) else None
        entries = data.get("entry") if kind == "Bundle" else None
        entries = entries if isinstance(entries, list) else []
        kinds = {
            e["resource"].get("resourceType")
            for e in entries
            if isinstance(e, dict) and isinstance(e.get("resource"), dict)
        }
        if kind == "Bundle" and "CarePlan" not in kinds:  # exercise logs
            table = fhir.logs_from_fhir(data, source=str(args.source), settings=settings)
            fhir.logs_to_csv(table, args.output)
            for p in table.problem_list():
                print(f"rejected: entry {p.row}: {p.column}: {p.label}")
            print(f"{table.rows_read} entries: {len(table.accepted)} written, "
                  f"{len(table.rejected)} rejected; wrote logs {args.output}")  # fmt: skip
        elif kind is not None:
            save_plan(fhir.from_fhir(data, source=str(args.source), settings=settings), args.output)
            print(f"wrote plan {args.output}")
        else:
            bundle_type = "collection" if args.collection else "transaction"
            try:
                bundle = fhir.to_fhir(load_plan(args.source), settings=settings,
                                      as_of=args.as_of, bundle_type=bundle_type)  # fmt: skip
            except ValueError as exc:  # conditional references need a transaction
                if isinstance(exc, BackplanError):
                    raise
                raise BackplanError(f"--patients conditional: {exc}") from None
            write_atomic(args.output, json.dumps(bundle, indent=2, ensure_ascii=False) + "\n")
            print(
                f"wrote FHIR Bundle {args.output} ({bundle_type}, {len(bundle['entry'])} entries)"
            )
    except BackplanError as exc:
        lines = str(exc).splitlines()  # a list of problems: its title and the first one
        line = " ".join(x.strip() for x in lines[:2])
        if isinstance(exc, fhir.FhirError):
            line = exc.first_line()
        return _fail(line, 2)
    return 0


_REVIEW_HELP = """\
Review each patient's latest finished week against their logs and write one
page for a clinic meeting (.html): one line per patient, most urgent first,
with the decision (progress, hold or step back), whether to call, and why in
plain words. Rules come from data/review-rules.csv unless --rules names a
clinic's own copy. Nothing in a plan changes until a physio applies a decision."""


def _add_review(sub: argparse._SubParsersAction) -> None:
    p = _subcommand(
        sub,
        "review",
        "review patients' latest week against their logs, most urgent first",
        _REVIEW_HELP,
        "logs.csv -p plans/ -o review.html",
        ("logs", "LOGS", "the exercise logs (file or folder)"),
        ("REVIEW", "the page to write: ends in .html"),
    )
    p.add_argument("-p", "--plans", type=_path, required=True, metavar="PLANS_DIR",
                   help="folder of the patients' saved plans (.json)")  # fmt: skip
    p.add_argument("--as-of", type=_iso_day, metavar="YYYY-MM-DD",
                   help="the review day (default: the latest log date)")  # fmt: skip
    p.add_argument("--rules", type=_path, metavar="RULES.csv",
                   help="a clinic's review rules (default: the shipped ones)")  # fmt: skip
    p.add_argument("--outcomes", type=_path, metavar="SCORES.csv",
                   help="outcome scores (patient, date, measure, score): each patient's change "
                   "per measure, and a call when a score is worse by a change that matters")  # fmt: skip
    p.set_defaults(
        run=_run_review,
        inputs={"logs": "logs", "plans": "plans", "rules": "file", "outcomes": "file"},
    )


def _run_review(args: argparse.Namespace) -> int:
    from .triage.cohort import write_review_meeting

    table = write_review_meeting(args.logs, args.plans, args.output, args.as_of, args.rules,
                                 outcomes=args.outcomes)  # fmt: skip
    counts = table["decision"].value_counts()
    print(
        ", ".join(f"{n} {d}" for d, n in counts.items()) + f"; {int(table['call'].sum())} to call"
    )
    print(f"wrote {args.output}")
    return 0


def _common(p: argparse.ArgumentParser, *, single: bool) -> None:
    if single:
        p.add_argument(
            "--format",
            choices=_FORMATS,
            help="file type; by default taken from the end of OUT (.pdf, .html, "
            ".csv, .xlsx or .md)",
        )
    else:
        p.add_argument(
            "--format",
            choices=_FORMATS,
            action="append",
            dest="formats",
            help="file type (pdf, html, csv, xlsx or md); give it more than once "
            "for several types. Default: pdf",
        )
    p.add_argument(
        "--large-print",
        action="store_true",
        help="large print: 18 pt text, nothing under 16 pt (PDF and HTML)",
    )
    p.add_argument(
        "--page-size",
        choices=("A4", "letter"),
        default="A4",
        type=_page_size,
        help="paper size for PDF (default A4)",
    )
    p.add_argument("--clinic", metavar="NAME", type=_text("clinic"),
                   help="clinic name (default: clinic settings)")  # fmt: skip
    p.add_argument("--phone", metavar="NUMBER", type=_text("phone"),
                   help="clinic phone (default: clinic settings)")  # fmt: skip
    p.add_argument("--physio", metavar="NAME", type=_text("physio"),
                   help="physio contact (default: clinic settings)")  # fmt: skip
    p.add_argument(
        "--language",
        metavar="CODE",
        help="the patient's language: en, cy, pl, ro, pa, ur, pt, es, ar or bn (default: the "
        "plan's own); any but English prints bilingual, each part with English under it",
    )
    # the clinic settings file is read too: it must not be written over either
    p.set_defaults(inputs={("plan" if single else "plans"): "file" if single else "plans",
                           "settings": "file"})  # fmt: skip


def _page_size(value: str) -> str:
    from .handout.options import page_size_value

    try:
        return page_size_value(value)
    except BackplanError:
        return value  # argparse then names the choices


def _run_handout(args: argparse.Namespace) -> int:
    from .handout.batch import write_handout
    from .plan import load_plan

    fmt = args.format or _SUFFIX_FORMAT.get(args.output.suffix.lower())
    if fmt is None:
        raise BackplanError(
            f"cannot tell the file type from {args.output.name!r}; end the name with "
            f"{', '.join(_SUFFIX_FORMAT)} or add --format"
        )
    plan = load_plan(args.plan)
    from .plan.warnings import unaccepted

    for warning in unaccepted(plan):  # shown before printing; the physio may accept them
        print(f"warning: {warning.message}", file=sys.stderr)
    out = write_handout(
        plan,
        args.output,
        fmt,
        large_print=args.large_print,
        page_size=args.page_size,
        clinic=args.clinic,
        phone=args.phone,
        physio=args.physio,
        language=args.language,
    )
    print(f"wrote {out}")
    return 0


def _run_handouts(args: argparse.Namespace) -> int:
    from .handout.batch import export_handouts

    if not args.plans.is_dir():
        raise BackplanError(f"{args.plans}: expected a folder of saved plans (.json)")
    if args.output.exists() and not args.output.is_dir():
        raise BackplanError(f"{args.output}: expected a folder to write the handouts into")
    files = sorted(args.plans.glob("*.json"))
    if not files:
        raise BackplanError(f"{args.plans}: no saved plans (.json files) in this folder")
    done = export_handouts(
        files,
        args.output,
        args.formats or ("pdf",),
        large_print=args.large_print,
        page_size=args.page_size,
        clinic=args.clinic,
        phone=args.phone,
        physio=args.physio,
        progress=sys.stderr.isatty(),
        language=args.language,
    )
    failed = []
    for row in done.itertuples():
        if row.status == "ok":
            print(f"wrote {row.path}")
        else:  # each failure's reason on one line: its first problem
            reason = " ".join(x.strip() for x in str(row.error).splitlines()[:2])
            failed.append(f"{Path(row.source).name} ({row.format}): {reason}")
    print(f"{len(done) - len(failed)} written, {len(failed)} failed")
    if failed:
        return _fail(f"{len(failed)} handout(s) not made: " + " | ".join(failed), 2)
    return 0


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr (and exit status 2)."""

    def error(self, message: str) -> NoReturn:
        text = f"{_one_line(message)} (see {self.prog} --help)"
        self.exit(2, f"{self.prog}: error: {short(text, 1000)}\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, with one subparser per subcommand."""
    parser = _Parser(
        prog="backplan",
        description=_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(title="subcommands", dest="command", metavar="COMMAND")
    _add_handout(sub)
    _add_handouts(sub)
    _add_adherence(sub)
    _add_fhir(sub)
    _add_review(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``backplan`` command; returns the exit status (0 = success).

    Examples
    --------
    >>> main(["handout", "missing.json", "-o", "out.pdf"])
    2
    """
    if argv is not None and not all(isinstance(a, str) for a in argv):
        return _fail("every argument must be text", 2)
    too_long = [a for a in (sys.argv[1:] if argv is None else argv) if len(a) > MAX_ARG_CHARS]
    if too_long:
        return _fail(f"an argument of at most {MAX_ARG_CHARS} characters expected, got "
                     f"{short(too_long[0])!r}", 2)  # fmt: skip
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    inputs: list[Path] = []
    try:
        inputs = _inputs(args)
        _refuse_output_over_input(args.output, inputs)
        return int(args.run(args))
    except BackplanError as exc:  # bad input: the message names the file and the problem
        return _fail(str(exc), 2)
    except OSError as exc:  # an input that cannot be read is bad input; else a write failed
        names = [n for n in (exc.filename, exc.filename2) if n]
        status = 2 if any(same_file(n, i) for n in names for i in inputs) else 1
        return _fail(f"{names[0] if names else 'a file'}: {exc.strerror or exc}", status)
    except KeyboardInterrupt:
        return _fail("interrupted", 130)
    except Exception as exc:  # a bug, not the user's input: still no traceback by default
        if os.environ.get("BACKPLAN_DEBUG"):
            raise
        return _fail(f"unexpected {type(exc).__name__}: {exc} (BACKPLAN_DEBUG=1 shows more)", 1)


def _inputs(args: argparse.Namespace) -> list[Path]:
    """Every file and folder the subcommand reads (each checked readable), and for a folder
    the files in it that are read (plans, logs)."""
    from .logs.formats import PARQUET, TEXT
    from .settings import settings_path

    found: list[Path] = []
    for dest, kind in getattr(args, "inputs", {}).items():
        if dest == "settings":
            path = settings_path()
            if path.exists():  # read by the handout (a missing file means no details)
                found.append(path)
            continue
        path = getattr(args, dest, None)
        if path is None:
            continue
        check_readable(path, str(path))
        found.append(path)
        if kind in {"plans", "logs"} and path.is_dir():
            wanted = {".json"} if kind == "plans" else PARQUET | TEXT
            found += [p for p in path.iterdir() if p.suffix.lower() in wanted]
    return found


def _refuse_output_over_input(output: Path, inputs: Sequence[Path]) -> None:
    """Raise when ``output`` is any input however written (link, hard link, ``..``)."""
    for path in inputs:
        if same_file(output, path):
            raise BackplanError(
                f"{output}: this is an input ({path}); choose another output, so the input "
                "stays as it is"
            )


def _one_line(text: str) -> str:
    """``text`` with every line break and control character made a space."""
    return "".join(" " if ch.isspace() or not ch.isprintable() else ch for ch in text)


def _fail(message: str, status: int) -> int:
    """Print ``message`` as one line on stderr (problems joined by ';') and return status."""
    lines = [line.strip().removeprefix("- ") for line in message.splitlines() if line.strip()]
    head, *rest = lines or ["error"]
    text = _one_line(head + (": " + "; ".join(rest) if rest else ""))
    print(f"backplan: error: {short(text, 1000)}", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
