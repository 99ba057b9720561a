//! The account dossier coming back: what the user accepted of a re-imported
//! dossier (the profile's fields, contacts' own fields, new contacts) written
//! in one audited transaction through the records' own write paths, so the
//! rules of the forms hold. Reading the workbook and the diff are the web
//! layer's (`kam_web::dossier`).

use kam_core::{AccountId, Actor, ContactId, FieldErrors, Record};
use serde::Serialize;

use crate::accounts::AccountInput;
use crate::{Result, Store, StoreError};

/// What to write: fields of the account, of its contacts, and new contacts
/// (their fields, their tie to the account).
#[derive(Debug, Clone, Default)]
pub struct DossierChanges {
    pub account: Record,
    pub contacts: Vec<(ContactId, Record)>,
    pub new_contacts: Vec<(Record, Record)>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DossierApplied {
    pub account_changed: bool,
    pub contacts_changed: i64,
    pub contacts_created: i64,
}

/// A write's field errors under where they came from: `profile.grade`,
/// `contacts.12.email`, `new.0.name`.
fn under(prefix: &str, e: StoreError) -> StoreError {
    match e {
        StoreError::Invalid(fe) => {
            let mut out = FieldErrors::default();
            for (f, k) in fe.0.iter() {
                out.add(&format!("{prefix}.{f}"), k);
            }
            StoreError::Invalid(out)
        }
        other => other,
    }
}

impl Store {
    /// Writes the accepted changes of a dossier in one transaction: all or nothing.
    pub async fn apply_dossier(&self, actor: &Actor, id: AccountId, changes: DossierChanges) -> Result<DossierApplied> {
        let mut tx = self.begin().await?;
        let before = self.account_in(&mut tx, actor, id).await?;
        if !actor.can_edit_account(&before.facts()) {
            return Err(StoreError::Forbidden("err.forbidden"));
        }
        let mut done = DossierApplied::default();
        if !changes.account.is_empty() {
            let input = AccountInput { rec: changes.account, owner: None, parent: None };
            done.account_changed =
                self.update_account_in(&mut tx, actor, &before, input).await.map_err(|e| under("profile", e))?;
        }
        for (cid, rec) in changes.contacts {
            let c = self.contact_in(&mut tx, actor, cid).await?;
            // Only the account's own contacts change through its dossier.
            if !c.accounts.iter().any(|l| l.account_id == id) {
                return Err(StoreError::NotFound);
            }
            let written = self.update_contact_in(&mut tx, actor, &c, rec).await;
            if written.map_err(|e| under(&format!("contacts.{}", cid.0), e))? {
                done.contacts_changed += 1;
            }
        }
        for (i, (rec, link)) in changes.new_contacts.into_iter().enumerate() {
            self.create_contact_in(&mut tx, actor, id, rec, link).await.map_err(|e| under(&format!("new.{i}"), e))?;
            done.contacts_created += 1;
        }
        tx.commit().await?;
        Ok(done)
    }
}
