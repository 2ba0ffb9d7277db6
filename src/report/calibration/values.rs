//! Names and numbers of a calibration's targets and parameters, shared by
//! its plots and page.

use crate::report::format::{self, Unit, grouped, metric_name};

/// The readable name of a target's measure: an effect metric, a
/// `timeseries.csv` column or `days_to_recover`.
pub fn measure_name(measure: &str) -> String {
    match measure.strip_suffix("_usd") {
        Some(stem) if metric_name(measure) == tidy(measure) => {
            format!("{} (USD)", metric_name(stem))
        }
        _ => metric_name(measure),
    }
}

/// What [`metric_name`] makes of an identifier it does not know.
fn tidy(id: &str) -> String {
    let words = id.replace('_', " ");
    let mut chars = words.chars();
    (chars.next())
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// A standard deviation in `unit`, unsigned (a percentage change's is in
/// percentage points).
pub fn spread(sd: f64, unit: Unit) -> String {
    match unit {
        Unit::Percent => format!("{}%", grouped(sd.abs(), 1)),
        _ => format::value(sd.abs(), unit),
    }
}

/// `v` with three significant digits (at most ten decimals), thousands
/// separators and a typographic minus: parameter values.
pub fn significant(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return "0".into();
    }
    let magnitude = v.abs().log10().floor() as i32;
    let decimals = (2 - magnitude).clamp(0, 10) as usize;
    let text = grouped(v.abs(), decimals);
    if v < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0') {
        format!("−{text}")
    } else {
        text
    }
}

/// A standardised difference with two decimals and a sign.
pub fn z_text(z: f64) -> String {
    let text = format!("{:.2}", z.abs());
    match z {
        _ if text == "0.00" => text,
        z if z < 0.0 => format!("−{text}"),
        _ => format!("+{text}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_numbers() {
        assert_eq!(measure_name("campaigns_change_pct"), "Change in campaigns");
        assert_eq!(measure_name("losses_usd"), "Losses (USD)");
        assert_eq!(
            measure_name("losses_averted_usd"),
            "Expected losses averted"
        );
        assert_eq!(measure_name("compromises"), "Compromises");
        assert_eq!(significant(0.009175534530344722), "0.00918");
        assert_eq!(significant(20.942675026807983), "20.9");
        assert_eq!(significant(-1234.5), "−1,234");
        assert_eq!(significant(0.4), "0.400");
        assert_eq!(spread(15.0, Unit::Percent), "15.0%");
        assert_eq!(spread(3000.0, Unit::Plain), "3,000");
        assert_eq!(z_text(-0.94), "−0.94");
        assert_eq!(z_text(0.5329), "+0.53");
    }
}
