//! A [`Table`] as a Markdown (GitHub, pandoc) pipe table with its caption.

use super::Table;

/// The table: a header row (heading and unit), the alignment row, a row per
/// table row (each cell's lines joined by spaces; a group's title in bold
/// on a row of its own), then the caption as pandoc's `Table:` line.
pub fn render(table: &Table) -> String {
    let heads: Vec<String> = (table.columns.iter())
        .map(|c| {
            let name = c.heading.join(" ");
            match &c.unit {
                Some(unit) => cell(&format!("{name} ({unit})")),
                None => cell(&name),
            }
        })
        .collect();
    let rule: Vec<&str> = (table.columns.iter())
        .map(|c| if c.numeric { "---:" } else { ":---" })
        .collect();
    let mut out = line(&heads);
    out += &line(&rule);
    for group in &table.groups {
        if let Some(title) = &group.title {
            let mut cells = vec![format!("**{}**", cell(title))];
            cells.resize(table.columns.len(), String::new());
            out += &line(&cells);
        }
        for row in &group.rows {
            let cells: Vec<String> = row.iter().map(|c| cell(&c.lines.join(" "))).collect();
            out += &line(&cells);
        }
    }
    out += &format!("\nTable: {}\n", cell(&table.caption));
    out
}

/// `| a | b |` of cells already escaped.
fn line<S: AsRef<str>>(cells: &[S]) -> String {
    let cells: Vec<&str> = cells.iter().map(AsRef::as_ref).collect();
    format!("| {} |\n", cells.join(" | "))
}

/// `text` for a cell: Markdown's punctuation escaped with a backslash (so
/// names never turn into emphasis, code, links or HTML; a bracket only
/// where it would start a link) and line breaks as spaces.
fn cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '<' | '>' | '|' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push(' '),
            _ => out.push(c),
        }
    }
    // Brackets stay (an interval is `[a, b]`), but never open a link.
    out.replace("](", "]\\(")
}

#[cfg(test)]
mod tests {
    use super::super::{Cell, Column, Group};
    use super::*;

    #[test]
    fn markdown_punctuation_is_escaped() {
        assert_eq!(
            cell("a_b*c `d` [e](f) <g> |h| #i"),
            "a\\_b\\*c \\`d\\` [e]\\(f) \\<g\\> \\|h\\| \\#i"
        );
    }

    #[test]
    fn a_pipe_table_with_units_and_caption() {
        let table = Table {
            caption: "Effects | all".into(),
            columns: vec![
                Column::words("Arm"),
                Column::numbers("Campaigns", Some("%".into())),
            ],
            groups: vec![Group {
                title: Some("Point 0".into()),
                rows: vec![vec![
                    Cell::text("takedown"),
                    Cell {
                        lines: vec!["−24.0".into(), "[−29.8, −18.2]".into()],
                    },
                ]],
            }],
        };
        assert_eq!(
            render(&table),
            "| Arm | Campaigns (%) |\n| :--- | ---: |\n| **Point 0** |  |\n\
             | takedown | −24.0 [−29.8, −18.2] |\n\nTable: Effects \\| all\n"
        );
    }
}
