"""From a prompt to a scene plan: style, subject art, palette, headline.

Planning is deterministic given the prompt and seed: the seed only chooses
among close candidates (palette, layout, accents), so the same seed gives
the same picture and another seed a visibly different take on the same topic.
"""

from __future__ import annotations

import functools
import random
import re
from dataclasses import dataclass, field
from typing import Any

from genloom.errors import InvalidInput
from genloom.image.assets import Asset, content_words
from genloom.image.request import COMPOSER_LAYOUTS

STYLES = COMPOSER_LAYOUTS
STYLE_ALIASES = {
    "pixel art": "pixel", "pixel-art": "pixel", "pixelart": "pixel", "8-bit": "pixel", "8bit": "pixel",
    "flyer": "poster", "leaflet": "poster", "app icon": "icon", "favicon": "icon", "header": "banner",
    "cover": "banner", "link banner": "banner", "ad": "banner", "advert": "banner", "emoji": "sticker",
    "drawing": "illustration", "scene": "illustration", "picture": "illustration", "painting": "illustration",
    "instagram story": "story", "instagram post": "poster", "slide": "card", "presentation slide": "card",
    "youtube thumbnail": "thumbnail", "video thumbnail": "thumbnail", "wordmark": "logo",
}
# Layouts that carry words even when none were asked: the prompt's own words head them.
WORDED = {"poster", "banner", "thumbnail", "story", "card", "logo"}
# How many accents each layout places around the subject.
ACCENTS = {"poster": 3, "story": 3, "banner": 2, "card": 2, "thumbnail": 1, "logo": 0, "icon": 0, "sticker": 1,
           "illustration": 4, "pixel": 4}
# Looks (``style``) the composer cannot draw as asked: it says so in the result notes.
PHOTO = re.compile(r"\b(?:photo(?:graph)?s?|photo-?realistic|photorealism|realistic|hyper-?real(?:istic)?|"
                   r"dslr|35 ?mm|cinematic still|real(?:-life| life)? picture)\b", re.IGNORECASE)
_STYLE_WORDS = sorted({*STYLES, *STYLE_ALIASES}, key=len, reverse=True)
_LEAD = re.compile(
    r"^\s*(?:please\s+)?(?:(?:make|draw|create|design|generate|render|paint)\s+(?:me\s+)?)?"
    r"(?:an?\s+|the\s+|some\s+)?(?:(?:one|two|three|four|five|six|\d+)\s+)?"
    r"(?:(?:simple|cute|nice|cool|minimal|colou?rful|modern|bold|clean|wide|tall|square|vertical|horizontal|"
    r"landscape|portrait|\d{2,5}\s*[x×]\s*\d{2,5}|\d+(?:\.\d+)?:\d+|youtube|instagram|insta|facebook|twitter|"
    r"linkedin|tiktok|a4|letter|us letter|web|link|social|media|print|app|website)\s+)*"
    r"(?P<style>" + "|".join(re.escape(w) for w in _STYLE_WORDS) + r")s?\b"
    r"\s*(?:(?:for|of|about|with|showing|featuring|:)\s+)?",
    re.IGNORECASE,
)
_TRAIL_STYLE = re.compile(r",?\s*(?:in\s+)?(?:an?\s+)?(?P<style>pixel[ -]?art|8-bit)\s*(?:style)?\s*$", re.I)
_QUOTED = re.compile(r"[\"“”'‘’]([^\"“”]{2,60})[\"“”'‘’]")
_ARTICLE = re.compile(r"^(?:an?|the|my|our|your)\s+", re.IGNORECASE)
# Words that describe what the picture is for rather than what is on it.
_PURPOSE = {"app", "channel", "website", "site", "company", "shop", "store", "brand", "club", "page",
            "account", "podcast", "blog", "service", "startup", "team"}


@dataclass(frozen=True)
class Palette:
    name: str
    mood: str  # words the palette suits, matched against the prompt
    bg: tuple[str, str]  # gradient top/bottom (or inner/outer)
    accent: str
    accent2: str
    text: str
    dark: bool


PALETTES = [
    Palette("midnight", "night jazz club evening dark party concert nightlife moon stars blues",
            ("#141E46", "#3B1F5C"), "#F5B942", "#E8547A", "#FFF3D6", True),
    Palette("neon", "neon electronic techno gaming cyber futuristic arcade game dance dj",
            ("#0D0628", "#2A0A4A"), "#19E6D4", "#FF3EA5", "#F4F1FF", True),
    Palette("forest", "hiking forest nature outdoors mountain trail camping adventure trees green",
            ("#DDEFD9", "#7FB77E"), "#2F6B3B", "#F2A541", "#1D3A24", False),
    Palette("alpine", "mountain sky travel adventure explore hiking snow fresh air",
            ("#BFE3F5", "#F4F8FB"), "#2E5E8C", "#F28C38", "#183049", False),
    Palette("zen", "meditation calm zen yoga spa peace mindfulness wellness relax breathe",
            ("#E9E4F7", "#BFD8E8"), "#7A6FBF", "#5FB3A5", "#3A3466", False),
    Palette("lullaby", "sleepy sleep cute baby soft dream bedtime gentle kawaii",
            ("#FDE2E4", "#E2ECF9"), "#9AA8E0", "#F4A6B7", "#4A4E69", False),
    Palette("sunset", "summer beach sunset warm holiday vacation tropical festival",
            ("#FFB36B", "#FF6F91"), "#FFE66D", "#6B2D5C", "#3D1633", False),
    Palette("ember", "fire energy sport fitness power strong fast racing hot spicy",
            ("#FF5E3A", "#FF9A44"), "#FFE8A3", "#3A0D0D", "#FFFFFF", False),
    Palette("ocean", "ocean sea water fish swim sail blue wave marine surf",
            ("#0F4C81", "#33A1C9"), "#FFD166", "#9BE7F0", "#F2FBFF", True),
    Palette("latte", "coffee cafe bakery food cooking chocolate bread cozy autumn warm",
            ("#F6EBDD", "#E3C7A3"), "#7B4B2A", "#D98E4A", "#3E2415", False),
    Palette("confetti", "birthday party celebration fun kids colorful happy festival carnival",
            ("#FFF4C2", "#FFD1E8"), "#FF5D8F", "#3DB2FF", "#2B2D42", False),
    Palette("tech", "tech app software code digital startup science data robot ai computer",
            ("#E8F1FF", "#C7D9FF"), "#2F6BFF", "#12C2A9", "#10204A", False),
    Palette("frost", "winter snow christmas ice cold frozen holiday cozy",
            ("#E6F4FF", "#B9D7F0"), "#D7263D", "#2E8B57", "#173753", False),
    Palette("meadow", "spring garden flowers plants bloom easter fresh green",
            ("#F3FCE8", "#C9EFB4"), "#E85D9E", "#4CAF50", "#23402A", False),
    Palette("spooky", "halloween spooky ghost horror scary witch pumpkin",
            ("#1B1330", "#3D1E4F"), "#FF8C1A", "#8BE36B", "#FFE9CF", True),
]


@dataclass
class ScenePlan:
    prompt: str
    style: str  # the layout drawn: poster, banner, logo, thumbnail, icon, story, card, sticker, ...
    subject_text: str
    subject: Asset
    accents: list[Asset]  # the accents placed (layout decides how many)
    palette: Palette
    headline: str | None
    tagline: str | None  # the sub-line
    variant: int  # layout variant: the seed's pick plus the variation index
    seed: int
    credits: list[dict[str, str]] = field(default_factory=list)
    cta: str | None = None
    look: str | None = None  # a style word that is not a layout ("photo", "watercolor", "minimal")
    variation: int = 0  # index among the request's n images
    notes: list[str] = field(default_factory=list)

    @property
    def layout(self) -> str:
        return self.style

    @property
    def placed_accents(self) -> list[Asset]:
        return self.accents


def split_style(prompt: str) -> tuple[str | None, str]:
    """The style word the prompt asks for (if any) and the rest of it."""
    text = prompt.strip()
    style = None
    m = _TRAIL_STYLE.search(text)
    if m:
        style = "pixel"
        text = text[: m.start()].strip()
    m = _LEAD.match(text)
    if m:
        word = m.group("style").lower()
        style = style or STYLE_ALIASES.get(word, word)
        text = text[m.end():].strip()
    text = text.strip(" .,:;!")
    return style, text or prompt.strip()


def _headline(subject_text: str, prompt: str) -> tuple[str | None, str | None, str]:
    """(headline, tagline, subject text): the first phrase heads, details after it become the tagline."""
    m = _QUOTED.search(prompt)
    if m:
        rest = subject_text.replace(m.group(0), "").strip(" ,.:") or subject_text
        return m.group(1).strip(), None, rest
    words = _ARTICLE.sub("", subject_text).split()
    words = [w for w in words if re.sub(r"\W", "", w).lower() not in _PURPOSE] or words
    # Long requests make unreadable headlines: keep the first phrase.
    parts = re.split(r"\s*(?:\b(?=(?:with|where|that|while|in|on|at|this|next|every|called|named)\b)|[,;:]\s*)",
                     " ".join(words), maxsplit=1)
    phrase = [w for w in parts[0].split() if w.lower() not in _FILLER] or parts[0].split()
    headline = " ".join(phrase[:4]).strip(" .!,")
    extra = " ".join(phrase[4:] + (parts[1].split() if len(parts) > 1 else [])).strip(" .!,")
    tagline = extra if extra and len(extra) <= 60 else None
    if tagline:
        tagline = tagline[0].upper() + tagline[1:]
    return (_title(headline) if headline else None), tagline, subject_text


# Words that make a poor headline on their own ("options for a bakery" heads "Bakery").
_FILLER = {"options", "option", "versions", "version", "variations", "ideas", "for", "of", "about", "a", "an", "the"}
_SMALL = {"a", "an", "the", "of", "for", "and", "or", "in", "on", "at", "to", "with", "by"}


def _title(text: str) -> str:
    words = text.split()
    return " ".join(w if (i and w.lower() in _SMALL) or any(c.isupper() for c in w) else w[:1].upper() + w[1:]
                    for i, w in enumerate(words))


@functools.lru_cache(maxsize=1)
def _mood_vectors() -> Any:
    import numpy as np

    from genloom.embeddings import embed

    return np.asarray(embed([p.mood for p in PALETTES]), dtype=np.float32)


def _palette_scores(text: str) -> list[tuple[float, Palette]]:
    words = set(content_words(text))
    scored = []
    for p in PALETTES:
        mood = set(p.mood.split())
        score = len(words & mood) + 0.5 * len({w[:4] for w in words} & {m[:4] for m in mood})
        scored.append((score, p))
    try:
        from genloom.image.assets import query_vectors

        sims = _mood_vectors() @ query_vectors(text)[0]
        scored = [(s + 2.0 * float(sim), p) for (s, p), sim in zip(scored, sims, strict=True)]
    except Exception:  # noqa: BLE001 - keyword rules alone still give a sensible palette
        pass
    return sorted(scored, key=lambda sp: -sp[0])


def resolve_layout(style: str | None, layout: str | None, asked: str | None) -> tuple[str, str | None]:
    """(layout, look): an explicit layout wins, then a layout-like style, then the prompt's word."""
    look = None
    chosen = layout
    if style:
        word = STYLE_ALIASES.get(style.lower(), style.lower())
        if word in STYLES:
            chosen = chosen or word
        else:
            look = style.lower()
    chosen = chosen or asked or "illustration"
    chosen = STYLE_ALIASES.get(chosen, chosen)
    if chosen not in STYLES:
        raise InvalidInput(f"Unknown image layout {chosen!r}", hint=f"one of {', '.join(STYLES)}", param="layout")
    return chosen, look


def photo_note(prompt: str, look: str | None) -> str | None:
    """The honest note for a photo request the composer draws as an illustration."""
    if PHOTO.search(prompt) or (look and PHOTO.search(look)):
        return ("This picture is an illustration: the built-in composer cannot make photos. For photorealistic "
                "images install a diffusion model, e.g. `genloom pull sd-turbo` (or sdxl-turbo), and genloom "
                "uses it for photo requests.")
    return None


def plan_scene(prompt: str, *, style: str | None = None, seed: int = 0, headline: str | None = None,
               layout: str | None = None, subline: str | None = None, cta: str | None = None,
               variation: int = 0, base_seed: int | None = None) -> ScenePlan:
    """Plan one picture. ``variation`` i of a request's n images takes the i-th layout variant and
    palette after those the request's first seed (``base_seed``) picks, so n images always differ."""
    from genloom.image.relevance import accents as pick_accents
    from genloom.image.relevance import rank

    asked, subject_text = split_style(prompt)
    layout, look = resolve_layout(style, layout, asked)
    if look in ("pixel", "pixel art", "8-bit") and layout == "illustration":
        layout = "pixel"
    random.Random(seed)
    base = random.Random(seed if base_seed is None else base_seed)
    matches = rank(subject_text, k=14)
    if not matches:
        raise InvalidInput(f"Found no art for {prompt!r}", hint="describe a subject, e.g. 'a red fox'",
                           param="prompt")
    # Art tied to the subject's own word beats art that is only close in meaning.
    tied = [m for m in matches if m.words and m.via != "part"]
    best = tied[0] if tied else matches[0]
    if tied:
        matches = [best] + [m for m in matches if m is not best]
    # Variations may swap in a near-tie subject that is linked to the same words; a clear winner stays.
    near = [best] + [m for m in matches[1:4] if m.score >= best.score - 0.06 and m.words & best.words
                     and m.via == best.via]
    pick = (base.randrange(len(near)) + variation) % len(near) if len(near) > 1 else 0
    subject = near[pick].asset
    pool = pick_accents(matches, subject, limit=6)
    count = ACCENTS.get(layout, 2)
    if look in ("minimal", "minimalist", "clean", "flat"):
        count = min(count, 1)
    # Keep the strongest accents; a variation rotates which of them are drawn.
    if len(pool) > count and variation:
        shift = variation % (len(pool) - count + 1)
        pool = pool[shift:] + pool[:shift]
    accents = pool[:count]
    palettes = _palette_scores(subject_text)
    # Only palettes close to the best fit: a bakery never gets the Halloween colours for variety's sake.
    top = [p for sc, p in palettes if sc >= palettes[0][0] - 0.35][:3]
    palette = top[(base.randrange(len(top)) + variation) % len(top)]
    title, tagline, subject_text = _headline(subject_text, prompt)
    if headline is not None:
        title = headline.strip() or None
        tagline = None
    if subline is not None:
        tagline = subline.strip() or None
    if layout not in WORDED and headline is None and not _QUOTED.search(prompt):
        title = None
    if layout == "logo" and subline is None:
        tagline = None
    variant = (base.randrange(3) + variation) % 3
    plan = ScenePlan(prompt=prompt, style=layout, subject_text=subject_text, subject=subject,
                     accents=accents, palette=palette, headline=title, tagline=tagline if title else None,
                     variant=variant, seed=seed, cta=cta, look=look, variation=variation)
    note = photo_note(prompt, look)
    if note:
        plan.notes.append(note)
    plan.credits = [a.credit() for a in [subject, *accents]]
    return plan
