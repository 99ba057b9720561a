//! KAM's domain: the records, their fields and rules, the access policy and
//! the audit vocabulary. Pure code: no IO, no web framework, no database.

pub mod access;
pub mod account;
pub mod activity;
pub mod audit;
pub mod capability;
pub mod classification;
pub mod complaint;
pub mod completeness;
pub mod contact;
pub mod contract;
pub mod credit;
pub mod credit_code;
pub mod dashboard;
pub mod divisions;
pub mod fields;
pub mod forecast;
pub mod health;
pub mod ids;
pub mod import;
pub mod ledger;
pub mod lifecycle;
pub mod market;
pub mod merge;
pub mod order;
pub mod reminder;
pub mod search;
pub mod secret;
pub mod settings;
pub mod statement;
pub mod targets;
pub mod time_util;
pub mod visibility;
pub mod visit_plan;
pub mod worklog;

pub use access::{Actor, Role, Scope};
pub use fields::{FieldDef, FieldErrors, Kind, Record, Value};
pub use ids::{
    AccountId, ActivityId, CompetitorId, ContactId, ContractId, EntryId, EventId, OrderId, ProductId, StatementId,
    TeamId, UserId, WorklogId,
};
