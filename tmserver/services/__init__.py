"""The service layer: the only way the faces (``tmserver.api``, ``tmserver.web``, ``tmserver.cli``
and the areas' ``cli`` modules) reach the core.

One module per area (:mod:`~tmserver.services.lookup`, :mod:`~tmserver.services.segments`,
:mod:`~tmserver.services.keys`, :mod:`~tmserver.services.glossary`, :mod:`~tmserver.services.transfer`,
…). Every public operation

* runs in exactly ONE transaction (one ``tm.session()`` / ``tm.read_session()`` /
  ``tm.write_session()``), so what it reads and writes is one consistent unit;
* takes and returns typed objects (dataclasses; ``to_dict()`` gives the JSON document every face
  prints, so the API, the CLI and the workbench show the same thing);
* raises :class:`tmserver.errors.TMError` subclasses, which each face renders its own way.

Faces translate HTTP / argv / form fields into these calls and results into JSON, text or HTML;
they never open a session or import ``tmserver.store``, ``tmserver.auth`` or the glossary's
store, enforcement or annotation (an import-linter contract in ``pyproject.toml`` checks it).
:mod:`~tmserver.services.core` builds the :class:`~tmserver.tm.TM` and wires the glossary into it
as hooks.
"""
