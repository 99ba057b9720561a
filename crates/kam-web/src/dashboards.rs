//! A dashboard as its panels — each chart (SVG drawn by the server) with the
//! table of its figures — from the store's `Dashboard`; the page draws the
//! panels and the workbook writes each panel's table as a sheet of numbers,
//! so the page, its print and the .xlsx of pages and API agree by
//! construction.

use kam_core::Actor;
use kam_core::dashboard::Board;
use kam_core::fields::format_minor;
use kam_core::lifecycle::Risk;
use kam_store::StoreError;
use kam_store::dashboards::Dashboard;
use rust_xlsxwriter::XlsxError;

use crate::charts::{Series, bars, lines};
use crate::i18n::{Lang, t};
use crate::workbook::Book;

/// One figure of a panel's table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// In fen; none is a dash.
    Money(Option<i64>),
    /// In percent, one decimal.
    Pct(Option<f64>),
    Count(i64),
    /// A whole number that may be missing (an NPS of −100…100).
    Int(Option<i64>),
    /// A score or an average, two decimals.
    Score(Option<f64>),
    Text(String),
}

impl Cell {
    /// As the page shows it.
    pub fn show(&self) -> String {
        match self {
            Cell::Money(Some(v)) => format_minor(*v, true),
            Cell::Pct(Some(p)) => format!("{p:.1}%"),
            Cell::Count(n) | Cell::Int(Some(n)) => n.to_string(),
            Cell::Score(Some(x)) => format!("{x:.2}"),
            Cell::Text(s) => s.clone(),
            Cell::Money(None) | Cell::Pct(None) | Cell::Score(None) | Cell::Int(None) => "–".into(),
        }
    }
}

/// One chart with its table: column heads, rows of (label, cells).
pub struct Panel {
    pub id: &'static str,
    pub title: String,
    pub svg: Option<String>,
    pub heads: Vec<String>,
    pub rows: Vec<(String, Vec<Cell>)>,
    pub note: Option<String>,
}

/// The churn-risk sentence: "62 days since the last order; usually every 30 days (× 2.0 = 60)".
pub fn risk_text(lang: Lang, r: &Risk) -> String {
    t(lang, "lifecycle.risk_text")
        .replace("{g}", &r.gap_days.to_string())
        .replace("{m}", &format!("{:.0}", r.median_gap_days))
        .replace("{f}", &format!("{:.1}", r.factor))
        .replace("{l}", &format!("{:.0}", r.factor * r.median_gap_days))
}

fn yuan(fen: i64) -> f64 {
    fen as f64 / 100.0
}

fn heads(lang: Lang, keys: &[&str]) -> Vec<String> {
    keys.iter().map(|k| t(lang, k).to_string()).collect()
}

/// The share of the due slots (planned, less those not yet due) visited on time.
fn compliance(t: &kam_core::visit_plan::Tally) -> Option<f64> {
    let due = t.planned - t.pending;
    (due > 0).then(|| (t.on_time as f64 * 1000.0 / due as f64).round() / 10.0)
}

/// A month label for a chart's axis: `2026-11` → `11月` (`Nov` in English).
fn month_label(lang: Lang, month: &str) -> String {
    let m = month.get(5..7).unwrap_or(month);
    match lang {
        Lang::Zh => format!("{}月", m.trim_start_matches('0')),
        Lang::En => {
            const EN: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
            m.parse::<usize>().ok().and_then(|i| EN.get(i.wrapping_sub(1))).map(|s| s.to_string()).unwrap_or_default()
        }
    }
}

/// Every panel of a board, in the order the page shows them.
pub fn panels(lang: Lang, d: &Dashboard) -> Vec<Panel> {
    let mut panels = Vec::new();
    if let Some(a) = &d.attainment {
        let rows: Vec<_> = a.reps.iter().chain(a.teams.iter()).collect();
        let labels: Vec<String> = a.reps.iter().map(|r| r.name.clone()).collect();
        let target: Vec<Option<f64>> = a.reps.iter().map(|r| r.target.map(yuan)).collect();
        let delivered: Vec<Option<f64>> = a.reps.iter().map(|r| Some(yuan(r.delivered))).collect();
        let collected: Vec<Option<f64>> = a.reps.iter().map(|r| Some(yuan(r.collected))).collect();
        let title = format!("{} {}", t(lang, "dash.attainment"), a.period);
        panels.push(Panel {
            id: "attainment",
            svg: (!labels.is_empty()).then(|| {
                bars(
                    &title,
                    &labels,
                    &[
                        Series { name: t(lang, "target.target"), values: &target },
                        Series { name: t(lang, "target.delivered"), values: &delivered },
                        Series { name: t(lang, "target.collected"), values: &collected },
                    ],
                    "元",
                )
            }),
            title,
            heads: heads(lang, &["target.target", "target.delivered", "%", "target.collected", "%"]),
            rows: rows
                .iter()
                .map(|r| {
                    (
                        r.name.clone(),
                        vec![
                            Cell::Money(r.target.or(r.reps_target)),
                            Cell::Money(Some(r.delivered)),
                            Cell::Pct(r.delivered_pct),
                            Cell::Money(Some(r.collected)),
                            Cell::Pct(r.collected_pct),
                        ],
                    )
                })
                .collect(),
            note: None,
        });
        let labels: Vec<String> = d.forecast.iter().map(|r| r.name.clone()).collect();
        let expected: Vec<Option<f64>> = d.forecast.iter().map(|r| Some(yuan(r.expected_revenue))).collect();
        let last_year: Vec<Option<f64>> = d.forecast.iter().map(|r| Some(yuan(r.last_year_forecast))).collect();
        let target: Vec<Option<f64>> = d.forecast.iter().map(|r| r.target.map(yuan)).collect();
        let title = format!(
            "{} {} – {}",
            t(lang, "forecast.title"),
            d.forecast_from.clone().unwrap_or_default(),
            d.forecast_to.clone().unwrap_or_default()
        );
        panels.push(Panel {
            id: "forecast",
            svg: (!labels.is_empty()).then(|| {
                bars(
                    &title,
                    &labels,
                    &[
                        Series { name: t(lang, "forecast.expected_revenue"), values: &expected },
                        Series { name: t(lang, "forecast.last_year"), values: &last_year },
                        Series { name: t(lang, "target.target"), values: &target },
                    ],
                    "元",
                )
            }),
            title,
            heads: heads(lang, &["forecast.expected_revenue", "forecast.last_year", "target.target"]),
            rows: d
                .forecast
                .iter()
                .map(|r| {
                    (
                        r.name.clone(),
                        vec![
                            Cell::Money(Some(r.expected_revenue)),
                            Cell::Money(Some(r.last_year_forecast)),
                            Cell::Money(r.target),
                        ],
                    )
                })
                .collect(),
            note: Some(t(lang, "dash.forecast_note").to_string()),
        });
    }
    if let Some(plans) = &d.visit_plans {
        let period = d.attainment.as_ref().map(|a| a.period.clone()).unwrap_or_default();
        let title = format!("{} {period}", t(lang, "dash.visit_plans"));
        let none = t(lang, "accounts.in_pool").to_string();
        let name = |r: &kam_store::visit_plans::RepTally| r.owner_name.clone().unwrap_or_else(|| none.clone());
        let labels: Vec<String> = plans.iter().map(name).collect();
        let of = |f: &dyn Fn(&kam_core::visit_plan::Tally) -> i64| -> Vec<Option<f64>> {
            plans.iter().map(|r| Some(f(&r.tally) as f64)).collect()
        };
        let (on_time, late, missed, pending) =
            (of(&|t| t.on_time), of(&|t| t.late), of(&|t| t.missed), of(&|t| t.pending));
        panels.push(Panel {
            id: "visit-plans",
            svg: (!labels.is_empty()).then(|| {
                bars(
                    &title,
                    &labels,
                    &[
                        Series { name: t(lang, "plan.on_time"), values: &on_time },
                        Series { name: t(lang, "plan.late"), values: &late },
                        Series { name: t(lang, "plan.missed"), values: &missed },
                        Series { name: t(lang, "plan.pending"), values: &pending },
                    ],
                    "",
                )
            }),
            title,
            heads: heads(
                lang,
                &["plan.planned", "plan.on_time", "plan.late", "plan.missed", "plan.pending", "dash.compliance"],
            ),
            rows: plans
                .iter()
                .map(|r| {
                    let x = &r.tally;
                    (
                        name(r),
                        vec![
                            Cell::Count(x.planned),
                            Cell::Count(x.on_time),
                            Cell::Count(x.late),
                            Cell::Count(x.missed),
                            Cell::Count(x.pending),
                            Cell::Pct(compliance(x)),
                        ],
                    )
                })
                .collect(),
            note: Some(t(lang, "dash.compliance_note").to_string()),
        });
    }
    if let Some(c) = &d.complaints {
        let title = t(lang, "dash.complaints_status").to_string();
        let labels: Vec<String> =
            c.by_status.iter().map(|(s, _)| t(lang, &format!("enum.complaint_status.{s}")).to_string()).collect();
        let v: Vec<Option<f64>> = c.by_status.iter().map(|(_, n)| Some(*n as f64)).collect();
        panels.push(Panel {
            id: "complaints-status",
            svg: (!labels.is_empty())
                .then(|| bars(&title, &labels, &[Series { name: t(lang, "dash.complaints"), values: &v }], "")),
            title,
            heads: heads(lang, &["dash.complaints"]),
            rows: labels.iter().cloned().zip(c.by_status.iter().map(|(_, n)| vec![Cell::Count(*n)])).collect(),
            note: None,
        });
        let title = t(lang, "dash.complaints_deadline").to_string();
        let states = [
            ("dash.on_track", c.on_track),
            ("dash.due_soon", c.due_soon),
            ("dash.reply_overdue", c.reply_overdue),
            ("dash.resolution_overdue", c.resolution_overdue),
        ];
        let labels: Vec<String> = states.iter().map(|(k, _)| t(lang, k).to_string()).collect();
        let v: Vec<Option<f64>> = states.iter().map(|(_, n)| Some(*n as f64)).collect();
        panels.push(Panel {
            id: "complaints-deadline",
            svg: (c.open > 0)
                .then(|| bars(&title, &labels, &[Series { name: t(lang, "dash.open_complaints"), values: &v }], "")),
            title,
            heads: heads(lang, &["dash.complaints"]),
            rows: if c.open > 0 {
                labels.iter().cloned().zip(states.iter().map(|(_, n)| vec![Cell::Count(*n)])).collect()
            } else {
                Vec::new()
            },
            note: Some(t(lang, "dash.deadline_note").replace("{n}", &c.open.to_string())),
        });
    }
    if let Some(months) = &d.satisfaction {
        let title = t(lang, "dash.satisfaction").to_string();
        let labels: Vec<String> = months.iter().map(|m| month_label(lang, &m.month)).collect();
        let avg: Vec<Option<f64>> = months.iter().map(|m| m.average).collect();
        panels.push(Panel {
            id: "satisfaction",
            svg: (!months.is_empty())
                .then(|| lines(&title, &labels, &[Series { name: t(lang, "survey.average"), values: &avg }])),
            title,
            heads: heads(lang, &["survey.responses", "survey.average", "survey.nps"]),
            rows: months
                .iter()
                .map(|m| (m.month.clone(), vec![Cell::Count(m.responses), Cell::Score(m.average), Cell::Int(m.nps)]))
                .collect(),
            note: Some(t(lang, "dash.nps_note").to_string()),
        });
    }
    if let Some(months) = &d.capability {
        let title = t(lang, "dash.capability").to_string();
        let labels: Vec<String> = months.iter().map(|m| month_label(lang, &m.month)).collect();
        let avg: Vec<Option<f64>> = months.iter().map(|m| m.average).collect();
        panels.push(Panel {
            id: "capability",
            svg: (!months.is_empty())
                .then(|| lines(&title, &labels, &[Series { name: t(lang, "dash.capability_average"), values: &avg }])),
            title,
            heads: heads(lang, &["dash.accounts", "dash.capability_average"]),
            rows: months
                .iter()
                .map(|m| (m.month.clone(), vec![Cell::Count(m.accounts), Cell::Score(m.average)]))
                .collect(),
            note: Some(t(lang, "dash.capability_note").to_string()),
        });
    }
    if matches!(d.board, Board::Rep | Board::Manager | Board::Finance) {
        let buckets = ["0–30", "31–60", "61–90", "90+"];
        let cny = d.receivables.iter().find(|r| r.currency == "CNY");
        let title = t(lang, "dash.aging").to_string();
        let svg = cny.map(|r| {
            let v = [r.aging.d0_30, r.aging.d31_60, r.aging.d61_90, r.aging.d90_plus].map(|x| Some(yuan(x)));
            let labels: Vec<String> = buckets.iter().map(|b| format!("{b} {}", t(lang, "dash.days"))).collect();
            bars(&title, &labels, &[Series { name: "CNY", values: &v }], "元")
        });
        let mut hs = heads(lang, &["dash.accounts", "ledger.balance"]);
        hs.extend(buckets.iter().map(|b| b.to_string()));
        hs.push(t(lang, "dash.overdue").to_string());
        panels.push(Panel {
            id: "receivables",
            title,
            svg,
            heads: hs,
            rows: d
                .receivables
                .iter()
                .map(|r| {
                    let a = &r.aging;
                    (
                        r.currency.clone(),
                        vec![
                            Cell::Count(r.accounts),
                            Cell::Money(Some(r.balance)),
                            Cell::Money(Some(a.d0_30)),
                            Cell::Money(Some(a.d31_60)),
                            Cell::Money(Some(a.d61_90)),
                            Cell::Money(Some(a.d90_plus)),
                            Cell::Money(Some(a.overdue)),
                        ],
                    )
                })
                .collect(),
            note: None,
        });
    }
    if !d.collections.is_empty() {
        let cny: Vec<_> = d.collections.iter().filter(|c| c.currency == "CNY").collect();
        let labels: Vec<String> = cny.iter().map(|c| month_label(lang, &c.month)).collect();
        let v: Vec<Option<f64>> = cny.iter().map(|c| Some(yuan(c.collected))).collect();
        let title = t(lang, "dash.collections").to_string();
        panels.push(Panel {
            id: "collections",
            svg: Some(bars(&title, &labels, &[Series { name: "CNY", values: &v }], "元")),
            title,
            heads: heads(lang, &["dash.currency", "target.collected", "dash.payments"]),
            rows: d
                .collections
                .iter()
                .map(|c| {
                    (
                        c.month.clone(),
                        vec![Cell::Text(c.currency.clone()), Cell::Money(Some(c.collected)), Cell::Count(c.payments)],
                    )
                })
                .collect(),
            note: None,
        });
    }
    if let Some(counts) = &d.statements {
        let title = t(lang, "dash.statements").to_string();
        let statuses = kam_core::statement::STATUS.values;
        let mut periods: Vec<&str> = counts.iter().map(|c| c.period.as_str()).collect();
        periods.dedup();
        let n = |p: &str, s: &str| {
            counts.iter().find(|c| c.period == p && c.status == s).map(|c| c.statements).unwrap_or(0)
        };
        let names: Vec<String> =
            statuses.iter().map(|s| t(lang, &format!("enum.statement_status.{s}")).to_string()).collect();
        let values: Vec<Vec<Option<f64>>> =
            statuses.iter().map(|s| periods.iter().map(|p| Some(n(p, s) as f64)).collect()).collect();
        let series: Vec<Series<'_>> = names.iter().zip(&values).map(|(name, values)| Series { name, values }).collect();
        let labels: Vec<String> = periods.iter().map(|p| p.to_string()).collect();
        panels.push(Panel {
            id: "statements",
            svg: (!periods.is_empty()).then(|| bars(&title, &labels, &series, "")),
            title,
            heads: names.clone(),
            rows: periods
                .iter()
                .map(|p| (p.to_string(), statuses.iter().map(|s| Cell::Count(n(p, s))).collect()))
                .collect(),
            note: None,
        });
    }
    if let Some(h) = &d.credit_holds {
        let title = t(lang, "dash.credit_holds").to_string();
        let totals: Vec<String> = h.totals.iter().map(|(c, v)| format!("{c} {}", format_minor(*v, true))).collect();
        panels.push(Panel {
            id: "credit-holds",
            svg: None,
            title,
            heads: heads(lang, &["order.account", "order.date", "dash.currency", "order.total_with_tax"]),
            rows: h
                .oldest
                .iter()
                .map(|o| {
                    (
                        o.number.clone().unwrap_or_else(|| format!("#{}", o.order_id.0)),
                        vec![
                            Cell::Text(o.account_name.clone()),
                            Cell::Text(o.order_date.clone()),
                            Cell::Text(o.currency.clone()),
                            Cell::Money(Some(o.total_with_tax)),
                        ],
                    )
                })
                .collect(),
            note: Some(
                t(lang, "dash.credit_holds_note")
                    .replace("{n}", &h.orders.to_string())
                    .replace("{t}", &totals.join(" · ")),
            ),
        });
    }
    panels
}

/// A board as a workbook: one sheet per panel (its table, figures as
/// numbers; money in yuan), then the churn risks where the board has them;
/// audited as an export of `dashboard_{board}`.
pub async fn xlsx<E: From<StoreError> + From<XlsxError>>(
    store: &kam_store::Store,
    actor: &Actor,
    lang: Lang,
    board: Board,
) -> Result<Vec<u8>, E> {
    let d = store.dashboard(actor, board).await?;
    let mut book = Book::new(lang);
    panels_sheets(&mut book, &panels(lang, &d))?;
    if let Some(r) = &d.churn_risks {
        let mut sheet = book.sheet(t(lang, "lifecycle.at_risk_title"))?;
        for (c, k) in
            ["order.account", "accounts.owner", "forecast.last_order", "lifecycle.why_risk"].iter().enumerate()
        {
            sheet.text(0, c as u16, t(lang, k))?;
        }
        for (i, a) in r.items.iter().enumerate() {
            let row = i as u32 + 1;
            sheet.text(row, 0, &a.account_name)?;
            sheet.text(row, 1, a.owner_name.as_deref().unwrap_or_default())?;
            sheet.text(row, 2, &a.last_order)?;
            sheet.text(row, 3, &risk_text(lang, &a.risk))?;
        }
        sheet.widths(&[(0, 28.0), (1, 12.0), (2, 12.0), (3, 48.0)])?;
    }
    crate::exports::audited(book, store, actor, &format!("dashboard_{}", board.as_str())).await
}

/// Each panel's table as a sheet of its own: the title and heads in row 0,
/// a row per line with the figures as numbers (money in yuan), the note
/// under the table.
pub fn panels_sheets(book: &mut Book, panels: &[Panel]) -> Result<(), XlsxError> {
    for (i, p) in panels.iter().enumerate() {
        // Sheet names are at most 31 characters and unique.
        let name: String = format!("{} {}", i + 1, p.title).chars().take(31).collect();
        let mut sheet = book.sheet(&name)?;
        sheet.text(0, 0, &p.title)?;
        for (c, h) in p.heads.iter().enumerate() {
            sheet.text(0, c as u16 + 1, h)?;
        }
        for (r, (label, cells)) in p.rows.iter().enumerate() {
            let row = r as u32 + 1;
            sheet.text(row, 0, label)?;
            for (c, cell) in cells.iter().enumerate() {
                let col = c as u16 + 1;
                match cell {
                    Cell::Money(Some(v)) => sheet.money(row, col, *v)?,
                    Cell::Pct(Some(x)) | Cell::Score(Some(x)) => sheet.number(row, col, *x)?,
                    Cell::Count(n) | Cell::Int(Some(n)) => sheet.number(row, col, *n as f64)?,
                    Cell::Text(s) => sheet.text(row, col, s)?,
                    Cell::Money(None) | Cell::Pct(None) | Cell::Score(None) | Cell::Int(None) => {}
                }
            }
        }
        if let Some(n) = &p.note {
            sheet.text(p.rows.len() as u32 + 2, 0, n)?;
        }
        sheet.widths(&[(0, 24.0), (1, 16.0), (2, 16.0), (3, 16.0), (4, 16.0), (5, 16.0), (6, 16.0), (7, 16.0)])?;
    }
    Ok(())
}
