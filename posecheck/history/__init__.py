"""The practice history: every session and hold kept in a local SQLite file,
with streaks, minutes per week and range-of-motion trends read back from it."""
