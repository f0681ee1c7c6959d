"""Page-continuity signals: does page i+1 start a new document or carry on page i's?

``boundary_between`` weighs the signals between two neighbouring pages into one score
(positive: a new document starts; negative: the same one continues) with the reasons, so a
split can say why it cut where it did. The signals, strongest first:
- printed page numbers: "1 of 3" restarting, "N of N" ending, "2 of 3" following "1 of 3";
- the page classifier's verdicts: two confident, different types;
- running headers and footers that repeat (numbers masked) or change;
- a title at the top of the next page; a totals line, signature block or closing at the end
  of this one;
- text that carries on: "continued"/"carried forward", a table header repeated from the page
  before, a sentence broken across the page end;
- a blank page, which belongs with the page before it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from classification.base import PageVerdict
    from classification.features import PageFeatures

# Weights in score points; the sum decides (> 0 cuts). Set by hand from what each signal
# means, then checked on the benchmark bundles (bench/classify.py).
RESTART = 3.0  # the next page is numbered 1
RESTART_UNNUMBERED = 1.0  # ... after a page with no number (a cover sheet may precede page 1)
LAST_PAGE = 2.5  # this page is "N of N"
FOLLOWS = 3.0  # the next page's number follows this one's
NUMBER_JUMP = 1.0  # numbered, but not in sequence
LATER_PAGE = 1.5  # the next page is numbered > 1 though this one is not numbered
SAME_EDGE = 1.5  # the same running footer (or header)
OTHER_FOOTER = 0.75  # both pages have footers and they differ
TITLE = 1.5  # the next page opens with a title
LETTERHEAD = 0.8  # the next page opens with contact lines (phone, e-mail, web)
OPENS_KIND = 1.0  # the next page's first line or title names a kind of document
SAME_HEADING = 1.0  # the next page's first line repeats this page's first line (a running head)
PAGE_SIZE = 1.0  # the pages differ in size
COVER = 1.5  # this page is a cover sheet (a few words): it belongs with what follows
ANNEX = 1.0  # the next page opens an attachment ("Schedule A", "Exhibit 2", "Anlage 1")
COVER_WORDS = 25
ENDING = 0.4  # this page ends with totals / a signature / a closing (each; at most 2)
CONTINUED = 1.5  # "continued", "carried forward"
REPEATED_LINE = 1.0  # the next page repeats a line of this one near its top (table header)
SENTENCE = 1.0  # a sentence runs on across the page break
OTHER_TYPE = 2.0  # two different confident verdicts (times the lower confidence)
SAME_TYPE = 0.3  # the same verdict
BLANK = 2.0  # a blank page stays with the page before it
BIAS = 0.5  # with no signal at all, pages carry on


@dataclass(slots=True)
class Boundary:
    """The evidence between page ``before`` and the page after it: ``score`` > 0 cuts."""

    before: int  # page number of the page before the gap
    score: float = -BIAS
    reasons: list[str] = field(default_factory=list)

    @property
    def cut(self) -> bool:
        return self.score > 0

    def add(self, points: float, reason: str) -> None:
        self.score += points
        self.reasons.append(f"{'+' if points > 0 else '-'}{abs(points):.1f} {reason}")


def boundary_between(
    current: PageFeatures,
    following: PageFeatures,
    current_verdict: PageVerdict,
    following_verdict: PageVerdict,
) -> Boundary:
    """Weigh whether ``following`` starts a new document after ``current``."""
    boundary = Boundary(before=current.number)
    if following.is_blank:
        boundary.add(-BLANK, f"page {following.number} is blank")
        return boundary
    if current.is_blank:
        # a blank separator sheet: what follows it decides on its own signals
        _title(following, boundary)
        _markers(current, following, boundary)
        return boundary
    if current.word_count <= COVER_WORDS and current.has_title and not current.ends_with:
        boundary.add(-COVER, f"page {current.number} is a cover sheet")
    _markers(current, following, boundary)
    _edges(current, following, boundary)
    _title(following, boundary)
    _opening(current, following, boundary)
    _ending(current, boundary)
    _carry_on(current, following, boundary)
    _verdicts(current_verdict, following_verdict, boundary)
    return boundary


def _markers(current: PageFeatures, following: PageFeatures, boundary: Boundary) -> None:
    this, that = current.marker, following.marker
    if that is not None and that.index == 1:
        points = RESTART if this is not None or that.total is not None else RESTART_UNNUMBERED
        boundary.add(points, f'page {following.number} is numbered 1 ("{that.text}")')
    elif this is not None and that is not None:
        same_total = this.total is None or that.total is None or this.total == that.total
        if that.index == this.index + 1 and same_total:
            boundary.add(-FOLLOWS, f'page numbers run on ("{this.text}" -> "{that.text}")')
        else:
            boundary.add(NUMBER_JUMP, f'page numbers break ("{this.text}" -> "{that.text}")')
    elif that is not None and that.index > 1 and that.explicit:
        boundary.add(-LATER_PAGE, f'page {following.number} is numbered "{that.text}"')
    restarted = that is not None and that.index == 1
    if this is not None and this.total is not None and this.index == this.total and not restarted:
        boundary.add(LAST_PAGE, f'page {current.number} is the last ("{this.text}")')


def _edges(current: PageFeatures, following: PageFeatures, boundary: Boundary) -> None:
    if current.footer_key and following.footer_key:
        if current.footer_key == following.footer_key:
            boundary.add(-SAME_EDGE, "the same running footer")
        else:
            boundary.add(OTHER_FOOTER, "a different footer")
    if (
        current.header_key
        and current.header_key == following.header_key
        and not following.has_title
    ):
        boundary.add(-SAME_EDGE, "the same running header")


def _title(following: PageFeatures, boundary: Boundary) -> None:
    if following.has_title:
        boundary.add(TITLE, f'page {following.number} opens with "{_clip(following.title)}"')


def _opening(current: PageFeatures, following: PageFeatures, boundary: Boundary) -> None:
    same_heading = _same_heading(current.opening, following.opening)
    if following.annex:
        boundary.add(
            -ANNEX,
            f'page {following.number} opens an attachment ("{" ".join(following.opening[:4])}")',
        )
    elif same_heading and not following.has_title:
        boundary.add(
            -SAME_HEADING,
            f'page {following.number} repeats the heading "{" ".join(following.opening[:6])}"',
        )
    elif following.opening_kind:
        kind = following.opening_kind.replace("_", " ")
        boundary.add(OPENS_KIND, f"page {following.number} opens as a {kind}")
    if following.letterhead and following.letterhead != current.letterhead:
        boundary.add(
            LETTERHEAD, f'page {following.number} opens with "{_clip(following.letterhead)}"'
        )
    (width, height), (next_width, next_height) = current.size, following.size
    if abs(width - next_width) > 0.02 * max(width, next_width, 1.0) or abs(
        height - next_height
    ) > 0.02 * max(height, next_height, 1.0):
        boundary.add(
            PAGE_SIZE,
            f"page size changes ({width:.0f}x{height:.0f} -> "
            f"{next_width:.0f}x{next_height:.0f} pt)",
        )


def _same_heading(current: tuple[str, ...], following: tuple[str, ...]) -> bool:
    """Whether most words of the next page's first line come from this page's first line
    ("Form W-9 (Rev. 10-2018)" under "Form W-9 Request for Taxpayer ...")."""
    words = {word for word in following if word.isalpha()}
    common = words & set(current)
    if len(common) < 2 or not any(len(word) >= 3 for word in common):
        return False
    return len(common) >= 0.6 * len(words)


def _ending(current: PageFeatures, boundary: Boundary) -> None:
    if current.ends_with:
        points = ENDING * min(2, len(current.ends_with))
        boundary.add(points, f"page {current.number} ends with {' and '.join(current.ends_with)}")


def _carry_on(current: PageFeatures, following: PageFeatures, boundary: Boundary) -> None:
    if current.continues_below:
        boundary.add(-CONTINUED, f'page {current.number} says it continues ("continued")')
    elif following.continued_above and not following.has_title:
        boundary.add(-CONTINUED, f'page {following.number} carries on ("brought forward")')
    if following.has_title:
        return
    repeated = [key for key in following.top_keys if key in current.line_keys]
    if repeated:
        boundary.add(-REPEATED_LINE, f'page {following.number} repeats "{_clip(repeated[0])}"')
    if current.ends_open and following.starts_lower:
        boundary.add(-SENTENCE, "a sentence runs on across the page break")


def _verdicts(current: PageVerdict, following: PageVerdict, boundary: Boundary) -> None:
    if current.type is None or following.type is None:
        return
    if current.type != following.type:
        points = OTHER_TYPE * min(current.confidence, following.confidence)
        boundary.add(points, f"{current.type} -> {following.type}")
    else:
        boundary.add(-SAME_TYPE, f"both read as {current.type}")


def _clip(text: str, size: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= size else text[: size - 1] + "…"
