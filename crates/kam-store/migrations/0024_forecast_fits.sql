-- Sales forecasts 销售预测: each fit of the BG/NBD model on the instance's
-- order history, kept (append-only); the newest is the one in use.

CREATE TABLE forecast_fits (
    id ${id},
    fitted_at TEXT NOT NULL,
    calibration_end TEXT NOT NULL,
    status TEXT NOT NULL,
    r ${real},
    alpha ${real},
    a ${real},
    b ${real},
    log_likelihood ${real},
    accounts BIGINT NOT NULL,
    repeat_accounts BIGINT NOT NULL,
    iterations BIGINT NOT NULL,
    fitted_by BIGINT REFERENCES users(id)
);
CREATE INDEX forecast_fits_newest ON forecast_fits(fitted_at);
