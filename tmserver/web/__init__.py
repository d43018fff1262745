"""The translator's workbench: server-rendered pages over the same core as the JSON API.

=====================  ==========================================================  ==========
page                   what it calls (``tmserver.services``)                       role
=====================  ==========================================================  ==========
``/``                  ``lookup.lookup`` (annotated with the glossary)              reader
``/concordance``       ``segments.concordance``                                    reader
``/glossary``          ``glossary.search_concepts`` / ``get_concept``              reader
  edit, import         ``glossary.replace_concept``, ``import_glossary``           admin
``/segments``          ``segments.list_segments``, ``segment_with_history``        reader
  edit                 ``segments.update`` (glossary enforced)                     translator
``/files``             ``docloop.analyze`` / ``pretranslate`` (jobs), QA          reader
                       ``qa.check_segments``, ``transfer.export_file``
  import               ``transfer.import_file`` (a job)                            admin
``/signin``            ``keys.verify``; the key is kept in the session             —
=====================  ==========================================================  ==========

Templates are in ``tmserver/templates/web/``, CSS and JavaScript in ``tmserver/static/web/``
(plain files: no CDN, no build step; the pages work with the network off). The blueprint's
plumbing — session sign-in, CSRF, roles, error pages — is in :mod:`tmserver.web.base`.
"""

from __future__ import annotations

from tmserver.web import account, files, glossary, search, segments  # noqa: F401 - they add the routes
from tmserver.web.base import bp

__all__ = ["bp"]
