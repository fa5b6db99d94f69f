"""Benchmarks: `python -m bench` (bot vs stock rasa init bot, and the intake)."""
