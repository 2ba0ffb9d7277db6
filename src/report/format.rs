//! Number formatting, metric names and HTML escaping.

use crate::experiment::metrics;
pub use crate::experiment::metrics::Unit;

/// Readable name of a metric (see [`metrics::METRICS`]); of anything else
/// (a `timeseries.csv` column), its identifier, tidied.
pub fn metric_name(metric: &str) -> String {
    metrics::find(metric).map_or_else(|| tidy(metric), |m| m.label.to_string())
}

fn tidy(id: &str) -> String {
    let words = id.replace('_', " ");
    let mut chars = words.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// Unit of a metric (see [`metrics::METRICS`]); of anything else (a
/// `timeseries.csv` column), guessed from its name.
pub fn metric_unit(metric: &str) -> Unit {
    metrics::find(metric).map_or_else(|| guessed_unit(metric), |m| m.unit)
}

/// Unit guessed from a name's suffix (a ratio of dollars is a plain number).
fn guessed_unit(metric: &str) -> Unit {
    if metric.contains("_per_") && metric.ends_with("_usd") {
        Unit::Plain
    } else if metric.ends_with("_pct") || metric.contains("_pct_d") {
        Unit::Percent
    } else if metric.ends_with("_usd") {
        Unit::Usd
    } else if metric.ends_with("_share") {
        Unit::Share
    } else if metric.starts_with("days_") {
        Unit::Days
    } else {
        Unit::Plain
    }
}

/// The program and model that wrote a folder, `caasim 0.1.0, model version
/// 1`, from its version and model version (either "unknown" or "not
/// recorded" when the folder does not say, as in folders written before
/// caasim recorded its model version).
pub fn program(version: Option<&str>, model_version: Option<u32>) -> String {
    format!(
        "caasim {}, {}",
        version.unwrap_or("unknown"),
        model(model_version)
    )
}

/// `model version 1`, or `model version not recorded`.
pub fn model(model_version: Option<u32>) -> String {
    match model_version {
        Some(v) => format!("model version {v}"),
        None => "model version not recorded".into(),
    }
}

/// A value with its unit, for tables.
pub fn value(v: f64, unit: Unit) -> String {
    let number = bare(v, unit);
    match unit {
        Unit::Percent | Unit::Share => format!("{number}%"),
        Unit::Usd => match number.strip_prefix('−') {
            Some(magnitude) => format!("−${magnitude}"),
            None => format!("${number}"),
        },
        Unit::Days => format!("{number} days"),
        Unit::Plain => number,
    }
}

/// A value as [`value`] shows it but without its unit (`%`, `$`, `days`),
/// for tables whose header names the unit ([`unit_name`]).
pub fn bare(v: f64, unit: Unit) -> String {
    match unit {
        Unit::Percent => signed(v, 1),
        Unit::Usd => with_sign(v, "", &grouped(v.abs(), money_decimals(v))),
        Unit::Share => with_sign(v, "", &grouped(v.abs() * 100.0, 1)),
        Unit::Days => grouped(v, 1),
        Unit::Plain => with_sign(v, "", &grouped(v.abs(), plain_decimals(v))),
    }
}

/// The unit of [`bare`]'s numbers, for a table's header (`None` for plain
/// numbers).
pub fn unit_name(unit: Unit) -> Option<&'static str> {
    match unit {
        Unit::Percent | Unit::Share => Some("%"),
        Unit::Usd => Some("US$"),
        Unit::Days => Some("days"),
        Unit::Plain => None,
    }
}

/// An index (a share of variance) with three decimals and a typographic minus.
pub fn index(v: f64) -> String {
    let text = format!("{:.3}", v.abs());
    if v < 0.0 && text != "0.000" {
        format!("−{text}")
    } else {
        text
    }
}

fn money_decimals(v: f64) -> usize {
    if v.abs() >= 100.0 { 0 } else { 2 }
}

fn plain_decimals(v: f64) -> usize {
    match v.abs() {
        a if a >= 100.0 => 0,
        a if a >= 1.0 => 1,
        _ => 3,
    }
}

/// `v` always signed (+ or −), unless it rounds to zero.
fn signed(v: f64, decimals: usize) -> String {
    let text = grouped(v.abs(), decimals);
    if is_zero(&text) {
        text
    } else if v < 0.0 {
        format!("−{text}")
    } else {
        format!("+{text}")
    }
}

/// `magnitude` (the formatted absolute value of `v`) after `prefix`, both
/// after a typographic minus when `v` is negative and does not round to zero.
fn with_sign(v: f64, prefix: &str, magnitude: &str) -> String {
    let sign = if v < 0.0 && !is_zero(magnitude) {
        "−"
    } else {
        ""
    };
    format!("{sign}{prefix}{magnitude}")
}

/// Whether a formatted number (from [`grouped`]) shows only zeros.
fn is_zero(text: &str) -> bool {
    text.chars().all(|c| matches!(c, '0' | '.' | ','))
}

/// `v` with `decimals` decimals and thousands separators.
pub fn grouped(v: f64, decimals: usize) -> String {
    let text = format!("{:.*}", decimals, v.abs());
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if !frac.is_empty() {
        out.push('.');
        out.push_str(frac);
    }
    if v < 0.0 { format!("-{out}") } else { out }
}

/// Tick labels of one axis, sharing a k/M/B scale chosen from its range.
pub struct TickFormat {
    divisor: f64,
    scale: &'static str,
    decimals: usize,
    prefix: &'static str,
    suffix: &'static str,
}

impl TickFormat {
    /// Labels for an axis over `lo..hi`, e.g. `prefix` "$" or `suffix` "%".
    pub fn new(lo: f64, hi: f64, prefix: &'static str, suffix: &'static str) -> Self {
        let top = lo.abs().max(hi.abs());
        let (divisor, scale) = match top {
            t if t >= 1e9 => (1e9, "B"),
            t if t >= 1e6 => (1e6, "M"),
            t if t >= 1e4 => (1e3, "k"),
            _ => (1.0, ""),
        };
        let step = (hi - lo).abs() / divisor / 6.0;
        let decimals = match step {
            s if s >= 10.0 => 0,
            s if s >= 1.0 => 1,
            s if s >= 0.1 => 2,
            _ => 3,
        };
        Self {
            divisor,
            scale,
            decimals,
            prefix,
            suffix,
        }
    }

    /// The label of a tick at `v`.
    pub fn label(&self, v: f64) -> String {
        let text = grouped((v / self.divisor).abs(), self.decimals);
        let text = if text.contains('.') {
            text.trim_end_matches('0').trim_end_matches('.')
        } else {
            &text
        };
        let scale = if is_zero(text) { "" } else { self.scale };
        let number = with_sign(v, self.prefix, &format!("{text}{scale}"));
        format!("{number}{}", self.suffix)
    }
}

/// Escapes text for HTML content and attribute values.
pub fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// `text` with characters other than letters, digits, `_` and `-`
/// replaced by `-`, for file names.
pub fn file_part(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// A duration in seconds as "7.5 s", "2 min 3 s" or "1 h 2 min".
pub fn duration(seconds: f64) -> String {
    if seconds < 60.0 {
        return format!("{:.1} s", seconds.max(0.0));
    }
    let total = seconds.round() as u64;
    if total < 3600 {
        format!("{} min {} s", total / 60, total % 60)
    } else {
        format!("{} h {} min", total / 3600, total % 3600 / 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_values_are_the_values_without_their_units() {
        assert_eq!(bare(-17.04, Unit::Percent), "−17.0");
        assert_eq!(bare(-9.6, Unit::Usd), "−9.60");
        assert_eq!(bare(4_500_000.0, Unit::Usd), "4,500,000");
        assert_eq!(bare(0.674, Unit::Share), "67.4");
        assert_eq!(bare(12.0, Unit::Days), "12.0");
        assert_eq!(unit_name(Unit::Usd), Some("US$"));
        assert_eq!(index(-0.0004), "0.000");
        assert_eq!(index(-0.012), "−0.012");
    }

    #[test]
    fn formats_values() {
        assert_eq!(value(-17.04, Unit::Percent), "−17.0%");
        assert_eq!(value(0.01, Unit::Percent), "0.0%");
        assert_eq!(value(4_500_000.0, Unit::Usd), "$4,500,000");
        assert_eq!(value(-9.6, Unit::Usd), "−$9.60");
        assert_eq!(value(0.674, Unit::Share), "67.4%");
        assert_eq!(value(640.0, Unit::Plain), "640");
        assert_eq!(metric_unit("losses_averted_per_defender_usd"), Unit::Plain);
        assert_eq!(metric_unit("losses_averted_usd"), Unit::Usd);
        assert_eq!(value(-0.0001, Unit::Plain), "0.000");
        assert_eq!(value(-0.001, Unit::Usd), "$0.00");
        assert_eq!(value(-1234.5, Unit::Plain), "−1,234");
    }

    #[test]
    fn each_metric_declares_the_unit_its_name_suggests() {
        for m in metrics::METRICS {
            assert_eq!(m.unit, guessed_unit(m.name), "{}", m.name);
            assert_eq!(metric_unit(m.name), m.unit, "{}", m.name);
        }
        assert_eq!(metric_unit("losses_usd"), Unit::Usd);
        assert_eq!(metric_name("losses_usd"), "Losses usd");
    }

    #[test]
    fn ticks_share_a_scale() {
        let usd = TickFormat::new(0.0, 23_000.0, "$", "");
        assert_eq!(usd.label(0.0), "$0");
        assert_eq!(TickFormat::new(0.0, 6.5e6, "$", "").label(2e6), "$2M");
        assert_eq!(usd.label(5_000.0), "$5k");
        assert_eq!(usd.label(-2_500.0), "−$2.5k");
        let pct = TickFormat::new(-23.0, 1.0, "", "%");
        assert_eq!(pct.label(-20.0), "−20%");
        assert_eq!(TickFormat::new(0.0, 2_200.0, "", "").label(1500.0), "1,500");
        assert_eq!(TickFormat::new(0.0, 1.0, "", "").label(0.25), "0.25");
        assert_eq!(TickFormat::new(0.0, 3e6, "", "").label(2.5e6), "2.5M");
    }

    #[test]
    fn escapes_html() {
        assert_eq!(
            html("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
