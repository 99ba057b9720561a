//! The profile tab: the 客户资料卡, the subsidiaries, and sharing the account.

use kam_core::AccountId;
use kam_core::UserId;
use kam_core::account::{FIELDS, GROUPS};
use kam_core::visibility::Viewer;

use super::show::TabCx;
use crate::error::PageError;
use crate::i18n::t;
use crate::view::{self, ShownGroup};

pub struct Profile {
    pub card: Vec<ShownGroup>,
    pub children: Vec<(AccountId, String)>,
    /// Who the account can be shared with; empty unless the reader may share it.
    pub can_share: bool,
    pub share_users: Vec<(UserId, String)>,
}

pub(super) async fn build(cx: &TabCx<'_>) -> Result<Profile, PageError> {
    let (store, lang, actor, a) = (&cx.state.store, cx.lang, &cx.actor, cx.account);
    let children = store.child_accounts(actor, a.id).await?.into_iter().map(|c| (c.id, c.name().to_string())).collect();
    let share_users = if cx.general_edit {
        store
            .users()
            .await?
            .into_iter()
            .filter(|u| u.active && u.id != actor.user_id && Some(u.id) != a.owner_id)
            .map(|u| (u.id, format!("{} ({})", u.display_name, t(lang, &format!("role.{}", u.role.as_str())))))
            .collect()
    } else {
        vec![]
    };
    Ok(Profile {
        card: view::card(lang, "account", FIELDS, GROUPS, &a.rec, Viewer::of(actor)),
        children,
        can_share: cx.general_edit,
        share_users,
    })
}
