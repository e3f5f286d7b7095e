"""One exception tree for everything feedpub reports to a user.

Library exceptions (YAML, TOML, lxml, OS) are wrapped at the boundary with
``raise ... from e``; only :mod:`feedpub.cli` turns these into messages and
exit codes.
"""

from __future__ import annotations


class FeedpubError(Exception):
    """Root of every error feedpub raises on purpose."""


class ConfigError(FeedpubError):
    """The configuration file is missing or wrong; ``problems`` lists every issue."""

    def __init__(self, path: str, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        super().__init__("\n".join(f"{path}:{p}" for p in problems))

    def __reduce__(self) -> tuple[type, tuple[str, list[str]]]:
        return type(self), (self.path, self.problems)


class ArticleError(FeedpubError):
    """One article file cannot be used. ``line`` is 1-based, in the file itself."""

    def __init__(self, path: str, line: int, message: str) -> None:
        self.path = path
        self.line = line
        self.message = message
        super().__init__(f"{path}:{line}: {message}")

    def __reduce__(self) -> tuple[type, tuple[str, int, str]]:
        # what a worker process sends back: rebuilt from the three fields (the
        # default would call __init__ with the one message string)
        return type(self), (self.path, self.line, self.message)


class ValidationError(FeedpubError):
    """A rendered feed breaks a rule; ``problems`` are ``Problem`` records."""

    def __init__(self, name: str, problems: list[object]) -> None:
        self.name = name
        self.problems = problems
        super().__init__("\n".join(f"{name}: {p}" for p in problems))

    def __reduce__(self) -> tuple[type, tuple[str, list[object]]]:
        return type(self), (self.name, self.problems)


class LockError(FeedpubError):
    """Another build holds the lock on the output folder."""


class UnknownTopicError(FeedpubError):
    """A preview asked for a topic or slug that matches nothing."""

    def __init__(self, name: str, suggestions: list[str]) -> None:
        self.name = name
        self.suggestions = suggestions
        hint = f" Did you mean: {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"no feed or topic named {name!r}.{hint}")

    def __reduce__(self) -> tuple[type, tuple[str, list[str]]]:
        return type(self), (self.name, self.suggestions)
