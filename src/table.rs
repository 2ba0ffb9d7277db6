//! Cells of the CSV tables caasim writes: how a number is formatted, and a
//! table's columns declared once as (name, value) pairs, so that a header and
//! its rows cannot fall out of step.
//!
//! A record type declares `&[Column<Record>]`; [`header`] gives the names in
//! order and [`cells`] one formatted row. Adding a column is one line in that
//! list (and its description in docs/RESULTS.md).

/// A value of one cell (text borrowed from its record).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value<'a> {
    /// A count, written as a whole number.
    Count(u64),
    /// A number, written in shortest round-trip form.
    Num(f64),
    /// A number that may be undefined (written as an empty cell).
    Opt(Option<f64>),
    /// Text, written as it is.
    Text(&'a str),
}

impl Value<'_> {
    /// The cell as written in a CSV file.
    pub fn cell(self) -> String {
        match self {
            Value::Count(v) => v.to_string(),
            Value::Num(v) => num(v),
            Value::Opt(v) => opt(v),
            Value::Text(v) => v.to_string(),
        }
    }

    /// The value as a number, `None` when undefined or not finite (what
    /// reading the written cell back as a number gives).
    pub fn as_f64(self) -> Option<f64> {
        match self {
            Value::Count(v) => Some(v as f64),
            Value::Num(v) | Value::Opt(Some(v)) if v.is_finite() => Some(v),
            Value::Num(_) | Value::Opt(_) => None,
            Value::Text(v) => v.parse().ok().filter(|v: &f64| v.is_finite()),
        }
    }
}

/// One column of a table of records `R`: its name and how a record fills it.
pub struct Column<R> {
    /// Column name in the header.
    pub name: &'static str,
    /// The cell's value for a record.
    pub value: fn(&R) -> Value<'_>,
}

// A column is a name and a function pointer, so it copies whatever `R` is.
impl<R> Clone for Column<R> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<R> Copy for Column<R> {}

/// The column names, in order.
pub fn header<R>(columns: &[Column<R>]) -> impl Iterator<Item = &'static str> + '_ {
    columns.iter().map(|c| c.name)
}

/// One record as a JSON object keyed by column name: counts and numbers as
/// JSON numbers, an undefined value as `null`, text as a string.
pub fn json_object<R>(columns: &[Column<R>], record: &R) -> serde_json::Value {
    let object: serde_json::Map<String, serde_json::Value> = columns
        .iter()
        .map(|c| {
            let value = match (c.value)(record) {
                Value::Count(v) => serde_json::Value::from(v),
                Value::Num(v) | Value::Opt(Some(v)) => serde_json::Value::from(v),
                Value::Opt(None) => serde_json::Value::Null,
                Value::Text(v) => serde_json::Value::from(v),
            };
            (c.name.to_string(), value)
        })
        .collect();
    serde_json::Value::Object(object)
}

/// One record's cells, formatted, in column order.
pub fn cells<'a, R>(columns: &'a [Column<R>], record: &'a R) -> impl Iterator<Item = String> + 'a {
    columns.iter().map(move |c| (c.value)(record).cell())
}

/// A float in shortest round-trip form; non-finite values (never expected) become empty.
pub fn num(value: f64) -> String {
    if value.is_finite() {
        format!("{value}")
    } else {
        String::new()
    }
}

/// An optional float: empty when undefined.
pub fn opt(value: Option<f64>) -> String {
    value.map(num).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_reads_back_as_its_written_cell_does() {
        for value in [
            Value::Count(0),
            Value::Count(123_456_789_012),
            Value::Num(0.1 + 0.2),
            Value::Num(-3.5e-12),
            Value::Num(f64::NAN),
            Value::Opt(None),
            Value::Opt(Some(2.0 / 3.0)),
            Value::Opt(Some(f64::INFINITY)),
            Value::Text("1.5"),
            Value::Text("arm"),
        ] {
            let parsed: Option<f64> = value.cell().parse().ok();
            assert_eq!(value.as_f64(), parsed, "{value:?}");
        }
    }

    #[test]
    fn header_and_cells_follow_the_declared_order() {
        struct R(u64, f64);
        let columns: &[Column<R>] = &[
            Column {
                name: "a",
                value: |r| Value::Count(r.0),
            },
            Column {
                name: "b",
                value: |r| Value::Num(r.1),
            },
        ];
        assert_eq!(header(columns).collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(cells(columns, &R(3, 0.5)).collect::<Vec<_>>(), ["3", "0.5"]);
    }
}
