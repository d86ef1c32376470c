//! The `timecredits` command: configuration, the choice of storage backend,
//! and the subcommands (serve, demo, migrate, verify, admin, dev).

pub mod cli;
mod commands;
pub mod config;
pub mod database;
pub mod mail;
