"""briefing: the morning security briefing for a Swedish municipality."""

__version__ = "0.1.0"
