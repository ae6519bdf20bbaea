//! What a benchmark hands back: its table, notes, and the targets it was held to.

use std::fmt;

use crate::table::Table;

/// One target: what was measured, the figure, the goal and whether it was met.
#[derive(Debug, Clone)]
pub struct Check {
    /// What the figure is.
    pub what: String,
    /// The figure as measured.
    pub measured: String,
    /// The goal, e.g. `≤ 20 ms`.
    pub target: String,
    /// Whether the figure meets the goal.
    pub met: bool,
}

impl Check {
    /// `value` followed by its unit (a `×` sticks to the number).
    fn with_unit(value: f64, unit: &str) -> String {
        if unit == "×" {
            format!("{}×", round(value))
        } else {
            format!("{} {unit}", round(value))
        }
    }

    /// A check of `measured` against an upper bound (`≤ target`).
    pub fn at_most(what: impl Into<String>, measured: f64, bound: f64, unit: &str) -> Self {
        Self {
            what: what.into(),
            measured: Self::with_unit(measured, unit),
            target: format!("≤ {}", Self::with_unit(bound, unit)),
            met: measured <= bound,
        }
    }

    /// A check of `measured` against a lower bound (`≥ target`).
    pub fn at_least(what: impl Into<String>, measured: f64, bound: f64, unit: &str) -> Self {
        Self {
            what: what.into(),
            measured: Self::with_unit(measured, unit),
            target: format!("≥ {}", Self::with_unit(bound, unit)),
            met: measured >= bound,
        }
    }
}

/// A number with as many decimals as it needs to be read: 3 significant digits.
fn round(value: f64) -> String {
    let magnitude = value.abs();
    if magnitude >= 100.0 || magnitude == 0.0 {
        format!("{value:.0}")
    } else if magnitude >= 10.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.2}")
    }
}

/// One benchmark's results.
#[derive(Debug, Clone)]
pub struct Report {
    /// The heading.
    pub title: String,
    /// The figures.
    pub table: Table,
    /// Lines printed under the table: conditions, anomalies.
    pub notes: Vec<String>,
    /// Further tables, each under a caption, printed after the notes.
    pub extra: Vec<(String, Table)>,
    /// The targets this benchmark is held to.
    pub checks: Vec<Check>,
}

impl Report {
    /// A report with a title and a table, no notes or checks yet.
    pub fn new(title: impl Into<String>, table: Table) -> Self {
        Self {
            title: title.into(),
            table,
            notes: Vec::new(),
            extra: Vec::new(),
            checks: Vec::new(),
        }
    }

    /// Every report's checks in one table, under a `## Targets` heading.
    pub fn targets(reports: &[Self]) -> String {
        let mut table = checks_table();
        for report in reports {
            add_checks(&mut table, &report.checks);
        }
        format!("## Targets\n\n{table}")
    }
}

fn checks_table() -> Table {
    Table::new(["target", "measured", "goal", "met"])
}

fn add_checks(table: &mut Table, checks: &[Check]) {
    for check in checks {
        table.row(vec![
            check.what.clone(),
            check.measured.clone(),
            check.target.clone(),
            if check.met { "met" } else { "NOT met" }.to_owned(),
        ]);
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "## {}\n", self.title)?;
        write!(f, "{}", self.table)?;
        if !self.notes.is_empty() {
            writeln!(f)?;
            for note in &self.notes {
                writeln!(f, "- {note}")?;
            }
        }
        for (caption, table) in &self.extra {
            write!(f, "\n{caption}\n\n{table}")?;
        }
        if !self.checks.is_empty() {
            let mut table = checks_table();
            add_checks(&mut table, &self.checks);
            write!(f, "\n{table}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_compare_against_their_bounds() {
        assert!(Check::at_most("cold start", 12.0, 20.0, "ms").met);
        assert!(!Check::at_most("cold start", 20.5, 20.0, "ms").met);
        let check = Check::at_least("throughput", 1512.3, 1500.0, "MB/s");
        assert!(check.met);
        assert_eq!(
            (check.measured.as_str(), check.target.as_str()),
            ("1512 MB/s", "≥ 1500 MB/s")
        );
    }
}
