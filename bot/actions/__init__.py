"""Custom actions of the Session Music privacy bot (run by `rasa run actions`)."""
