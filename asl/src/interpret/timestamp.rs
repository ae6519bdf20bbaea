//! RFC 3339 timestamps as ASL restricts them (uppercase `T`, `Z` or a numeric offset).

use std::time::{Duration, SystemTime};

/// An instant as seconds and nanoseconds since the Unix epoch; ordered chronologically.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Timestamp {
    secs: i64,
    nanos: u32,
}

impl Timestamp {
    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`.
    pub fn parse(text: &str) -> Option<Self> {
        let b = text.as_bytes();
        let digits = |range: std::ops::Range<usize>| -> Option<i64> {
            let part = b.get(range)?;
            part.iter().all(u8::is_ascii_digit).then_some(())?;
            part.iter().try_fold(0i64, |n, d| {
                n.checked_mul(10)?.checked_add(i64::from(d - b'0'))
            })
        };
        let at = |i: usize, c: u8| b.get(i) == Some(&c);
        if !(at(4, b'-') && at(7, b'-') && at(10, b'T') && at(13, b':') && at(16, b':')) {
            return None;
        }
        let (year, month, day) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
        let (hour, minute, second) = (digits(11..13)?, digits(14..16)?, digits(17..19)?);
        if !(1..=12).contains(&month)
            || day < 1
            || day > days_in_month(year, month)
            || hour > 23
            || minute > 59
            || second > 59
        {
            return None;
        }
        let mut i = 19;
        let mut nanos = 0u32;
        if at(i, b'.') {
            i += 1;
            let start = i;
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                if i - start < 9 {
                    nanos = nanos * 10 + u32::from(b[i] - b'0');
                }
                i += 1;
            }
            let count = i - start;
            if count == 0 {
                return None;
            }
            for _ in count..9 {
                nanos *= 10;
            }
        }
        let offset = match b.get(i)? {
            b'Z' if i + 1 == b.len() => 0,
            sign @ (b'+' | b'-') if b.len() == i + 6 && at(i + 3, b':') => {
                let (h, m) = (digits(i + 1..i + 3)?, digits(i + 4..i + 6)?);
                if h > 23 || m > 59 {
                    return None;
                }
                let minutes = h * 60 + m;
                if *sign == b'+' { minutes } else { -minutes }
            }
            _ => return None,
        };
        let days = days_from_civil(year, month, day);
        let secs = days * 86_400 + hour * 3_600 + minute * 60 + second - offset * 60;
        Some(Self { secs, nanos })
    }

    /// The same instant as a [`SystemTime`].
    pub fn to_system_time(self) -> SystemTime {
        let secs = Duration::from_secs(self.secs.unsigned_abs());
        let whole = if self.secs >= 0 {
            SystemTime::UNIX_EPOCH.checked_add(secs)
        } else {
            SystemTime::UNIX_EPOCH.checked_sub(secs)
        };
        whole
            .and_then(|t| t.checked_add(Duration::from_nanos(u64::from(self.nanos))))
            .unwrap_or(SystemTime::UNIX_EPOCH)
    }
}

/// `time` as `YYYY-MM-DDTHH:MM:SS.mmmZ` (UTC, millisecond precision).
pub(crate) fn format(time: SystemTime) -> String {
    let (secs, millis) = match time.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(d) => (
            i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
            d.subsec_millis(),
        ),
        Err(before) => {
            let d = before.duration();
            let secs = -i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
            match d.subsec_nanos() {
                0 => (secs, 0),
                n => (secs - 1, (1_000_000_000 - n) / 1_000_000),
            }
        }
    };
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        rem / 3_600,
        rem % 3_600 / 60,
        rem % 60
    )
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day number since 1970-01-01 (inverse of [`days_from_civil`]).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_utc_offsets_and_fractions() {
        let utc = Timestamp::parse("2016-03-14T01:59:00Z");
        assert_eq!(
            utc.map(|t| t.to_system_time()),
            Some(SystemTime::UNIX_EPOCH + Duration::from_secs(1_457_920_740))
        );
        assert_eq!(Timestamp::parse("2016-03-14T03:59:00+02:00"), utc);
        assert_eq!(Timestamp::parse("2016-03-13T23:29:00-02:30"), utc);
        let fraction = Timestamp::parse("2016-03-14T01:59:00.25Z");
        assert!(fraction > utc);
        assert_eq!(
            fraction.map(|t| t.to_system_time()),
            Some(SystemTime::UNIX_EPOCH + Duration::from_millis(1_457_920_740_250))
        );
        assert_eq!(
            Timestamp::parse("1969-12-31T23:59:59.5Z").map(|t| t.to_system_time()),
            Some(SystemTime::UNIX_EPOCH - Duration::from_millis(500))
        );
    }

    #[test]
    fn rejects_malformed_timestamps() {
        for text in [
            "2016-03-14",
            "2016-03-14 01:59:00Z",
            "2016-03-14t01:59:00Z",
            "2016-03-14T01:59:00",
            "2016-03-14T01:59:00z",
            "2016-13-14T01:59:00Z",
            "2015-02-29T01:59:00Z",
            "2016-03-14T24:00:00Z",
            "2016-03-14T01:59:00.Z",
            "2016-03-14T01:59:00+0200",
            "2016-03-14T01:59:00Zjunk",
            "２016-03-14T01:59:00Z",
        ] {
            assert_eq!(Timestamp::parse(text), None, "{text}");
        }
        assert!(Timestamp::parse("2016-02-29T00:00:00Z").is_some());
    }

    #[test]
    fn formats_and_parses_back() {
        for millis in [0u64, 1_457_920_740_250, 951_782_400_000, 4_102_444_799_999] {
            let time = SystemTime::UNIX_EPOCH + Duration::from_millis(millis);
            let text = format(time);
            assert_eq!(
                Timestamp::parse(&text).map(Timestamp::to_system_time),
                Some(time),
                "{text}"
            );
        }
        assert_eq!(
            format(SystemTime::UNIX_EPOCH + Duration::from_millis(1_457_920_740_250)),
            "2016-03-14T01:59:00.250Z"
        );
        assert_eq!(
            format(SystemTime::UNIX_EPOCH - Duration::from_millis(500)),
            "1969-12-31T23:59:59.500Z"
        );
    }
}
