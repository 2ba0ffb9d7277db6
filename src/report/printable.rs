//! A table with more columns than a printed page holds: on screen one table
//! that scrolls sideways inside `.wide`, on paper the same cells split into
//! parts of a few columns each, every part repeating the key columns
//! (report.css shows `.screen-only` on screen and `.print-only` in print).
//! CSS cannot split a table's columns, so the parts are written here, from
//! the very cells of the screen table: the numbers are the same.

/// A table's key columns (repeated in every printed part) and its value
/// columns (split between the parts). Headings are `<th>` and cells `<td>`
/// elements (HTML).
pub struct WideTable {
    /// Classes of the table besides `sortable` (the screen table sorts by a
    /// click on a column heading, the printed parts do not), e.g. `"effects"`.
    pub class: &'static str,
    /// Headings of the key columns.
    pub key_heads: Vec<String>,
    /// Headings of the value columns.
    pub heads: Vec<String>,
    /// Each row's key cells, then its cell of every value column.
    pub rows: Vec<(Vec<String>, Vec<String>)>,
}

impl WideTable {
    /// The screen table in its scrolling `.wide` box and, when there are
    /// more than `per_part` value columns, the printed parts of at most
    /// `per_part` value columns each.
    pub fn html(&self, per_part: usize) -> String {
        let screen = format!("sortable {}", self.class);
        let all = self.table(screen.trim(), 0..self.heads.len());
        if self.heads.len() <= per_part {
            return format!("<div class=\"wide\">{all}</div>\n");
        }
        let starts = (0..self.heads.len()).step_by(per_part.max(1));
        let parts: Vec<String> = starts
            .map(|start| {
                let end = (start + per_part).min(self.heads.len());
                self.table(self.class, start..end)
            })
            .collect();
        format!(
            "<div class=\"wide screen-only\">{all}</div>\n<div class=\"print-only\">{}</div>\n",
            parts.concat()
        )
    }

    /// A table of the key columns and the value columns `columns`.
    fn table(&self, class: &str, columns: std::ops::Range<usize>) -> String {
        let heads = self.key_heads.concat() + &self.heads[columns.clone()].concat();
        let rows: Vec<String> = (self.rows.iter())
            .map(|(keys, cells)| {
                format!(
                    "<tr>{}{}</tr>\n",
                    keys.concat(),
                    cells[columns.clone()].concat()
                )
            })
            .collect();
        let class = match class {
            "" => String::new(),
            class => format!(" class=\"{class}\""),
        };
        format!(
            "<table{class}>\n<thead><tr>{heads}</tr></thead>\n<tbody>\n{}</tbody></table>",
            rows.concat()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(columns: usize) -> WideTable {
        let cell = |i: usize| format!("<td>v{i}</td>");
        WideTable {
            class: "effects",
            key_heads: vec!["<th>Metric</th>".into()],
            heads: (0..columns).map(|i| format!("<th>arm{i}</th>")).collect(),
            rows: vec![(vec!["<td>m</td>".into()], (0..columns).map(cell).collect())],
        }
    }

    #[test]
    fn a_narrow_table_is_the_screen_table_alone() {
        let html = table(3).html(3);
        assert!(!html.contains("print-only") && !html.contains("screen-only"));
        assert!(html.starts_with("<div class=\"wide\"><table class=\"sortable effects\">"));
    }

    #[test]
    fn a_wide_table_prints_in_parts_that_repeat_the_keys_and_hold_every_cell_once() {
        let html = table(7).html(3);
        let print = &html[html.find("print-only").unwrap()..];
        assert_eq!(print.matches("<table class=\"effects\">").count(), 3);
        assert_eq!(print.matches("<th>Metric</th>").count(), 3);
        assert_eq!(print.matches("<td>m</td>").count(), 3);
        for i in 0..7 {
            assert_eq!(print.matches(&format!("<td>v{i}</td>")).count(), 1);
            assert_eq!(print.matches(&format!("<th>arm{i}</th>")).count(), 1);
        }
        let screen = &html[..html.find("print-only").unwrap()];
        assert!(screen.contains("<table class=\"sortable effects\">"));
        assert!(screen.contains("<td>v6</td>") && screen.contains("<th>arm0</th>"));
    }
}
