"""sources.toml → a frozen, validated `Config`, with every problem reported at once.

Problems read `sources.toml:12: sources.polisen.url: not an http(s) URL`: the
file, the line where the key stands (when it can be found), the dotted key and
what is wrong. Unknown keys are errors, not silently ignored.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import Any, Literal, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator

from briefing import sources
from briefing.config import tomllines
from briefing.errors import ConfigError
from briefing.models import Severity
from briefing.sources import municipalities
from briefing.sources.base import SourceSettings

CONFIG_ENV = "BRIEFING_CONFIG"
DEFAULT_NAME = "sources.toml"
TOP_LEVEL = (
    "briefing",
    "store",
    "sources",
    "rules",
    "places",
    "districts",
    "stakeholders",
    "email",
    "site",
)

M = TypeVar("M", bound=BaseModel)


class BriefingSection(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    municipality: str
    neighbours: tuple[str, ...] = ()
    timezone: str = "Europe/Stockholm"
    language: Literal["sv", "en"] = "sv"
    night_starts: time = Field(default=time(16, 0))
    templates: Path | None = None
    # The neighbours' incidents shown: this severity or above, or within this many km of
    # the municipality's boundary (briefing.judge.nearby).
    neighbour_min_severity: Severity = Severity.HIGH
    neighbour_radius_km: float = Field(default=2.0, ge=0, le=50)

    @field_validator("municipality")
    @classmethod
    def _known_municipality(cls, value: str) -> str:
        return municipalities.canonical(value)

    @field_validator("neighbours")
    @classmethod
    def _known_neighbours(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(municipalities.canonical(value) for value in values)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value


class StoreSection(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    path: Path | None = None


class RulesSection(BaseModel):
    """Severity and notification rules; the bundled defaults when no file is given."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    file: Path | None = None


class PlacesSection(BaseModel):
    """The gazetteer (default: the bundled one for the municipality) and district polygons."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    gazetteer: Path | None = None
    polygons: Path | None = None


class StakeholdersSection(BaseModel):
    """The registry of schools, housing areas, businesses and centres to inform."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    file: Path | None = None


class EmailSection(BaseModel):
    """SMTP delivery. The password only from $BRIEFING_SMTP_PASSWORD(_FILE), never here."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    host: str
    port: int = Field(default=587, ge=1, le=65535)
    security: Literal["starttls", "ssl", "none"] = "starttls"
    username: str | None = None
    sender: str = Field(alias="from")
    to: tuple[str, ...] = Field(min_length=1)
    cc: tuple[str, ...] = ()
    timeout: float = Field(default=30.0, gt=0, le=300)

    @field_validator("sender")
    @classmethod
    def _one_sender(cls, value: str) -> str:
        return mail_address(value)

    @field_validator("to", "cc")
    @classmethod
    def _one_address_each(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(mail_address(value) for value in values)


def mail_address(value: str) -> str:
    """One address, `name@example.se` or `Name <name@example.se>`, that a header can carry.

    Non-ASCII is allowed (the SMTP client then asks the server for SMTPUTF8); a
    list, a line break or anything the header parser has to repair is not.
    """
    from email.headerregistry import AddressHeader, HeaderRegistry

    try:
        header = HeaderRegistry()("To", value)
        assert isinstance(header, AddressHeader)
        found = header.addresses
    except (IndexError, ValueError, TypeError) as exc:
        raise ValueError(f"{value!r} is not an e-mail address") from exc
    defects = [d for d in header.defects if "non-ASCII" not in str(d)]
    if len(found) != 1 or defects or not found[0].username or not found[0].domain:
        raise ValueError(f"{value!r} is not one e-mail address (write name@example.se)")
    return value.strip()


class SiteSection(BaseModel):
    """The intranet site folder written by `briefing today --site`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    dir: Path | None = None


@dataclass(frozen=True, slots=True)
class Config:
    path: Path
    briefing: BriefingSection
    store: StoreSection
    sources: Mapping[str, SourceSettings]
    rules: RulesSection = field(default_factory=RulesSection)
    places: PlacesSection = field(default_factory=PlacesSection)
    stakeholders: StakeholdersSection = field(default_factory=StakeholdersSection)
    email: EmailSection | None = None
    site: SiteSection = field(default_factory=SiteSection)
    # [districts]: kommundelar as groups of RegSO area names (briefing.judge.districts)
    districts: Mapping[str, tuple[str, ...]] | None = None

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.briefing.timezone)

    @property
    def municipality(self) -> municipalities.Municipality:
        found = municipalities.lookup(self.briefing.municipality)
        assert found is not None  # validated on load
        return found

    @property
    def folder(self) -> Path:
        return self.path.parent


def find(explicit: Path | None = None) -> Path:
    """The config file: the one given, else ./sources.toml, else $BRIEFING_CONFIG."""
    if explicit is not None:
        return explicit
    local = Path(DEFAULT_NAME)
    if local.exists():
        return local
    env = os.environ.get(CONFIG_ENV)
    if env:
        return Path(env)
    raise ConfigError(
        [f"no {DEFAULT_NAME} in {Path.cwd()} and ${CONFIG_ENV} is not set"],
        "pass --config PATH, or try the bundled example with `briefing today --demo`",
    )


def exposure(cfg: Config) -> str | None:
    """Why the config file's permissions are a risk, or None.

    Anyone who may write it can redirect the briefing (its sources, its
    recipients). It holds no password by design, but with an [email] section it
    names people and the SMTP login: then no one else should read it either. A
    file with neither is fine at 0644, and saying otherwise every morning would
    teach the reader to ignore warnings.
    """
    try:
        mode = cfg.path.stat().st_mode
    except OSError:
        return None
    if mode & (stat.S_IWGRP | stat.S_IWOTH):
        return f"{cfg.path} may be changed by other users (chmod go-w {cfg.path})"
    if mode & stat.S_IROTH and cfg.email is not None:
        return (
            f"{cfg.path} is readable by every user on this machine and names the e-mail "
            f"recipients and SMTP login (chmod o-r {cfg.path})"
        )
    return None


def load(path: Path) -> Config:
    """Read and validate `path`; ConfigError lists every problem found."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError([f"{path}: cannot read: {exc.strerror or exc}"]) from exc
    except UnicodeDecodeError as exc:
        raise ConfigError([f"{path}: not UTF-8 text ({exc.reason})"]) from exc
    return parse(tomllines.read(text, path, f"fix {path} and run again"), path, text)


def parse(data: Mapping[str, Any], path: Path, text: str = "") -> Config:
    """Validate already-parsed TOML data; `text` is used to find line numbers."""
    problems = tomllines.Problems(path, text, data)
    for key in data:
        if key not in TOP_LEVEL:
            problems.add((key,), f"unknown section (expected one of: {', '.join(TOP_LEVEL)})")
    section = _validate(BriefingSection, data.get("briefing"), ("briefing",), problems)
    store = _validate(StoreSection, data.get("store", {}), ("store",), problems)
    settings = _validate_sources(data.get("sources", {}), problems)
    optional = {
        name: _validate(model, data[name], (name,), problems)
        for name, model in _OPTIONAL.items()
        if name in data
    }
    models: dict[tomllines.Loc, BaseModel | None] = {("briefing",): section, ("store",): store}
    models.update({(name,): model for name, model in optional.items()})
    models.update({("sources", name): model for name, model in settings.items()})
    _check_relative_paths(models, path.parent, problems)
    if "districts" in data and section is not None:
        from briefing.config import districts  # the areas are read only when grouped

        districts.check(data["districts"], section.municipality, problems)
    problems.check(f"fix {path} and run again")
    assert section is not None and store is not None
    folder = path.parent
    extra = {name: _resolve_paths(model, folder) for name, model in optional.items() if model}
    return Config(
        path=path,
        briefing=_resolve_paths(section, folder),
        store=_resolve_paths(store, folder),
        sources={name: _resolve_paths(s, folder) for name, s in settings.items()},
        districts=_districts(data.get("districts")),
        **extra,  # type: ignore[arg-type]
    )


def _districts(table: Any) -> dict[str, tuple[str, ...]] | None:
    """`[districts]` as checked by briefing.config.districts.check."""
    return None if table is None else {name: tuple(areas) for name, areas in table.items()}


_OPTIONAL: dict[str, type[BaseModel]] = {
    "rules": RulesSection,
    "places": PlacesSection,
    "stakeholders": StakeholdersSection,
    "email": EmailSection,
    "site": SiteSection,
}


def _validate_sources(tables: Any, problems: tomllines.Problems) -> dict[str, SourceSettings]:
    if not isinstance(tables, dict):
        problems.add(("sources",), "must be a table of [sources.NAME] tables")
        return {}
    if not tables:
        problems.add(("sources",), "no sources configured; add at least one [sources.NAME] table")
    valid: dict[str, SourceSettings] = {}
    for name, table in tables.items():
        where = ("sources", name)
        if not isinstance(table, dict):
            problems.add(where, "must be a table")
            continue
        kind = table.get("kind")
        if kind not in sources.kinds():
            known = ", ".join(sources.kinds())
            problems.add((*where, "kind"), f"unknown kind {kind!r} (known: {known})")
            continue
        model = sources.adapter(kind).Settings
        origin = {"origin": sources.DEFAULT_ORIGIN[kind]} if kind in sources.DEFAULT_ORIGIN else {}
        validated = _validate(model, {**origin, **table}, where, problems)
        if validated is not None:
            valid[name] = validated
    return valid


def _validate(
    model: type[M], data: Any, where: tomllines.Loc, problems: tomllines.Problems
) -> M | None:
    if data is None:
        problems.add(where, "missing section")
        return None
    return tomllines.validate(model, data, problems, where)


def _check_relative_paths(
    models: Mapping[tomllines.Loc, BaseModel | None], folder: Path, problems: tomllines.Problems
) -> None:
    """A relative path must stay inside the config file's folder once `..` and links are
    followed: "inkorg/../../../etc" is refused. An absolute path (or one starting with
    ~) is the administrator's explicit choice and is taken as written."""
    root = folder.resolve()
    for where, model in models.items():
        for name in type(model).model_fields if model is not None else ():
            value = getattr(model, name)
            if not isinstance(value, Path) or value.is_absolute() or str(value).startswith("~"):
                continue
            if not (root / value).resolve().is_relative_to(root):
                problems.add(
                    (*where, name),
                    f"{str(value)!r} leads outside the config file's folder {root}; "
                    "write an absolute path if that is really meant",
                )


def _resolve_paths(model: M, folder: Path) -> M:
    """Relative paths in the config are relative to the config file's folder."""
    updates = {}
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, Path) and not value.is_absolute():
            updates[name] = (folder / value.expanduser()).resolve()
    return model.model_copy(update=updates) if updates else model
