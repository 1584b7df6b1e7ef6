"""Which art shows what a prompt asks for: word roles, word senses, CLDR meaning.

A prompt's words play different parts, and only some of them name things to draw:

* the **subject** is the head noun of the first phrase ("a camping *lantern*");
  when that head is a frame word (night, club, shop, studio, trip ...) the nouns
  before it are the subject ("a *jazz* night", "a *book* club");
* **context** nouns come later ("a fox in the *snow*") and pick accents;
* **attributes** (colours, sizes, moods: "a *red* fox") describe the subject and
  never pick art on their own: "red" must not bring a red-haired person;
* **format and purpose** words (poster, logo, app, thumbnail) pick nothing.

An asset matches a word through its CLDR short name (strongest when the word is
the name's head: *lantern* in "red paper lantern", not in "jack-o-lantern"),
its CLDR keywords (weighted by how rare the keyword is), or a curated topic
link. Words have several senses, so a match through a keyword or a name part
must also fit the rest of the prompt: the asset's description (name and
keywords, embedded once) is compared with the prompt's other nouns, and a
match whose meaning is far from them ("lantern" -> jack-o-lantern beside
"camping", "rock" -> a boulder beside "concert") is dropped.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from genloom.image.assets import STOPWORDS, TOPICS, Asset, by_name, library

# Colours, sizes, moods and looks: they describe the subject, they are not a subject.
ATTRIBUTES = {
    "red", "orange", "yellow", "green", "blue", "purple", "violet", "pink", "black", "white", "brown", "gray",
    "grey", "golden", "gold", "silver", "beige", "teal", "turquoise", "crimson", "navy", "dark", "bright", "pale",
    "big", "small", "tiny", "giant", "little", "huge", "large", "tall", "short", "long", "round", "fat", "thin",
    "cute", "happy", "sad", "sleepy", "angry", "scary", "spooky", "funny", "cool", "colorful", "colourful",
    "modern", "minimal", "minimalist", "vintage", "retro", "elegant", "bold", "simple", "creative", "professional",
    "friendly", "cozy", "cosy", "fresh", "warm", "calm", "fun", "playful", "beautiful", "pretty", "lovely",
    "fancy", "classic", "premium", "luxury", "local", "best", "great", "awesome", "amazing", "epic", "wild",
    "young", "old", "new", "first", "annual", "weekly", "daily", "monthly", "personal", "official", "free",
    "realistic", "photorealistic", "cartoon", "flat", "watercolor", "watercolour", "hand-drawn", "3d", "neon",
    "magical", "mysterious", "peaceful", "quiet", "busy", "lazy", "brave", "proud", "shiny", "sparkly", "fluffy",
}
# Words about what the picture is for, or its format: never drawn.
FORMAT_WORDS = {
    "poster", "posters", "flyer", "flyers", "leaflet", "banner", "banners", "logo", "logos", "icon", "icons",
    "favicon", "thumbnail", "thumbnails", "sticker", "stickers", "illustration", "image", "images", "picture",
    "pictures", "photo", "photos", "photograph", "drawing", "painting", "art", "artwork", "wallpaper",
    "background", "cover", "header", "story", "stories", "post", "posts", "ad", "ads", "advert", "advertisement",
    "invitation", "invite", "card", "slide", "presentation", "instagram", "youtube", "tiktok", "facebook",
    "twitter", "linkedin", "pinterest", "video", "clip", "reel", "design", "version", "option", "options",
    "variation", "variations", "mockup", "template", "graphic", "graphics", "style", "format", "size", "layout",
    "headline", "title", "text", "words", "saying", "says", "reads", "wordmark", "mark", "emblem", "brand",
    "branding", "identity", "x", "px", "pixel", "pixels", "hd", "4k",
}
# Events, venues and businesses: "a jazz night", "a book club", "a bicycle repair shop". The
# nouns before them say what to draw; they add art only through curated topics.
FRAME_WORDS = {
    "place", "spot", "joint", "kitchen", "parlor", "parlour", "lounge", "pitch", "deck", "keynote", "talk", "webinar", "meeting", "report", "announcement", "update", "night", "evening", "morning", "day", "weekend", "week", "party", "club", "concert", "gig", "market",
    "tournament", "match", "game", "lesson", "lessons", "class", "classes", "course", "workshop", "trip", "tour",
    "salon", "shop", "store", "studio", "clinic", "company", "business", "agency", "service", "services",
    "festival", "fest", "show", "sale", "fair", "event", "meetup", "conference", "website", "site", "app",
    "channel", "team", "startup", "program", "launch", "opening", "menu", "offer", "deal", "release", "farm",
    "school", "academy", "center", "centre", "bar", "restaurant", "cafe", "café", "house", "hall", "league",
    "session", "sessions", "camp", "retreat", "expo", "summit", "podcast", "blog", "newsletter",
    "campaign", "fundraiser", "drive", "contest", "competition", "championship", "cup", "repair", "rental",
    "delivery", "supply", "supplies", "co", "inc", "ltd", "firm", "practice", "office", "lab", "labs",
    # A role or a front, not a thing to draw: "a robot mascot" is a robot, "a bookshop storefront" books.
    "mascot", "character", "storefront", "shopfront", "boutique",
}
# "a glass of juice", "a bowl of ramen": the noun after "of" is the subject.
PARTITIVES = {"glass", "cup", "mug", "bowl", "plate", "slice", "piece", "bottle", "box", "bag", "pair", "set",
              "bunch", "group", "kind", "type", "pile", "stack", "jar", "basket", "bucket", "pot", "can", "pack",
              "handful", "sort", "lot", "lots", "couple", "dozen"}
# Words that end a noun phrase.
BREAKS = {"with", "in", "on", "at", "by", "from", "into", "over", "under", "near", "of", "for", "to", "about",
          "that", "where", "while", "and", "or", "who", "which", "as", "through", "across", "around", "behind",
          "beside", "between", "during", "after", "before", "without", "against", "along", "among", "inside",
          "outside", "above", "below", "like", "featuring", "showing", "called", "named", "saying", "vs", "versus"}
# Names of people-with-attribute emoji begin with who it is ("man red hair"): that word is the head.
_PERSON_HEADS = {"person", "man", "woman", "men", "women", "people", "family", "couple", "kiss", "boy", "girl"}
_WORD = re.compile(r"[a-z0-9][a-z0-9'\-]*")
_WORD_OR_COMMA = re.compile(r"[a-z0-9][a-z0-9'\-]*|,")

# How much each kind of match is worth, before the word's role weight.
NAME_HEAD = 1.0     # the word is what the asset is ("lantern" -> red paper lantern)
NAME_PART = 0.45    # the word is in its name but is not its head ("paper" -> red paper lantern)
KEYWORD = 0.55      # a CLDR keyword, scaled by the keyword's rarity
TOPIC = 0.6         # a curated topic link, minus 0.04 per rank
SEMANTIC = 0.6      # weight of the embedding similarity
# A match through a keyword or name part must fit the prompt's other nouns at least this well
# (cosine of the asset's description and those nouns), and not far worse than the best rival.
SENSE_FLOOR = 0.18
SENSE_MARGIN = 0.12
# Art that only the embeddings link to the prompt must be this close to be drawn as an accent.
ACCENT_SEMANTIC = 0.6


def stem(word: str) -> str:
    word = word.strip("'-")
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    for suffix in ("es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith(("ss", "us", "is")):
            base = word[: -len(suffix)]
            if suffix == "es" and not base.endswith(("ch", "sh", "x", "z", "o")):
                continue
            return base
    return word


@dataclass
class Query:
    """The roles of a prompt's words (stemmed); ``weights`` says how much each noun counts."""

    text: str
    subject: list[str]  # the subject phrase's nouns, head last
    head: str | None
    context: list[str]  # later nouns and frame words
    attributes: set[str]
    verbs: list[str]
    weights: dict[str, float] = field(default_factory=dict)
    frame: str | None = None  # "night" in "a jazz night": the first of ``context``

    @property
    def nouns(self) -> list[str]:
        return [w for w in self.weights if self.weights[w] > 0]

    def subject_phrase(self) -> str:
        return " ".join(self.subject) or " ".join(self.context) or self.text


def _is_noun_ing(word: str) -> bool:
    """-ing words that name a thing or activity worth drawing (bowling, camping), not verbs (flying)."""
    return word in TOPICS or word in _whole_names()


@functools.lru_cache(maxsize=1)
def _whole_names() -> frozenset[str]:
    return frozenset(a.name for a in library())


def parse(text: str) -> Query:
    tokens = [t.strip("'-") for t in _WORD_OR_COMMA.findall(text.lower())]
    phrases: list[list[str]] = [[]]
    for i, t in enumerate(tokens):
        if t == ",":
            # "a bicycle shop website, minimalist clean design": a comma ends the subject phrase, except
            # before an appositive that says what it is ("GlowTrail, a solar lantern").
            if i + 1 < len(tokens) and tokens[i + 1] not in ("a", "an", "the"):
                phrases.append([])
            continue
        gerund = t.endswith("ing") and len(t) > 5 and not _is_noun_ing(t) and t not in BREAKS
        if gerund and not any(_content(x) for x in phrases[-1]):
            # "a fishing trip", "a plumbing company": an -ing word before the noun names an activity.
            phrases[-1].append("+" + t)
            continue
        if t in BREAKS or gerund:
            phrases.append([])
            if gerund:
                phrases[-1].append("~" + t)  # a verb after its noun ("a bat flying"): context only
            continue
        phrases[-1].append(t)
    cleaned: list[list[str]] = []
    attributes: set[str] = set()
    verbs: list[str] = []
    for ph in phrases:
        keep = []
        for t in ph:
            if t.startswith("+"):
                keep.append(t[1:])
            elif t.startswith("~"):
                verbs.append(stem(t[1:]))
            elif t in ATTRIBUTES:
                attributes.add(t)
            elif t in STOPWORDS or t in FORMAT_WORDS or len(t) < 2 or t.isdigit():
                continue
            elif t.endswith("ing") and not _is_noun_ing(t):
                verbs.append(t)
            else:
                keep.append(stem(t))
        cleaned.append(keep)
    cleaned = [ph for ph in cleaned if ph]
    # "a glass of orange juice": a partitive head hands the subject to the next phrase.
    while len(cleaned) > 1 and cleaned[0][-1] in PARTITIVES:
        cleaned = [cleaned[0][:-1] + cleaned[1], *cleaned[2:]] if len(cleaned[0]) > 1 else cleaned[1:]
    subject = cleaned[0] if cleaned else []
    later = [w for ph in cleaned[1:] for w in ph]
    weights: dict[str, float] = {}
    head = subject[-1] if subject else None
    frame = None
    if subject and head in FRAME_WORDS and len(subject) > 1:
        # "a jazz night": draw the jazz; the frame word adds art only through topics.
        frame, subject = subject[-1], [w for w in subject[:-1] if w not in FRAME_WORDS] or subject[:-1]
        head = subject[-1]
        later = [frame, *later]
    if subject and head is not None and head.endswith("ing") and len(subject) > 1:
        # "a dog grooming salon", "bread baking": the activity's object is what to draw.
        later = [head, *later]
        subject = subject[:-1]
        head = subject[-1]
    for i, w in enumerate(subject):
        weights.setdefault(w, 1.0 if w == head else 0.7 - 0.05 * (len(subject) - 2 - i))
    for w in later:
        weights.setdefault(w, 0.5)
    for w in verbs:
        weights.setdefault(w, 0.0)
    if not subject and later:
        # Only frame words and later phrases: the first of them is the subject ("a concert").
        head = later[0]
        subject, later = [head], later[1:]
        weights[head] = 1.0
    return Query(text=text, subject=subject, head=head, context=later, attributes=attributes, verbs=verbs,
                 weights=weights, frame=frame)


def _content(t: str) -> bool:
    return not (t in STOPWORDS or t in FORMAT_WORDS or t in ATTRIBUTES or t.startswith("~") or len(t) < 2)


def _tokens(name: str) -> list[str]:
    return [stem(t) for t in name.split()]


_NAME_BREAK = re.compile(r"\s(?:with|in|of|on|for|and|at|from|behind|over)\s.*$")


def name_head(asset: Asset) -> str:
    """The thing an asset is: the last word of its name's first phrase ("lantern" in
    "red paper lantern", "cat" in "cat with tears of joy")."""
    toks = _tokens(_NAME_BREAK.sub("", asset.name))
    return toks[-1] if toks else asset.name


def core(asset: Asset) -> str:
    """The name without who does it: "man golfing" and "person golfing" are one picture."""
    toks = [t for t in _tokens(asset.name) if t not in _PERSON_HEADS]
    return " ".join(toks) or asset.name


@dataclass(frozen=True)
class _Lexicon:
    heads: dict[str, list[int]]  # word -> assets whose name head it is
    parts: dict[str, list[int]]  # word -> assets with it elsewhere in the name (hyphen parts too)
    keywords: dict[str, list[int]]  # word -> assets with it as a CLDR keyword or alias word
    idf: dict[str, float]


@functools.lru_cache(maxsize=1)
def lexicon() -> _Lexicon:
    heads: dict[str, list[int]] = {}
    parts: dict[str, list[int]] = {}
    keywords: dict[str, list[int]] = {}
    df: Counter[str] = Counter()
    for i, a in enumerate(library()):
        head = name_head(a)
        kw_words = {stem(w) for k in a.keywords for w in k.split()}
        # A compound whose keywords never say its head word is another thing: a hot dog is
        # food, a teddy bear a toy. Its head word counts only as a name part.
        confirmed = not a.keywords or head in kw_words or len(_tokens(a.name)) == 1
        in_name = set()
        if confirmed:
            heads.setdefault(head, []).append(i)
            in_name.add(head)
        for t in _tokens(a.name):
            for p in {t, *(stem(x) for x in t.split("-") if len(x) > 1)}:
                if p not in in_name:
                    in_name.add(p)
                    parts.setdefault(p, []).append(i)
        # A keyword counts for its last word only: "jazz hands" is about hands, "table tennis" is not tennis.
        kws = {stem(k.split()[-1]) for k in (*a.keywords, *a.aliases) if k.split()}
        kws -= in_name | set(_tokens(a.name))
        for k in kws:
            keywords.setdefault(k, []).append(i)
        df.update(in_name | kws)
    n = len(library())
    idf = {w: min(1.0, math.log(n / c) / math.log(n / 2)) for w, c in df.items()}
    return _Lexicon(heads, parts, keywords, idf)


@dataclass
class Match:
    asset: Asset
    score: float
    lexical: float
    semantic: float
    words: set[str]  # query words that picked it (name, keyword or topic)
    via: str  # strongest kind of link: name | keyword | part | topic | meaning
    # Linked only as another thing of the subject's kind ("tiger" via the keyword "cat"):
    # fine as a subject candidate, not as an accent beside the subject.
    same_kind: bool = False
    head_linked: bool = False  # linked through the subject's head word (name, keyword or topic)


def rank(text: str, k: int = 12, *, use_embeddings: bool = True) -> list[Match]:
    """Art for ``text``, best first, with wrong senses and stray attribute matches removed."""
    import numpy as np

    q = parse(text)
    assets = library()
    lex = lexicon()
    names = by_name()
    index_of = _index_of()
    # Every (asset, word) link with its value and kind; senses are checked per word below.
    links: dict[str, list[tuple[int, float, str]]] = {}
    for w, weight in q.weights.items():
        if weight <= 0:
            continue
        idf = lex.idf.get(w, 1.0)
        found: list[tuple[int, float, str]] = []
        # Curated topic links know what a word means; its keyword tags then count half.
        tagged = 0.5 if TOPICS.get(w) else 1.0
        if w not in FRAME_WORDS:
            found += [(i, weight * NAME_HEAD * (0.6 + 0.4 * idf), "name") for i in lex.heads.get(w, [])]
            found += [(i, tagged * weight * NAME_PART * idf, "part") for i in lex.parts.get(w, [])]
            found += [(i, tagged * weight * KEYWORD * idf, "keyword") for i in lex.keywords.get(w, [])]
        for r, name in enumerate(TOPICS.get(w, [])):
            a = names.get(name)
            if a is not None:
                found.append((index_of[a.key], weight * (TOPIC - 0.04 * min(r, 5)), "topic"))
        links[w] = found
    semantic = np.zeros(len(assets), dtype=np.float32)
    wrong_sense: set[int] = set()
    vecs = _query_vectors(q) if use_embeddings else None
    if vecs is not None:
        from genloom.image.assets import index_vectors

        index = index_vectors()
        phrase, per_word, contexts = vecs
        sims = index @ phrase
        if per_word is not None:
            sims = 0.5 * sims + 0.5 * (index @ per_word.T).max(axis=1)
        semantic = sims.astype(np.float32)
        for w, found in links.items():
            ctx = contexts.get(w)
            lexical_links = [(i, v, kind) for i, v, kind in found if kind != "topic"]
            if ctx is None or not lexical_links:
                continue
            fit = index[[i for i, _, _ in lexical_links]] @ ctx
            best = float(fit.max())
            # The subject's head keeps its best sense whatever the context; other words must fit it too.
            floor = -1.0 if w == q.head else SENSE_FLOOR
            wrong = {i for (i, _, _), f in zip(lexical_links, fit, strict=True) if f < best - SENSE_MARGIN or f < floor}
            links[w] = [link for link in found if link[2] == "topic" or link[0] not in wrong]
            wrong_sense |= wrong
    lexical = np.zeros(len(assets), dtype=np.float32)
    via: dict[int, str] = {}
    words_of: dict[int, set[str]] = {}
    order = {"name": 4, "topic": 3, "keyword": 2, "part": 1}
    for w, found in links.items():
        best_for: dict[int, tuple[float, str]] = {}
        for i, value, kind in found:
            if value > best_for.get(i, (0.0, ""))[0]:
                best_for[i] = (value, kind)
        for i, (value, kind) in best_for.items():
            # The best link counts fully, further words a third: "baseball bat" beats "bat".
            lexical[i] = max(lexical[i], value) + min(lexical[i], value) / 3
            words_of.setdefault(i, set()).add(w)
            if order[kind] > order.get(via.get(i, ""), 0):
                via[i] = kind
    # Attributes refine a noun match ("red apple" over "green apple"), never start one; a name
    # made only of the prompt's words ("black cat" for "a black cat") beats longer names.
    said = set(q.weights) | q.attributes
    for i in words_of:
        if q.attributes & assets[i].words:
            lexical[i] += 0.08
        toks = set(_tokens(_NAME_BREAK.sub("", assets[i].name)))
        if toks and toks <= said and q.head in toks:
            lexical[i] += 0.25
    # Art whose only tie to the prompt was a word in another sense stays out, even if the
    # embeddings find it close ("rock" the stone beside "concert").
    wrong_sense -= set(words_of)
    score = lexical + SEMANTIC * semantic
    for i, a in enumerate(assets):
        if _SCENE.search(a.name):
            score[i] -= 0.3
    for i in wrong_sense:
        score[i] -= 1.0
    topical = {i for found in links.values() for i, _, kind in found if kind == "topic"}
    top = np.argsort(-score)[: max(k * 3, 30)]
    out = []
    for i in (int(x) for x in top):
        ws = words_of.get(i, set())
        same = bool(ws) and ws <= {q.head} and i not in topical
        # Linked only through a word inside a compound name ("dog" in "hot dog"): not an accent.
        if via.get(i) == "part":
            same = True
        out.append(Match(assets[i], float(score[i]), float(lexical[i]), float(semantic[i]), ws,
                         via.get(i, "meaning"), same, q.head in ws))
    return out[:k]


_SCENE = re.compile(r"night with stars|at night|sunrise|sunset|cityscape|^foggy|milky way|^framed picture")


@functools.lru_cache(maxsize=1)
def _index_of() -> dict[str, int]:
    return {a.key: i for i, a in enumerate(library())}


@functools.lru_cache(maxsize=256)
def _cached_vectors(phrase: str, words: tuple[str, ...], contexts: tuple[tuple[str, str], ...]) -> Any:
    import numpy as np

    from genloom.embeddings import embed

    texts = [phrase, *words, *(c for _, c in contexts)]
    vecs = np.asarray(embed(texts), dtype=np.float32)
    per_word = vecs[1: 1 + len(words)] if words else None
    ctx = {w: vecs[1 + len(words) + j] for j, (w, _) in enumerate(contexts)}
    return vecs[0], per_word, ctx


def _query_vectors(q: Query) -> Any:
    from genloom.errors import GenloomError

    nouns = [w for w in q.weights if q.weights[w] > 0]
    # The first phrase as said, frame word included: "rock concert" means music, "rock" alone a stone.
    phrase = " ".join(q.subject + q.context[:1] if q.frame else q.subject or nouns) or q.text
    # Frame words ("club", "night") pick art only through topics, never by their own meaning.
    words = tuple(w for w in nouns if q.weights[w] >= 0.5 and w not in FRAME_WORDS)
    contexts = []
    for w in nouns:
        # The head is judged in the whole phrase (a dog in "dog grooming salon" is the animal);
        # other words by the rest of the prompt (the "key" of "key lime pie" is no door key).
        others = [x for x in [*nouns, *q.verbs] if x != w or w == q.head]
        if len(others) > (1 if w == q.head else 0):
            contexts.append((w, " ".join(others)))
    try:
        return _cached_vectors(phrase, words, tuple(contexts))
    except (GenloomError, ImportError):
        return None


def accents(matches: list[Match], subject: Asset, limit: int) -> list[Asset]:
    """Art to place around ``subject``: linked to the prompt, not a second copy of the subject."""
    out: list[Asset] = []
    heads = {name_head(subject), core(subject)}
    best = matches[0].score if matches else 0.0
    for m in matches:
        a = m.asset
        if a.key == subject.key or name_head(a) in heads or core(a) in heads:
            continue
        if m.same_kind:
            continue
        linked = m.via in ("name", "topic", "keyword", "part") and m.lexical >= 0.2
        if not linked and m.semantic < ACCENT_SEMANTIC:
            continue
        if m.score < best * (0.2 if m.via == "topic" else 0.35):
            continue
        out.append(a)
        heads |= {name_head(a), core(a)}
        if len(out) >= limit:
            break
    return out
