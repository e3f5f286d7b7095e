"""The keys that tell an incremental build what may have changed since the last one.

An output file is rewritten only when its key changes, so a key must hold
*everything* that shapes the output's bytes. Nothing here is listed by hand:

- :func:`code_key`: feedpub's version, a digest of the code and schemas of the
  installed package (every module and schema file: a change anywhere in how
  feeds are read, rendered or checked reaches every feed at the next build), and
  the versions of the libraries that write and check the bytes;
- :func:`site_key` and :func:`feed_key`: every field of the configuration
  dataclasses, read from the dataclasses themselves, so a field added later is
  part of the key without anyone remembering to add it.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
import sys
from pathlib import Path
from typing import Any

from . import __version__
from .config import Config, FeedConfig

#: The libraries whose versions can change the bytes of an output.
LIBRARIES = ("feedgen", "lxml", "nh3", "ftfy", "PyYAML", "jsonschema")


@functools.cache
def code_key() -> str:
    """feedpub's version, its modules and schemas, and the libraries' versions, hashed."""
    package = Path(__file__).parent
    h = hashlib.sha256(__version__.encode())
    for path in sorted(
        [*package.glob("*.py"), *package.glob("*/*.py"), *package.glob("schemas/*")]
    ):
        h.update(b"\0%s\0%s" % (path.relative_to(package).as_posix().encode(), path.read_bytes()))
    for name, version in sorted(library_versions().items()):
        h.update(f"\0{name}={version}".encode())
    return h.hexdigest()


def library_versions() -> dict[str, str]:
    """The installed version of each of :data:`LIBRARIES` (``-`` when not found), from
    the ``.dist-info`` folder names on ``sys.path``, first found first, as the import
    system finds them (``importlib.metadata`` takes 10 ms for this, a warm build's
    hundredth)."""
    wanted = {_normal(n): n for n in LIBRARIES}
    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for n in names:
            if n.endswith(".dist-info"):
                dist, _, version = n[: -len(".dist-info")].partition("-")
                name = wanted.get(_normal(dist))
                if name and name not in found:
                    found[name] = version
    return {n: found.get(n, "-") for n in LIBRARIES}


def _normal(name: str) -> str:
    return name.lower().replace("-", "_").replace(".", "_")


def _plain(value: Any) -> Any:
    """A configuration value as JSON can hold it, the same in every process."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, frozenset | set):
        return sorted(_plain(v) for v in value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)  # a Path, a ZoneInfo (whose str is its key)


@functools.lru_cache(maxsize=16)  # asked once per feed file of a build
def site_key(config: Config) -> str:
    """Every field of the site's configuration but its feeds, with :func:`code_key`."""
    fields = {f.name: _plain(getattr(config, f.name))
              for f in dataclasses.fields(config) if f.name != "feeds"}  # fmt: skip
    return json.dumps([code_key(), fields], sort_keys=True, ensure_ascii=False)


@functools.lru_cache(maxsize=4096)
def feed_key(feed: FeedConfig) -> str:
    """Every field of one feed's configuration."""
    return json.dumps(_plain(feed), sort_keys=True, ensure_ascii=False)


def config_key(config: Config) -> str:
    """The whole configuration, feeds included, with :func:`code_key`."""
    return json.dumps([site_key(config), [feed_key(f) for f in config.feeds]], ensure_ascii=False)
