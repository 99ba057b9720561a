//! The log printed as 附表九 (read by `crate::record_forms::worklog`), and its workbook.

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
    let f = crate::record_forms::worklog(&state.store, &auth.user.actor(), lang, id).await?;
    let page = PrintPage {
        lang: lang.code(),
        print_label: t(lang, "common.print").into(),
        back: format!("/worklogs/{id}"),
        back_label: t(lang, "common.back").into(),
        id,
        author: f.author,
        date: f.date,
        visits: PrintPage::padded(&f.visits, 6, 6),
        collections: PrintPage::padded(&f.collections, 3, 8),
        affairs: PrintPage::padded(&f.affairs, 3, 4),
        paid_total: f.paid_total,
        market_analysis: f.market_analysis,
        product_analysis: f.product_analysis,
        evaluation: f.evaluation,
        signers: f.signers,
        printed: format!("打印日期 {}", state.store.today()),
    };
    render(&page)
}

pub(super) async fn xlsx(
    State(state): State<AppState>,
    auth: Authed,
    Path(id): Path<WorklogId>,
) -> Result<Response, PageError> {
    crate::record_forms::worklog_download(&state.store, &auth.user.actor(), id).await
}
