//! The timebank area's API, end to end over SQLite.
