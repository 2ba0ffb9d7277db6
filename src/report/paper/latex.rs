//! A [`Table`] as a LaTeX booktabs table.
//!
//! A table that fits on a page is a `table` float, shrunk to the text width
//! only when wider (needs `booktabs` and `graphicx`); a longer one is a
//! `longtable` that breaks across pages, in a smaller type (needs
//! `booktabs` and `longtable`).

use super::{Cell, Table};

/// Most tabular lines in a `table` float; more make a `longtable`.
const FLOAT_LINES: usize = 40;

/// The table, its caption and label, in the environment its length needs.
pub fn render(table: &Table, label: &str) -> String {
    let align: String = (table.columns.iter())
        .map(|c| if c.numeric { 'r' } else { 'l' })
        .collect();
    let body = body(table);
    match body.lines().count() > FLOAT_LINES {
        false => float(table, label, &align, &body),
        true => long(table, label, &align, &body),
    }
}

/// A `table` float: caption and label on top, the tabular shrunk to the
/// text width if it is wider.
fn float(table: &Table, label: &str, align: &str, body: &str) -> String {
    format!(
        "% Made by caasim; needs \\usepackage{{booktabs}} and \\usepackage{{graphicx}}.\n\
         \\begin{{table}}[htbp]\n\\centering\n\\small\n\\caption{{{}}}\n\\label{{{label}}}\n\
         \\resizebox{{\\ifdim\\width>\\linewidth\\linewidth\\else\\width\\fi}}{{!}}{{%\n\
         \\begin{{tabular}}{{@{{}}{align}@{{}}}}\n\\toprule\n{}\\midrule\n{body}\
         \\bottomrule\n\\end{{tabular}}}}\n\\end{{table}}\n",
        escape(&table.caption),
        header(table),
    )
}

/// A `longtable` in footnote size, its header repeated on every page.
fn long(table: &Table, label: &str, align: &str, body: &str) -> String {
    let header = header(table);
    format!(
        "% Made by caasim; needs \\usepackage{{booktabs}} and \\usepackage{{longtable}}.\n\
         {{\\footnotesize\\setlength{{\\tabcolsep}}{{3pt}}\n\
         \\begin{{longtable}}{{@{{}}{align}@{{}}}}\n\\caption{{{}}}\\label{{{label}}}\\\\\n\
         \\toprule\n{header}\\midrule\n\\endfirsthead\n\\toprule\n{header}\\midrule\n\\endhead\n\
         \\bottomrule\n\\endfoot\n{body}\\end{{longtable}}}}\n",
        escape(&table.caption),
    )
}

/// The groups: each one's title across the table, then its rows, rows
/// apart by `\addlinespace` when they have intervals.
fn body(table: &Table) -> String {
    let columns = table.columns.len();
    let spaced = (table.groups.iter())
        .flat_map(|g| g.rows.iter().flatten())
        .any(|c| c.lines.len() > 1);
    let mut out = String::new();
    for (g, group) in table.groups.iter().enumerate() {
        if let Some(title) = &group.title {
            if g > 0 {
                out += "\\midrule\n";
            }
            out += &format!(
                "\\multicolumn{{{columns}}}{{@{{}}l}}{{\\textit{{{}}}}} \\\\\n",
                escape(title)
            );
        }
        for (r, row) in group.rows.iter().enumerate() {
            if spaced && r > 0 {
                out += "\\addlinespace\n";
            }
            out += &row_lines(row);
        }
    }
    out
}

/// The heading lines (bottom-aligned) and, when any column has one, the units.
fn header(table: &Table) -> String {
    let depth = (table.columns.iter())
        .map(|c| c.heading.len())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for line in 0..depth {
        let cells: Vec<String> = (table.columns.iter())
            .map(|c| {
                let offset = depth - c.heading.len();
                let text = line.checked_sub(offset).map(|i| c.heading[i].as_str());
                escape(text.unwrap_or(""))
            })
            .collect();
        out += &format!("{} \\\\\n", cells.join(" & "));
    }
    if table.columns.iter().any(|c| c.unit.is_some()) {
        let units: Vec<String> = (table.columns.iter())
            .map(|c| (c.unit.as_deref()).map_or(String::new(), |u| escape(&format!("({u})"))))
            .collect();
        out += &format!("{} \\\\\n", units.join(" & "));
    }
    out
}

/// One row: a tabular line per line of its tallest cell.
fn row_lines(row: &[Cell]) -> String {
    let depth = row.iter().map(|c| c.lines.len()).max().unwrap_or(0);
    (0..depth)
        .map(|line| {
            let cells: Vec<String> = row
                .iter()
                .map(|c| c.lines.get(line).map_or(String::new(), |t| escape(t)))
                .collect();
            format!("{} \\\\\n", cells.join(" & "))
        })
        .collect()
}

/// `text` with LaTeX's special characters escaped, the typography the
/// pages use (minus sign, dashes, Greek letters) in LaTeX's own terms, and
/// control characters shown as `?`. Other characters pass as they are:
/// pdflatex sets Latin-1 letters; a name in another script needs XeLaTeX
/// or LuaLaTeX.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            c if c.is_control() => out.push('?'),
            '<' => out.push_str("\\textless{}"),
            '>' => out.push_str("\\textgreater{}"),
            '|' => out.push_str("\\textbar{}"),
            '"' => out.push_str("''"),
            '\\' => out.push_str("\\textbackslash{}"),
            '&' | '%' | '$' | '#' | '_' | '{' | '}' => {
                out.push('\\');
                out.push(c);
            }
            '~' => out.push_str("\\textasciitilde{}"),
            '^' => out.push_str("\\textasciicircum{}"),
            '[' => out.push_str("{[}"),
            ']' => out.push_str("{]}"),
            '\u{2212}' => out.push_str("$-$"),
            '\u{2013}' => out.push_str("--"),
            '\u{2014}' => out.push_str("---"),
            '\u{00d7}' => out.push_str("$\\times$"),
            '\u{03bc}' => out.push_str("$\\mu$"),
            '\u{03c3}' => out.push_str("$\\sigma$"),
            '\u{00a0}' => out.push('~'),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::{Column, Group};
    use super::*;

    #[test]
    fn specials_are_escaped() {
        assert_eq!(escape("5% of $10 & #1_a"), "5\\% of \\$10 \\& \\#1\\_a");
        assert_eq!(escape("−24.0 [−1, 2]"), "$-$24.0 {[}$-$1, 2{]}");
        assert_eq!(
            escape("a<b>|\"\0"),
            "a\\textless{}b\\textgreater{}\\textbar{}''?"
        );
        assert_eq!(
            escape("a\\b{c}~^"),
            "a\\textbackslash{}b\\{c\\}\\textasciitilde{}\\textasciicircum{}"
        );
    }

    fn table(rows: usize) -> Table {
        let row = || {
            vec![
                Cell::text("takedown"),
                Cell {
                    lines: vec!["−24.0".into(), "[−29.8, −18.2]".into()],
                },
            ]
        };
        Table {
            caption: "Effects of 30% off".into(),
            columns: vec![
                Column::words("Arm"),
                Column::numbers("Cost per compromise", Some("%".into())),
            ],
            groups: vec![Group::all((0..rows).map(|_| row()).collect())],
        }
    }

    #[test]
    fn a_short_table_is_a_float_with_rules_header_units_and_interval_lines() {
        let tex = render(&table(1), "tab:x");
        let expected = concat!(
            "\\caption{Effects of 30\\% off}\n\\label{tab:x}\n",
            "\\resizebox{\\ifdim\\width>\\linewidth\\linewidth\\else\\width\\fi}{!}{%\n",
            "\\begin{tabular}{@{}lr@{}}\n\\toprule\n",
            " & Cost per \\\\\n",
            "Arm & compromise \\\\\n",
            " & (\\%) \\\\\n",
            "\\midrule\n",
            "takedown & $-$24.0 \\\\\n",
            " & {[}$-$29.8, $-$18.2{]} \\\\\n",
            "\\bottomrule\n\\end{tabular}}\n\\end{table}\n",
        );
        assert!(tex.ends_with(expected), "{tex}");
    }

    #[test]
    fn a_long_table_breaks_across_pages() {
        let tex = render(&table(FLOAT_LINES), "tab:x");
        assert!(tex.contains("\\begin{longtable}{@{}lr@{}}"), "{tex}");
        assert!(tex.contains("\\endhead"), "{tex}");
        assert!(!tex.contains("\\begin{table}"), "{tex}");
    }
}
