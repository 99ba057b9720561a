//! 附表六/七 for pages and API alike: a sheet as JSON, the suggestions' reasons
//! in the reader's language, the comparison of several accounts (ranks, the
//! radar, the trend of totals) and the sheet as a workbook laid out like the
//! paper form. The rules themselves live in `kam_core::capability`.

use kam_core::AccountId;
use kam_core::capability::{self, FACTOR_KEYS, FACTORS, GROUPS, MONTHS, Ranked, Suggestion};
use kam_store::StoreError;
use kam_store::capability::CapabilitySheet;
use rust_xlsxwriter::XlsxError;
use serde_json::{Value as Json, json};

use crate::charts::{self, Series};
use crate::i18n::{Lang, t};
use crate::workbook::Book;

/// Accounts one comparison takes.
pub const COMPARE_MIN: usize = 2;
pub const COMPARE_MAX: usize = 6;

/// "11 平均用量".
pub fn factor_label(lang: Lang, factor: usize) -> String {
    format!("{factor} {}", t(lang, &format!("capability.f.{}", FACTOR_KEYS[factor - 1])))
}

pub fn group_label(lang: Lang, group: usize) -> String {
    t(lang, &format!("capability.g.{}", GROUPS[group].0)).to_string()
}

/// An audited cell's name (`m11_f19`) as "11月 · 19 投诉处理".
pub fn cell_label(lang: Lang, key: &str) -> Option<String> {
    let (m, f) = key.strip_prefix('m')?.split_once("_f")?;
    let (m, f): (usize, usize) = (m.parse().ok()?, f.parse().ok()?);
    if !(1..=MONTHS).contains(&m) || !(1..=FACTORS).contains(&f) {
        return None;
    }
    Some(format!("{} · {}", t(lang, "capability.month_n").replace("{n}", &m.to_string()), factor_label(lang, f)))
}

/// Why KAM suggests a score, with its figures, in the reader's language.
pub fn reason(lang: Lang, s: &Suggestion) -> String {
    let mut text = t(lang, &format!("capability.why.{}", s.reason)).to_string();
    for (k, v) in &s.figures {
        text = text.replace(&format!("{{{k}}}"), v);
    }
    text
}

/// An average as shown: one decimal, none when whole.
pub fn avg(x: Option<f64>) -> String {
    match x {
        None => String::new(),
        Some(x) if (x - x.round()).abs() < 1e-9 => format!("{x:.0}"),
        Some(x) => format!("{x:.1}"),
    }
}

/// The sheet with its subtotals and totals, and the suggestions of one month.
pub fn sheet_json(lang: Lang, s: &CapabilitySheet, suggestions: Option<(usize, &[Suggestion])>) -> Json {
    let sh = &s.sheet;
    let factors: Vec<Json> = (1..=FACTORS)
        .map(|f| {
            json!({
                "factor": f, "key": FACTOR_KEYS[f - 1], "group": capability::group_of(f as u8),
                "label": factor_label(lang, f),
                "months": (0..MONTHS).map(|m| sh.months[m][f - 1]).collect::<Vec<_>>(),
                "average": sh.factor_average(f as u8),
            })
        })
        .collect();
    let groups: Vec<Json> = (0..GROUPS.len())
        .map(|g| {
            json!({
                "key": GROUPS[g].0, "label": group_label(lang, g), "first": GROUPS[g].1, "last": GROUPS[g].2,
                "subtotals": (1..=MONTHS).map(|m| sh.subtotal(m, g)).collect::<Vec<_>>(),
                "average": sh.group_average(g),
            })
        })
        .collect();
    let mut out = json!({
        "account_id": s.account_id, "account_name": s.account_name, "year": s.year, "can_score": s.can_score,
        "factors": factors, "groups": groups,
        "month_totals": (1..=MONTHS).map(|m| sh.month_total(m)).collect::<Vec<_>>(),
        "year_total": sh.year_total(), "year_average": sh.year_average(), "filled_months": sh.filled_months(),
    });
    if let Some((month, items)) = suggestions {
        out["suggestions"] = json!({
            "month": month,
            "items": items.iter().map(|x| json!({
                "factor": x.factor, "score": x.score, "reason": x.reason,
                "figures": x.figures.iter().map(|(k, v)| (k.to_string(), json!(v))).collect::<serde_json::Map<_, _>>(),
                "explanation": reason(lang, x),
            })).collect::<Vec<_>>(),
        });
    }
    out
}

/// A comparison's period: `2026-11` (that month) or `2026` (the year's averages).
pub fn parse_period(s: &str) -> Option<(i32, Option<usize>)> {
    let s = s.trim();
    let (y, m) = match s.split_once('-') {
        Some((y, m)) => (y, Some(m.parse::<usize>().ok().filter(|m| (1..=MONTHS).contains(m))?)),
        None => (s, None),
    };
    let y = y.parse::<i32>().ok().filter(|y| (2000..=2100).contains(y))?;
    Some((y, m))
}

/// The period as written back: `2026-11` or `2026`.
pub fn period_text(year: i32, month: Option<usize>) -> String {
    match month {
        Some(m) => format!("{year}-{m:02}"),
        None => year.to_string(),
    }
}

/// `1,2,3` as 2–6 distinct account ids.
pub fn parse_accounts(s: &str) -> Option<Vec<AccountId>> {
    let mut ids: Vec<AccountId> = Vec::new();
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let id: AccountId = part.parse().ok()?;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    (COMPARE_MIN..=COMPARE_MAX).contains(&ids.len()).then_some(ids)
}

/// One account in a comparison.
pub struct Compared {
    pub account_id: AccountId,
    pub name: String,
    pub ranked: Ranked,
    /// The month totals of the year: the trend.
    pub month_totals: Vec<Option<f64>>,
}

/// 附表七: the accounts' values of a month (or the year's averages), totals
/// and ranks. An account the actor may not read answers as not found.
pub async fn compare(
    store: &kam_store::Store,
    actor: &kam_core::Actor,
    ids: &[AccountId],
    year: i32,
    month: Option<usize>,
) -> Result<Vec<Compared>, StoreError> {
    let sheets = store.capability_sheets(actor, ids, year).await?;
    if sheets.len() != ids.len() {
        return Err(StoreError::NotFound);
    }
    let ranked = capability::compare(&sheets.iter().map(|s| s.sheet.values(month)).collect::<Vec<_>>());
    Ok(sheets
        .into_iter()
        .zip(ranked)
        .map(|(s, r)| Compared {
            account_id: s.account_id,
            month_totals: (1..=MONTHS).map(|m| s.sheet.month_total(m).map(|x| x as f64)).collect(),
            name: s.account_name,
            ranked: r,
        })
        .collect())
}

pub fn compare_json(lang: Lang, year: i32, month: Option<usize>, items: &[Compared]) -> Json {
    json!({
        "period": period_text(year, month), "year": year, "month": month,
        "factors": (1..=FACTORS).map(|f| json!({"factor": f, "key": FACTOR_KEYS[f - 1], "label": factor_label(lang, f)})).collect::<Vec<_>>(),
        "items": items.iter().map(|c| json!({
            "account_id": c.account_id, "account_name": c.name, "values": c.ranked.values.to_vec(),
            "total": c.ranked.total, "rank": c.ranked.rank, "month_totals": c.month_totals,
        })).collect::<Vec<_>>(),
    })
}

/// The axes' labels: the factors' numbers and names.
fn axes(lang: Lang) -> Vec<String> {
    (1..=FACTORS).map(|f| factor_label(lang, f)).collect()
}

/// One radar with every account compared overlaid.
pub fn radar(lang: Lang, title: &str, items: &[Compared]) -> String {
    let series: Vec<Series<'_>> =
        items.iter().map(|c| Series { name: &c.name, values: &c.ranked.values[..] }).collect();
    charts::radar(title, &axes(lang), 4.0, &series)
}

/// One account's radar alone.
pub fn radar_of(lang: Lang, c: &Compared) -> String {
    charts::radar(&c.name, &axes(lang), 4.0, &[Series { name: &c.name, values: &c.ranked.values[..] }])
}

/// The month totals of the year, one line per account.
pub fn trend(lang: Lang, items: &[Compared]) -> String {
    let months: Vec<String> =
        (1..=MONTHS).map(|m| t(lang, "capability.month_n").replace("{n}", &m.to_string())).collect();
    let series: Vec<Series<'_>> = items.iter().map(|c| Series { name: &c.name, values: &c.month_totals }).collect();
    charts::lines(t(lang, "capability.trend"), &months, &series)
}

/// 附表六 as a workbook laid out like the form: factors down in their groups,
/// the months across, subtotals, monthly totals and the year's figures.
pub fn sheet_xlsx(lang: Lang, s: &CapabilitySheet) -> Result<Vec<u8>, XlsxError> {
    let mut book = Book::new(lang);
    let mut ws = book.sheet(t(lang, "capability.title"))?;
    ws.heading((0, 0), (0, 15), &format!("{} · {} · {}", t(lang, "capability.title"), s.account_name, s.year))?;
    ws.heading((1, 0), (1, 1), t(lang, "capability.factor"))?;
    for m in 1..=MONTHS {
        ws.heading(
            (1, 1 + m as u16),
            (1, 1 + m as u16),
            &t(lang, "capability.month_n").replace("{n}", &m.to_string()),
        )?;
    }
    ws.heading((1, 14), (1, 14), t(lang, "capability.average"))?;
    ws.heading((1, 15), (1, 15), t(lang, "capability.scale"))?;
    let sh = &s.sheet;
    let mut row = 2u32;
    for (g, (_, first, last)) in GROUPS.iter().enumerate() {
        let (top, bottom) = (row, row + u32::from(last - first) + 1);
        ws.heading((top, 0), (bottom, 0), &group_label(lang, g))?;
        for f in *first..=*last {
            ws.heading((row, 1), (row, 1), &factor_label(lang, f as usize))?;
            for m in 0..MONTHS {
                ws.boxed(row, 2 + m as u16, sh.months[m][(f - 1) as usize].map(f64::from))?;
            }
            ws.boxed(row, 14, sh.factor_average(f).map(|x| (x * 10.0).round() / 10.0))?;
            ws.heading((row, 15), (row, 15), "4 3 2 1")?;
            row += 1;
        }
        ws.heading((row, 1), (row, 1), t(lang, "capability.subtotal"))?;
        for m in 1..=MONTHS {
            ws.boxed(row, 1 + m as u16, sh.subtotal(m, g).map(|x| x as f64))?;
        }
        ws.boxed(row, 14, sh.group_average(g).map(|x| (x * 10.0).round() / 10.0))?;
        ws.boxed(row, 15, None)?;
        row += 1;
    }
    ws.heading((row, 0), (row, 1), t(lang, "capability.total"))?;
    for m in 1..=MONTHS {
        ws.boxed(row, 1 + m as u16, sh.month_total(m).map(|x| x as f64))?;
    }
    ws.boxed(row, 14, sh.year_average().map(|x| (x * 10.0).round() / 10.0))?;
    ws.boxed(row, 15, None)?;
    row += 1;
    ws.heading((row, 0), (row, 1), t(lang, "capability.year_total"))?;
    ws.boxed(row, 2, sh.year_total().map(|x| x as f64))?;
    ws.repeat_rows(1, 1)?;
    let mut widths = vec![(0u16, 10.0), (1, 16.0), (14, 8.0), (15, 9.0)];
    widths.extend((2..14).map(|c| (c as u16, 5.5)));
    ws.widths(&widths)?;
    book.finish()
}

/// 附表七 as a workbook laid out like the form: the factors in their groups
/// as rows, one column per account, the totals and the ranks at the foot.
pub fn compare_xlsx(lang: Lang, year: i32, month: Option<usize>, items: &[Compared]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Book::new(lang);
    let mut ws = book.sheet(t(lang, "capability.compare_title"))?;
    let last = 1 + items.len() as u16;
    ws.heading((0, 0), (0, last), &format!("{} · {}", t(lang, "capability.compare_title"), period_text(year, month)))?;
    ws.heading((1, 0), (1, 1), t(lang, "capability.factor"))?;
    for (i, c) in items.iter().enumerate() {
        ws.heading((1, 2 + i as u16), (1, 2 + i as u16), &c.name)?;
    }
    let mut row = 2u32;
    for (g, (_, first, last_f)) in GROUPS.iter().enumerate() {
        ws.heading((row, 0), (row + u32::from(last_f - first), 0), &group_label(lang, g))?;
        for f in *first..=*last_f {
            ws.heading((row, 1), (row, 1), &factor_label(lang, f as usize))?;
            for (i, c) in items.iter().enumerate() {
                ws.boxed(row, 2 + i as u16, c.ranked.values[(f - 1) as usize].map(|x| (x * 10.0).round() / 10.0))?;
            }
            row += 1;
        }
    }
    ws.heading((row, 0), (row, 1), t(lang, "capability.total"))?;
    for (i, c) in items.iter().enumerate() {
        ws.boxed(row, 2 + i as u16, c.ranked.total.map(|x| (x * 10.0).round() / 10.0))?;
    }
    row += 1;
    ws.heading((row, 0), (row, 1), t(lang, "capability.rank"))?;
    for (i, c) in items.iter().enumerate() {
        ws.boxed(row, 2 + i as u16, c.ranked.rank.map(|r| r as f64))?;
    }
    ws.repeat_rows(1, 1)?;
    let mut widths = vec![(0u16, 10.0), (1, 18.0)];
    widths.extend((2..=last).map(|c| (c, 14.0)));
    ws.widths(&widths)?;
    book.finish()
}

/// 附表七's workbook as a download, for pages and API alike; audited.
pub async fn compare_download<E: From<StoreError> + From<XlsxError>>(
    store: &kam_store::Store,
    actor: &kam_core::Actor,
    lang: Lang,
    ids: &[AccountId],
    year: i32,
    month: Option<usize>,
) -> Result<axum::response::Response, E> {
    let items = compare(store, actor, ids, year, month).await?;
    let bytes = compare_xlsx(lang, year, month, &items)?;
    store.record_export(actor, "capability_compare", i64::from(year), None).await?;
    Ok(crate::downloads::xlsx_response(&format!("附表七-{}.xlsx", period_text(year, month)), bytes))
}

/// 附表六's workbook as a download, for pages and API alike; the export is audited.
pub async fn sheet_download<E: From<StoreError> + From<XlsxError>>(
    store: &kam_store::Store,
    actor: &kam_core::Actor,
    lang: Lang,
    id: AccountId,
    year: i32,
) -> Result<axum::response::Response, E> {
    let s = store.capability_sheet(actor, id, year).await?;
    let bytes = sheet_xlsx(lang, &s)?;
    store.record_export(actor, "capability", s.sheet_id.unwrap_or(0), Some(id)).await?;
    Ok(crate::downloads::xlsx_response(&format!("附表六-{}-{year}.xlsx", s.account_name), bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_and_account_lists() {
        assert_eq!(parse_period("2026-11"), Some((2026, Some(11))));
        assert_eq!(parse_period("2026"), Some((2026, None)));
        assert_eq!(parse_period("2026-13"), None);
        assert_eq!(parse_period("1900-01"), None);
        assert_eq!(parse_period("2999"), None);
        assert_eq!(parse_accounts("3, 5,3"), Some(vec![AccountId(3), AccountId(5)]), "a repeated id counts once");
        assert_eq!(parse_accounts("3"), None, "one account is no comparison");
        assert_eq!(parse_accounts("1,2,3,4,5,6,7"), None);
        assert_eq!(parse_accounts("1,x"), None);
    }
}
