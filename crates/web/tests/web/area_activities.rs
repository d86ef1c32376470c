//! The activities area's API, end to end over SQLite.
