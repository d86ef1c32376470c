//! End-to-end tests of the web layer: the real router over the SQLite store
//! in a fresh temporary directory per test, driven in-process.

mod act_for_pages;
mod admin_pages;
mod api;
mod area_activities;
mod area_bulk;
mod area_directory;
mod area_evaluation;
mod area_rules;
mod area_spending;
mod area_timebank;
mod authz;
mod coordinator_pages;
mod desk_offer_pages;
mod desk_pages;
mod manager_pages;
mod member_pages;
mod openapi_doc;
mod organisation_pages;
mod pages;
mod proxy;
mod recovery_pages;
mod report_api;
mod report_data;
mod report_pages;
mod support;
mod timebank_pages;
