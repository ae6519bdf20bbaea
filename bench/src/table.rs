//! Markdown tables with aligned columns, and the number formats the tables use.

use std::fmt;
use std::time::Duration;

/// A markdown table: a header row, then rows of cells.
#[derive(Debug, Clone, Default)]
pub struct Table {
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these column headers and no rows yet.
    pub fn new<const N: usize>(headers: [&str; N]) -> Self {
        Self {
            headers: headers.iter().map(|h| (*h).to_owned()).collect(),
            rows: Vec::new(),
        }
    }

    /// Appends a row (missing cells print empty, extra ones are kept).
    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let columns = self
            .rows
            .iter()
            .map(Vec::len)
            .chain([self.headers.len()])
            .max()
            .unwrap_or(0);
        let cell = |row: &[String], i: usize| row.get(i).cloned().unwrap_or_default();
        let mut widths = vec![3; columns];
        for row in std::iter::once(&self.headers).chain(&self.rows) {
            for (i, width) in widths.iter_mut().enumerate() {
                *width = (*width).max(cell(row, i).chars().count());
            }
        }
        let line = |f: &mut fmt::Formatter<'_>, row: &[String]| -> fmt::Result {
            for (i, width) in widths.iter().enumerate() {
                write!(f, "| {:<width$} ", cell(row, i))?;
            }
            writeln!(f, "|")
        };
        line(f, &self.headers)?;
        for width in &widths {
            write!(f, "|{}", "-".repeat(width + 2))?;
        }
        writeln!(f, "|")?;
        for row in &self.rows {
            line(f, row)?;
        }
        Ok(())
    }
}

/// Milliseconds with a precision that suits the size: `0.42 ms`, `12.3 ms`, `1520 ms`.
pub fn ms(duration: Duration) -> String {
    let ms = duration.as_secs_f64() * 1e3;
    if ms < 10.0 {
        format!("{ms:.2} ms")
    } else if ms < 100.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{ms:.0} ms")
    }
}

/// Seconds with two decimals.
pub fn secs(duration: Duration) -> String {
    format!("{:.2} s", duration.as_secs_f64())
}

/// Megabytes (10^6 bytes) with one decimal.
pub fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

/// A rate with thousands separated by `,` and no decimals: `1,234,567`.
pub fn count(value: f64) -> String {
    let digits = format!("{:.0}", value.max(0.0));
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// A ratio such as `12.3×` (one decimal; none at 100 and over).
pub fn ratio(value: f64) -> String {
    if value >= 100.0 {
        format!("{value:.0}×")
    } else {
        format!("{value:.1}×")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_aligned_markdown() {
        let mut table = Table::new(["a", "long header"]);
        table.row(vec!["wide cell".into(), "1".into()]);
        table.row(vec!["x".into()]);
        assert_eq!(
            table.to_string(),
            "| a         | long header |\n\
             |-----------|-------------|\n\
             | wide cell | 1           |\n\
             | x         |             |\n"
        );
    }

    #[test]
    fn formats_numbers() {
        assert_eq!(count(1_234_567.4), "1,234,567");
        assert_eq!(count(999.0), "999");
        assert_eq!(ms(Duration::from_micros(420)), "0.42 ms");
        assert_eq!(ms(Duration::from_micros(12_345)), "12.3 ms");
        assert_eq!(ratio(12.34), "12.3×");
        assert_eq!(ratio(1234.0), "1234×");
        assert_eq!(megabytes(360_000_000), "360.0 MB");
    }
}
