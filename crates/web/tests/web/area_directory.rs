//! The directory area's API, end to end over SQLite.
