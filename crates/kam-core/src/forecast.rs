//! Sales forecasts 销售预测: the BG/NBD model of Fader, Hardie & Lee (2005),
//! "Counting your customers the easy way", fitted by maximum likelihood on the
//! instance's own order history, and the plainer forecast from the same
//! period last year.
//!
//! Each account is a customer with `x` repeat orders (order days after the
//! first), the time `t_x` of its last order and its age `t`, both counted from
//! its first order in weeks. While active, an account orders as a Poisson
//! process with rate λ ~ Gamma(r, α); after each order it drops out with
//! probability p ~ Beta(a, b). The fit maximises the log-likelihood (paper
//! eq. 6) over ln r, ln α, ln a, ln b by Nelder–Mead; from it come each
//! account's probability of still being active (P(alive), eq. 12 of the
//! note "Computing P(alive) using the BG/NBD model") and its expected orders in
//! the next `horizon` weeks (eq. 10).
//!
//! Nelder–Mead is written out here (about forty lines) rather than taken from
//! an optimisation crate: four parameters, one objective, and no dependency
//! tree in the domain crate. ln Γ comes from `libm`.

use serde::Serialize;

/// One account's order history in the model's terms (weeks).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct History {
    /// Repeat orders: order days after the first.
    pub x: f64,
    /// Weeks from the first order to the last.
    pub t_x: f64,
    /// Weeks from the first order to the end of the calibration period.
    pub t: f64,
}

impl History {
    /// From distinct order days, as days since an epoch, and the calibration end (same epoch).
    /// None without an order on or before the end.
    pub fn from_days(first: i64, last: i64, order_days: i64, end: i64) -> Option<History> {
        if order_days < 1 || first > end || last < first {
            return None;
        }
        let last = last.min(end);
        Some(History { x: (order_days - 1) as f64, t_x: (last - first) as f64 / 7.0, t: (end - first) as f64 / 7.0 })
    }
}

/// The model's four parameters.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Params {
    pub r: f64,
    pub alpha: f64,
    pub a: f64,
    pub b: f64,
}

/// A fit: the parameters, the log-likelihood they reach, the data they came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fit {
    pub params: Params,
    pub log_likelihood: f64,
    /// Accounts in the fit, and how many of them ordered more than once.
    pub accounts: usize,
    pub repeat_accounts: usize,
    pub iterations: usize,
}

/// Why there is no fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NoFit {
    /// Fewer accounts with orders than `MIN_ACCOUNTS`, or fewer repeat buyers than `MIN_REPEAT`.
    TooShort,
    /// The likelihood did not settle on finite parameters.
    NoConvergence,
}

/// The least history a fit is made from: accounts with an order, and accounts with a repeat order.
pub const MIN_ACCOUNTS: usize = 20;
pub const MIN_REPEAT: usize = 5;

fn ln_gamma(x: f64) -> f64 {
    libm::lgamma(x)
}

fn ln_beta(a: f64, b: f64) -> f64 {
    ln_gamma(a) + ln_gamma(b) - ln_gamma(a + b)
}

/// ln of one account's likelihood under `p` (Fader, Hardie & Lee 2005, eq. 6).
pub fn log_likelihood(p: &Params, h: &History) -> f64 {
    let Params { r, alpha, a, b } = *p;
    let x = h.x;
    let a1 = ln_gamma(r + x) - ln_gamma(r) + r * alpha.ln();
    let a2 = ln_beta(a, b + x) - ln_beta(a, b);
    let a3 = -(r + x) * (alpha + h.t).ln();
    if x > 0.0 {
        let a4 = (a / (b + x - 1.0)).ln() - (r + x) * (alpha + h.t_x).ln();
        let m = a3.max(a4);
        a1 + a2 + m + ((a3 - m).exp() + (a4 - m).exp()).ln()
    } else {
        a1 + a2 + a3
    }
}

/// The summed log-likelihood of a sample.
pub fn total_log_likelihood(p: &Params, sample: &[History]) -> f64 {
    sample.iter().map(|h| log_likelihood(p, h)).sum()
}

/// The probability that an account with history `h` is still active.
pub fn p_alive(p: &Params, h: &History) -> f64 {
    if h.x <= 0.0 {
        return 1.0;
    }
    let Params { r, alpha, a, b } = *p;
    let odds = (a / (b + h.x - 1.0)) * ((alpha + h.t) / (alpha + h.t_x)).powf(r + h.x);
    1.0 / (1.0 + odds)
}

/// The expected orders of an account with history `h` in the next `horizon` weeks (eq. 10).
pub fn expected_orders(p: &Params, h: &History, horizon: f64) -> f64 {
    let Params { r, alpha, a, b } = *p;
    let x = h.x;
    if horizon <= 0.0 {
        return 0.0;
    }
    // The closed form divides by a − 1: at exactly 1 take its neighbour (the function is continuous there).
    let a = if (a - 1.0).abs() < 1e-9 { 1.0 + 1e-9 } else { a };
    let z = horizon / (alpha + h.t + horizon);
    let f = hyp2f1(r + x, b + x, a + b + x - 1.0, z);
    let lead = (a + b + x - 1.0) / (a - 1.0);
    let num = lead * (1.0 - ((alpha + h.t) / (alpha + h.t + horizon)).powf(r + x) * f);
    let den = if x > 0.0 { 1.0 + (a / (b + x - 1.0)) * ((alpha + h.t) / (alpha + h.t_x)).powf(r + x) } else { 1.0 };
    num / den
}

/// The Gaussian hypergeometric function ₂F₁(a, b; c; z) for 0 ≤ z < 1, by its series.
pub fn hyp2f1(a: f64, b: f64, c: f64, z: f64) -> f64 {
    let (mut term, mut sum) = (1.0f64, 1.0f64);
    for n in 0..10_000 {
        let n = n as f64;
        term *= (a + n) * (b + n) / ((c + n) * (n + 1.0)) * z;
        sum += term;
        if term.abs() < 1e-14 * sum.abs() {
            break;
        }
    }
    sum
}

/// Fits the model to `sample` by maximum likelihood.
pub fn fit(sample: &[History]) -> Result<Fit, NoFit> {
    let repeat = sample.iter().filter(|h| h.x > 0.0).count();
    if sample.len() < MIN_ACCOUNTS || repeat < MIN_REPEAT {
        return Err(NoFit::TooShort);
    }
    let objective = |v: &[f64; 4]| {
        let p = Params { r: v[0].exp(), alpha: v[1].exp(), a: v[2].exp(), b: v[3].exp() };
        let ll = total_log_likelihood(&p, sample);
        if ll.is_finite() { -ll } else { f64::INFINITY }
    };
    // From r = α = a = b = 1, restarted from the best point until it stops moving.
    let mut start = [0.0; 4];
    let mut iterations = 0;
    let mut best = f64::INFINITY;
    for _ in 0..6 {
        let (point, value, n) = nelder_mead(&objective, start, 0.5, 4_000);
        iterations += n;
        let settled = (best - value).abs() < 1e-9 * value.abs().max(1.0);
        start = point;
        best = value;
        if settled {
            break;
        }
    }
    let params = Params { r: start[0].exp(), alpha: start[1].exp(), a: start[2].exp(), b: start[3].exp() };
    let finite = [params.r, params.alpha, params.a, params.b].iter().all(|v| v.is_finite() && *v > 0.0);
    if !best.is_finite() || !finite {
        return Err(NoFit::NoConvergence);
    }
    Ok(Fit { params, log_likelihood: -best, accounts: sample.len(), repeat_accounts: repeat, iterations })
}

/// Minimises `f` from `start` with a simplex of side `step`; (point, value, iterations).
fn nelder_mead(f: &impl Fn(&[f64; 4]) -> f64, start: [f64; 4], step: f64, max_iter: usize) -> ([f64; 4], f64, usize) {
    const N: usize = 4;
    let mut simplex: Vec<([f64; N], f64)> = (0..=N)
        .map(|i| {
            let mut p = start;
            if i > 0 {
                p[i - 1] += step;
            }
            (p, f(&p))
        })
        .collect();
    let lerp = |from: &[f64; N], to: &[f64; N], t: f64| -> [f64; N] {
        std::array::from_fn(|k| from[k] + t * (to[k] - from[k]))
    };
    for iter in 0..max_iter {
        simplex.sort_by(|x, y| x.1.total_cmp(&y.1));
        let (lo, hi) = (simplex[0].1, simplex[N].1);
        if (hi - lo).abs() <= 1e-10 * (lo.abs() + hi.abs()).max(1e-12) {
            return (simplex[0].0, lo, iter);
        }
        let centroid: [f64; N] =
            std::array::from_fn(|k| simplex[..N].iter().map(|(p, _)| p[k]).sum::<f64>() / N as f64);
        let worst = simplex[N].0;
        let reflected = lerp(&centroid, &worst, -1.0);
        let fr = f(&reflected);
        if fr < simplex[0].1 {
            let expanded = lerp(&centroid, &worst, -2.0);
            let fe = f(&expanded);
            simplex[N] = if fe < fr { (expanded, fe) } else { (reflected, fr) };
        } else if fr < simplex[N - 1].1 {
            simplex[N] = (reflected, fr);
        } else {
            let contracted =
                if fr < simplex[N].1 { lerp(&centroid, &reflected, 0.5) } else { lerp(&centroid, &worst, 0.5) };
            let fc = f(&contracted);
            if fc < fr.min(simplex[N].1) {
                simplex[N] = (contracted, fc);
            } else {
                let best = simplex[0].0;
                for s in simplex.iter_mut().skip(1) {
                    s.0 = lerp(&best, &s.0, 0.5);
                    s.1 = f(&s.0);
                }
            }
        }
    }
    simplex.sort_by(|x, y| x.1.total_cmp(&y.1));
    (simplex[0].0, simplex[0].1, max_iter)
}

/// The plainer forecast: the same period last year times the trend of the
/// last twelve months against the twelve before them (1 when either is empty).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LastYear {
    /// The amount in the same period a year earlier (fen).
    pub same_period_last_year: i64,
    /// Last twelve months' amount over the twelve before (None without both).
    pub trend: Option<f64>,
    /// The forecast (fen).
    pub forecast: i64,
}

pub fn last_year(same_period_last_year: i64, last_12: i64, previous_12: i64) -> LastYear {
    let trend = (last_12 > 0 && previous_12 > 0).then(|| last_12 as f64 / previous_12 as f64);
    let forecast = (same_period_last_year as f64 * trend.unwrap_or(1.0)).round() as i64;
    LastYear { same_period_last_year, trend, forecast }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The CDNOW sample of the paper: 2,357 customers, weeks, as (x, t_x, T).
    fn cdnow() -> Vec<History> {
        include_str!("../tests/data/cdnow_customers_summary.csv")
            .lines()
            .skip(1)
            .map(|l| {
                let f: Vec<f64> = l.split(',').skip(1).map(|v| v.parse().unwrap()).collect();
                History { x: f[0], t_x: f[1], t: f[2] }
            })
            .collect()
    }

    #[test]
    fn the_published_cdnow_fit_is_reproduced() {
        let sample = cdnow();
        assert_eq!(sample.len(), 2357);
        let fit = fit(&sample).unwrap();
        let p = fit.params;
        // Fader, Hardie & Lee (2005): r = 0.243, α = 4.414, a = 0.793, b = 2.426, LL = −9582.4.
        for (got, want, name) in [(p.r, 0.243, "r"), (p.alpha, 4.414, "alpha"), (p.a, 0.793, "a"), (p.b, 2.426, "b")] {
            assert!((got - want).abs() / want < 0.01, "{name}: {got} against {want}");
        }
        assert!((fit.log_likelihood + 9582.4).abs() < 0.5, "{}", fit.log_likelihood);
        assert_eq!(fit.accounts, 2357);
    }

    #[test]
    fn the_papers_customer_figures_follow_from_the_fit() {
        // The paper's parameters; a customer with x = 2, t_x = 30.43, T = 38.86 (CDNOW's first).
        let p = Params { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
        let h = History { x: 2.0, t_x: 30.43, t: 38.86 };
        // Hand-computed: odds = 0.793/3.426 · (43.274/34.844)^2.243 = 0.23146 · 1.6260 = 0.37636.
        assert!((p_alive(&p, &h) - 1.0 / 1.376_36).abs() < 1e-3, "{}", p_alive(&p, &h));
        // A customer without repeat orders is alive for sure in the model.
        assert_eq!(p_alive(&p, &History { x: 0.0, t_x: 0.0, t: 30.0 }), 1.0);
        // The paper's worked example: 1.226 expected orders in the next 39 weeks.
        let e39 = expected_orders(&p, &h, 39.0);
        assert!((e39 - 1.226).abs() < 0.005, "{e39}");
        // They grow with the horizon and are zero for none.
        let e78 = expected_orders(&p, &h, 78.0);
        assert!(e39 > 0.0 && e78 > e39, "{e39} {e78}");
        assert_eq!(expected_orders(&p, &h, 0.0), 0.0);
        // ₂F₁ against known values: ₂F₁(1, 1; 2; z) = −ln(1 − z)/z.
        let z: f64 = 0.5;
        assert!((hyp2f1(1.0, 1.0, 2.0, z) - (-(1.0 - z).ln() / z)).abs() < 1e-12);
    }

    /// A seeded generator (SplitMix64) and the distributions the model draws from.
    struct Rng(u64);
    impl Rng {
        fn uniform(&mut self) -> f64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
        }
        fn normal(&mut self) -> f64 {
            let (u, v) = (self.uniform().max(1e-300), self.uniform());
            (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
        }
        /// Gamma(shape, 1) by Marsaglia & Tsang (boosted below shape 1).
        fn gamma(&mut self, shape: f64) -> f64 {
            if shape < 1.0 {
                return self.gamma(shape + 1.0) * self.uniform().max(1e-300).powf(1.0 / shape);
            }
            let d = shape - 1.0 / 3.0;
            let c = 1.0 / (9.0 * d).sqrt();
            loop {
                let x = self.normal();
                let v = (1.0 + c * x).powi(3);
                if v > 0.0 && self.uniform().ln() < 0.5 * x * x + d - d * v + d * v.ln() {
                    return d * v;
                }
            }
        }
        fn beta(&mut self, a: f64, b: f64) -> f64 {
            let (x, y) = (self.gamma(a), self.gamma(b));
            x / (x + y)
        }
    }

    /// Customers drawn from the model with `p`, each watched for `weeks`.
    fn simulate(p: &Params, n: usize, weeks: f64, seed: u64) -> Vec<History> {
        let mut rng = Rng(seed);
        (0..n)
            .map(|_| {
                let lambda = rng.gamma(p.r) / p.alpha;
                let drop = rng.beta(p.a, p.b);
                let (mut now, mut x, mut last) = (0.0, 0.0, 0.0);
                loop {
                    now += -rng.uniform().max(1e-300).ln() / lambda;
                    if now > weeks {
                        break;
                    }
                    x += 1.0;
                    last = now;
                    if rng.uniform() < drop {
                        break;
                    }
                }
                History { x, t_x: last, t: weeks }
            })
            .collect()
    }

    #[test]
    fn a_fit_recovers_the_parameters_it_was_simulated_with() {
        // Tolerance: each parameter within 20 % with 10,000 accounts watched for two years.
        let truth = Params { r: 0.8, alpha: 6.0, a: 1.2, b: 3.5 };
        let sample = simulate(&truth, 10_000, 104.0, 7);
        let fit = fit(&sample).unwrap();
        let p = fit.params;
        for (got, want, name) in
            [(p.r, truth.r, "r"), (p.alpha, truth.alpha, "alpha"), (p.a, truth.a, "a"), (p.b, truth.b, "b")]
        {
            assert!((got - want).abs() / want < 0.2, "{name}: {got} against {want} ({p:?})");
        }
        // The fit is at least as likely as the truth (it is the maximum).
        assert!(fit.log_likelihood >= total_log_likelihood(&truth, &sample) - 1e-6);
    }

    #[test]
    fn too_little_history_gives_no_fit() {
        let few: Vec<History> = (0..10).map(|i| History { x: i as f64, t_x: i as f64, t: 20.0 }).collect();
        assert_eq!(fit(&few), Err(NoFit::TooShort));
        let no_repeat: Vec<History> = (0..50).map(|_| History { x: 0.0, t_x: 0.0, t: 20.0 }).collect();
        assert_eq!(fit(&no_repeat), Err(NoFit::TooShort));
    }

    #[test]
    fn histories_come_from_order_days() {
        // First order on day 0, last on day 70, 4 order days, calibration ends on day 140.
        assert_eq!(History::from_days(0, 70, 4, 140), Some(History { x: 3.0, t_x: 10.0, t: 20.0 }));
        assert_eq!(History::from_days(150, 150, 1, 140), None, "first order after the end");
        assert_eq!(History::from_days(0, 0, 0, 140), None);
    }

    #[test]
    fn last_years_forecast_takes_the_trend() {
        // ¥1,000 in the period last year; the last twelve months ¥12,000 against ¥10,000: ×1.2.
        let f = last_year(100_000, 1_200_000, 1_000_000);
        assert_eq!(f.forecast, 120_000);
        assert_eq!(f.trend, Some(1.2));
        // No trend without both years: the same as last year.
        assert_eq!(last_year(100_000, 50, 0).forecast, 100_000);
        assert_eq!(last_year(0, 0, 0).forecast, 0);
    }
}
