"""tmserver — a Chinese–English translation memory and terminology service.

``create_app()`` builds the Flask app; :class:`tmserver.tm.TM` is the core every face uses.
"""

from __future__ import annotations

__version__ = "0.1.0"


def create_app(*args, **kwargs):
    """Build the Flask app (see :func:`tmserver.app.create_app`)."""
    # deferred: `import tmserver.normalize` must not load Flask (start-up time)
    from tmserver.app import create_app as _create_app

    return _create_app(*args, **kwargs)


__all__ = ["__version__", "create_app"]
