//! The contacts tab: the people at the account, with their role here.

use kam_core::fields::Value;

use super::show::TabCx;
use crate::error::PageError;
use crate::view;

pub struct ContactRow {
    pub id: kam_core::ContactId,
    pub name: String,
    pub title: String,
    pub buying_role: String,
    pub attitude: String,
    pub mobile: String,
    pub email: String,
    pub primary: bool,
}

pub struct People {
    pub can_edit: bool,
    pub contacts: Vec<ContactRow>,
}

pub(super) async fn build(cx: &TabCx<'_>) -> Result<People, PageError> {
    let (lang, id) = (cx.lang, cx.id());
    let mut contacts = Vec::new();
    for c in cx.state.store.account_contacts(&cx.actor, id).await? {
        let link = c.accounts.iter().find(|l| l.account_id == id);
        let at = |f: &str| link.and_then(|l| l.rec.get(f)).and_then(Value::as_text);
        let choice = |f: &str, e: &str| at(f).map(|v| view::choice(lang, e, v)).unwrap_or_default();
        contacts.push(ContactRow {
            id: c.id,
            name: view::rec_text(&c.rec, "name"),
            title: at("title").unwrap_or_default().to_string(),
            buying_role: choice("buying_role", "buying_role"),
            attitude: choice("attitude", "attitude"),
            mobile: view::rec_text(&c.rec, "mobile"),
            email: view::rec_text(&c.rec, "email"),
            primary: link.and_then(|l| l.rec.get("is_primary")) == Some(&Value::Bool(true)),
        });
    }
    Ok(People { can_edit: cx.general_edit, contacts })
}
