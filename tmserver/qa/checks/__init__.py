"""The QA checks, one small class per check; importing this package registers them all."""

from tmserver.qa.checks import (  # noqa: F401 - imported for registration
    consistency,
    layout,
    length,
    numbers,
    script,
    terms,
    text,
)
