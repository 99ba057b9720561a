//! Charts drawn by the server as SVG (no script, print as they show): a radar
//! of several series over the same axes, and lines over the months. Every
//! text is escaped; colours come from one palette so a series keeps its
//! colour across the charts of one page.

use std::fmt::Write;

/// Series colours, in order.
pub const PALETTE: [&str; 6] = ["#1f6feb", "#d1242f", "#1a7f37", "#bf8700", "#8250df", "#0a7ea4"];

/// Text safe inside SVG markup and attributes.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// One series: its name and one value per axis (None drawn at the centre).
pub struct Series<'a> {
    pub name: &'a str,
    pub values: &'a [Option<f64>],
}

/// A radar over `axes` (labels clockwise from the top), rings at 1 … `max`.
pub fn radar(title: &str, axes: &[String], max: f64, series: &[Series<'_>]) -> String {
    let (w, h, cx, cy, r) = (560.0, 520.0, 280.0, 250.0, 170.0);
    let n = axes.len().max(1) as f64;
    let point = |i: usize, v: f64| {
        let a = std::f64::consts::TAU * i as f64 / n - std::f64::consts::FRAC_PI_2;
        let k = (v / max).clamp(0.0, 1.0) * r;
        (cx + k * a.cos(), cy + k * a.sin())
    };
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart radar" role="img" viewBox="0 0 {w} {h}" xmlns="http://www.w3.org/2000/svg" font-family="WenQuanYi Micro Hei, Microsoft YaHei, PingFang SC, sans-serif"><title>{}</title>"#,
        esc(title)
    );
    for ring in 1..=(max as usize) {
        let pts: Vec<String> = (0..axes.len())
            .map(|i| {
                let (x, y) = point(i, ring as f64);
                format!("{x:.1},{y:.1}")
            })
            .collect();
        let _ = write!(s, r##"<polygon points="{}" fill="none" stroke="#d0d7de" stroke-width="1"/>"##, pts.join(" "));
        let (x, y) = point(0, ring as f64);
        let _ =
            write!(s, r##"<text x="{:.1}" y="{:.1}" font-size="10" fill="#57606a">{ring}</text>"##, x + 3.0, y + 3.0);
    }
    for (i, label) in axes.iter().enumerate() {
        let (x, y) = point(i, max);
        let _ = write!(s, r##"<line x1="{cx}" y1="{cy}" x2="{x:.1}" y2="{y:.1}" stroke="#d0d7de" stroke-width="1"/>"##);
        let (lx, ly) = point(i, max * 1.12);
        let anchor = if (lx - cx).abs() < 8.0 {
            "middle"
        } else if lx > cx {
            "start"
        } else {
            "end"
        };
        let _ = write!(
            s,
            r##"<text x="{lx:.1}" y="{:.1}" font-size="11" text-anchor="{anchor}" fill="#24292f">{}</text>"##,
            ly + 4.0,
            esc(label)
        );
    }
    for (k, se) in series.iter().enumerate() {
        let colour = PALETTE[k % PALETTE.len()];
        let pts: Vec<String> = (0..axes.len())
            .map(|i| {
                let (x, y) = point(i, se.values.get(i).copied().flatten().unwrap_or(0.0));
                format!("{x:.1},{y:.1}")
            })
            .collect();
        let _ = write!(
            s,
            r#"<polygon class="series" points="{}" fill="{colour}" fill-opacity="0.12" stroke="{colour}" stroke-width="2"><title>{}</title></polygon>"#,
            pts.join(" "),
            esc(se.name)
        );
    }
    legend(&mut s, series.iter().map(|x| x.name), 14.0, h - 14.0);
    s.push_str("</svg>");
    s
}

/// A row of coloured names.
fn legend<'a>(s: &mut String, names: impl Iterator<Item = &'a str>, x0: f64, y: f64) {
    let mut x = x0;
    for (k, name) in names.enumerate() {
        let colour = PALETTE[k % PALETTE.len()];
        let _ = write!(s, r#"<rect x="{x:.1}" y="{:.1}" width="12" height="12" fill="{colour}"/>"#, y - 10.0);
        let _ =
            write!(s, r##"<text x="{:.1}" y="{y:.1}" font-size="12" fill="#24292f">{}</text>"##, x + 16.0, esc(name));
        x += 28.0 + 13.0 * name.chars().count().min(12) as f64;
    }
}

/// Five horizontal rules from 0 to `top_value` between `x.0` and `x.1`, each with its value.
fn grid(s: &mut String, x: (f64, f64), top_value: f64, y_of: &dyn Fn(f64) -> f64, label: &dyn Fn(f64) -> String) {
    let (left, right) = x;
    for k in 0..=4 {
        let v = top_value * k as f64 / 4.0;
        let y = y_of(v);
        let _ = write!(s, r##"<line x1="{left}" y1="{y:.1}" x2="{right:.1}" y2="{y:.1}" stroke="#eaeef2"/>"##);
        let _ = write!(
            s,
            r##"<text x="{:.1}" y="{:.1}" font-size="10" text-anchor="end" fill="#57606a">{}</text>"##,
            left - 4.0,
            y + 3.0,
            label(v)
        );
    }
}

/// Lines over `labels` (the months), from 0 to the largest value.
pub fn lines(title: &str, labels: &[String], series: &[Series<'_>]) -> String {
    let (w, h, left, right, top, bottom) = (560.0, 260.0, 44.0, 16.0, 16.0, 56.0);
    let top_value = series.iter().flat_map(|s| s.values.iter().flatten()).fold(0.0f64, |a, b| a.max(*b)).max(1.0);
    let n = labels.len().max(2) as f64;
    let x_of = |i: usize| left + (w - left - right) * i as f64 / (n - 1.0);
    let y_of = |v: f64| top + (h - top - bottom) * (1.0 - v / top_value);
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart lines" role="img" viewBox="0 0 {w} {h}" xmlns="http://www.w3.org/2000/svg" font-family="WenQuanYi Micro Hei, Microsoft YaHei, PingFang SC, sans-serif"><title>{}</title>"#,
        esc(title)
    );
    grid(&mut s, (left, w - right), top_value, &y_of, &|v| format!("{v:.0}"));
    for (i, l) in labels.iter().enumerate() {
        let _ = write!(
            s,
            r##"<text x="{:.1}" y="{:.1}" font-size="10" text-anchor="middle" fill="#57606a">{}</text>"##,
            x_of(i),
            h - bottom + 14.0,
            esc(l)
        );
    }
    for (k, se) in series.iter().enumerate() {
        let colour = PALETTE[k % PALETTE.len()];
        // A gap where a month has no value: each run of values is its own line.
        let mut run: Vec<String> = Vec::new();
        let flush = |run: &mut Vec<String>, s: &mut String| {
            if run.len() > 1 {
                let _ = write!(
                    s,
                    r#"<polyline points="{}" fill="none" stroke="{colour}" stroke-width="2"/>"#,
                    run.join(" ")
                );
            }
            run.clear();
        };
        for (i, v) in se.values.iter().enumerate() {
            match v {
                Some(v) => {
                    let (x, y) = (x_of(i), y_of(*v));
                    run.push(format!("{x:.1},{y:.1}"));
                    let _ = write!(
                        s,
                        r#"<circle cx="{x:.1}" cy="{y:.1}" r="3" fill="{colour}"><title>{}: {v}</title></circle>"#,
                        esc(se.name)
                    );
                }
                None => flush(&mut run, &mut s),
            }
        }
        flush(&mut run, &mut s);
    }
    legend(&mut s, series.iter().map(|x| x.name), left, h - 12.0);
    s.push_str("</svg>");
    s
}

/// Grouped bars over `labels` (one group per label, one bar per series),
/// from 0 to the largest value; `unit` is written after each value in the
/// bars' tooltips. A missing value draws no bar.
pub fn bars(title: &str, labels: &[String], series: &[Series<'_>], unit: &str) -> String {
    let (w, h, left, right, top, bottom) = (560.0, 260.0, 56.0, 16.0, 16.0, 64.0);
    let top_value = nice_top(series.iter().flat_map(|s| s.values.iter().flatten()).fold(0.0f64, |a, b| a.max(*b)));
    let groups = labels.len().max(1) as f64;
    let slot = (w - left - right) / groups;
    let per = series.len().max(1) as f64;
    let bar_w = (slot * 0.8 / per).min(40.0);
    let y_of = |v: f64| top + (h - top - bottom) * (1.0 - v / top_value);
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart bars" role="img" viewBox="0 0 {w} {h}" xmlns="http://www.w3.org/2000/svg" font-family="WenQuanYi Micro Hei, Microsoft YaHei, PingFang SC, sans-serif"><title>{}</title>"#,
        esc(title)
    );
    grid(&mut s, (left, w - right), top_value, &y_of, &short_number);
    for (i, l) in labels.iter().enumerate() {
        let cx = left + slot * (i as f64 + 0.5);
        let text: String = l.chars().take(8).collect();
        let _ = write!(
            s,
            r##"<text x="{cx:.1}" y="{:.1}" font-size="10" text-anchor="middle" fill="#57606a">{}</text>"##,
            h - bottom + 14.0,
            esc(&text)
        );
        let start = cx - bar_w * per / 2.0;
        for (k, se) in series.iter().enumerate() {
            if let Some(v) = se.values.get(i).copied().flatten() {
                let y = y_of(v.max(0.0));
                let _ = write!(
                    s,
                    r#"<rect class="bar" x="{:.1}" y="{y:.1}" width="{:.1}" height="{:.1}" fill="{}"><title>{} · {}: {}{}</title></rect>"#,
                    start + bar_w * k as f64,
                    (bar_w - 2.0).max(1.0),
                    (h - bottom - y).max(0.0),
                    PALETTE[k % PALETTE.len()],
                    esc(l),
                    esc(se.name),
                    short_number(v),
                    esc(unit)
                );
            }
        }
    }
    legend(&mut s, series.iter().map(|x| x.name), left, h - 12.0);
    s.push_str("</svg>");
    s
}

/// The axis top: four equal steps of 1, 2 or 5 × a power of ten that reach `max`.
fn nice_top(max: f64) -> f64 {
    let raw = (max / 4.0).max(1.0);
    let p = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0].into_iter().map(|m| m * p).find(|s| *s >= raw - 1e-9).unwrap_or(10.0 * p);
    step * 4.0
}

/// A value for an axis: whole numbers, thousands as 万 above 10,000.
fn short_number(v: f64) -> String {
    if v.abs() >= 10_000.0 { format!("{:.1}万", v / 10_000.0) } else { format!("{v:.0}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_escaped_and_every_series_is_drawn() {
        let axes: Vec<String> = (1..=25).map(|i| format!("{i} 因素")).collect();
        let a = [Some(4.0); 25];
        let b = [None; 25];
        let svg = radar(
            "对比",
            &axes,
            4.0,
            &[Series { name: "<script>甲</script>", values: &a }, Series { name: "乙", values: &b }],
        );
        assert!(!svg.contains("<script>"), "{svg}");
        assert!(svg.contains("&lt;script&gt;甲"));
        assert_eq!(svg.matches(r#"class="series""#).count(), 2);
        assert!(svg.contains("25 因素"));
        // A full score reaches the outer ring: the first axis points straight up, r = 170 above the centre.
        assert!(svg.contains(r#"points="280.0,80.0"#), "{svg}");
        let months: Vec<String> = (1..=12).map(|m| format!("{m}月")).collect();
        let mut v = [None; 12];
        v[0] = Some(10.0);
        v[1] = Some(20.0);
        v[5] = Some(15.0);
        let l = lines("趋势", &months, &[Series { name: "甲", values: &v }]);
        assert_eq!(l.matches("<polyline").count(), 1, "June stands alone after a gap");
        assert_eq!(l.matches("<circle").count(), 3);
        let labels: Vec<String> = ["张伟", "<b>"].iter().map(|s| s.to_string()).collect();
        let b = bars(
            "目标",
            &labels,
            &[
                Series { name: "目标", values: &[Some(100.0), Some(50.0)] },
                Series { name: "实际", values: &[Some(25.0), None] },
            ],
            "元",
        );
        assert_eq!(b.matches(r#"class="bar""#).count(), 3, "a missing value draws no bar");
        assert!(b.contains("&lt;b&gt;") && !b.contains("<b>"));
        assert_eq!((nice_top(0.0), nice_top(3.0), nice_top(9.0), nice_top(1234.0)), (4.0, 4.0, 20.0, 2000.0));
    }
}
