"""The translator's workbench: server-rendered pages over the same core as the JSON API.

=====================  ==========================================================  ==========
page                   what it calls                                               role
=====================  ==========================================================  ==========
``/``                  ``TM.lookup`` + ``glossary.annotate.annotate_lookup``        reader
``/concordance``       ``TM.concordance``                                          reader
``/glossary``          ``glossary.store.search`` / ``get_concept``                 reader
  edit, import         ``glossary.store.replace_concept``, ``import_glossary``     admin
``/segments``          ``TM.list_segments``, ``get_segment``, ``history``          reader
  edit                 ``TM.update_segment`` (glossary enforced)                   translator
``/files``             ``docloop.analyze`` / ``pretranslate`` (jobs), QA          reader
                       ``run_checks``, ``export_file``
  import               ``tm.import_file`` (a job)                                  admin
``/signin``            ``auth.verify_key``; the key is kept in the session         —
=====================  ==========================================================  ==========

Templates are in ``tmserver/templates/web/``, CSS and JavaScript in ``tmserver/static/web/``
(plain files: no CDN, no build step; the pages work with the network off). The blueprint's
plumbing — session sign-in, CSRF, roles, error pages — is in :mod:`tmserver.web.base`.
"""

from __future__ import annotations

from tmserver.web import account, files, glossary, search, segments  # noqa: F401 - they add the routes
from tmserver.web.base import bp

__all__ = ["bp"]
