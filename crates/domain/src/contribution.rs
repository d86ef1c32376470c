//! Contributions: time given, turned into credits. Validation against the rules in force.
