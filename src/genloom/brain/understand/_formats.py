"""Named picture and video formats: the words people use for them.

This module only knows *words*: which phrases name which format id. Picture
sizes come from the image generator's own table (``genloom.image.formats``,
one place for pixels), so a plan's ``width``/``height`` are exactly what the
composer draws; video sizes are the platform sizes in docs/brain.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Format:
    id: str
    width: int
    height: int
    aspect: str
    layout: str  # poster | banner | logo | thumbnail | icon | story | card | video
    words: str  # regex over the lower-cased request


IMAGE_FORMATS: tuple[Format, ...] = (
    Format("instagram-portrait", 1080, 1350, "4:5", "poster", r"(?:instagram|insta|ig) portrait(?: posts?)?"),
    Format("linkedin-banner", 1584, 396, "4:1", "banner", r"linkedin (?:banner|cover|header)s?"),
    Format("youtube-banner", 2048, 1152, "16:9", "banner", r"(?:youtube|yt) (?:banner|channel art)s?|channel art"),
    # A bare "story" is a tale ("an illustrated bedtime story"): the format needs its platform or a picture noun.
    Format("instagram-story", 1080, 1920, "9:16", "story",
           r"(?:instagram|insta|ig|facebook|fb|snapchat|whatsapp)\s*stor(?:y|ies)"
           r"|stor(?:y|ies) (?:image|graphic|picture|post|frame|format|size|template)s?"),
    Format("instagram-post", 1080, 1080, "1:1", "card", r"(?:instagram|insta|ig) (?:post|image|picture|graphic)s?"),
    Format("link-banner", 1200, 628, "1.91:1", "banner",
           r"(?:link|linkedin|open ?graph|og|social share|share) (?:banner|image|preview|card)s?"),
    Format("youtube-thumbnail", 1280, 720, "16:9", "thumbnail", r"(?:youtube|yt|video) thumbnails?"),
    Format("favicon", 64, 64, "1:1", "icon", r"favicons?"),
    Format("app-icon", 1024, 1024, "1:1", "icon", r"app icons?"),
    Format("a4-poster", 2480, 3508, "1:1.41", "poster", r"a4(?: poster| flyer| print)?s?"),
    Format("letter-poster", 2550, 3300, "17:22", "poster", r"(?:us )?letter(?:-size|-sized| size| sized) "
                                                         r"(?:poster|flyer)s?"),
    Format("slide", 1920, 1080, "16:9", "card", r"(?:presentation |powerpoint |keynote |title )?slides?"),
    Format("twitter-post", 1600, 900, "16:9", "card", r"(?:twitter|tweet|x) (?:post|image|card)s?"),
    Format("facebook-cover", 820, 312, "41:15.6", "banner", r"(?:facebook|fb) cover(?: photo| image)?s?"),
    Format("flyer", 1275, 1650, "17:22", "poster", r"flyers?"),
)

VIDEO_FORMATS: tuple[Format, ...] = (
    Format("instagram-reel", 1080, 1920, "9:16", "video", r"(?:instagram |insta |ig )?reels?"),
    Format("tiktok", 1080, 1920, "9:16", "video", r"tik ?toks?"),
    Format("youtube-short", 1080, 1920, "9:16", "video", r"(?:youtube|yt) shorts?"),
    Format("youtube", 1920, 1080, "16:9", "video", r"youtube (?:video|clip)s?"),
    Format("square", 1080, 1080, "1:1", "video", r"square (?:video|clip|animation)s?"),
)

# Orientation words and the aspect they mean for a picture or a clip.
ORIENTATION = {"vertical": "9:16", "portrait-mode": "9:16", "horizontal": "16:9", "landscape": "16:9",
               "widescreen": "16:9", "square": "1:1"}

# Sizes for an aspect alone, so a generator that needs pixels gets the usual ones.
ASPECT_SIZES = {"9:16": (1080, 1920), "16:9": (1920, 1080), "1:1": (1080, 1080), "4:5": (1080, 1350),
                "4:3": (1440, 1080), "3:4": (1080, 1440), "3:2": (1500, 1000), "2:3": (1000, 1500),
                "21:9": (2520, 1080), "1.91:1": (1200, 628)}

_IMAGE_RX = [(f, re.compile(rf"(?<![\w-]){f.words}(?![\w-])")) for f in IMAGE_FORMATS]
_VIDEO_RX = [(f, re.compile(rf"(?<![\w-]){f.words}(?![\w-])")) for f in VIDEO_FORMATS]


def find_format(text: str, kind: str) -> Format | None:
    """The named format a lower-cased phrase mentions, for an image or a video (image sizes: the image table)."""
    table = _VIDEO_RX if kind == "video" else _IMAGE_RX if kind == "image" else []
    for fmt, rx in table:
        if rx.search(text):
            return _image_size(fmt) if kind == "image" else fmt
    return None


def _image_size(fmt: Format) -> Format:
    from dataclasses import replace

    from genloom.image.formats import FORMATS

    known = FORMATS.get(fmt.id)
    if known is None:
        return fmt
    return replace(fmt, width=known.width, height=known.height)


def by_id(format_id: str) -> Format | None:
    return next((f for f in (*IMAGE_FORMATS, *VIDEO_FORMATS) if f.id == format_id), None)
