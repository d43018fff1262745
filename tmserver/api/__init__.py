"""JSON API, CAT-tool routes and docs pages: thin faces over :mod:`tmserver.services`.

Each area keeps its routes in its own module with a blueprint named ``bp``.
"""

from __future__ import annotations

import importlib

from flask import Flask

BLUEPRINT_MODULES = (
    "tmserver.api.health",
    "tmserver.api.segments",
    "tmserver.api.transfer",
    "tmserver.api.keys",
    "tmserver.api.lookup",
    "tmserver.api.compat",
    "tmserver.api.mymemory",
    "tmserver.api.glossary",
    "tmserver.api.qa",
    "tmserver.api.align",
    "tmserver.api.docloop",
    "tmserver.api.openapi",
)


def register_blueprints(app: Flask) -> None:
    for name in BLUEPRINT_MODULES:
        app.register_blueprint(importlib.import_module(name).bp)
