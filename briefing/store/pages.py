"""The page cache: the text read from an event's page on the source's site, kept for
good so a page is asked for once ever."""

from __future__ import annotations

from datetime import datetime

from briefing.store.base import Base, utc_text


class Pages(Base):
    def page(self, key: str) -> str | None:
        """The text kept for a page ("" for one that is gone), None if never read."""
        with self._guard() as conn:
            row = conn.execute("SELECT text FROM pages WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def save_page(self, key: str, text: str, at: datetime, *, gone: bool = False) -> None:
        """Keep what a page said (or that it is gone) for good."""
        with self._transaction() as conn:
            conn.execute(_SAVE_PAGE, (key, text, utc_text(at), int(gone)))


_SAVE_PAGE = """
    INSERT INTO pages (key, text, fetched_at, gone) VALUES (?, ?, ?, ?)
    ON CONFLICT (key) DO UPDATE SET
        text = excluded.text, fetched_at = excluded.fetched_at, gone = excluded.gone
"""
