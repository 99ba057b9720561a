//! 附表四 客户资料卡 as the paper form lays it out, for its print page and
//! workbook (pages and API alike): the enterprise's card group by group, its
//! decision makers (企业决策领导), its main managers (主要管理人员) and its
//! main competitors (主要竞争对手), each part holding only what the reader
//! may see (the one visibility table: personal data for the owner, money
//! for finance). The export is audited.

use kam_core::account::{FIELDS, GROUPS};
use kam_core::contact::{self, POSITION_FIELDS};
use kam_core::visibility::Viewer;
use kam_core::{AccountId, Actor};
use kam_store::StoreError;
use rust_xlsxwriter::XlsxError;

use crate::i18n::{Lang, t};
use crate::view::{self, ShownGroup};
use crate::workbook::Book;

/// The columns of the decision makers' and the managers' tables.
pub const LEADER_COLUMNS: [&str; 10] = [
    "name",
    "gender",
    "title",
    "birth_date",
    "hometown",
    "education",
    "personality",
    "mobile",
    "hobbies",
    "home_address",
];
pub const MANAGER_COLUMNS: [&str; 6] = ["name", "department", "title", "mobile", "hobbies", "relationship"];
pub const COMPETITOR_COLUMNS: [&str; 6] =
    ["competitor", "products", "prices", "share_pct", "policy", "tech_requirements"];

pub struct Card {
    pub account_id: AccountId,
    pub name: String,
    pub owner: String,
    pub groups: Vec<ShownGroup>,
    pub leaders: Vec<Vec<String>>,
    pub managers: Vec<Vec<String>>,
    pub competitors: Vec<Vec<String>>,
}

/// A column's heading.
pub fn heading(lang: Lang, table: &str, col: &str) -> String {
    match (table, col) {
        ("competitor", "competitor") => t(lang, "card.competitor_name").into(),
        ("competitor", c) => view::label(lang, "position", c),
        (_, c) => view::label(lang, "contact", c),
    }
}

pub async fn build(store: &kam_store::Store, actor: &Actor, lang: Lang, id: AccountId) -> Result<Card, StoreError> {
    let a = store.account(actor, id).await?;
    let groups = view::card(lang, "account", FIELDS, GROUPS, &a.rec, Viewer::of(actor));
    let (mut leaders, mut managers) = (Vec::new(), Vec::new());
    for mut c in store.account_contacts(actor, id).await?.into_iter().take(200) {
        Viewer::new(actor, c.actor_owns_account).strip_record("contact", &mut c.rec);
        let link = c.accounts.iter().find(|l| l.account_id == id).map(|l| l.rec.clone()).unwrap_or_default();
        let cell = |f: &str| match kam_core::fields::def(contact::LINK_FIELDS, f) {
            Some(_) => view::field_text(lang, contact::LINK_FIELDS, &link, f, "CNY"),
            None => view::field_text(lang, contact::FIELDS, &c.rec, f, "CNY"),
        };
        let decides = link.get("buying_role").and_then(kam_core::Value::as_text) == Some("decision_maker");
        if decides {
            leaders.push(LEADER_COLUMNS.iter().map(|f| cell(f)).collect());
        } else {
            managers.push(MANAGER_COLUMNS.iter().map(|f| cell(f)).collect());
        }
    }
    let competitors = store
        .positions(actor, id)
        .await?
        .into_iter()
        .take(200)
        .map(|p| {
            COMPETITOR_COLUMNS
                .iter()
                .map(|f| match *f {
                    "competitor" => p.competitor_name.clone(),
                    f => view::field_text(lang, POSITION_FIELDS, &p.rec, f, "CNY"),
                })
                .collect()
        })
        .collect();
    Ok(Card {
        account_id: id,
        name: a.name().to_string(),
        owner: a.owner_name.clone().unwrap_or_else(|| t(lang, "accounts.in_pool").to_string()),
        groups,
        leaders,
        managers,
        competitors,
    })
}

/// The card as a workbook: label and value boxed side by side, two pairs a
/// row, each part under its merged heading, the tables with their headings.
pub fn xlsx(lang: Lang, c: &Card) -> Result<Vec<u8>, XlsxError> {
    let mut book = Book::new(lang);
    let mut ws = book.sheet(t(lang, "card.title"))?;
    let last = (LEADER_COLUMNS.len() - 1) as u16;
    ws.heading((0, 0), (0, last), &format!("{} · {}", t(lang, "card.title"), c.name))?;
    ws.heading((1, 0), (1, 1), t(lang, "accounts.owner"))?;
    ws.boxed_text(1, 2, &c.owner)?;
    let mut row = 2u32;
    for g in &c.groups {
        ws.heading((row, 0), (row, last), &g.title)?;
        row += 1;
        for pair in g.items.chunks(2) {
            for (k, s) in pair.iter().enumerate() {
                let c0 = (k * 5) as u16;
                ws.heading((row, c0), (row, c0 + 1), &s.label)?;
                ws.boxed_text(row, c0 + 2, &s.value)?;
                for c in c0 + 3..c0 + 5 {
                    ws.boxed_text(row, c, "")?;
                }
            }
            row += 1;
        }
    }
    type Table<'a> = (&'a str, &'a [&'a str], &'a Vec<Vec<String>>);
    let tables: [Table; 3] = [
        ("leaders", &LEADER_COLUMNS, &c.leaders),
        ("managers", &MANAGER_COLUMNS, &c.managers),
        ("competitor", &COMPETITOR_COLUMNS, &c.competitors),
    ];
    for (key, cols, rows) in tables {
        ws.heading((row, 0), (row, last), t(lang, &format!("card.{key}")))?;
        row += 1;
        for (i, col) in cols.iter().enumerate() {
            ws.heading((row, i as u16), (row, i as u16), &heading(lang, key, col))?;
        }
        row += 1;
        for r in rows {
            for (i, v) in r.iter().enumerate() {
                ws.boxed_text(row, i as u16, v)?;
            }
            row += 1;
        }
    }
    ws.widths(&(0..=last).map(|c| (c, 12.0)).collect::<Vec<_>>())?;
    book.finish()
}

pub async fn download<E: From<StoreError> + From<XlsxError>>(
    store: &kam_store::Store,
    actor: &Actor,
    lang: Lang,
    id: AccountId,
) -> Result<axum::response::Response, E> {
    let c = build(store, actor, lang, id).await?;
    let bytes = xlsx(lang, &c)?;
    store.record_export(actor, "profile_card", id, Some(id)).await?;
    Ok(crate::downloads::xlsx_response(&format!("附表四-客户资料卡-{}.xlsx", c.name), bytes))
}
