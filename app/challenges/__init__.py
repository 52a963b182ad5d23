"""The Challenges chapter: tasks the app checks on the live state (issue 21 §2)."""
