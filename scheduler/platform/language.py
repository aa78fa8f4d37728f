"""The languages every text a person reads comes in: French first, English too."""

from __future__ import annotations

from typing import Literal

Language = Literal["fr", "en"]
