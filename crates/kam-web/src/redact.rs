//! What a reader may not see is taken out before anything is rendered or
//! serialised: contacts' personal fields, in records and in audit changes.

use kam_core::Record;
use kam_store::audit::AuditRow;

/// Removes personal fields from a contact record.
pub fn contact(rec: &mut Record, can_see_personal: bool) {
    if !can_see_personal {
        for f in kam_core::contact::personal_fields() {
            rec.remove(f);
        }
    }
}

/// Removes personal fields from the changes of contact audit rows.
pub fn audit(rows: &mut [AuditRow], can_see_personal: bool) {
    if can_see_personal {
        return;
    }
    for r in rows.iter_mut().filter(|r| r.entity == "contact") {
        if let Some(obj) = r.changes.as_object_mut() {
            for f in kam_core::contact::personal_fields() {
                obj.remove(f);
            }
        }
    }
}
