//! Activities (co-production level and mode), their sessions, sign-ups and the waiting list.
