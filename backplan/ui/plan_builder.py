"""PlanBuilder: build, tune, save and export a home-exercise plan with forms, no code.

The builder only edits and shows. Every plan it makes comes from :func:`backplan.build_plan`
(with :func:`backplan.next_level` and :class:`backplan.AddDose` for progression); the
preview comes from :func:`backplan.schedule`, :func:`backplan.weekly_volume` and
:func:`backplan.charts.plot_weekly_volume` -- the same calls a notebook user makes.

Every control is an attribute, so a test (or a curious physio) can set ``.value`` and call
``.click()`` without a browser.

Examples
--------
>>> from backplan.ui import PlanBuilder
>>> builder = PlanBuilder()
>>> builder.dose["heel-slides"]["reps"].value = 12
>>> [p.reps for p in builder.plan.prescriptions if p.exercise == "heel-slides"]
[12]
"""

from __future__ import annotations

import base64
import html
import importlib
import importlib.util
import io
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import ipywidgets as w
import pandas as pd
import PIL.Image
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import PathPatch
from matplotlib.path import Path as MplPath
from matplotlib.ticker import MaxNLocator
from pydantic import BaseModel

from ..catalogue import filter_exercises, load_catalogue, split_list
from ..charts.volume import redraw_weekly_volume
from ..errors import BackplanError
from ..handout.text import dose_words
from ..plan import Plan, build_plan, load_plan, next_level, prescriptions_from_catalogue, save_plan
from ..progression import DOSE_BOUNDS, AddDose, NextLevel, Prescription
from ..schedule import METRICS, schedule, weekly_volume

__all__ = ["PlanBuilder"]

#: Dose fields in the order the form shows them, with their column headings.
DOSE_LABELS: dict[str, str] = {
    "sets": "Sets",
    "reps": "Reps",
    "hold_s": "Hold (s)",
    "sessions_per_day": "Times a day",
    "days_per_week": "Days a week",
}
#: Preview columns (from :func:`backplan.schedule`) and their headings.
PREVIEW_COLUMNS: dict[str, str] = {
    "week": "Week",
    "name": "Exercise",
    "sets": "Sets",
    "reps": "Reps",
    "side": "Counted on",
    "hold_s": "Hold (s)",
    "sessions_per_day": "Times a day",
    "days_per_week": "Days a week",
    "weekly_reps": "Reps a week",
    "weekly_hold_seconds": "Seconds held a week",
}
#: Patient filters: attribute -> (label, position to avoid, equipment missing).
FILTERS: dict[str, tuple[str, str | None, str | None]] = {
    "no_stomach": ("Cannot lie on stomach", "lying on stomach", None),
    "no_back": ("Cannot lie on back", "lying on back", None),
    "no_wall": ("No wall free", None, "wall"),
    "no_chair": ("No chair", None, "chair"),
}
_PNG_DPI = 72
_NAME_WIDTH = "300px"
_DOSE_WIDTH = "78px"


def _bounds(model: type[BaseModel], field: str) -> tuple[int, int]:
    """The inclusive (ge, le) bounds pydantic checks on ``model.field``."""
    lo = hi = None
    for rule in model.model_fields[field].metadata:
        lo = getattr(rule, "ge", lo)
        hi = getattr(rule, "le", hi)
    if lo is None or hi is None:
        raise TypeError(f"{model.__name__}.{field} has no ge/le bounds")
    return int(lo), int(hi)


def _series_outlines(ax: Axes) -> Iterator[PathPatch]:
    """Each bar series of ``ax`` as one patch of the same look (drawn far faster)."""
    for container in ax.containers:
        bars = list(container)
        if not bars:
            continue
        first = bars[0]
        outline = PathPatch(
            MplPath.make_compound_path(
                *(bar.get_path().transformed(bar.get_patch_transform()) for bar in bars)
            ),
            facecolor=first.get_facecolor(),
            edgecolor=first.get_edgecolor(),
            linewidth=first.get_linewidth(),
            hatch=first.get_hatch(),
            transform=ax.transData,
        )
        if hasattr(first, "get_hatchcolor"):
            outline.set_hatchcolor(first.get_hatchcolor())
        outline.set_figure(ax.get_figure(root=True))
        outline.set_clip_path(ax.patch)
        yield outline


def _status_html(message: str, ok: bool) -> str:
    colour = "#1b5e20" if ok else "#b00020"
    mark = "Done:" if ok else "Problem:"
    body = html.escape(message).replace("\n", "<br>")
    return f'<div style="color:{colour}"><b>{mark}</b> {body}</div>'


class PlanBuilder:
    """An ipywidgets form that builds a :class:`~backplan.Plan` and previews it live.

    Parameters
    ----------
    catalogue : pandas.DataFrame, optional
        The exercise catalogue; the shipped one by default.
    plan : Plan, optional
        A plan to start from; by default every exercise of the first level at its
        catalogue dose, starting today.
    save_dir : path-like, optional
        Folder for plan files typed as a bare name; the current folder by default.

    Attributes
    ----------
    plan : Plan
        The current plan (the last valid one while the form shows a problem).
    widget : ipywidgets.Box
        The whole app; a cell that ends with the builder shows it.
    level, exercises, dose, filters, patient, clinician, start_date, weeks, notes
        The form's controls. ``exercises[id]`` is a checkbox and ``dose[id][field]`` a
        bounded number box for ``sets``, ``reps``, ``hold_s``, ``sessions_per_day`` and
        ``days_per_week``.
    add_dose, add_what, add_amount, add_every, add_cap, move_up, move_week
        Progression: add reps or hold time every few weeks up to a cap, and/or move to
        the next level from a given week.
    preview_table, preview : ipywidgets.HTML, pandas.DataFrame
        Week 1 and the last week of :func:`backplan.schedule` (shown and as data).
    chart, figure, axes, volume
        The weekly-volume chart (an Output holding a PNG), its matplotlib objects and
        the :func:`backplan.weekly_volume` table it draws.
    path, save_button, load_button, reset_button, export_button, status
        Files and messages. ``export_button`` is ``None`` when ``backplan.handout`` is
        not installed.
    """

    def __init__(
        self,
        catalogue: pd.DataFrame | None = None,
        plan: Plan | None = None,
        *,
        save_dir: str | os.PathLike[str] | None = None,
    ) -> None:
        self.catalogue = load_catalogue() if catalogue is None else catalogue
        self.save_dir = Path(save_dir) if save_dir is not None else Path.cwd()
        self._holding = False
        self.problem: str | None = None
        cat = self.catalogue
        self._ids: list[str] = list(cat["id"])
        self._order: list[str] = list(self._ids)
        self._levels: list[str] = [str(v) for v in cat["level"].cat.categories]
        self._side = {
            r.id: (str(r.side) if r.per_side else "") for r in cat.itertuples(index=False)
        }
        self._defaults = {p.exercise: p for p in prescriptions_from_catalogue(cat, self._ids)}
        self._make_controls()
        self._make_preview()
        self._make_files()
        self.widget = self._layout()
        self.plan: Plan
        if plan is not None:
            self.apply_plan(plan)
        else:
            self._refresh()
        if not hasattr(self, "plan"):
            raise BackplanError(f"The form cannot start: {self.problem}")
        self._observe()

    # --- construction ---------------------------------------------------------------------

    def _make_controls(self) -> None:
        cat = self.catalogue
        self.level = w.Dropdown(options=self._levels, value=self._levels[0], description="Level")
        self.filters = {
            key: w.Checkbox(value=False, description=label, indent=False)
            for key, (label, _, _) in FILTERS.items()
        }
        for key, box in self.filters.items():
            setattr(self, key, box)
        self.exercises: dict[str, w.Checkbox] = {}
        self.dose: dict[str, dict[str, w.BoundedIntText]] = {}
        self.side_text: dict[str, w.HTML] = {}
        self._rows: dict[str, w.HBox] = {}
        for row in cat.itertuples(index=False):
            ex = row.id
            self.exercises[ex] = w.Checkbox(
                value=True,
                description=str(row.name),
                indent=False,
                layout=w.Layout(width=_NAME_WIDTH),
            )
            self.dose[ex] = {}
            for field in DOSE_LABELS:
                lo, hi = DOSE_BOUNDS[field]
                box = w.BoundedIntText(
                    value=getattr(self._defaults[ex], field),
                    min=lo,
                    max=hi,
                    layout=w.Layout(width=_DOSE_WIDTH),
                    tooltip=f"{DOSE_LABELS[field]} ({lo} to {hi})",
                )
                box.add_class(f"bp-{field.replace('_', '-')}-{ex}")
                self.dose[ex][field] = box
            self.side_text[ex] = w.HTML(layout=w.Layout(width="430px"))
            self.exercises[ex].add_class(f"bp-pick-{ex}")
            self._rows[ex] = w.HBox(
                [self.exercises[ex], *self.dose[ex].values(), self.side_text[ex]]
            )
        self.level.add_class("bp-level")

        self.patient = w.Text(description="Patient", placeholder="name or pseudonym")
        self.clinician = w.Text(description="Clinician")
        self.start_date = w.DatePicker(description="Start date", value=date.today())
        lo, hi = _bounds(Plan, "weeks")
        self.weeks = w.BoundedIntText(value=6, min=lo, max=hi, description="Weeks")
        self.notes = w.Textarea(description="Notes", layout=w.Layout(width="95%"))

        wide = {"style": {"description_width": "initial"}}
        self.add_dose = w.Checkbox(description="Add to the dose every few weeks", indent=False)
        self.add_what = w.Dropdown(
            options=[("reps", "reps"), ("hold seconds", "hold_s")],
            value="reps",
            **wide,
            description="Add",
        )
        lo, hi = _bounds(AddDose, "amount")
        self.add_amount = w.BoundedIntText(value=lo, min=lo, max=hi, **wide, description="How many")
        lo, hi = _bounds(AddDose, "every_weeks")
        self.add_every = w.BoundedIntText(
            value=lo, min=lo, max=hi, **wide, description="Every (weeks)"
        )
        hi = DOSE_BOUNDS["reps"][1]
        self.add_cap = w.BoundedIntText(value=hi, min=1, max=hi, **wide, description="Up to")
        self.move_up = w.Checkbox(description="Move to the next level", indent=False)
        lo, hi = _bounds(NextLevel, "from_week")
        self.move_week = w.BoundedIntText(value=4, min=lo, max=hi, **wide, description="From week")

    def _make_preview(self) -> None:
        self.preview_table = w.HTML()
        self.preview_table.add_class("bp-preview")
        self.preview = pd.DataFrame(columns=list(PREVIEW_COLUMNS))
        self.chart_metric = w.Dropdown(
            options=[(unit, key) for key, unit in METRICS.items()],
            value="reps",
            description="Chart",
        )
        self.chart_by = w.Dropdown(
            options=[("by exercise", "exercise"), ("by body area", "target")],
            value="exercise",
            description="Split",
        )
        self.chart = w.Output()
        self.chart.add_class("bp-chart")
        # One figure, redrawn in place: nothing registered with pyplot, so nothing leaks.
        # A fixed layout (room on the right for the legend) costs one draw, not two.
        self.figure = Figure(figsize=(9.0, 3.4), dpi=_PNG_DPI)
        FigureCanvasAgg(self.figure)
        self._background: Any = None
        self._background_key: tuple[Any, ...] | None = None
        self.figure.subplots_adjust(left=0.08, right=0.6, bottom=0.14, top=0.95)
        self.axes = self.figure.add_subplot()
        self.volume = pd.DataFrame()

    def _make_files(self) -> None:
        self.path = w.Text(
            value=str(self.save_dir / "plan.json"),
            description="Plan file",
            layout=w.Layout(width="95%"),
        )
        self.path.add_class("bp-path")
        self.save_button = w.Button(description="Save plan", icon="save", button_style="primary")
        self.load_button = w.Button(description="Load plan", icon="folder-open")
        self.reset_button = w.Button(
            description="Reset to catalogue doses", icon="undo", layout=w.Layout(width="auto")
        )
        self.save_button.add_class("bp-save")
        self.save_button.on_click(self._save)
        self.load_button.on_click(self._load)
        self.reset_button.on_click(self._reset)
        self.export_format = w.ToggleButtons(options=[("PDF", "pdf"), ("Web page", "html")])
        self.large_print = w.Checkbox(description="Large print", indent=False)
        self.export_button: w.Button | None = None
        # The handout renderers are a separate module; no module, no button.
        if importlib.util.find_spec("backplan.handout") is not None:
            self.export_button = w.Button(description="Export handout", icon="print")
            self.export_button.on_click(self._export)
        self.status = w.HTML()
        self.status.add_class("bp-status")

    def _layout(self) -> w.Box:
        def heading(text: str) -> w.HTML:
            return w.HTML(f"<h3 style='margin:8px 0 2px 0'>{html.escape(text)}</h3>")

        header = w.HBox(
            [w.HTML("<b>Exercise</b>", layout=w.Layout(width=_NAME_WIDTH))]
            + [
                w.HTML(f"<b>{label}</b>", layout=w.Layout(width=_DOSE_WIDTH))
                for label in DOSE_LABELS.values()
            ]
            + [w.HTML("<b>In plain words</b>")]
        )
        plan_box = w.VBox(
            [
                heading("Patient and plan"),
                w.HBox(
                    [w.VBox([self.patient, self.clinician]), w.VBox([self.start_date, self.weeks])]
                ),
                self.notes,
                heading("Exercises"),
                w.HBox([self.level]),
                w.HBox(list(self.filters.values())),
                header,
                *self._rows.values(),
                heading("Progression"),
                w.HBox([self.add_dose, self.add_what, self.add_amount]),
                w.HBox([self.add_every, self.add_cap]),
                w.HBox([self.move_up, self.move_week]),
            ]
        )
        export = (
            [w.HBox([self.export_format, self.large_print, self.export_button])]
            if self.export_button is not None
            else []
        )
        files_box = w.VBox(
            [
                heading("Save, load and print"),
                self.path,
                w.HBox([self.save_button, self.load_button, self.reset_button]),
                *export,
                self.status,
            ]
        )
        preview_box = w.VBox(
            [
                heading("Preview: week 1 and the last week"),
                self.preview_table,
                heading("Weekly volume"),
                w.HBox([self.chart_metric, self.chart_by]),
                self.chart,
            ]
        )
        return w.VBox([plan_box, files_box, preview_box])

    def _controls(self) -> Iterator[w.Widget]:
        yield from (self.level, *self.filters.values(), *self.exercises.values())
        for boxes in self.dose.values():
            yield from boxes.values()
        yield from (self.patient, self.clinician, self.start_date, self.weeks, self.notes)
        yield from (self.add_dose, self.add_what, self.add_amount, self.add_every, self.add_cap)
        yield from (self.move_up, self.move_week, self.chart_metric, self.chart_by)

    def _observe(self) -> None:
        for control in self._controls():
            control.observe(self._changed, names="value")

    @contextmanager
    def _quiet(self) -> Iterator[None]:
        """Set many controls at once, refreshing only once afterwards."""
        old, self._holding = self._holding, True
        try:
            yield
        finally:
            self._holding = old

    def _changed(self, change: dict[str, Any]) -> None:
        if not self._holding:
            self._refresh()

    # --- from controls to plan ------------------------------------------------------------

    def _suitable(self, level: str) -> list[str]:
        """Exercise ids of ``level`` that pass the patient filters, in the builder's order."""
        avoid = [pos for key, (_, pos, _) in FILTERS.items() if pos and self.filters[key].value]
        missing = {eq for key, (_, _, eq) in FILTERS.items() if eq and self.filters[key].value}
        equipment = None
        if missing:
            have = {e for cell in self.catalogue["equipment"] for e in split_list(cell)}
            equipment = sorted(have - missing - {"none"})
        found = set(
            filter_exercises(
                self.catalogue, level=level, avoid_positions=avoid, equipment=equipment
            )["id"]
        )
        return [ex for ex in self._order if ex in found]

    def _next_level(self, level: str) -> str | None:
        i = self._levels.index(level)
        return self._levels[i + 1] if i + 1 < len(self._levels) else None

    def _sync_form(self, shown: list[str]) -> None:
        """Show the rows of ``shown``; grey out doses of unticked exercises; the dose in the
        words of the patient's handout ("10 times on each leg, ...")."""
        for ex, row in self._rows.items():
            row.layout.display = "" if ex in shown else "none"
            ticked = self.exercises[ex].value
            for box in self.dose[ex].values():
                box.disabled = not ticked
            dose = Prescription(
                exercise=ex,
                per_side=bool(self._side[ex]),
                **{field: box.value for field, box in self.dose[ex].items()},
            )
            self.side_text[ex].value = html.escape(dose_words(dose, self._side[ex]))
        self.move_week.max = max(2, self.weeks.value)
        for box in (self.add_what, self.add_amount, self.add_every, self.add_cap):
            box.disabled = not self.add_dose.value
        self.move_week.disabled = not self.move_up.value

    def _rules(self, level: str, chosen: list[str]) -> list[AddDose | NextLevel]:
        rules: list[AddDose | NextLevel] = []
        if self.move_up.value:
            upper = self._next_level(level)
            if upper is None:
                raise BackplanError(f"'{level}' is the highest level: there is no next level.")
            if self.weeks.value < 2:
                raise BackplanError(
                    "A 1-week plan cannot move to the next level. Make the plan longer."
                )
            ids = self._suitable(upper)
            if not ids:
                raise BackplanError(
                    f"No '{upper}' exercise suits this patient's filters, so the plan "
                    "cannot move to the next level."
                )
            rules.append(next_level(self.catalogue, self.move_week.value, upper, ids))
        if self.add_dose.value:
            what = self.add_what.value
            starts = [self.dose[ex][what].value for ex in chosen]
            starts += [getattr(p, what) for r in rules for p in r.prescriptions]
            if what == "hold_s":
                starts = [s for s in starts if s > 0]
            # The cap may not go below any starting dose it applies to.
            self.add_cap.min = 1
            self.add_cap.max = DOSE_BOUNDS[what][1]
            self.add_cap.min = max([1, *starts])
            rules.insert(
                0,
                AddDose(
                    what=what,
                    amount=self.add_amount.value,
                    every_weeks=self.add_every.value,
                    cap=self.add_cap.value,
                ),
            )
        return rules

    def plan_from_form(self) -> Plan:
        """Build the plan the form describes, through :func:`backplan.build_plan`.

        Raises
        ------
        BackplanError
            With a message for the physio when the choices do not make a plan.
        """
        level = self.level.value
        shown = self._suitable(level)
        with self._quiet():
            self._sync_form(shown)
        chosen = [ex for ex in shown if self.exercises[ex].value]
        if not chosen:
            raise BackplanError("Tick at least one exercise for the plan.")
        if self.start_date.value is None:
            raise BackplanError("Choose the date the plan starts.")
        with self._quiet():
            rules = self._rules(level, chosen)
        return build_plan(
            self.catalogue,
            level,
            chosen,
            patient=self.patient.value,
            clinician=self.clinician.value,
            start_date=self.start_date.value,
            weeks=self.weeks.value,
            notes=self.notes.value,
            progression=rules,
            per_exercise={
                ex: {field: box.value for field, box in self.dose[ex].items()} for ex in chosen
            },
        )

    def _refresh(self) -> None:
        try:
            plan = self.plan_from_form()
        except BackplanError as exc:
            self._problem(str(exc))
            return
        self.problem = None
        self.status.value = ""
        self._show(plan)

    def _problem(self, message: str) -> None:
        self.problem = message
        note = (
            "\nThe preview still shows the last plan that worked." if hasattr(self, "plan") else ""
        )
        self.status.value = _status_html(message + note, ok=False)

    # --- preview --------------------------------------------------------------------------

    def _show(self, plan: Plan) -> None:
        self.plan = plan
        table = schedule(plan, self.catalogue)
        ends = table[table["week"].isin([1, plan.weeks])]
        preview = ends.assign(side=ends["exercise"].map(self._side).fillna(""))
        self.preview = preview[list(PREVIEW_COLUMNS)].reset_index(drop=True)
        self.preview_table.value = self.preview.rename(columns=PREVIEW_COLUMNS).to_html(
            index=False, escape=True, border=0, classes="bp-table"
        )
        by = self.chart_by.value
        self.volume = weekly_volume(table, by=by)
        redraw_weekly_volume(self.volume, self.chart_metric.value, by, self.axes)
        png = self._chart_png()
        self.chart.outputs = (
            {
                "output_type": "display_data",
                "data": {
                    "image/png": base64.b64encode(png).decode("ascii"),
                    "text/plain": f"Weekly volume chart ({METRICS[self.chart_metric.value]})",
                },
                "metadata": {},
            },
        )

    def _chart_png(self) -> bytes:
        """Render the chart as PNG, redrawing only the bars when nothing else moved.

        The y axis ends on a round tick at least 10% above the tallest bar, so most dose
        changes leave axes, ticks and legend as they were. Those are kept as a saved
        background and only the bars are drawn again, one outline per exercise (a full
        draw of text and hatches is several times slower).
        """
        ax, canvas = self.axes, self.figure.canvas
        tops = [p.get_y() + p.get_height() for p in ax.patches]
        locator = MaxNLocator(nbins=6, integer=True)
        ax.set_ylim(0, float(locator.tick_values(0, 1.1 * max([1.0, *tops]))[-1]))
        key = (getattr(ax, "_backplan_volume", None), ax.get_xlim(), ax.get_ylim())
        if key != self._background_key:
            for patch in ax.patches:
                patch.set_visible(False)
            canvas.draw()
            self._background = canvas.copy_from_bbox(self.figure.bbox)
            self._background_key = key
            for patch in ax.patches:
                patch.set_visible(True)
        else:
            canvas.restore_region(self._background)
        for series in _series_outlines(ax):
            ax.draw_artist(series)
        width, height = canvas.get_width_height()
        image = PIL.Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw")
        buf = io.BytesIO()
        image.save(buf, format="png", compress_level=1)
        return buf.getvalue()

    # --- applying a plan to the form -------------------------------------------------------

    def apply_plan(self, plan: Plan) -> None:
        """Set every control from ``plan`` and show it.

        Parts of a plan the form cannot express (for example changed next-level doses) are
        kept as they are until the next change, with a note in :attr:`status`.
        """
        unknown = sorted({p.exercise for p in plan.all_prescriptions()} - set(self._ids))
        if unknown:
            raise BackplanError(
                f"This plan uses exercises the catalogue does not have: {', '.join(unknown)}"
            )
        ids = [p.exercise for p in plan.prescriptions]
        with self._quiet():
            for box in self.filters.values():
                box.value = False
            self._order = ids + [ex for ex in self._ids if ex not in ids]
            self.level.value = plan.level
            for ex in self._ids:
                self.exercises[ex].value = ex in ids
            for p in plan.prescriptions:
                for field, box in self.dose[p.exercise].items():
                    box.value = getattr(p, field)
            self.patient.value = plan.patient
            self.clinician.value = plan.clinician
            self.start_date.value = plan.start_date
            self.weeks.value = plan.weeks
            self.notes.value = plan.notes
            adds = [r for r in plan.progression if isinstance(r, AddDose)]
            ups = [r for r in plan.progression if isinstance(r, NextLevel)]
            self.add_dose.value = bool(adds)
            if adds:
                self.add_what.value = adds[0].what
                self.add_amount.value = adds[0].amount
                self.add_every.value = adds[0].every_weeks
                self.add_cap.min, self.add_cap.max = 1, DOSE_BOUNDS[adds[0].what][1]
                self.add_cap.value = adds[0].cap
            self.move_up.value = bool(ups)
            if ups:
                self.move_week.max = max(2, plan.weeks)
                self.move_week.value = ups[0].from_week
        self._refresh()
        if self.problem is not None or self.plan != plan:
            self.problem = None
            self._show(plan)
            self.status.value = _status_html(
                "This plan has settings the form cannot show (such as changed doses at the "
                "next level). They are kept until you change something here.",
                ok=True,
            )

    # --- buttons --------------------------------------------------------------------------

    def _target(self, suffix: str = ".json") -> Path:
        text = self.path.value.strip()
        if not text:
            raise BackplanError("Type a file name for the plan first.")
        path = Path(text).expanduser()
        if not path.is_absolute():
            path = self.save_dir / path
        return path.with_suffix(suffix) if suffix != ".json" else path

    def _save(self, _: Any = None) -> None:
        if self.problem is not None:
            self.status.value = _status_html(f"Not saved. {self.problem}", ok=False)
            return
        try:
            target = save_plan(self.plan, self._target())
        except (BackplanError, OSError) as exc:
            self.status.value = _status_html(f"Could not save the plan. {exc}", ok=False)
            return
        self.status.value = _status_html(f"Plan saved to {target}", ok=True)

    def _load(self, _: Any = None) -> None:
        try:
            target = self._target()
            self.apply_plan(load_plan(target))
        except BackplanError as exc:
            self.status.value = _status_html(f"Could not load the plan. {exc}", ok=False)
            return
        if self.problem is None and not self.status.value:
            self.status.value = _status_html(f"Plan loaded from {target}", ok=True)

    def _reset(self, _: Any = None) -> None:
        with self._quiet():
            for box in self.filters.values():
                box.value = False
            self._order = list(self._ids)
            for ex in self._ids:
                self.exercises[ex].value = True
                for field, box in self.dose[ex].items():
                    box.value = getattr(self._defaults[ex], field)
            self.add_dose.value = False
            self.move_up.value = False
        self._refresh()
        if self.problem is None:
            self.status.value = _status_html("Doses reset to the catalogue's.", ok=True)

    def _export(self, _: Any = None) -> None:
        if self.problem is not None:
            self.status.value = _status_html(f"No handout made. {self.problem}", ok=False)
            return
        handout = importlib.import_module("backplan.handout")
        fmt = self.export_format.value
        render = handout.to_pdf if fmt == "pdf" else handout.to_html
        try:
            target = render(
                self.plan,
                self._target(f".{fmt}"),
                catalogue=self.catalogue,
                large_print=self.large_print.value,
            )
        except (ValueError, OSError) as exc:  # BackplanError is a ValueError
            self.status.value = _status_html(f"Could not make the handout. {exc}", ok=False)
            return
        self.status.value = _status_html(f"Handout saved to {target}", ok=True)

    # --- display --------------------------------------------------------------------------

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any] | None:
        """Show the form when the builder is the last thing in a cell."""
        bundle = self.widget._repr_mimebundle_(**kwargs)
        if bundle is not None:
            n = len(self.plan.prescriptions)
            bundle["text/plain"] = (
                f"PlanBuilder: {self.plan.level}, {n} exercises, {self.plan.weeks} weeks"
            )
        return bundle
