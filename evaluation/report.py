"""Human-readable output of an evaluation: text tables and server-rendered SVG charts.

* ``report_text(run)``: the per-group and per-field tables (plus array rows and calibration
  when there are any) that ``manage.py evaluate`` prints; its last line is always
  ``accuracy: X.XXX (correct/total)``.
* ``report_comparison_text(comparison)``: the fields that moved, the changed documents and the
  gate's verdict.
* ``report_field_chart_svg(aggregates)``: a horizontal bar per field (accuracy).
* ``report_calibration_svg(calibration)``: a reliability diagram (accuracy per confidence
  bucket against the diagonal of perfect calibration), ECE in its title.

The SVG is built as plain strings (no JavaScript); every piece of text is XML-escaped, because
field names come from users' schemas. Native ``<title>`` elements give hover details.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from xml.sax.saxutils import escape, quoteattr

from evaluation.calibration import Calibration, calibration_compute

if TYPE_CHECKING:
    from collections.abc import Sequence

    from evaluation.comparison import RunComparison
    from evaluation.results import FieldAggregate, RunScore

__all__ = [
    "accuracy_line",
    "report_calibration_svg",
    "report_comparison_text",
    "report_field_chart_svg",
    "report_text",
]

_FIELD_WIDTH = 55
_ERRORS_SHOWN = 20
_GOOD, _FAIR, _POOR = "#2e7d32", "#f9a825", "#c62828"
_FONT = 'font-family="system-ui, sans-serif" font-size="12"'


def accuracy_line(correct: int, total: int) -> str:
    """``accuracy: 0.912 (369/404)`` (0.000 when nothing was scored)."""
    return f"accuracy: {correct / total if total else 0.0:.3f} ({correct}/{total})"


def report_text(run: RunScore, *, by_field: bool = True, by_document: bool = False) -> str:
    """The run's tables as text (see the module docstring), ending with the accuracy line.

    ``by_document`` adds one line per document (its score and error) before the tables;
    documents whose extraction failed are listed with their error either way.
    """
    lines = []
    if by_document:
        for document in run.documents:
            error = f"  ERROR {document.error}" if document.error else ""
            score = f"{document.correct:4d}/{document.total:<4d}"
            lines.append(f"  {document.document_id[:40]:40s} {score}{error}")
        lines.append("")
    lines += [_group_table(run), ""]
    if by_field:
        header = (
            f"{'schema.field':{_FIELD_WIDTH}s} {'correct':>7s} {'total':>6s} {'accuracy':>8s} "
            f"{'wrong':>6s} {'missing':>7s} {'extra':>6s}"
        )
        lines += [header, "-" * len(header)]
        for aggregate in run.field_aggregates():
            counts = aggregate.counts
            lines.append(
                f"{_clip(aggregate.label):{_FIELD_WIDTH}s} {aggregate.correct:7d} "
                f"{aggregate.total:6d} {aggregate.accuracy:8.3f} {counts['wrong']:6d} "
                f"{counts['missing']:7d} {counts['extra']:6d}"
            )
        lines.append("")
    arrays = run.array_aggregates()
    if arrays:
        header = (
            f"{'rows of':{_FIELD_WIDTH}s} {'expected':>8s} {'predicted':>9s} {'matched':>7s} "
            f"{'exact':>6s} {'precision':>9s} {'recall':>6s}"
        )
        lines += [header, "-" * len(header)]
        for array in arrays:
            label = f"{array.schema_name}.{array.field}" if array.schema_name else array.field
            lines.append(
                f"{_clip(label):{_FIELD_WIDTH}s} {array.expected_rows:8d} "
                f"{array.predicted_rows:9d} {array.matched_rows:7d} {array.exact_rows:6d} "
                f"{array.precision:9.3f} {array.recall:6.3f}"
            )
        lines.append("")
    failed = [document for document in run.documents if document.error]
    if failed and not by_document:
        lines += [f"error in {d.document_id}: {d.error}" for d in failed[:_ERRORS_SHOWN]]
        if len(failed) > _ERRORS_SHOWN:
            lines.append(f"... and {len(failed) - _ERRORS_SHOWN} more documents in error")
        lines.append("")
    calibration = calibration_compute(run.field_results())
    if calibration.count:
        lines.append(
            f"calibration: ECE {calibration.ece:.3f} over {calibration.count} fields with a "
            f"confidence ({calibration.without_confidence} without)"
        )
    lines.append(accuracy_line(run.correct, run.total))
    return "\n".join(lines)


def _clip(label: str) -> str:
    return label if len(label) <= _FIELD_WIDTH else label[: _FIELD_WIDTH - 1] + "…"


def _group_table(run: RunScore) -> str:
    header = (
        f"{'doc_type':18s} {'docs':>5s} {'errors':>6s} {'correct':>8s} {'total':>6s} "
        f"{'accuracy':>9s}"
    )
    lines = [header, "-" * len(header)]
    for group in run.group_aggregates():
        lines.append(
            f"{group.name[:18]:18s} {group.documents:5d} {group.errors:6d} {group.correct:8d} "
            f"{group.total:6d} {group.accuracy:9.3f}"
        )
    lines.append("-" * len(header))
    lines.append(
        f"{'all':18s} {len(run.documents):5d} {run.errors:6d} {run.correct:8d} {run.total:6d} "
        f"{run.accuracy:9.3f}"
    )
    return "\n".join(lines)


def report_comparison_text(comparison: RunComparison, *, changes_shown: int = 20) -> str:
    """The fields whose accuracy moved (worst first), the documents whose values changed (up
    to ``changes_shown`` changes listed) and, last, the gate's message."""
    lines = []
    moved = [d for d in comparison.field_deltas if d.delta]
    if moved:
        header = (
            f"{'schema.field':{_FIELD_WIDTH}s} {'baseline':>8s} {'candidate':>9s} {'delta':>7s}"
        )
        lines += [header, "-" * len(header)]
        for delta in sorted(moved, key=lambda d: (d.delta or 0.0, d.label)):
            lines.append(
                f"{_clip(delta.label):{_FIELD_WIDTH}s} {delta.baseline_accuracy or 0.0:8.3f} "
                f"{delta.candidate_accuracy or 0.0:9.3f} {delta.delta or 0.0:+7.3f}"
            )
        lines.append("")
    shown = 0
    lines.append(f"{len(comparison.changed_documents)} documents with changed values")
    for document in comparison.changed_documents:
        for change in document.changes:
            if shown >= changes_shown:
                break
            shown += 1
            lines.append(
                f"  {document.document_id} {change.path}: {change.baseline_predicted!r} -> "
                f"{change.candidate_predicted!r} ({change.direction})"
            )
    for label, ids in (
        ("only in the baseline", comparison.only_in_baseline),
        ("only in the candidate", comparison.only_in_candidate),
    ):
        if ids:
            lines.append(f"{len(ids)} documents {label}: {', '.join(ids[:10])}")
    lines.append(comparison.gate.message)
    return "\n".join(lines)


# ------------------------------------------------------------------------------- SVG


def _colour(accuracy: float) -> str:
    if accuracy >= 0.9:
        return _GOOD
    return _FAIR if accuracy >= 0.7 else _POOR


def _svg(width: int, height: int, label: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label={quoteattr(label)} {_FONT}>'
        f"<title>{escape(label)}</title>" + "".join(body) + "</svg>"
    )


def report_field_chart_svg(
    aggregates: Sequence[FieldAggregate], *, title: str = "Accuracy per field"
) -> str:
    """A horizontal bar chart: one bar per field, its length the field's accuracy."""
    label_width, bar_width, row, top = 280, 360, 22, 34
    width = label_width + bar_width + 70
    height = top + row * max(len(aggregates), 1) + 24
    body = [f'<text x="8" y="20" font-size="14" font-weight="bold">{escape(title)}</text>']
    if not aggregates:
        body.append(f'<text x="8" y="{top + 14}">No scored fields.</text>')
    for index, aggregate in enumerate(aggregates):
        y = top + index * row
        length = round(bar_width * aggregate.accuracy, 1)
        label = aggregate.label
        shown = label if len(label) <= 44 else label[:43] + "…"
        detail = (
            f"{label}: {aggregate.correct}/{aggregate.total} correct "
            f"({aggregate.counts.get('wrong', 0)} wrong, {aggregate.counts.get('missing', 0)} "
            f"missing, {aggregate.counts.get('extra', 0)} extra)"
        )
        body.append(
            f"<g><title>{escape(detail)}</title>"
            f'<text x="{label_width - 8}" y="{y + 15}" text-anchor="end">{escape(shown)}</text>'
            f'<rect x="{label_width}" y="{y + 3}" width="{bar_width}" height="{row - 6}" '
            f'fill="#eeeeee"/>'
            f'<rect x="{label_width}" y="{y + 3}" width="{length}" height="{row - 6}" '
            f'fill="{_colour(aggregate.accuracy)}"/>'
            f'<text x="{label_width + bar_width + 6}" y="{y + 15}">'
            f"{aggregate.accuracy:.0%}</text></g>"
        )
    axis_y = top + row * max(len(aggregates), 1) + 4
    for tick in (0.0, 0.5, 1.0):
        x = label_width + bar_width * tick
        body.append(
            f'<text x="{x}" y="{axis_y + 14}" text-anchor="middle" fill="#666">{tick:.0%}</text>'
        )
    return _svg(width, height, title, body)


def report_calibration_svg(calibration: Calibration, *, title: str = "Calibration") -> str:
    """A reliability diagram: per confidence bucket a bar as high as its accuracy and a dot at
    (mean confidence, accuracy); the dashed diagonal is perfect calibration."""
    size, left, top, bottom = 300, 48, 40, 40
    width, height = left + size + 24, top + size + bottom
    heading = f"{title}: ECE {calibration.ece:.3f} over {calibration.count} fields"
    body = [
        f'<text x="8" y="20" font-size="14" font-weight="bold">{escape(heading)}</text>',
        f'<rect x="{left}" y="{top}" width="{size}" height="{size}" fill="none" stroke="#999"/>',
        f'<line x1="{left}" y1="{top + size}" x2="{left + size}" y2="{top}" stroke="#999" '
        'stroke-dasharray="4 4"/>',
    ]
    for bucket in calibration.buckets:
        if not bucket.count:
            continue
        x = left + size * bucket.lower
        bar = size * (bucket.upper - bucket.lower)
        bar_height = size * bucket.accuracy
        detail = (
            f"confidence {bucket.lower:.1f}-{bucket.upper:.1f}: {bucket.correct}/{bucket.count} "
            f"correct (accuracy {bucket.accuracy:.2f}, mean confidence "
            f"{bucket.mean_confidence:.2f})"
        )
        dot_x = left + size * bucket.mean_confidence
        dot_y = top + size - bar_height
        body.append(
            f"<g><title>{escape(detail)}</title>"
            f'<rect x="{x + 1:.1f}" y="{top + size - bar_height:.1f}" width="{bar - 2:.1f}" '
            f'height="{bar_height:.1f}" fill="{_colour(1 - bucket.gap)}" fill-opacity="0.6"/>'
            f'<circle cx="{dot_x:.1f}" cy="{dot_y:.1f}" r="3" fill="#222"/></g>'
        )
    for tick in (0.0, 0.5, 1.0):
        x, y = left + size * tick, top + size - size * tick
        body.append(
            f'<text x="{x}" y="{top + size + 16}" text-anchor="middle" fill="#666">{tick:g}</text>'
            f'<text x="{left - 6}" y="{y + 4}" text-anchor="end" fill="#666">{tick:g}</text>'
        )
    body.append(
        f'<text x="{left + size / 2}" y="{top + size + 32}" text-anchor="middle">confidence</text>'
        f'<text x="14" y="{top + size / 2}" text-anchor="middle" '
        f'transform="rotate(-90 14 {top + size / 2})">accuracy</text>'
    )
    return _svg(width, height, heading, body)
