"""Deliver: the rendered briefing to a file, the intranet site, or e-mail."""
