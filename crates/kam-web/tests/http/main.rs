//! HTTP tests of pages and API, in one binary (one module per part of the
//! product). Every test runs on SQLite and, when KAM_TEST_POSTGRES_URL is set,
//! on PostgreSQL.

mod support;

mod access;
mod accounts;
mod api_contract;
mod capability;
mod classification;
mod competition;
mod completeness;
mod dashboards;
mod dossier;
mod health;
mod imports;
mod lifecycle;
mod merges;
mod money;
mod reports;
mod targets;
mod working_day;
mod worklogs;
