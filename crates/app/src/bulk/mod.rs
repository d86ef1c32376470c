//! Bulk data: CSV import of members, organisations and historic
//! contributions (dry run, row errors with line numbers, all or nothing),
//! and CSV export of everything a programme manager can see.
