"""Make the example pictures of docs/media.md (small PNGs in docs/media/).

    .venv/bin/python scripts/media_examples.py [--full OUTDIR]

``--full`` also keeps the full-size files (for looking at them closely).
Every example is made through ``genloom.api.create`` with the request keys the
brain passes (format, headline, subline, cta, n), so the docs show real output.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from _examples import DOCS, make_examples

THUMB = 360  # long side of the committed copies: the docs stay small

EXAMPLES = [
    ("poster-bakery", "a poster for a bakery", {"format": "instagram-post", "headline": "Fresh Bread Daily",
                                                "subline": "Sourdough, croissants and more", "cta": "Order now"}),
    ("a4-jazz", "a poster for a jazz night", {"format": "a4-poster", "subline": "Friday 8 pm at the Blue Room"}),
    ("story-flowers", "an instagram story for a flower shop", {"format": "instagram-story",
                                                               "headline": "Spring Bouquets", "cta": "Shop now"}),
    ("banner-bikes", "a banner for a bicycle repair shop", {"format": "link-banner", "headline": "Bike Fix Fast",
                                                           "subline": "Same-day repairs in Leeds"}),
    ("thumb-guitar", "a youtube thumbnail about learning guitar", {"format": "youtube-thumbnail",
                                                                   "headline": "Guitar in 7 days"}),
    ("logo-coffee", "a logo for a coffee shop", {"layout": "logo", "headline": "Bean There", "n": 3,
                                                 "width": 640, "height": 640}),
    ("icon-weather", "an app icon for a weather app", {"format": "app-icon"}),
    ("favicon-tea", "a favicon for a tea blog", {"format": "favicon"}),
    ("slide-tech", "a slide for a tech startup pitch", {"format": "slide", "headline": "Ship Faster",
                                                         "subline": "Deploys in one click"}),
    ("cover-yoga", "a cover for a yoga studio", {"format": "facebook-cover", "headline": "Calm Studio"}),
    ("letter-farm", "a poster for a farmers market", {"format": "letter-poster", "headline": "Farmers Market",
                                                      "subline": "Every Saturday 8-1", "cta": "Free entry"}),
    ("post-dog", "a banner for a dog grooming salon", {"format": "twitter-post", "headline": "Pawfect Cuts"}),
    ("fox-red", "a red fox in the snow", {"width": 640, "height": 480}),
    ("lantern", "a poster for a camping trip with lanterns", {"format": "instagram-portrait"}),
]


def main() -> None:
    from PIL import Image

    def save(name: str, out: Path, result: Any) -> None:
        for i, path in enumerate(result.paths):
            img = Image.open(path).convert("RGB")
            img.thumbnail((THUMB, THUMB), Image.Resampling.LANCZOS)
            small = img.quantize(colors=128, method=Image.Quantize.MEDIANCUT)
            suffix = f"-{i + 1}" if len(result.paths) > 1 else ""
            small.save(DOCS / f"{name}{suffix}.png", optimize=True)
            print(f"{path} -> docs/media/{name}{suffix}.png ({result.meta['images'][i]['width']}x"
                  f"{result.meta['images'][i]['height']})")

    make_examples("image", EXAMPLES, ".png", {}, save)


if __name__ == "__main__":
    main()
