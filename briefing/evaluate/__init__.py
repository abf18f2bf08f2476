"""Evaluate the judgement against hand-labelled events (`briefing eval`)."""
