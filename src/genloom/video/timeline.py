"""When things happen: the video's length, where shots cut, and the frame at any moment.

* Length: the asked seconds, or the narration plus a short tail
  (:func:`length`).
* Cuts: shots cut on the pauses between narration sentences; the user's
  photos each get a fair share, a cut moving to a pause only when one is
  close (:func:`cut_points`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

LEAD_S = 0.3  # the voice starts just after the first frame
TAIL_S = 1.2  # and the picture stays a moment after the last word
DEFAULT_S = 6.0  # no duration asked and nothing to narrate
PER_PICTURE_S = 3.0  # ... but each photo or shot still gets this long
SNAP = 0.25  # a photo's cut may move by up to this share of its time to land on a pause
MIN_SHARE = 0.35  # no picture is on screen for less than this share of a fair share

FrameFn = Callable[[float], Any]


def length(asked: float | None, narration_s: float | None, clip_s: float | None = None, pictures: int = 0) -> float:
    """The video's length in seconds: a user's clip keeps its own, then the asked length, then the
    narration's plus a tail, then :data:`PER_PICTURE_S` for each of ``pictures`` (photos or shots),
    at least :data:`DEFAULT_S`. (A narration longer than the asked length is the runner's to fit.)"""
    if clip_s is not None:
        return clip_s
    if asked is not None:
        return asked
    if narration_s:
        return LEAD_S + narration_s + TAIL_S
    return max(DEFAULT_S, PER_PICTURE_S * pictures)


def pauses(sentences: Sequence[Any]) -> list[float]:
    """Moments between sentences (video clock): the middle of each pause."""
    return [(a.end + b.start) / 2 for a, b in zip(sentences, sentences[1:], strict=False)]


def cut_points(k: int, start: float, end: float, boundaries: Sequence[float], *, on_boundaries: bool = False
               ) -> list[float]:
    """k-1 cuts between ``start`` and ``end`` for k pictures, at or near ``boundaries``.

    Each picture's fair share is (end - start) / k. With ``on_boundaries`` (shots that illustrate
    the narration) every cut lands on a boundary when there are enough of them, chosen so the
    shares stay as even as possible and none is under :data:`MIN_SHARE` of a fair share;
    otherwise (the user's photos, each owed its share) a cut moves to a boundary only when one is
    within :data:`SNAP` of a share.
    """
    if k <= 1:
        return []
    share = (end - start) / k
    ideal = [start + share * (i + 1) for i in range(k - 1)]
    free = sorted(b for b in boundaries if start < b < end)
    if on_boundaries and len(free) >= k - 1:
        chosen = _even_subset(free, ideal, share * MIN_SHARE, start, end)
        if chosen:
            return chosen
    cuts: list[float] = []
    for t in ideal:
        lo = cuts[-1] if cuts else start
        near = [b for b in free if abs(b - t) <= SNAP * share and b > lo + MIN_SHARE * share]
        cuts.append(min(near, key=lambda b: abs(b - t)) if near else t)
    return cuts


def _even_subset(free: list[float], ideal: list[float], min_gap: float, start: float, end: float) -> list[float]:
    """len(ideal) of ``free``, in order and ``min_gap`` apart, closest to ``ideal`` (least squares); [] if none."""
    k, m = len(ideal), len(free)
    inf = float("inf")
    cost = [[inf] * m for _ in range(k)]
    back = [[-1] * m for _ in range(k)]
    for j, b in enumerate(free):
        if b - start >= min_gap:
            cost[0][j] = (b - ideal[0]) ** 2
    for i in range(1, k):
        for j, b in enumerate(free):
            prev = [(cost[i - 1][p], p) for p in range(j) if b - free[p] >= min_gap and cost[i - 1][p] < inf]
            if prev:
                best, p = min(prev)
                cost[i][j], back[i][j] = best + (b - ideal[i]) ** 2, p
    ends = [(cost[k - 1][j], j) for j in range(m) if end - free[j] >= min_gap and cost[k - 1][j] < inf]
    if not ends:
        return []
    j = min(ends)[1]
    picks = [j]
    for i in range(k - 1, 0, -1):
        j = back[i][j]
        picks.append(j)
    return [free[j] for j in reversed(picks)]


@dataclass
class Piece:
    """A stretch of the video drawn by ``frame(local_t)``."""

    start: float
    end: float
    frame: FrameFn


def player(pieces: list[Piece], transition: float) -> FrameFn:
    """The frame at video time t: the piece playing then, crossfaded into the next around each cut."""
    from genloom.video.frames import crossfade

    half = transition / 2

    def frame_at(t: float) -> Any:
        i = next((j for j, p in enumerate(pieces) if t < p.end), len(pieces) - 1)
        p = pieces[i]
        if half > 0 and i + 1 < len(pieces) and t > p.end - half:
            nxt = pieces[i + 1]
            u = (t - (p.end - half)) / transition
            return crossfade(p.frame(t - p.start), nxt.frame(t - nxt.start), u)
        if half > 0 and i > 0 and t < p.start + half:
            prev = pieces[i - 1]
            u = 0.5 + (t - p.start) / transition
            return crossfade(prev.frame(t - prev.start), p.frame(t - p.start), u)
        return p.frame(t - p.start)

    return frame_at
