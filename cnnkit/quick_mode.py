"""Quick mode: small data and few epochs when the environment variable ``CNNKIT_QUICK`` says so.

Read at every use (``ck.QUICK`` calls :func:`quick_mode`), so a test or a notebook that sets
``CNNKIT_QUICK`` after ``import cnnkit`` gets what it set.
"""

from __future__ import annotations

import os
import warnings

ENVIRONMENT_VARIABLE = "CNNKIT_QUICK"
TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("", "0", "false", "no", "off")
#: A value longer than this is shown cut short in the warning (a 100 KB value stays readable).
SHOWN_CHARACTERS = 40


class SettingWarning(UserWarning):
    """An environment variable of the kit has a value the kit does not understand."""


#: The last value warned about: ``ck.QUICK`` is read in many cells, one warning per value is enough.
_warned_value: str | None = None


def shown_value(value: str, limit: int = SHOWN_CHARACTERS) -> str:
    """``repr(value)``, cut to its first ``limit`` characters plus the total length when longer."""
    if len(value) <= limit:
        return repr(value)
    return f"{value[:limit]!r}... ({len(value):,} characters)"


def quick_mode() -> bool:
    """True when ``CNNKIT_QUICK`` is one of 1/true/yes/on (any case, spaces ignored).

    Unset or one of 0/false/no/off means full mode; any other value means full mode and warns
    (SettingWarning, naming the accepted values; once per value).
    """
    raw = os.environ.get(ENVIRONMENT_VARIABLE, "")
    value = raw.strip().lower()
    if value in TRUE_WORDS:
        return True
    global _warned_value
    if value not in FALSE_WORDS and raw != _warned_value:
        _warned_value = raw
        warnings.warn(
            f"{ENVIRONMENT_VARIABLE}={shown_value(raw)} is neither true nor false, so the course "
            f"runs in full mode. Use one of {', '.join(TRUE_WORDS)} for quick mode or "
            f"{', '.join(word for word in FALSE_WORDS if word)} (or leave it unset) for full mode.",
            SettingWarning,
            stacklevel=3,
        )
    return False
