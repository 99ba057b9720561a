//! Market activities 市场活动: events (seminars, exhibitions, promotions…)
//! with the accounts and contacts that took part, and their outcome. The event
//! itself is company-wide; who took part is shown only within each reader's
//! account scope.

use crate::fields::{EnumDef, FieldDef, Kind};

pub static EVENT_KIND: EnumDef =
    EnumDef { name: "event_kind", values: &["seminar", "exhibition", "promotion", "training", "visit_tour", "other"] };

pub static FIELDS: &[FieldDef] = &[
    FieldDef::new("title", Kind::Text(200), "event").required(),
    FieldDef::new("kind", Kind::Enum(&EVENT_KIND), "event").required(),
    FieldDef::new("starts_on", Kind::Date, "event").required(),
    FieldDef::new("ends_on", Kind::Date, "event"),
    FieldDef::new("place", Kind::Text(200), "event"),
    FieldDef::new("description", Kind::LongText, "event"),
    FieldDef::new("outcome", Kind::LongText, "event"),
];

pub const GROUPS: &[&str] = &["event"];

/// Market analyses 市场分析: what is known of a market — an industry, in a
/// province (and city) — as of a date: its size a year (in fen), our share
/// of it, its growth a year and the trend in words, and where the figures
/// came from. Company-wide records like the events; who writes them as for
/// events (the general fields' writers).
pub static ANALYSIS_FIELDS: &[FieldDef] = &[
    FieldDef::new("industry", Kind::Enum(&crate::account::INDUSTRY), "market_analysis").required(),
    FieldDef::new("province", Kind::Text(20), "market_analysis"),
    FieldDef::new("city", Kind::Text(40), "market_analysis"),
    FieldDef::new("analysed_on", Kind::Date, "market_analysis").required(),
    FieldDef::new("market_size", Kind::Money, "market_analysis"),
    FieldDef::new("our_share_pct", Kind::Percent, "market_analysis"),
    FieldDef::new("growth_pct", Kind::Int(-100, 1000), "market_analysis"),
    FieldDef::new("trend", Kind::LongText, "market_analysis"),
    FieldDef::new("source", Kind::Text(200), "market_analysis"),
    FieldDef::new("notes", Kind::LongText, "market_analysis"),
];

/// Our share of a market in percent, one decimal: revenue ÷ market size;
/// none without a positive size.
pub fn share_of(revenue: i64, market_size: Option<i64>) -> Option<f64> {
    market_size.filter(|m| *m > 0).map(|m| (revenue as f64 * 1000.0 / m as f64).round() / 10.0)
}

#[cfg(test)]
mod tests {
    #[test]
    fn our_share_is_revenue_over_the_market() {
        assert_eq!(super::share_of(250, Some(1000)), Some(25.0));
        assert_eq!(super::share_of(1, Some(3)), Some(33.3));
        assert_eq!(super::share_of(5, Some(0)), None);
        assert_eq!(super::share_of(5, None), None);
    }
}
