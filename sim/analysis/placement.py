"""Labels that never overlap: each text is tried at a few candidate places, measured from its
rendered extent (not estimated from its length), and kept at the first place where it
touches no other text, no leader line and stays inside its axes; a label with no free place
is dropped and counted, so a crowded figure is thinned instead of stacked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backend_bases import RendererBase
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import Bbox


@dataclass
class Placer:
    """The boxes (display pixels) already taken in a figure."""

    renderer: RendererBase
    pad: float = 4.0
    taken: list[Bbox] = field(default_factory=list)
    leaders: list[Bbox] = field(default_factory=list)
    _arrays: dict[int, np.ndarray] = field(default_factory=dict, repr=False)

    def block(self, artists: Sequence[Text]) -> None:
        """Count existing texts (tick labels, titles) as taken."""
        for artist in artists:
            if artist.get_visible() and artist.get_text():
                self.taken.append(artist.get_window_extent(self.renderer))

    def block_series(self, axes: Axes, xs: Sequence[float], ys: Sequence[float], step_px: float = 4) -> None:
        """Count a plotted series as taken: one box per ``step_px`` along x spanning the values
        drawn there (so a label neither sits on a line nor across one of its jumps)."""
        points = axes.transData.transform(list(zip(xs, ys, strict=True)))
        inside = axes.get_window_extent(self.renderer)
        column: dict[int, list[float]] = {}
        for x, y in points:
            if inside.x0 <= x <= inside.x1:
                column.setdefault(int(x // step_px), []).append(y)
        previous = None
        for key in sorted(column):
            lo, hi = min(column[key]), max(column[key])
            if previous is not None:
                lo, hi = min(lo, previous), max(hi, previous)
            self.taken.append(Bbox.from_extents(key * step_px, lo - 2, (key + 1) * step_px, hi + 2))
            previous = column[key][-1]

    def block_box(self, box: Bbox) -> None:
        self.taken.append(box)

    def block_segments(
        self, axes: Axes, segments: Sequence[tuple[tuple[float, float], tuple[float, float]]]
    ) -> None:
        """Count straight lines (data units) as taken: small boxes every few pixels along each."""
        for (x0, y0), (x1, y1) in segments:
            (a, b), (c, d) = axes.transData.transform([(x0, y0), (x1, y1)])
            steps = max(int(np.hypot(c - a, d - b) // 5), 1)
            for t in np.linspace(0, 1, steps + 1):
                x, y = a + (c - a) * t, b + (d - b) * t
                self.taken.append(Bbox.from_extents(x - 1.5, y - 1.5, x + 1.5, y + 1.5))

    def fits(self, box: Bbox, inside: Bbox | None = None, leaders: bool = True) -> bool:
        """Inside ``inside`` (if given) and clear by ``pad`` pixels of every taken box (and of
        every leader line, unless ``leaders`` is false: leader lines may run side by side)."""
        if inside is not None and not (
            box.x0 >= inside.x0 - 1
            and box.x1 <= inside.x1 + 1
            and box.y0 >= inside.y0 - 1
            and box.y1 <= inside.y1 + 1
        ):
            return False
        return not self._hits(self.taken, box) and not (leaders and self._hits(self.leaders, box))

    def _hits(self, boxes: list[Bbox], box: Bbox) -> bool:
        if not boxes:
            return False
        key = id(boxes)
        cached = self._arrays.get(key)
        if cached is None or len(cached) != len(boxes):
            cached = self._arrays[key] = np.array([b.extents for b in boxes])
        pad = self.pad
        hit = (
            (cached[:, 0] < box.x1 + pad)
            & (cached[:, 2] > box.x0 - pad)
            & (cached[:, 1] < box.y1 + pad)
            & (cached[:, 3] > box.y0 - pad)
        )
        return bool(hit.any())

    def place(
        self,
        text: Text,
        candidates: Sequence[tuple[tuple[float, float], str]],
        axes: Axes,
        leader: tuple[float, float] | None = None,
    ) -> int | None:
        """Move ``text`` to the first candidate ``((x, y) in data units, ha)`` where it fits
        (with its leader line, a vertical segment from ``leader`` = (x, y) in data units to
        the text's bottom, also free); return that candidate's index, or remove the text and
        return ``None``."""
        inside = axes.get_window_extent(self.renderer)
        for index, (xy, ha) in enumerate(candidates):
            text.set_position(xy)
            text.set_horizontalalignment(ha)
            box = text.get_window_extent(self.renderer)
            line = None
            if leader is not None:
                lx, ly = axes.transData.transform(leader)
                if box.y0 - ly > 4:
                    line = Bbox.from_extents(lx - 0.5, ly + 4, lx + 0.5, box.y0 - 1)
            if self.fits(box, inside) and (line is None or self.fits(line, leaders=False)):
                self.taken.append(box)
                if line is not None:
                    self.leaders.append(line)
                return index
        text.remove()
        return None


def overlapping_pairs(texts: Sequence[Text], renderer: RendererBase) -> list[tuple[str, str]]:
    """The pairs of visible, non-empty texts whose rendered extents intersect (for tests)."""
    boxes = [
        (t.get_text(), t.get_window_extent(renderer))
        for t in texts
        if t.get_visible() and t.get_text().strip() and t.get_alpha() != 0
    ]
    pairs = []
    for i, (a, box_a) in enumerate(boxes):
        for b, box_b in boxes[i + 1 :]:
            if box_a.overlaps(box_b) and box_a.width > 0 and box_b.width > 0:
                pairs.append((a, b))
    return pairs


def drawn_texts(fig: Figure) -> list[Text]:
    """The figure's visible, non-empty texts, less tick labels outside their axis's view
    (matplotlib keeps those as artists but does not draw them)."""
    hidden: set[int] = set()
    for axes in fig.axes:
        for labels, (lo, hi), index in (
            (axes.get_xticklabels(), sorted(axes.get_xlim()), 0),
            (axes.get_yticklabels(), sorted(axes.get_ylim()), 1),
        ):
            span = (hi - lo) * 1e-9
            for label in labels:
                if not lo - span <= label.get_position()[index] <= hi + span:
                    hidden.add(id(label))
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip() and id(t) not in hidden]
