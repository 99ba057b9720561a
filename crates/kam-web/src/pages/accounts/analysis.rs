//! The analysis tabs of the 360° page: the competition at the account
//! (竞争对手) and its business (供应商与客户, 销售情况), each with its sub-form.

use kam_core::CompetitorId;
use kam_core::contact::{PARTNER_FIELDS, POSITION_FIELDS, SHARE_FIELDS};
use kam_core::fields::Value;

use super::show::TabCx;
use crate::error::PageError;
use crate::i18n::t;
use crate::view::{self, InputGroup, pct, rec_text};

pub struct PositionRow {
    pub id: i64,
    pub competitor: String,
    pub share: String,
    pub products: String,
    pub prices: String,
    pub policy: String,
    pub tech: String,
}

pub struct PartnerRow {
    pub id: i64,
    pub name: String,
    pub products: String,
    pub share: String,
    pub volume: String,
    pub notes: String,
}

pub struct Competition {
    pub can_edit: bool,
    pub has_errors: bool,
    /// Which sub-form came back with errors: the share form's, or the position's.
    pub share_errors: bool,
    pub positions: Vec<PositionRow>,
    /// The share history (competitors' and ours), oldest first, and its chart.
    pub shares: Vec<crate::pages::competitors::ShareRow>,
    pub share_svg: Option<String>,
    pub share_groups: Vec<InputGroup>,
    /// The "whose share" chosen in a share form that came back (0: ours).
    pub share_whose: i64,
    pub competitor_options: Vec<(CompetitorId, String)>,
    /// The competitor chosen in a sub-form that came back.
    pub competitor_value: CompetitorId,
    pub groups: Vec<InputGroup>,
}

pub struct Business {
    pub can_edit: bool,
    pub has_errors: bool,
    pub sales_situation: String,
    pub usage_volume: String,
    pub partner_groups: Vec<(String, Vec<PartnerRow>)>,
    pub groups: Vec<InputGroup>,
}

/// The sub-form's groups under one title.
fn sub_form(cx: &TabCx<'_>, entity: &str, defs: &'static [kam_core::FieldDef], title: &str) -> Vec<InputGroup> {
    let (values, errors) = cx.posted_values();
    let mut groups = view::form(cx.lang, entity, defs, &[entity], &*values, &errors, &|_| true, &|_| false);
    for g in &mut groups {
        g.title = t(cx.lang, title).into();
    }
    groups
}

pub(super) async fn competition(cx: &TabCx<'_>) -> Result<Competition, PageError> {
    let store = &cx.state.store;
    let positions = store
        .positions(&cx.actor, cx.id())
        .await?
        .into_iter()
        .map(|p| PositionRow {
            id: p.id,
            competitor: p.competitor_name,
            share: pct(&p.rec, "share_pct"),
            products: rec_text(&p.rec, "products"),
            prices: rec_text(&p.rec, "prices"),
            policy: rec_text(&p.rec, "policy"),
            tech: rec_text(&p.rec, "tech_requirements"),
        })
        .collect();
    let competitor_options =
        store.competitors(&cx.actor).await?.into_iter().map(|c| (c.id, rec_text(&c.rec, "name"))).collect();
    let shares = store.account_shares(&cx.actor, cx.id()).await?;
    let ours = t(cx.lang, "share.ours").to_string();
    let share_svg = crate::pages::competitors::share_chart(t(cx.lang, "share.chart"), &shares, &|h| {
        h.competitor_name.clone().unwrap_or_else(|| ours.clone())
    });
    // The tab's two sub-forms: the one posted gets the values and errors back.
    let share_posted = cx.posted.is_some_and(|p| p.form.get("_form") == Some("share"));
    let unposted = TabCx { posted: None, actor: cx.actor.clone(), ..*cx };
    let (position_cx, share_cx) = if share_posted { (&unposted, cx) } else { (cx, &unposted) };
    Ok(Competition {
        can_edit: cx.general_edit,
        has_errors: cx.posted.is_some_and(|p| !p.errors.is_empty()),
        share_errors: share_posted,
        positions,
        shares: crate::pages::competitors::share_rows(cx.lang, &shares),
        share_svg,
        share_groups: sub_form(share_cx, "share", SHARE_FIELDS, "share.add"),
        share_whose: share_cx.posted.and_then(|p| p.form.int("competitor_id")).unwrap_or_default(),
        competitor_options,
        competitor_value: position_cx
            .posted
            .and_then(|p| p.form.int("competitor_id"))
            .map(CompetitorId)
            .unwrap_or_default(),
        groups: sub_form(position_cx, "position", POSITION_FIELDS, "competition.add"),
    })
}

pub(super) async fn business(cx: &TabCx<'_>) -> Result<Business, PageError> {
    let partners = cx.state.store.partners(&cx.actor, cx.id()).await?;
    let partner_groups = ["supplier", "customer"]
        .into_iter()
        .map(|kind| {
            let title = if kind == "supplier" { "business.suppliers" } else { "business.customers" };
            let rows = partners
                .iter()
                .filter(|p| p.rec.get("kind").and_then(Value::as_text) == Some(kind))
                .map(|p| PartnerRow {
                    id: p.id,
                    name: rec_text(&p.rec, "name"),
                    products: rec_text(&p.rec, "products"),
                    share: pct(&p.rec, "share_pct"),
                    volume: rec_text(&p.rec, "volume"),
                    notes: rec_text(&p.rec, "notes"),
                })
                .collect();
            (t(cx.lang, title).to_string(), rows)
        })
        .collect();
    let a = cx.account;
    Ok(Business {
        can_edit: cx.general_edit,
        has_errors: cx.posted.is_some_and(|p| !p.errors.is_empty()),
        sales_situation: rec_text(&a.rec, "sales_situation"),
        usage_volume: rec_text(&a.rec, "usage_volume"),
        partner_groups,
        groups: sub_form(cx, "partner", PARTNER_FIELDS, "business.add"),
    })
}
