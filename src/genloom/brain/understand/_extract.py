"""Deterministic extractors: the settings a phrase states, read with patterns.

Each function reads one kind of value from a phrase (the words that asked for
one deliverable, or the whole request) and returns ``None`` / empty when the
phrase does not state it, so "asked" and "default" stay apart.

    >>> seconds("a 25-second voiceover")
    25.0
    >>> count("four logo options")
    4
    >>> file_mentions("transcribe standup.wav then summarize it")
    ['standup.wav']
"""

from __future__ import annotations

import re

from genloom.brain.spec import MusicSettings, Size, VoiceTraits
from genloom.brain.understand import _formats

# -- numbers -------------------------------------------------------------------

NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "single": 1, "two": 2, "a couple of": 2, "couple of": 2, "pair of": 2, "three": 3,
    "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "forty-five": 45, "fifty": 50, "sixty": 60,
    "ninety": 90, "half a": 0.5, "half an": 0.5,
}
_NUM = r"(\d+(?:\.\d+)?|" + "|".join(sorted((re.escape(w) for w in NUMBER_WORDS), key=len, reverse=True)) + r")"


def number(word: str) -> float | None:
    word = word.strip().lower()
    if re.fullmatch(r"\d+(?:\.\d+)?", word):
        return float(word)
    return NUMBER_WORDS.get(word)


# -- durations -------------------------------------------------------------------

_UNIT = r"(hours?|hrs?|h|minutes?|mins?|m|seconds?|secs?|s)"
_DURATION = re.compile(rf"(?<![\w.]){_NUM}\s*-?\s*{_UNIT}(?![\w])")
_MMSS = re.compile(r"(?<![\w:])(\d{1,2}):([0-5]\d)\s*(?:min(?:ute)?s?|long)\b")
_HALF = re.compile(r"\bhalf (?:a|an) (minute|hour)\b")


def seconds(text: str) -> float | None:
    """The first duration a phrase states, in seconds ("25-second", "2 minutes", "1:30 long", "one hour")."""
    low = text.lower()
    m = _MMSS.search(low)
    if m:
        return int(m.group(1)) * 60 + int(m.group(2))
    best: tuple[int, float] | None = None
    for m in _DURATION.finditer(low):
        value, unit = number(m.group(1)), m.group(2)
        if value is None or (unit in ("m", "h", "s") and not m.group(1)[0].isdigit()):
            continue  # "a m..." is no duration; "15s", "2m" are
        factor = 3600 if unit.startswith("h") else 60 if unit.startswith("m") else 1
        best = (m.start(), value * factor)
        break
    half = _HALF.search(low)
    if half and (best is None or half.start() < best[0]):
        return 1800.0 if half.group(1) == "hour" else 30.0
    return best[1] if best else None


def per_item_seconds(text: str) -> float | None:
    """Seconds stated per item ("3 seconds each", "2s per photo"), for slideshows."""
    low = text.lower()
    m = re.search(rf"(?<![\w.]){_NUM}\s*-?\s*{_UNIT}\s+(?:each|per (?:image|photo|picture|slide|pic|shot))\b", low)
    if not m:
        return None
    value = number(m.group(1))
    if value is None:
        return None
    return value * (3600 if m.group(2).startswith("h") else 60 if m.group(2).startswith("m") else 1)


# -- word counts -------------------------------------------------------------------

_UNITS_WORDS = ("one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
                "seventeen eighteen nineteen").split()
_TENS_WORDS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
_QTY = (r"(\d{1,3}(?:,\d{3})+|\d+|(?:(?:a|one|two|three|four|five|six|seven|eight|nine|ten)[\s-]+)?"
        r"(?:hundred|thousand)|(?:" + "|".join(_TENS_WORDS) + r")(?:[\s-](?:" + "|".join(_UNITS_WORDS[:9]) +
        r"))?|" + "|".join(sorted(_UNITS_WORDS, key=len, reverse=True)) + r")")
# "words", not a rate ("50 words per minute", "150 words a minute", "2.5 words/s").
_WORD_UNIT = (r"-?\s*words?\b(?!\s*(?:per|a|an|every|each)\s+(?:minute|min|second|sec|hour)\b|\s*/\s*"
              r"(?:min|minute|s|sec|second|h|hour)\b)")
_WORDS_MAX = re.compile(rf"\b(?:under|below|at most|no more than|not more than|fewer than|less than|max(?:imum)?"
                        rf"(?: of)?|up to|within|no longer than|not exceeding|shorter than|word limit(?: of)?|"
                        rf"limit(?: of)?)\s+(?:about\s+)?{_QTY}\s*{_WORD_UNIT}|"
                        rf"(?<![\w.,-]){_QTY}\s*{_WORD_UNIT}\s*(?:max(?:imum)?|or (?:less|fewer)|at most|tops)\b")
_WORDS_MIN = re.compile(rf"\b(?:at least|no fewer than|no less than|not less than|min(?:imum)?(?: of)?|more than|"
                        rf"over|longer than)\s+{_QTY}\s*{_WORD_UNIT}|"
                        rf"(?<![\w.,-]){_QTY}\s*{_WORD_UNIT}\s*(?:min(?:imum)?|or more|at least|plus)\b|"
                        rf"(?<![\w.,-])(\d+)\+\s*{_WORD_UNIT}")
_WORDS_RANGE = re.compile(rf"(?<![\w.,-]){_QTY}\s*(?:-|–|to|or)\s*{_QTY}\s*{_WORD_UNIT}|"
                          rf"\bbetween\s+{_QTY}\s+and\s+{_QTY}\s*{_WORD_UNIT}")
_WORDS_ABOUT = re.compile(rf"(?<![\w.,-]){_QTY}\s*{_WORD_UNIT}|\bword[- ]?count\s*(?:of|:)?\s*(?:about\s+)?{_QTY}\b")
# A count per item ("three taglines of 5 words each") is no length of the whole text.
_PER_ITEM = re.compile(r"^\s*(?:each|apiece|a piece|per (?!minute|second|hour)\w+|for each|every)\b")
# A length for the whole of a list ("five ideas in 100 words", "200 words in total").
_WHOLE = re.compile(r"\bin (?:(?:under|about|around|at most|no more than|fewer than|less than)\s+)?"
                    rf"{_QTY}\s*-?\s*words?\b|\bwords?\s+(?:in total|total|altogether|combined|all together)\b|"
                    r"\b(?:a )?total of\b")


def _quantity(word: str) -> int | None:
    """ "150", "1,200", "fifty", "forty-five", "two hundred", "a thousand" -> the number."""
    w = word.lower().replace(",", "").strip()
    if w.isdigit():
        return int(w)
    parts = re.split(r"[\s-]+", w)
    total = 0
    for p in parts:
        if p in ("a", "one") and len(parts) > 1:
            total = max(total, 1)
        elif p == "hundred":
            total = max(total, 1) * 100
        elif p == "thousand":
            total = max(total, 1) * 1000
        elif p in _UNITS_WORDS:
            total += _UNITS_WORDS.index(p) + 1
        elif p in _TENS_WORDS:
            total += (_TENS_WORDS.index(p) + 2) * 10
        else:
            return None
    return total or None


def words(text: str, *, each: bool = False) -> tuple[int, str] | None:
    """A text's stated length in words and how it binds: ``(n, "about" | "max" | "min")``.

    "a 50-word description", "in 100 words", "about 200 words" -> about; "under 80 words",
    "no more than 80 words", "80 words max" -> max; "at least 300 words", "500+ words" -> min;
    "150-200 words" -> about the middle. Rates ("120 words per minute") are not a length, nor
    is a count per item ("five taglines of 6 words each") unless ``each`` (the text is a list,
    whose word counts are per item); quoted words are not read.
    """
    low = _QUOTE.sub(" ", text.lower().replace("’", "'"))
    found: list[tuple[int, int, str]] = []  # (position, words, bound)
    taken: list[tuple[int, int]] = []

    def free(m: re.Match[str]) -> bool:
        return not any(a < m.end() and m.start() < b for a, b in taken) and \
            (each or not _PER_ITEM.match(low[m.end():]))

    for rx, bound in ((_WORDS_MAX, "max"), (_WORDS_MIN, "min"), (_WORDS_RANGE, "range"), (_WORDS_ABOUT, "about")):
        for m in rx.finditer(low):
            if not free(m):
                continue
            values = [v for g in m.groups() if g and (v := _quantity(g)) is not None]
            if not values:
                continue
            value, binds = values[0], bound
            if bound == "range":
                if len(values) != 2 or values[0] >= values[1]:
                    continue  # "forty-five words" is one number, not a range
                value, binds = (values[0] + values[1]) // 2, "about"
            taken.append((m.start(), m.end()))
            found.append((m.start(), value, binds))
    if not found:
        return None
    _, n, bound = min(found)
    return (n, bound) if 1 <= n <= 20000 else None


def list_words(text: str, items: int) -> tuple[int, str] | None:
    """The words per item of a list of ``items`` ("three taglines, under 8 words" -> (8, "max")).

    A list's word count is per item, unless the words are for the whole ("five ideas in 100
    words", "150 words in total"): then it is shared out, so the whole keeps its length.
    """
    stated = words(text, each=True)
    if stated is None:
        return None
    n, bound = stated
    if _WHOLE.search(_QUOTE.sub(" ", text.lower())):
        n = max(1, round(n / items))
    return n, bound


# -- sizes and formats ------------------------------------------------------------

_PIXELS = re.compile(r"(?<![\w.])(\d{2,5})\s*[x×]\s*(\d{2,5})(?:\s*(?:px|pixels?))?(?![\w])")
_ASPECT = re.compile(r"(?<![\w.:])(\d{1,2}(?:\.\d{1,2})?)\s*:\s*(\d{1,2})(?![\w:])")
_ASPECT_OK = {"16:9", "9:16", "1:1", "4:5", "5:4", "4:3", "3:4", "3:2", "2:3", "21:9", "1.91:1", "2:1", "1:2"}


def size(text: str, kind: str) -> Size | None:
    """Exact pixels, an aspect ratio, a named format or an orientation word, for an image or a video."""
    low = text.lower()
    px = _PIXELS.search(low)
    if px:
        w, h = int(px.group(1)), int(px.group(2))
        if 16 <= w <= 8192 and 16 <= h <= 8192:
            fmt = _formats.find_format(low, kind)
            return Size(width=w, height=h, aspect=_ratio(w, h), format=fmt.id if fmt and
                        (fmt.width, fmt.height) == (w, h) else None)
    fmt = _formats.find_format(low, kind)
    if fmt is not None:
        return Size(width=fmt.width, height=fmt.height, aspect=fmt.aspect, format=fmt.id)
    for m in _ASPECT.finditer(low):
        ratio = f"{m.group(1)}:{m.group(2)}"
        if ratio in _ASPECT_OK:
            return _aspect_size(ratio)
    for word, ratio in _formats.ORIENTATION.items():
        if re.search(rf"(?<![\w-]){word}(?![\w-])", low):
            return _aspect_size(ratio)
    return None


def _aspect_size(ratio: str) -> Size:
    wh = _formats.ASPECT_SIZES.get(ratio)
    return Size(aspect=ratio, width=wh[0], height=wh[1]) if wh else Size(aspect=ratio)


def _ratio(w: int, h: int) -> str:
    from math import gcd

    g = gcd(w, h)
    a, b = w // g, h // g
    if a > 30 or b > 30:  # 1200x628 is "1.91:1", not "300:157"
        return f"{w / h:.2f}:1" if w >= h else f"1:{h / w:.2f}"
    return f"{a}:{b}"


# -- counts --------------------------------------------------------------------------

_COUNT_UNITS = re.compile(r"^\s*(?:-?\s*)(?:seconds?|secs?|s|minutes?|mins?|hours?|bpm|px|pixels?|x|×|:|%|"
                          r"year|years|yo|words?|sentences?|bullets?|bullet points?|lines?|paragraphs?|"
                          r"points?|tips|steps|days?|weeks?|months?|am|pm|people|kids)\b")


def count(text: str) -> int | None:
    """How many variations a phrase asks for ("four logo options", "3 images", "a pair of icons")."""
    low = text.lower()
    for m in re.finditer(rf"(?<![\w.:-]){_NUM}(?![\w.:])", low):
        word = m.group(1)
        if word in ("a", "an", "half a", "half an", "single"):
            continue
        if _COUNT_UNITS.match(low[m.end():]) or low[m.end():m.end() + 1] in (":", "x"):
            continue
        value = number(word)
        if value is not None and 2 <= value <= 16 and value == int(value):
            return int(value)
    m = re.search(r"\b(?:several|a few|some)\s+(?:[\w-]+\s+){0,2}(?:options|variations|versions|variants|ideas|concepts|"
                  r"suggestions|alternatives|drafts|designs|takes)\b",
                  low)
    return 3 if m else None


# -- files ------------------------------------------------------------------------------

MEDIA_EXTENSIONS = {
    "audio": "wav mp3 m4a flac ogg oga opus aac wma aiff aif",
    "video": "mp4 mov mkv webm avi m4v mpeg mpg wmv",
    "image": "png jpg jpeg gif webp bmp tif tiff heic",
    "text": "txt md markdown rst pdf docx doc rtf srt vtt csv json html htm odt",
    "code": "py js ts tsx jsx rs go java c cpp h rb php sh sql",
}
_EXT = "|".join(sorted({e for exts in MEDIA_EXTENSIONS.values() for e in exts.split()}, key=len, reverse=True))
_FILE = re.compile(rf"(?<![\w/.@-])((?:~?/)?(?:[\w.-]+/)*[\w][\w.-]*\.(?:{_EXT}))(?![\w/])", re.I)


def file_mentions(text: str) -> list[str]:
    """File names as written in the request, in order, each once ("beach1.jpg", "./clips/demo.mp4")."""
    found: list[str] = []
    for m in _FILE.finditer(text):
        name = m.group(1)
        if re.fullmatch(r"[\d.]+", name.rsplit(".", 1)[0]):
            continue  # "1.5" is a number, not a file
        if name not in found:
            found.append(name)
    return found


def guess_kind(name: str) -> str | None:
    """A file's likely content from its extension, for reading the request only: inputs are typed by content."""
    ext = name.rsplit(".", 1)[-1].lower()
    return next((k for k, exts in MEDIA_EXTENSIONS.items() if ext in exts.split()), None)


# -- exact words -----------------------------------------------------------------------

_QUOTE = re.compile(r"(?:^|(?<=[\s(:]))([\"“‘'])((?:(?![\"”’]).){1,2000}?)[\"”’'](?=[\s.,!?;:)]|$)", re.S)
_AFTER_COLON_VERBATIM = re.compile(
    r"\b(?:says?|saying|reads?|reading|read (?:this|it|these words|the following)(?: aloud| out loud| out)?|"
    r"(?:text|words)(?: to speech)?|tts|announce|announcing|speak|pronounce|caption)\s*:\s*(.+)$", re.I | re.S)
_SAYS = re.compile(r"\b(?:that says|which says|saying|that reads|reading|with the (?:text|words?|headline|title|"
                   r"tagline|slogan)|titled|headline(?:d)?)\s+(?![\"“‘'])(.+?)(?:[.!]?$|,|\s+(?:in|with|and|for)\s)",
                   re.I)


def quoted(text: str) -> list[str]:
    """Texts in quotes, in order ("say 'welcome'", “Grand Opening”). Apostrophes inside words are not quotes."""
    return [m.group(2).strip() for m in _QUOTE.finditer(text) if m.group(2).strip()]


def verbatim(text: str) -> str | None:
    """The exact words a request gives: quoted, after "that says:" / "read this aloud:", or after "saying"."""
    q = quoted(text)
    if q:
        return q[0]
    m = _AFTER_COLON_VERBATIM.search(text)
    if m and m.group(1).strip():
        return m.group(1).strip()
    m = _SAYS.search(text)
    if m and len(m.group(1).split()) <= 16:
        return m.group(1).strip(" .")
    return None


# -- voice ------------------------------------------------------------------------------

_VOICE_CONTEXT = re.compile(
    r"((?:[\w'-]+[\s,]+){0,5}?)(?:voice(?:d)?|voice-?over|narrator|speaker|announcer|accent|tone of voice)\b|"
    r"\b(?:read|spoken|narrated|voiced|said|told)\s+(?:aloud\s+|out loud\s+)?by\s+((?:[\w'-]+\s*){1,4})", re.I)
_GENDER = {"male": r"male|man|man's|masculine|guy|boy|boy's|gentleman|dad|father|grandpa|grandfather|he",
           "female": r"female|woman|woman's|feminine|girl|girl's|lady|mom|mother|grandma|grandmother|she"}
_AGE = {"child": r"child|child's|kid|kid's|little|toddler|boy|boy's|girl|girl's|children's",
        "young": r"young|teen|teenage|teenager|youthful",
        "old": r"old|elderly|older|aged|grandpa|grandma|grandfather|grandmother|senior|wise old"}
_PITCH = {"low": r"low|deep|bass|baritone|gravelly", "high": r"high|high-pitched|squeaky|bright"}
TONES = ("calm", "warm", "energetic", "excited", "serious", "friendly", "cheerful", "soothing", "dramatic",
         "upbeat", "gentle", "soft", "confident", "enthusiastic", "professional", "playful", "sad", "happy",
         "whispering", "whispered", "authoritative", "relaxed", "spooky", "mysterious", "angry")
_ACCENT = {"uk": r"british|english|uk|london|posh", "us": r"american|us|u\.s\.", "au": r"australian|aussie",
           "ie": r"irish", "scottish": r"scottish", "in": r"indian"}


def voice(text: str) -> VoiceTraits | None:
    """How a voice should sound ("a low male voice", "read by a child", "a calm British narrator")."""
    traits: dict[str, str] = {}
    for m in _VOICE_CONTEXT.finditer(text):
        words = (m.group(1) or m.group(2) or "").lower()
        for key, table in (("gender", _GENDER), ("age", _AGE), ("pitch", _PITCH)):
            for value, rx in table.items():
                if key not in traits and re.search(rf"(?<![\w-])(?:{rx})(?![\w-])", words):
                    traits[key] = value
        tone = next((t for t in TONES if re.search(rf"\b{t}\b", words)), None)
        if tone and "tone" not in traits:
            traits["tone"] = "energetic" if tone in ("excited", "enthusiastic", "upbeat") else tone
        accent = m.group(0).lower()
        for value, rx in _ACCENT.items():
            if "accent" not in traits and re.search(rf"(?<![\w-])(?:{rx})(?![\w-])", accent):
                traits["accent"] = value
    if traits.get("age") == "child" and traits.get("gender") in ("male", "female") and \
            not re.search(r"\b(?:boy|girl|son|daughter)\b", text, re.I):
        traits.pop("gender")  # "a child's voice" states no gender
    return VoiceTraits(**traits) if traits else None


def _adverb(adjective: str) -> str:
    """How the tone is said as a manner ("read it calmly", "gently", "happily", "dramatically")."""
    if adjective.endswith("le"):
        return adjective[:-1] + "y"
    if adjective.endswith("y"):
        return adjective[:-1] + "ily"
    if adjective.endswith("ic"):
        return adjective + "ally"
    return adjective + "ly"


def tone(text: str) -> str | None:
    """A tone word anywhere in a speech phrase ("a radio ad, male voice, energetic")."""
    low = text.lower()
    found = next((t for t in TONES if re.search(rf"\b(?:{t}|{_adverb(t)})\b", low)), None)
    if found is None and re.search(r"\bin an? (?:soft |low |quiet )?whisper\b|\bwhisper(?:s|ed)?\b", low):
        found = "whispering"  # "read it in a whisper", "whisper it"
    return "energetic" if found in ("excited", "enthusiastic", "upbeat") else found


# How a voice's pace is described: an adverb anywhere in the speech part ("read aloud slowly",
# "slowly and clearly"), or a pace word before a delivery noun ("a slow, calm voice", "fast-paced narration").
_DELIVERY = r"(?:voice|pace|pacing|read(?:ing)?|delivery|speech|narration|narrator|speaker|tempo of speech)"
# One other adjective may stand between, joined by a comma or "and" ("slow, calm voice"), never a noun
# ("a fast food voice ad" is not fast speech).
_AND_ONE = r"(?:(?:,|\s+and)\s+\w+)?"
_SLOW = re.compile(rf"\bslowly\b|\bslow(?:er)?(?:[- ]paced)?{_AND_ONE}\s+{_DELIVERY}\b|\bat an? (?:slow|relaxed|"
                   rf"leisurely) pace\b|\bunhurried\b")
_FAST = re.compile(rf"\bquickly\b|\brapidly\b|\bfast(?:er)?(?:[- ]paced)?{_AND_ONE}\s+{_DELIVERY}\b|\b(?:speak|read|"
                   rf"talk|narrate|say)\w*\s+(?:\w+\s+)?(?:very\s+)?fast\b|\bat an? (?:fast|quick|brisk) pace\b")
_VERY = re.compile(r"\bvery (?:slowly|quickly|fast|slow)\b")


def speed(text: str) -> float | None:
    """The speaking rate a speech part asks for (1.0 is the voice's own), from how its pace is described."""
    low = text.lower()
    very = bool(_VERY.search(low))
    if _SLOW.search(low):
        return 0.75 if very else 0.85
    if _FAST.search(low):
        return 1.35 if very else 1.2
    return None


# -- language ---------------------------------------------------------------------------

LANGUAGES = {
    "english": "en", "french": "fr", "spanish": "es", "german": "de", "italian": "it", "portuguese": "pt",
    "dutch": "nl", "japanese": "ja", "chinese": "zh", "mandarin": "zh", "korean": "ko", "russian": "ru",
    "arabic": "ar", "hindi": "hi", "polish": "pl", "swedish": "sv", "turkish": "tr", "greek": "el",
    "norwegian": "no", "danish": "da", "finnish": "fi", "czech": "cs", "ukrainian": "uk", "vietnamese": "vi",
    "indonesian": "id", "thai": "th", "hebrew": "he", "catalan": "ca", "romanian": "ro", "hungarian": "hu",
}
_LANG = "|".join(LANGUAGES)
_LANG_RX = re.compile(
    rf"\b(?:in|into|to)\s+({_LANG})\b|\b({_LANG})\s+(?:voice-?over|voice|narration|version|translation|subtitles|"
    rf"captions|audio|speaker|text|copy|caption)s?\b|\btranslat\w*\b.*?\b({_LANG})\b", re.I)


def language(text: str) -> str | None:
    m = _LANG_RX.search(text)
    if not m:
        return None
    return LANGUAGES[next(g for g in m.groups() if g).lower()]


# -- music ------------------------------------------------------------------------------

GENRES = {
    "lofi": r"lo-?fi|chillhop", "edm": r"edm|electronic|dance|techno|house music|trance|dubstep|synthwave",
    "ambient": r"ambient|drone|atmospheric", "cinematic": r"cinematic|orchestral|epic|film score|movie score|trailer",
    "jazz": r"jazz|jazzy|swing|bossa nova", "folk": r"folk|acoustic|country|bluegrass", "rock": r"rock|punk|metal",
    "pop": r"pop|k-pop|synth-?pop", "chorale": r"chorale|choir|hymn|choral",
}
INSTRUMENTS = {
    "acoustic guitar": r"acoustic guitars?", "electric guitar": r"electric guitars?", "guitar": r"guitars?",
    "piano": r"pianos?|keys", "strings": r"strings|string section", "violin": r"violins?|fiddle",
    "cello": r"cellos?", "flute": r"flutes?", "trumpet": r"trumpets?|horns?|brass", "saxophone": r"sax(?:ophone)?s?",
    "organ": r"organs?", "synth": r"synths?|synthesi[sz]ers?", "ukulele": r"ukuleles?|uke",
    "harp": r"harps?", "marimba": r"marimbas?", "choir": r"choir|voices", "clarinet": r"clarinets?",
    "banjo": r"banjos?", "bells": r"bells|glockenspiel|music box", "accordion": r"accordions?",
    "harmonica": r"harmonicas?", "bass": r"bass guitar|bassline|bass line|(?<!drum and )bass(?! voice)",
}
MOODS = ("happy", "sad", "calm", "relaxing", "upbeat", "energetic", "dark", "tense", "spooky", "romantic",
         "playful", "epic", "dreamy", "melancholic", "uplifting", "chill", "peaceful", "triumphant", "mysterious",
         "catchy", "soft", "gentle", "slow", "fast")
_KEY = re.compile(r"\b(?:in(?: the key of)?|key(?: of)?:?)\s+([A-G])(\s*(?:#|♯|b|♭|sharp|flat))?"
                  r"(?:\s*(major|minor|maj|min|m)\b)?")


_SUNG = re.compile(r"\b(?:sing|sings|sung|singing|singer|vocals?|vocalist|lyrics|rap|rapped|rapping)\b")


def music(text: str) -> MusicSettings | None:
    """Genre, tempo, key, mode, instruments, drums and mood a phrase states."""
    low = text.lower()
    out: dict = {}
    genre = next((g for g, rx in GENRES.items() if re.search(rf"(?<![\w-])(?:{rx})(?![\w-])", low)), None)
    if genre:
        out["genre"] = genre
    bpm = re.search(r"(\d{2,3})\s*(?:bpm|beats per minute)\b", low)
    if bpm and 20 <= int(bpm.group(1)) <= 300:
        out["tempo"] = int(bpm.group(1))
    key = _KEY.search(text)
    if key and (key.group(2) or key.group(3) or key.group(1) != "A"):
        acc = (key.group(2) or "").strip().lower()
        out["key"] = key.group(1) + ("#" if acc in ("#", "♯", "sharp") else "b" if acc in ("b", "♭", "flat") else "")
        if key.group(3):
            out["mode"] = "minor" if key.group(3).lower() in ("minor", "min", "m") else "major"
    if "mode" not in out:
        mode = re.search(r"\b(major|minor)(?: key| scale| mode)?\b", low)
        if mode:
            out["mode"] = mode.group(1)
    found: list[str] = []
    scan = low
    for name, rx in INSTRUMENTS.items():  # longest names first in the table: "acoustic guitar" before "guitar"
        if re.search(rf"(?<![\w-])(?:{rx})(?![\w-])", scan):
            found.append(name)
            scan = re.sub(rf"(?<![\w-])(?:{rx})(?![\w-])", " ", scan)
    if found:
        out["instruments"] = found
    if re.search(r"\b(?:no|without|minus|zero)\s+(?:any\s+)?(?:drums?|percussion|beats?)\b|\bdrumless\b", low):
        out["drums"] = False
    elif re.search(r"\b(?:drums?|percussion|drum kit|with a beat)\b", low):
        out["drums"] = True
    mood = next((m for m in MOODS if re.search(rf"\b{m}\b", low)), None)
    if mood:
        out["mood"] = mood
    if _SUNG.search(low) and not re.search(r"\b(?:no|without)\s+(?:vocals?|singing|lyrics)\b|\binstrumental\b", low):
        out["vocals"] = True
    return MusicSettings(**out) if out else None


# -- sounds -------------------------------------------------------------------------------

SOUNDS = {
    "white-noise": r"white noise", "pink-noise": r"pink noise", "brown-noise": r"brown(?:ian)? noise",
    "rain": r"rain(?:fall|storm|drops?|y)?", "thunder": r"thunder(?:storm)?s?|storm",
    "ocean": r"ocean|waves?|sea|surf|beach|seaside", "wind": r"wind|breeze|gusts?",
    "fire": r"fire|fireplace|campfire|crackling|bonfire", "stream": r"stream|river|brook|creek|waterfall|water",
    "birdsong": r"birds?|birdsong|chirping|songbirds?", "clock": r"clock|ticking|tick-?tock",
    "heartbeat": r"heart ?beats?", "beep": r"beeps?|alarm|bleep", "chime": r"chimes?|doorbell|ding|bell",
    "whoosh": r"whoosh|swoosh|swish|woosh", "applause": r"applause|clapping|cheering crowd|claps?",
}


def sound(text: str) -> str | None:
    low = text.lower()
    return next((s for s, rx in SOUNDS.items() if re.search(rf"(?<![\w-])(?:{rx})(?![\w-])", low)), None)


def loops(text: str) -> bool | None:
    return True if re.search(r"\b(?:loop(?:s|ed|ing|able)?|seamless)\b", text.lower()) else None


# -- style -----------------------------------------------------------------------------------

STYLES = {
    "photo": r"photo(?:graph)?s?|photo-?realistic|realistic|photoreal|dslr|cinematic still",
    "watercolor": r"watercolou?rs?", "oil painting": r"oil paint(?:ing)?s?", "pixel": r"pixel(?: art|ated)?|8-?bit",
    "minimal": r"minimal(?:ist|istic)?|simple|clean|flat", "sketch": r"sketch(?:y|ed)?|pencil|line art|line drawing",
    "cartoon": r"cartoon(?:y|ish)?|comic(?:-book)?|anime|manga", "3d": r"3d|3-d|rendered", "vintage": r"vintage|retro",
    "neon": r"neon|cyberpunk", "hand-drawn": r"hand-?drawn|doodle", "lo-fi": r"lo-?fi",
}


def style(text: str) -> str | None:
    low = text.lower()
    return next((s for s, rx in STYLES.items() if re.search(rf"(?<![\w-])(?:{rx})(?![\w-])", low)), None)


def captions(text: str) -> bool | None:
    low = text.lower()
    if re.search(r"\b(?:no|without)\s+(?:any\s+)?(?:captions?|subtitles?|text)\b", low):
        return False
    if re.search(r"\b(?:captions?|subtitles?|captioned|subtitled)\b", low):
        return True
    return None
