"""Named picture formats, aspect ratios and layouts: the one table of sizes.

The brain asks this module what a named format means in pixels, and image
requests resolve their size through it, so "an Instagram story" is 1080x1920
everywhere::

    >>> resolve("instagram-story")
    (1080, 1920)
    >>> resolve("16:9")
    (1280, 720)
    >>> resolve("1200x628")
    (1200, 628)
    >>> layout_for("youtube-thumbnail")
    'thumbnail'

``size_for(width=, height=, aspect=, format=)`` combines the request keys of
docs/media.md: exact pixels win, then a named format, then an aspect ratio
(scaled so the long side is :data:`ASPECT_LONG_SIDE`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from genloom.errors import InvalidInput

# Layout families the composer can draw (CONTRACT.md "layout").
LAYOUTS = ("poster", "banner", "logo", "thumbnail", "icon", "story", "card")
# Long side for a size given only as an aspect ratio: big enough to print a headline,
# small enough to compose in well under a second.
ASPECT_LONG_SIDE = 1280


@dataclass(frozen=True)
class Format:
    id: str
    width: int
    height: int
    layout: str
    description: str
    # Print formats: the full-resolution size at 300 dpi (the composer draws at ``width`` x ``height``).
    print_size: tuple[int, int] | None = None


FORMATS: dict[str, Format] = {f.id: f for f in [
    Format("instagram-post", 1080, 1080, "poster", "Instagram feed post, square"),
    Format("instagram-portrait", 1080, 1350, "poster", "Instagram feed post, portrait 4:5"),
    Format("instagram-story", 1080, 1920, "story", "Instagram/Facebook story, 9:16"),
    Format("link-banner", 1200, 628, "banner", "Link preview / Open Graph / ad banner, 1.91:1"),
    Format("youtube-thumbnail", 1280, 720, "thumbnail", "YouTube video thumbnail, 16:9"),
    Format("youtube-banner", 2048, 1152, "banner", "YouTube channel art"),
    Format("twitter-post", 1600, 900, "card", "X/Twitter in-feed image, 16:9"),
    Format("facebook-cover", 820, 312, "banner", "Facebook page cover"),
    Format("linkedin-banner", 1584, 396, "banner", "LinkedIn profile banner, 4:1"),
    Format("slide", 1920, 1080, "card", "Presentation slide, 16:9"),
    Format("favicon", 64, 64, "icon", "Website favicon"),
    Format("app-icon", 1024, 1024, "icon", "App store icon"),
    Format("logo", 1024, 1024, "logo", "Logo: mark and wordmark, square"),
    Format("a4-poster", 1240, 1754, "poster", "A4 poster (150 dpi; 2480x3508 at 300 dpi)", (2480, 3508)),
    Format("letter-poster", 1275, 1650, "poster", "US Letter poster (150 dpi; 2550x3300 at 300 dpi)", (2550, 3300)),
    Format("flyer", 1275, 1650, "poster", "Flyer, US Letter proportions"),
]}

# Other spellings people and planners use for the same formats.
ALIASES = {
    "instagram": "instagram-post", "ig-post": "instagram-post", "instagram-square": "instagram-post",
    "insta-post": "instagram-post", "instagram-feed": "instagram-post",
    "ig-story": "instagram-story", "story": "instagram-story", "stories": "instagram-story",
    "facebook-story": "instagram-story", "insta-story": "instagram-story",
    "og-image": "link-banner", "open-graph": "link-banner", "link-preview": "link-banner",
    "web-banner": "link-banner", "banner": "link-banner", "ad-banner": "link-banner",
    "thumbnail": "youtube-thumbnail", "yt-thumbnail": "youtube-thumbnail", "video-thumbnail": "youtube-thumbnail",
    "presentation": "slide", "presentation-slide": "slide", "powerpoint": "slide", "keynote": "slide",
    "tweet": "twitter-post", "x-post": "twitter-post",
    "fb-cover": "facebook-cover", "app-store-icon": "app-icon", "ios-icon": "app-icon", "icon": "app-icon",
    "a4": "a4-poster", "letter": "letter-poster", "us-letter": "letter-poster", "poster": "a4-poster",
    "channel-art": "youtube-banner",
}

ASPECTS = {"1:1", "4:5", "5:4", "3:4", "4:3", "2:3", "3:2", "9:16", "16:9", "1.91:1", "21:9", "4:1", "2:1"}
_SIZE = re.compile(r"\s*(\d{1,5})\s*[x×*,]\s*(\d{1,5})\s*")
_ASPECT = re.compile(r"\s*(\d+(?:\.\d+)?)\s*[:/]\s*(\d+(?:\.\d+)?)\s*")


def format_id(name: str) -> str | None:
    """The canonical id of a named format ("Instagram story" -> "instagram-story"), or None."""
    key = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    if key in FORMATS:
        return key
    return ALIASES.get(key) or ALIASES.get(key.removesuffix("s"))


def aspect_size(aspect: str, long_side: int = ASPECT_LONG_SIDE, *, width: int | None = None,
                height: int | None = None) -> tuple[int, int]:
    """Pixels for an aspect ratio; a given ``width`` or ``height`` fixes the scale."""
    m = _ASPECT.fullmatch(aspect)
    if not m or float(m.group(1)) <= 0 or float(m.group(2)) <= 0:
        raise InvalidInput(f"Aspect ratio {aspect!r} is not W:H", hint="e.g. 16:9, 9:16, 1:1 or 4:5", param="aspect")
    ratio = float(m.group(1)) / float(m.group(2))
    if not 0.1 <= ratio <= 10:
        raise InvalidInput(f"Aspect ratio {aspect!r} is too extreme", hint="use a ratio between 1:10 and 10:1",
                           param="aspect")
    if width is not None:
        return width, _even(width / ratio)
    if height is not None:
        return _even(height * ratio), height
    if ratio >= 1:
        return long_side, _even(long_side / ratio)
    return _even(long_side * ratio), long_side


def _even(x: float) -> int:
    # Even sides keep pictures usable as video frames (yuv420 needs them).
    return max(2, int(round(x / 2)) * 2)


def resolve(value: str | tuple[int, int]) -> tuple[int, int]:
    """(width, height) of a named format, an aspect ratio ("16:9") or a size ("1280x720")."""
    if isinstance(value, (tuple, list)):
        return int(value[0]), int(value[1])
    fid = format_id(value)
    if fid is not None:
        f = FORMATS[fid]
        return f.width, f.height
    m = _SIZE.fullmatch(value)
    if m:
        return int(m.group(1)), int(m.group(2))
    if _ASPECT.fullmatch(value):
        return aspect_size(value)
    raise InvalidInput(f"Unknown picture format {value!r}",
                       hint="a format (" + ", ".join(FORMATS) + "), an aspect such as 16:9, or WIDTHxHEIGHT",
                       param="format")


def layout_for(format_name: str | None) -> str | None:
    """The layout family of a named format (``None`` for unknown names)."""
    fid = format_id(format_name) if format_name else None
    return FORMATS[fid].layout if fid else None


def size_for(*, width: int | None = None, height: int | None = None, aspect: str | None = None,
             format: str | None = None) -> tuple[int, int] | None:  # noqa: A002 - the contract's key name
    """The size the request keys ask for, or None when they ask for none.

    Exact pixels win; one side plus an aspect (or a format's aspect) gives the other side.
    """
    if width is not None and height is not None:
        return int(width), int(height)
    if format is not None:
        fid = format_id(format)
        if fid is None:
            raise InvalidInput(f"Unknown picture format {format!r}", hint="one of " + ", ".join(FORMATS),
                               param="format")
        f = FORMATS[fid]
        if width is None and height is None:
            return f.width, f.height
        aspect = aspect or f"{f.width}:{f.height}"
    if aspect is not None:
        return aspect_size(aspect, width=width, height=height)
    if width is not None or height is not None:
        side = int(width or height)  # type: ignore[arg-type]
        return side, side
    return None


# Names a prompt may use for a format; lone words like "banner" or "poster" name a layout, not a size.
_GENERIC = {"banner", "poster", "story", "stories", "icon", "letter", "thumbnail", "presentation", "flyer", "logo", "a4"}
_NAMED = sorted({n.replace("-", " ") for n in (*FORMATS, *ALIASES) if n not in _GENERIC and len(n) > 4},
                key=len, reverse=True)
_MENTION_SIZE = re.compile(r"\b(\d{2,5})\s*[x×]\s*(\d{2,5})\b")
_MENTION_ASPECT = re.compile(r"\b(\d{1,2}(?:\.\d+)?)\s*:\s*(\d{1,2})\b")
_MENTION_NAME = re.compile(r"\b(" + "|".join(re.escape(n).replace(r"\ ", r"[\s-]+") for n in _NAMED) + r")\b",
                           re.IGNORECASE)


def mentioned_size(text: str) -> tuple[int, int] | None:
    """A size the prompt itself states ("a 1280x720 thumbnail", "an Instagram story", "16:9"), or None.

    For callers without the brain's spec (``genloom image "..."``); the brain passes the size as params.
    """
    m = _MENTION_SIZE.search(text)
    if m:
        return int(m.group(1)), int(m.group(2))
    m = _MENTION_NAME.search(text)
    if m:
        return resolve(m.group(1))
    m = _MENTION_ASPECT.search(text)
    if m:
        return aspect_size(f"{m.group(1)}:{m.group(2)}")
    return None
