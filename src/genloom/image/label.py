"""The AI-generated label written inside every PNG genloom makes.

Format (all PNG ``tEXt``/``iTXt`` chunks, readable by any PNG tool)::

    genloom:ai-label   JSON: {"ai_generated": true, "generator": "genloom",
                              "label": "AI-generated content", "model": ..., "prompt": ...,
                              "seed": ..., "created": ISO-8601, "attribution": [...]}
    Software           "genloom <version>"
    Description        the prompt
    Comment            "AI-generated content (genloom, model <id>)"
    Copyright          attribution of third-party art used (empty if none)
    XML:com.adobe.xmp  XMP with IPTC DigitalSourceType (trainedAlgorithmicMedia for
                       neural models, algorithmicMedia for the composer)
"""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from genloom.store.db import AI_LABEL

KEY = "genloom:ai-label"
IPTC = "http://cv.iptc.org/newscodes/digitalsourcetype/"


def version() -> str:
    try:
        from importlib.metadata import version as v

        return v("genloom")
    except Exception:  # noqa: BLE001 - running from a source tree
        return "0"


def label_dict(*, model: str, prompt: str, seed: int | None, attribution: list[dict[str, str]] | None = None,
               neural: bool = False, **extra: Any) -> dict[str, Any]:
    return {**AI_LABEL, "model": model, "prompt": prompt, "seed": seed,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "digital_source_type": IPTC + ("trainedAlgorithmicMedia" if neural else "algorithmicMedia"),
            "attribution": attribution or [], **extra}


def credit_line(attribution: list[dict[str, str]]) -> str:
    names = sorted({a.get("attribution", "") for a in attribution if a.get("attribution")})
    return "; ".join(names)


def _xmp(label: dict[str, Any]) -> str:
    from xml.sax.saxutils import escape

    return (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" '
        f'Iptc4xmpExt:DigitalSourceType="{escape(label["digital_source_type"])}">'
        f'<dc:description><rdf:Alt><rdf:li xml:lang="x-default">{escape(label["label"])}: '
        f'{escape(str(label["prompt"])[:500])}</rdf:li></rdf:Alt></dc:description>'
        "</rdf:Description></rdf:RDF></x:xmpmeta>"
    )


def png_bytes(image: Any, label: dict[str, Any]) -> bytes:
    """Encode ``image`` as PNG with the label chunks."""
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_itxt(KEY, json.dumps(label, ensure_ascii=False, default=str))
    info.add_text("Software", f"genloom {version()}")
    info.add_itxt("Description", str(label.get("prompt", ""))[:2000])
    info.add_text("Comment", f"{label['label']} (genloom, model {label.get('model')})")
    info.add_itxt("Copyright", credit_line(label.get("attribution") or []))
    info.add_itxt("XML:com.adobe.xmp", _xmp(label))
    buf = io.BytesIO()
    image.save(buf, format="PNG", pnginfo=info, optimize=False, compress_level=3)
    return buf.getvalue()


def read_png_label(source: Path | bytes) -> dict[str, Any] | None:
    """The genloom label of a PNG file (or bytes), or None if it has none."""
    from PIL import Image

    fh = io.BytesIO(source) if isinstance(source, bytes) else open(source, "rb")  # noqa: SIM115
    with fh, Image.open(fh) as img:
        img.load()
        raw = img.text.get(KEY) if hasattr(img, "text") else None
    return json.loads(raw) if raw else None
