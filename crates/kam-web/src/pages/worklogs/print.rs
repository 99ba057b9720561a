//! The log printed as 附表九.

use super::*;

#[derive(Template)]
#[template(path = "print_worklog.html")]
pub(super) struct PrintPage {
    lang: &'static str,
    print_label: String,
    back: String,
    back_label: String,
    id: WorklogId,
    author: String,
    date: (String, String, String),
    visits: Vec<Vec<String>>,
    collections: Vec<Vec<String>>,
    affairs: Vec<Vec<String>>,
    paid_total: String,
    market_analysis: String,
    product_analysis: String,
    evaluation: String,
    signers: BTreeMap<&'static str, String>,
    printed: String,
}

impl PrintPage {
    fn signer(&self, step: &str) -> String {
        self.signers.get(step).cloned().unwrap_or_default()
    }
    /// Rows padded to the form's minimum so the printed page keeps its shape.
    fn padded(rows: &[Vec<String>], min: usize, cols: usize) -> Vec<Vec<String>> {
        let mut out = rows.to_vec();
        while out.len() < min {
            out.push(vec![String::new(); cols]);
        }
        out
    }
}

pub(super) async fn print(
    State(state): State<AppState>,
    auth: Authed,
    Path(id): Path<WorklogId>,
) -> Result<Response, PageError> {
    let lang = auth.lang;
    let log = state.store.worklog(&auth.user.actor(), id).await?;
    let show =
        |e: &kam_store::worklogs::EntryRow, defs: &[FieldDef], f: &str| view::field_text(lang, defs, &e.rec, f, "CNY");
    let visits: Vec<Vec<String>> = log
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
    let collections: Vec<Vec<String>> = log
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
    let affairs: Vec<Vec<String>> = log
        .affairs
        .iter()
        .map(|e| {
            ["department", "matter", "completion", "note"].iter().map(|f| show(e, worklog::AFFAIR_FIELDS, f)).collect()
        })
        .collect();
    // Who signed each step in the latest round (the form has one box per step).
    let mut signers = BTreeMap::new();
    for s in log.signoffs.iter().filter(|s| s.slot.round == log.round) {
        let mark = match s.slot.decision {
            Some(Decision::Approve) => format!(
                "{} {}",
                s.signer_name,
                s.slot.decided_at.as_deref().map(display_ts).unwrap_or_default().get(..10).unwrap_or_default()
            ),
            Some(Decision::Return) => format!("{}（退回）", s.signer_name),
            None => String::new(),
        };
        signers.insert(s.slot.step.as_str(), mark);
    }
    let paid: i64 = log.collections.iter().filter_map(|e| e.rec.get("paid_amount").and_then(Value::as_int)).sum();
    let date = log.date().to_string();
    let text = |f: &str| log.rec.get(f).and_then(Value::as_text).unwrap_or_default().to_string();
    let page = PrintPage {
        lang: lang.code(),
        print_label: t(lang, "common.print").into(),
        back: format!("/worklogs/{id}"),
        back_label: t(lang, "common.back").into(),
        id,
        author: log.author_name.clone(),
        date: (
            date.get(..4).unwrap_or_default().into(),
            date.get(5..7).unwrap_or_default().trim_start_matches('0').into(),
            date.get(8..10).unwrap_or_default().trim_start_matches('0').into(),
        ),
        visits: PrintPage::padded(&visits, 6, 6),
        collections: PrintPage::padded(&collections, 3, 8),
        affairs: PrintPage::padded(&affairs, 3, 4),
        paid_total: if paid > 0 { view::money(paid, "CNY") } else { String::new() },
        market_analysis: text("market_analysis"),
        product_analysis: text("product_analysis"),
        evaluation: log.evaluation.clone().unwrap_or_default(),
        signers,
        printed: format!("打印日期 {}", state.store.today()),
    };
    render(&page)
}
