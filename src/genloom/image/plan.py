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
from genloom.image.assets import Asset, content_words, search

STYLES = ("poster", "sticker", "icon", "banner", "illustration", "pixel")
STYLE_ALIASES = {
    "pixel art": "pixel", "pixel-art": "pixel", "pixelart": "pixel", "8-bit": "pixel", "8bit": "pixel",
    "flyer": "poster", "leaflet": "poster", "app icon": "icon", "logo": "icon", "header": "banner",
    "cover": "banner", "thumbnail": "banner", "emoji": "sticker", "drawing": "illustration",
    "scene": "illustration", "picture": "illustration", "painting": "illustration",
}
_STYLE_WORDS = sorted({*STYLES, *STYLE_ALIASES}, key=len, reverse=True)
_LEAD = re.compile(
    r"^\s*(?:please\s+)?(?:(?:make|draw|create|design|generate|render|paint)\s+(?:me\s+)?)?"
    r"(?:an?\s+|the\s+|some\s+)?(?:(?:simple|cute|nice|cool|minimal|colou?rful|modern)\s+)*"
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
    style: str
    subject_text: str
    subject: Asset
    accents: list[Asset]
    palette: Palette
    headline: str | None
    tagline: str | None
    variant: int  # layout variant picked by the seed
    seed: int
    credits: list[dict[str, str]] = field(default_factory=list)


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
    parts = re.split(r"\s*(?:\b(?=(?:with|where|that|while|in|on|at|this|next|every)\b)|[,;:]\s*)",
                     " ".join(words), maxsplit=1)
    phrase = parts[0].split()
    headline = " ".join(phrase[:4]).strip(" .!,")
    extra = " ".join(phrase[4:] + (parts[1].split() if len(parts) > 1 else [])).strip(" .!,")
    tagline = extra.upper() if extra and len(extra) <= 60 else None
    return (headline.title() if headline else None), tagline, subject_text


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


def plan_scene(prompt: str, *, style: str | None = None, seed: int = 0,
               headline: str | None = None) -> ScenePlan:
    asked, subject_text = split_style(prompt)
    style = (style or asked or "illustration").lower()
    style = STYLE_ALIASES.get(style, style)
    if style not in STYLES:
        raise InvalidInput(f"Unknown image style {style!r}", hint=f"one of {', '.join(STYLES)}",
                           param="style")
    rng = random.Random(seed)
    found = search(subject_text, k=10)
    if not found:
        raise InvalidInput(f"Found no art for {prompt!r}", hint="describe a subject, e.g. 'a red fox'",
                           param="prompt")
    best = found[0][1]
    # The seed may swap in a near-tie subject; a clear winner always stays.
    near = [a for a, s in found[:3] if s >= best - 0.04]
    subject = near[rng.randrange(len(near))] if len(near) > 1 else found[0][0]
    subject_words = subject.words
    accents = [a for a, s in found if a.key != subject.key and s >= max(0.5, best - 0.8)
               and not (a.words & subject_words)]
    # Keep the strongest three for the tagline, shuffle their placement only.
    accents = accents[:4]
    palettes = _palette_scores(subject_text)
    top = [p for s, p in palettes if s >= palettes[0][0] - 0.35][:2]
    palette = top[rng.randrange(len(top))]
    title, tagline, subject_text = _headline(subject_text, prompt)
    if headline is not None:
        title = headline.strip() or None
    if style not in ("poster", "banner") and headline is None and not _QUOTED.search(prompt):
        title = None
    plan = ScenePlan(prompt=prompt, style=style, subject_text=subject_text, subject=subject,
                     accents=accents, palette=palette, headline=title, tagline=tagline,
                     variant=rng.randrange(3), seed=seed)
    plan.credits = [a.credit() for a in [subject, *accents]]
    return plan
