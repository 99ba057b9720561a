//! The forms of one record or one account's records, laid out like paper:
//! 附表三 客户拜访档案记录 (an account's visits) and 附表八 客户投诉管理卡 (one
//! complaint). One reading of each serves its print page and its workbook,
//! for pages and API alike; a workbook download is audited. The forms' own
//! headings stay in Chinese, as on paper.

use std::collections::HashMap;

use kam_core::activity::{ActivityKind, VISIT};
use kam_core::complaint::COMPLAINT;
use kam_core::{AccountId, ActivityId, Actor};
use kam_store::StoreError;
use kam_store::activity::{Activity, ActivityFilter};
use rust_xlsxwriter::XlsxError;

use crate::i18n::Lang;
use crate::view;
use crate::workbook::Book;

/// Every field and derived value of a record, as displayed.
fn values(lang: Lang, kind: &ActivityKind, a: &Activity) -> HashMap<&'static str, String> {
    kind.fields
        .iter()
        .chain(kind.derived.iter())
        .map(|d| (d.name, a.rec.get(d.name).map(|v| view::display(lang, d, v, "CNY")).unwrap_or_default()))
        .collect()
}

/// 附表三's columns: (field, heading on paper).
pub const VISIT_COLUMNS: [(&str, &str); 10] = [
    ("sequence", "拜访序次"),
    ("visited_at", "拜访时间"),
    ("goal", "拜访目标"),
    ("interviewees", "面谈者"),
    ("topics", "商谈内容及问题"),
    ("result", "商谈结果"),
    ("objections", "存留异议"),
    ("resolution_plan", "解决预案"),
    ("ended_at", "结束面谈时间"),
    ("next_planned", "下次计划时间"),
];

/// An account's name and its visits (at most 200, oldest first), each in `VISIT_COLUMNS` order.
pub async fn visits(
    store: &kam_store::Store,
    actor: &Actor,
    id: AccountId,
) -> Result<(String, Vec<[String; 10]>), StoreError> {
    let account = store.account(actor, id).await?;
    let f = ActivityFilter { account_id: Some(id), page: 1, per_page: 200 };
    let mut list = store.list_activities(&VISIT, actor, &f).await?.items;
    list.reverse();
    let rows = list
        .iter()
        .map(|a| {
            let mut v = values(Lang::Zh, &VISIT, a);
            VISIT_COLUMNS.map(|(k, _)| v.remove(k).unwrap_or_default())
        })
        .collect();
    Ok((account.name().to_string(), rows))
}

pub fn visits_xlsx(account: &str, rows: &[[String; 10]]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Book::new(Lang::Zh);
    let mut ws = book.sheet("客户拜访档案记录")?;
    let last = VISIT_COLUMNS.len() as u16 - 1;
    ws.heading((0, 0), (0, last), "附表三 客户拜访档案记录")?;
    ws.heading((1, 0), (1, 1), "客户名称")?;
    ws.boxed_span((1, 2), (1, last), account)?;
    for (i, (_, h)) in VISIT_COLUMNS.iter().enumerate() {
        ws.heading((2, i as u16), (2, i as u16), h)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (i, v) in row.iter().enumerate() {
            ws.boxed_text(3 + r as u32, i as u16, v)?;
        }
    }
    ws.repeat_rows(2, 2)?;
    ws.landscape()?;
    ws.widths(&[
        (0, 7.0),
        (1, 16.0),
        (2, 18.0),
        (3, 12.0),
        (4, 24.0),
        (5, 18.0),
        (6, 16.0),
        (7, 16.0),
        (8, 16.0),
        (9, 12.0),
    ])?;
    book.finish()
}

pub async fn visits_download<E: From<StoreError> + From<XlsxError>>(
    store: &kam_store::Store,
    actor: &Actor,
    id: AccountId,
) -> Result<axum::response::Response, E> {
    let (name, rows) = visits(store, actor, id).await?;
    let bytes = visits_xlsx(&name, &rows)?;
    store.record_export(actor, "visit_form", id, Some(id)).await?;
    Ok(crate::downloads::xlsx_response(&format!("附表三-客户拜访档案记录-{name}.xlsx"), bytes))
}

/// The card's values by name.
pub struct ComplaintFields {
    pub received_at: String,
    pub subject: String,
    pub replied_at: String,
    pub complainant: String,
    pub received_by: String,
    pub handler: String,
    pub priority: String,
    pub status: String,
    pub replied_by: String,
    pub reply_due: String,
    pub resolve_due: String,
    pub content: String,
    pub analysis: String,
    pub remedy: String,
    pub result: String,
    pub customer_reaction: String,
    pub notes: String,
}

/// One complaint: its account's name and its card.
pub async fn complaint(
    store: &kam_store::Store,
    actor: &Actor,
    id: ActivityId,
) -> Result<(Activity, ComplaintFields), StoreError> {
    let a = store.activity(&COMPLAINT, actor, id).await?;
    let mut v = values(Lang::Zh, &COMPLAINT, &a);
    let mut g = |k: &str| v.remove(k).unwrap_or_default();
    let f = ComplaintFields {
        received_at: g("received_at"),
        subject: g("subject"),
        replied_at: g("replied_at"),
        complainant: g("complainant"),
        received_by: g("received_by"),
        handler: g("handler"),
        priority: g("priority"),
        status: g("status"),
        replied_by: g("replied_by"),
        reply_due: g("reply_due"),
        resolve_due: g("resolve_due"),
        content: g("content"),
        analysis: g("analysis"),
        remedy: g("remedy"),
        result: g("result"),
        customer_reaction: g("customer_reaction"),
        notes: g("notes"),
    };
    Ok((a, f))
}

/// The card as on paper: six columns, label and value boxes, the long parts tall.
pub fn complaint_xlsx(id: ActivityId, account: &str, f: &ComplaintFields) -> Result<Vec<u8>, XlsxError> {
    let mut book = Book::new(Lang::Zh);
    let mut ws = book.sheet("客户投诉管理卡")?;
    ws.heading((0, 0), (0, 5), &format!("附表八 客户投诉管理卡 · No. {id}"))?;
    let pairs: [[(&str, &str, u16); 3]; 5] = [
        [("客户名称", account, 3), ("投诉时间", &f.received_at, 1), ("", "", 0)],
        [("投诉主题", &f.subject, 3), ("回复时间", &f.replied_at, 1), ("", "", 0)],
        [("投诉人", &f.complainant, 1), ("接诉人", &f.received_by, 1), ("处理人", &f.handler, 1)],
        [("优先级", &f.priority, 1), ("状态", &f.status, 1), ("回复人", &f.replied_by, 1)],
        [("回复期限", &f.reply_due, 2), ("解决期限", &f.resolve_due, 1), ("", "", 0)],
    ];
    for (r, line) in pairs.iter().enumerate() {
        let row = 1 + r as u32;
        let mut col = 0u16;
        for (label, value, span) in line.iter().filter(|p| p.2 > 0) {
            ws.heading((row, col), (row, col), label)?;
            ws.boxed_span((row, col + 1), (row, col + span), value)?;
            col += 1 + span;
        }
    }
    let long = [
        ("投诉内容", &f.content),
        ("投诉分析", &f.analysis),
        ("处理办法", &f.remedy),
        ("处理结果", &f.result),
        ("客户反应", &f.customer_reaction),
        ("备　　注", &f.notes),
    ];
    for (i, (label, value)) in long.iter().enumerate() {
        let row = 6 + i as u32;
        ws.heading((row, 0), (row, 0), label)?;
        ws.boxed_span((row, 1), (row, 5), value)?;
        ws.height(row, 60.0)?;
    }
    ws.widths(&[(0, 11.0), (1, 16.0), (2, 11.0), (3, 16.0), (4, 11.0), (5, 18.0)])?;
    book.finish()
}

pub async fn complaint_download<E: From<StoreError> + From<XlsxError>>(
    store: &kam_store::Store,
    actor: &Actor,
    id: ActivityId,
) -> Result<axum::response::Response, E> {
    let (a, f) = complaint(store, actor, id).await?;
    let bytes = complaint_xlsx(id, &a.account_name, &f)?;
    store.record_export(actor, "complaint", id, Some(a.account_id)).await?;
    Ok(crate::downloads::xlsx_response(&format!("附表八-客户投诉管理卡-{id}.xlsx"), bytes))
}

/// 附表九 业务工作日志 as on paper: one log's parts, each row as displayed.
pub struct WorklogForm {
    pub id: kam_core::WorklogId,
    pub author: String,
    /// (year, month, day) as written on the form.
    pub date: (String, String, String),
    /// 客户, 拜访对象, 访时间, 谈内容, 会谈结果, 备注.
    pub visits: Vec<Vec<String>>,
    /// 客户, 时间, 合同号, 合同产品, 数量(Kg), 合同金额, 缴款金额, 备注.
    pub collections: Vec<Vec<String>>,
    /// 协调部门, 事件, 完成情况, 备注.
    pub affairs: Vec<Vec<String>>,
    pub paid_total: String,
    pub market_analysis: String,
    pub product_analysis: String,
    pub evaluation: String,
    /// Who signed each step of the latest round (the form has one box per step).
    pub signers: std::collections::BTreeMap<&'static str, String>,
}

pub const WORKLOG_STEPS: [(&str, &str); 4] =
    [("cashier", "出纳"), ("accountant", "会计"), ("vp", "主管副总"), ("dept_head", "部门主管")];

pub async fn worklog(
    store: &kam_store::Store,
    actor: &Actor,
    lang: Lang,
    id: kam_core::WorklogId,
) -> Result<WorklogForm, StoreError> {
    use kam_core::Value;
    use kam_core::fields::FieldDef;
    use kam_core::worklog::{self, Decision};
    let log = store.worklog(actor, id).await?;
    let show =
        |e: &kam_store::worklogs::EntryRow, defs: &[FieldDef], f: &str| view::field_text(lang, defs, &e.rec, f, "CNY");
    let visits = log
        .visits
        .iter()
        .map(|e| {
            let d = worklog::VISIT_FIELDS;
            let person = match (e.rec.get("person").and_then(Value::as_text), &e.contact_name) {
                (Some(p), _) => p.to_string(),
                (None, Some(c)) => c.clone(),
                _ => String::new(),
            };
            vec![
                e.account_name.clone().unwrap_or_default(),
                person,
                format!("{} 至 {}", show(e, d, "time_from"), show(e, d, "time_to")),
                show(e, d, "content"),
                show(e, d, "result"),
                show(e, d, "note"),
            ]
        })
        .collect();
    let collections = log
        .collections
        .iter()
        .map(|e| {
            let d = worklog::COLLECTION_FIELDS;
            let mut row = vec![e.account_name.clone().unwrap_or_default()];
            row.extend(
                ["collection_time", "contract_no", "product", "quantity", "contract_amount", "paid_amount", "note"]
                    .iter()
                    .map(|f| show(e, d, f)),
            );
            row
        })
        .collect();
    let affairs = log
        .affairs
        .iter()
        .map(|e| {
            ["department", "matter", "completion", "note"].iter().map(|f| show(e, worklog::AFFAIR_FIELDS, f)).collect()
        })
        .collect();
    let mut signers = std::collections::BTreeMap::new();
    for s in log.signoffs.iter().filter(|s| s.slot.round == log.round) {
        let mark = match s.slot.decision {
            Some(Decision::Approve) => format!(
                "{} {}",
                s.signer_name,
                s.slot
                    .decided_at
                    .as_deref()
                    .map(kam_core::time_util::display_ts)
                    .unwrap_or_default()
                    .get(..10)
                    .unwrap_or_default()
            ),
            Some(Decision::Return) => format!("{}（退回）", s.signer_name),
            None => String::new(),
        };
        signers.insert(s.slot.step.as_str(), mark);
    }
    let paid: i64 = log.collections.iter().filter_map(|e| e.rec.get("paid_amount").and_then(Value::as_int)).sum();
    let date = log.date().to_string();
    let text = |f: &str| log.rec.get(f).and_then(Value::as_text).unwrap_or_default().to_string();
    Ok(WorklogForm {
        id,
        author: log.author_name.clone(),
        date: (
            date.get(..4).unwrap_or_default().into(),
            date.get(5..7).unwrap_or_default().trim_start_matches('0').into(),
            date.get(8..10).unwrap_or_default().trim_start_matches('0').into(),
        ),
        visits,
        collections,
        affairs,
        paid_total: if paid > 0 { view::money(paid, "CNY") } else { String::new() },
        market_analysis: text("market_analysis"),
        product_analysis: text("product_analysis"),
        evaluation: log.evaluation.clone().unwrap_or_default(),
        signers,
    })
}

/// The log as a workbook laid out like 附表九: its parts one under the other,
/// each under a merged heading, and the sign-off boxes at the foot.
pub fn worklog_xlsx(f: &WorklogForm) -> Result<Vec<u8>, XlsxError> {
    let mut book = Book::new(Lang::Zh);
    let mut ws = book.sheet("业务工作日志")?;
    let last = 7u16;
    ws.heading((0, 0), (0, last), &format!("附表九 业务工作日志 · No. {}", f.id))?;
    ws.heading((1, 0), (1, 0), "业务员")?;
    ws.boxed_span((1, 1), (1, 3), &f.author)?;
    ws.heading((1, 4), (1, 4), "日　期")?;
    ws.boxed_span((1, 5), (1, last), &format!("{} 年 {} 月 {} 日", f.date.0, f.date.1, f.date.2))?;
    let mut row = 2u32;
    let mut table = |ws: &mut crate::workbook::Sheet<'_>, title: &str, heads: &[&str], rows: &[Vec<String>]| {
        ws.heading((row, 0), (row, last), title)?;
        row += 1;
        for (i, h) in heads.iter().enumerate() {
            ws.heading((row, i as u16), (row, i as u16), h)?;
        }
        row += 1;
        for r in rows {
            for (i, v) in r.iter().enumerate() {
                ws.boxed_text(row, i as u16, v)?;
            }
            row += 1;
        }
        Ok::<u32, XlsxError>(row)
    };
    table(&mut ws, "客户拜访记录", &["客户", "拜访或交通拜访对象", "访时间", "谈内容", "会谈结果", "备注"], &f.visits)?;
    let heads = ["客户", "时间", "合同号", "合同产品", "数量(Kg)", "合同金额", "缴款金额", "备注"];
    let mut at = table(&mut ws, "销售回款记录", &heads, &f.collections)?;
    ws.heading((at, 0), (at, 5), "合计")?;
    ws.boxed_text(at, 6, &f.paid_total)?;
    ws.boxed_text(at, 7, "")?;
    at += 1;
    let mut row2 = at;
    for (label, text) in [("市场分析", &f.market_analysis), ("产品分析", &f.product_analysis)] {
        ws.heading((row2, 0), (row2, 0), label)?;
        ws.boxed_span((row2, 1), (row2, last), text)?;
        ws.height(row2, 48.0)?;
        row2 += 1;
    }
    let mut row3 = row2;
    ws.heading((row3, 0), (row3, last), "公司内部事务")?;
    row3 += 1;
    for (i, h) in ["协调部门", "事件", "完成情况", "备注"].iter().enumerate() {
        ws.heading((row3, i as u16), (row3, i as u16), h)?;
    }
    row3 += 1;
    for r in &f.affairs {
        for (i, v) in r.iter().enumerate() {
            ws.boxed_text(row3, i as u16, v)?;
        }
        row3 += 1;
    }
    ws.heading((row3, 0), (row3, 0), "主管评价")?;
    ws.boxed_span((row3, 1), (row3, last), &f.evaluation)?;
    ws.height(row3, 48.0)?;
    row3 += 1;
    for (i, (step, label)) in WORKLOG_STEPS.iter().enumerate() {
        let c = (i * 2) as u16;
        ws.heading((row3, c), (row3, c), label)?;
        ws.boxed_text(row3, c + 1, f.signers.get(step).map(String::as_str).unwrap_or_default())?;
    }
    ws.widths(&(0..=last).map(|c| (c, 14.0)).collect::<Vec<_>>())?;
    book.finish()
}

pub async fn worklog_download<E: From<StoreError> + From<XlsxError>>(
    store: &kam_store::Store,
    actor: &Actor,
    id: kam_core::WorklogId,
) -> Result<axum::response::Response, E> {
    let f = worklog(store, actor, Lang::Zh, id).await?;
    let bytes = worklog_xlsx(&f)?;
    store.record_export(actor, "worklog", id, None).await?;
    Ok(crate::downloads::xlsx_response(&format!("附表九-业务工作日志-{}-{}.xlsx", f.author, f.id), bytes))
}
