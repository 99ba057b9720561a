//! Market analyses 市场分析 (`kam_core::market::ANALYSIS_FIELDS`): records per
//! industry and region, and the region × industry view of our accounts and
//! revenue beside the latest analysis of each market.

use kam_core::market::{ANALYSIS_FIELDS, share_of};
use kam_core::{Actor, Record, Value};
use serde::Serialize;
use sqlx::Row;

use crate::accounts::{Page, scope_sql};
use crate::sql::{Q, columns, read_record};
use crate::write::{Also, Gone, Target};
use crate::{Result, Store, StoreError};

const TARGET: Target = Target::new("market_analyses", "market_analysis", ANALYSIS_FIELDS);

/// The most analyses the region view reads (markets are few: industries × provinces).
const MAX_ANALYSES: i64 = 5000;

#[derive(Debug, Clone, Serialize)]
pub struct Analysis {
    pub id: i64,
    #[serde(flatten)]
    pub rec: Record,
    pub created_at: String,
    pub updated_at: String,
}

/// Which analyses a list shows.
#[derive(Debug, Clone, Default)]
pub struct AnalysisFilter {
    pub industry: Option<String>,
    pub province: Option<String>,
    pub page: i64,
    pub per_page: i64,
}

/// One cell of the region × industry view: our accounts there (in the
/// reader's scope), their delivered orders in the year, and the latest
/// analysis of that market dated within the year or before.
#[derive(Debug, Clone, Serialize)]
pub struct RegionCell {
    /// Empty: accounts without a province.
    pub province: String,
    /// Empty: accounts without an industry.
    pub industry: String,
    pub accounts: i64,
    /// Delivered orders with tax dated in the year, in fen (left out for readers without money).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revenue: Option<i64>,
    pub analysis_id: Option<i64>,
    pub analysed_on: Option<String>,
    /// Left out for readers without money.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub market_size: Option<i64>,
    /// The share the analysis recorded.
    pub recorded_share_pct: Option<f64>,
    /// Revenue ÷ market size.
    pub computed_share_pct: Option<f64>,
    pub growth_pct: Option<i64>,
}

fn select() -> Q {
    Q::new(&format!(
        "SELECT m.id, {}, m.created_at, m.updated_at FROM market_analyses m WHERE 1 = 1",
        columns(ANALYSIS_FIELDS, "m")
    ))
}

fn read(r: &sqlx::any::AnyRow) -> Result<Analysis> {
    Ok(Analysis {
        id: r.try_get("id")?,
        rec: read_record(r, ANALYSIS_FIELDS)?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

impl Store {
    /// Analyses, the latest first, by industry and province if asked.
    pub async fn market_analyses(&self, _actor: &Actor, f: &AnalysisFilter) -> Result<Page<Analysis>> {
        let per_page = if f.per_page <= 0 { 50 } else { f.per_page.clamp(1, 200) };
        let page = f.page.clamp(1, crate::sql::MAX_PAGE);
        let mut q = select();
        if let Some(i) = &f.industry {
            q.push(" AND m.industry = ").arg(i.clone());
        }
        if let Some(p) = &f.province {
            q.push(" AND m.province = ").arg(p.clone());
        }
        let mut count = q.clone();
        count.sql = format!("SELECT COUNT(*) AS n FROM ({}) x", count.sql);
        let total: i64 = count.query().fetch_one(self.pool()).await?.try_get("n")?;
        q.push(" ORDER BY m.analysed_on DESC, m.id DESC LIMIT ")
            .arg(per_page)
            .push(" OFFSET ")
            .arg((page - 1) * per_page);
        let items = q.query().fetch_all(self.pool()).await?.iter().map(read).collect::<Result<_>>()?;
        Ok(Page { items, page, per_page, total })
    }

    pub async fn market_analysis(&self, _actor: &Actor, id: i64) -> Result<Analysis> {
        let mut q = select();
        q.push(" AND m.id = ").arg(id);
        read(&q.query().fetch_optional(self.pool()).await?.ok_or(StoreError::NotFound)?)
    }

    pub async fn create_market_analysis(&self, actor: &Actor, rec: Record) -> Result<Analysis> {
        crate::market::writer(actor)?;
        StoreError::check_required(ANALYSIS_FIELDS, &rec, true)?;
        self.check_not_future(&rec, "analysed_on")?;
        let mut tx = self.begin().await?;
        let id: i64 = self.insert_audited(&mut tx, TARGET.by(actor, None), &rec, Also::default()).await?;
        tx.commit().await?;
        self.market_analysis(actor, id).await
    }

    pub async fn update_market_analysis(&self, actor: &Actor, id: i64, rec: Record) -> Result<Analysis> {
        crate::market::writer(actor)?;
        let before = self.market_analysis(actor, id).await?;
        StoreError::check_required(ANALYSIS_FIELDS, &rec, false)?;
        self.check_not_future(&rec, "analysed_on")?;
        let mut tx = self.begin().await?;
        if self.update_audited(&mut tx, TARGET.by(actor, None), id, &before.rec, rec, Also::default()).await?.is_none()
        {
            return Ok(before);
        }
        tx.commit().await?;
        self.market_analysis(actor, id).await
    }

    pub async fn delete_market_analysis(&self, actor: &Actor, id: i64) -> Result<()> {
        crate::market::writer(actor)?;
        let before = self.market_analysis(actor, id).await?;
        let mut tx = self.begin().await?;
        self.delete_audited(&mut tx, TARGET.by(actor, None), id, &before.rec, Gone::Removed, &[]).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The region × industry view of `year`: two grouped reads over the
    /// accounts in scope (count; delivered revenue), and the analyses dated
    /// up to the year's end, the latest per industry and province kept.
    /// Markets analysed where we have no account yet are cells too.
    pub async fn market_regions(&self, actor: &Actor, year: i32) -> Result<Vec<RegionCell>> {
        let mut q = Q::new(
            "SELECT COALESCE(a.province, '') AS province, COALESCE(a.industry, '') AS industry, COUNT(*) AS n FROM accounts a WHERE ",
        );
        scope_sql(&mut q, actor, "a");
        q.push(" GROUP BY COALESCE(a.province, ''), COALESCE(a.industry, '')");
        let mut cells: Vec<RegionCell> = Vec::new();
        let blank = |province: String, industry: String| RegionCell {
            province,
            industry,
            accounts: 0,
            revenue: None,
            analysis_id: None,
            analysed_on: None,
            market_size: None,
            recorded_share_pct: None,
            computed_share_pct: None,
            growth_pct: None,
        };
        for r in q.query().fetch_all(self.pool()).await? {
            let mut c = blank(r.try_get("province")?, r.try_get("industry")?);
            c.accounts = r.try_get("n")?;
            cells.push(c);
        }
        let money = kam_core::ledger::can_see_money(actor);
        if money {
            let mut q = Q::new(
                "SELECT COALESCE(a.province, '') AS province, COALESCE(a.industry, '') AS industry, \
                 CAST(SUM(o.total_with_tax) AS BIGINT) AS revenue FROM orders o JOIN accounts a ON a.id = o.account_id \
                 WHERE o.status = 'delivered' AND o.order_date >= ",
            );
            q.arg(format!("{year}-01-01")).push(" AND o.order_date <= ").arg(format!("{year}-12-31")).push(" AND ");
            scope_sql(&mut q, actor, "a");
            q.push(" GROUP BY COALESCE(a.province, ''), COALESCE(a.industry, '')");
            for r in q.query().fetch_all(self.pool()).await? {
                let (p, i): (String, String) = (r.try_get("province")?, r.try_get("industry")?);
                if let Some(c) = cells.iter_mut().find(|c| c.province == p && c.industry == i) {
                    c.revenue = Some(r.try_get("revenue")?);
                }
            }
            for c in &mut cells {
                c.revenue.get_or_insert(0);
            }
        }
        // The latest analysis of each market (industry, province) up to the year's end.
        let mut q = select();
        q.push(" AND m.analysed_on <= ").arg(format!("{year}-12-31"));
        q.push(" ORDER BY m.analysed_on DESC, m.id DESC LIMIT ").arg(MAX_ANALYSES);
        let mut seen = std::collections::HashSet::new();
        for a in q.query().fetch_all(self.pool()).await?.iter().map(read) {
            let a = a?;
            let text = |f: &str| a.rec.get(f).and_then(Value::as_text).unwrap_or_default().to_string();
            let (p, i) = (text("province"), text("industry"));
            if !seen.insert((p.clone(), i.clone())) {
                continue;
            }
            let pos = match cells.iter().position(|c| c.province == p && c.industry == i) {
                Some(k) => k,
                None => {
                    let mut c = blank(p, i);
                    c.revenue = money.then_some(0);
                    cells.push(c);
                    cells.len() - 1
                }
            };
            let c = &mut cells[pos];
            c.analysis_id = Some(a.id);
            c.analysed_on = Some(text("analysed_on"));
            c.market_size = a.rec.get("market_size").and_then(Value::as_int).filter(|_| money);
            c.recorded_share_pct = match a.rec.get("our_share_pct") {
                Some(Value::Float(x)) => Some(*x),
                _ => None,
            };
            c.growth_pct = a.rec.get("growth_pct").and_then(Value::as_int);
            c.computed_share_pct = c.revenue.and_then(|r| share_of(r, c.market_size));
        }
        cells.sort_by(|a, b| {
            (a.province.is_empty(), &a.province, a.industry.is_empty(), &a.industry).cmp(&(
                b.province.is_empty(),
                &b.province,
                b.industry.is_empty(),
                &b.industry,
            ))
        });
        Ok(cells)
    }
}
