"""Video: clips from composed scenes and stills; see :mod:`genloom.video.runner`."""
