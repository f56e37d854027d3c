"""The ``backplan`` command: patient handouts from saved plans, for use at a terminal.

Examples
--------
::

    backplan handout plan.json -o handout.pdf --large-print
    backplan handout plan.json -o handout.html --clinic "Riverside Physio"
    backplan handouts plans/ -o handouts/ --format pdf --format csv
    backplan adherence logs.csv -p plans/ -o report.html --as-of 2026-03-01

Each subcommand lives in its own ``_add_*`` function, so more can be added without
touching the others.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from .errors import BackplanError

__all__ = ["build_parser", "main"]

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
    p.add_argument(dest, type=Path, metavar=metavar, help=what)
    metavar, what = output
    p.add_argument("-o", "--output", type=Path, required=True, metavar=metavar, help=what)
    return p


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
        type=Path,
        required=True,
        metavar="PLANS_DIR",
        help="folder of the patients' saved plans (.json)",
    )
    p.add_argument(
        "--as-of",
        metavar="YYYY-MM-DD",
        help="count weeks that ended by this day (default: the latest log date)",
    )
    p.add_argument(
        "--threshold",
        type=float,
        default=0.8,
        metavar="SHARE",
        help="share of the dose that counts as adherent, from 0 to 1 (default 0.8)",
    )
    p.set_defaults(run=_run_adherence)


def _run_adherence(args: argparse.Namespace) -> int:
    from .adherence_report import report_from_files

    if args.output.suffix.lower() not in {".html", ".htm", ".xlsx"}:
        raise BackplanError(f"{args.output.name!r}: the report must end in .html or .xlsx")
    if not 0 < args.threshold <= 1:
        raise BackplanError(f"--threshold must be above 0 and at most 1, got {args.threshold}")
    report = report_from_files(args.logs, args.plans, args.output, args.as_of, args.threshold)
    print(report.summary())
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
    p.add_argument("--clinic", metavar="NAME", help="clinic name (default: clinic settings)")
    p.add_argument("--phone", metavar="NUMBER", help="clinic phone (default: clinic settings)")
    p.add_argument("--physio", metavar="NAME", help="physio contact (default: clinic settings)")


def _page_size(value: str) -> str:
    for choice in ("A4", "letter"):
        if value.lower() == choice.lower():
            return choice
    return value


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
    out = write_handout(
        plan,
        args.output,
        fmt,
        large_print=args.large_print,
        page_size=args.page_size,
        clinic=args.clinic,
        phone=args.phone,
        physio=args.physio,
    )
    print(f"wrote {out}")
    return 0


def _run_handouts(args: argparse.Namespace) -> int:
    from .handout.batch import export_handouts

    if not args.plans.is_dir():
        raise BackplanError(f"{args.plans}: expected a folder of saved plans (.json)")
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
    )
    for row in done.itertuples():
        if row.status == "ok":
            print(f"wrote {row.path}")
        else:
            print(f"error: {row.source} ({row.format}): {row.error}", file=sys.stderr)
    bad = int((done["status"] != "ok").sum())
    print(f"{len(done) - bad} written, {bad} failed")
    return 1 if bad else 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, with one subparser per subcommand."""
    parser = argparse.ArgumentParser(
        prog="backplan",
        description=_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(title="subcommands", dest="command", metavar="COMMAND")
    _add_handout(sub)
    _add_handouts(sub)
    _add_adherence(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``backplan`` command; returns the exit status (0 = success).

    Examples
    --------
    >>> main(["handout", "missing.json", "-o", "out.pdf"])
    1
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return int(args.run(args))
    except BackplanError as exc:
        print(f"backplan: error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"backplan: error: {exc.filename or ''}: {exc.strerror or exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
