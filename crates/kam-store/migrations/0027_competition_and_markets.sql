-- 竞争对手分析: the competitor profile gains its services, prices, strategy
-- and weaknesses; the share history at each account — a competitor's share,
-- or ours (代理市场占有率) where competitor_id is NULL — one dated
-- observation per row.
-- 市场分析: market records per industry and region (province, city):
-- market size, our share, growth and trend, date and source.

ALTER TABLE competitors ADD COLUMN services TEXT;
ALTER TABLE competitors ADD COLUMN prices TEXT;
ALTER TABLE competitors ADD COLUMN strategy TEXT;
ALTER TABLE competitors ADD COLUMN weaknesses TEXT;

CREATE TABLE share_observations (
    id ${id},
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    competitor_id BIGINT REFERENCES competitors(id),
    observed_on TEXT NOT NULL,
    share_pct ${real} NOT NULL,
    source TEXT,
    note TEXT,
    created_by BIGINT REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX share_observations_account ON share_observations(account_id, observed_on);
CREATE INDEX share_observations_competitor ON share_observations(competitor_id, observed_on);

CREATE TABLE market_analyses (
    id ${id},
    industry TEXT NOT NULL,
    province TEXT,
    city TEXT,
    analysed_on TEXT NOT NULL,
    market_size BIGINT,
    our_share_pct ${real},
    growth_pct BIGINT,
    trend TEXT,
    source TEXT,
    notes TEXT,
    created_by BIGINT REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX market_analyses_region ON market_analyses(industry, province, city, analysed_on);
