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
                Some(unit) => format!("{name} ({unit})"),
                None => name,
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
            let mut cells = vec![format!("**{title}**")];
            cells.resize(table.columns.len(), String::new());
            out += &line(&cells);
        }
        for row in &group.rows {
            let cells: Vec<String> = row.iter().map(|c| c.lines.join(" ")).collect();
            out += &line(&cells);
        }
    }
    out += &format!("\nTable: {}\n", cell(&table.caption));
    out
}

/// `| a | b |` with each cell's pipes escaped.
fn line<S: AsRef<str>>(cells: &[S]) -> String {
    let cells: Vec<String> = cells.iter().map(|c| cell(c.as_ref())).collect();
    format!("| {} |\n", cells.join(" | "))
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

#[cfg(test)]
mod tests {
    use super::super::{Cell, Column, Group};
    use super::*;

    #[test]
    fn a_pipe_table_with_units_and_caption() {
        let table = Table {
            caption: "Effects | all".into(),
            label: "tab:x".into(),
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
