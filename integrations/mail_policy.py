"""The email policy every message of the service is built with (``MAIL_POLICY``): subjects
that reach every reader as written, and headers built without the stdlib's per-header cost."""

from __future__ import annotations

from email import policy
from email.header import Header
from email.headerregistry import BaseHeader, HeaderRegistry, UnstructuredHeader

__all__ = ["MAIL_POLICY"]


class _WholeWordsSubject(UnstructuredHeader, BaseHeader):
    """A Subject folded as encoded words that each carry their own spaces.

    The stdlib folder (3.11) mixes plain and encoded words and puts the space between two
    encoded words *outside* them, where RFC 2047 readers must drop it: "(Droit) – mardi 8
    décembre à 18:00" reached people as "décembreà". ``email.header.Header`` encodes the whole
    text, spaces inside the words, so every reader gets the subject back as it was written.
    """

    # One Subject per message, as the stdlib's own subject header says.
    max_count = 1

    def fold(self, *, policy: policy.Policy) -> str:
        text = str(self)
        if text.isascii() or getattr(policy, "utf8", False):
            # Plain ASCII (or an SMTPUTF8 server that takes raw UTF-8) folds at spaces safely.
            return super().fold(policy=policy)
        encoded = Header(text, "utf-8", header_name=self.name).encode(linesep=policy.linesep)
        return f"{self.name}: {encoded}{policy.linesep}"


class _CachedHeaderRegistry(HeaderRegistry):
    """The stdlib registry builds a new header class for every header set (3.11); building a
    message spent half its time there. The classes are stateless, so one per name is enough."""

    def __init__(self) -> None:
        super().__init__()
        self.map_to_type("subject", _WholeWordsSubject)
        self._classes: dict[str, type[BaseHeader]] = {}

    def __getitem__(self, name: str) -> type[BaseHeader]:
        key = name.lower()
        found = self._classes.get(key)
        if found is None:
            found = self._classes[key] = super().__getitem__(name)
        return found


MAIL_POLICY = policy.default.clone(header_factory=_CachedHeaderRegistry())
