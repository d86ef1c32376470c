//! The spending area's API, end to end over SQLite.
