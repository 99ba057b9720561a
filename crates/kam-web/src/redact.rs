//! What a reader may not see is taken out before anything is rendered or
//! serialised, as `kam_core::visibility` says: money for the roles that do
//! not see it, contacts' personal fields, in records and in audit changes.

use kam_core::Actor;
use kam_core::visibility::Viewer;
use kam_store::audit::AuditRow;
use serde_json::Value as Json;

/// Removes hidden audit rows (whole money records) and hidden fields from the
/// changes of the others.
pub fn audit(rows: &mut Vec<AuditRow>, viewer: Viewer) {
    rows.retain_mut(|r| viewer.strip_changes(&r.entity, &mut r.changes));
}

/// A record (or list of records) of an entity serialised as the actor may see it.
pub fn json(actor: &Actor, entity: &str, value: &impl serde::Serialize) -> Json {
    let mut v = serde_json::to_value(value).unwrap_or(Json::Null);
    Viewer::of(actor).strip_json(entity, &mut v);
    v
}
