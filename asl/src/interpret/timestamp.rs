//! Timestamps in the format the Step Functions guide documents: the RFC 3339 profile of
//! ISO 8601 (`YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`) with an uppercase `T` and `Z`.
//! The profile's `time-second` goes up to 60 (a leap second, read as the last instant of
//! that minute) at any time of day and any offset; the calendar is checked.

use std::time::SystemTime;

use time::macros::format_description;
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

/// An instant; ordered chronologically.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Timestamp(OffsetDateTime);

impl Timestamp {
    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` (any number of fraction digits,
    /// read to the nanosecond).
    pub fn parse(text: &str) -> Option<Self> {
        let mut reader = Reader(text.as_bytes());
        let year = reader.digits(4)?;
        reader.literal(b'-')?;
        let month = Month::try_from(u8::try_from(reader.digits(2)?).ok()?).ok()?;
        reader.literal(b'-')?;
        let day = u8::try_from(reader.digits(2)?).ok()?;
        reader.literal(b'T')?;
        let hour = u8::try_from(reader.digits(2)?).ok()?;
        reader.literal(b':')?;
        let minute = u8::try_from(reader.digits(2)?).ok()?;
        reader.literal(b':')?;
        let second = reader.digits(2)?;
        let mut nanosecond = 0u32;
        if reader.literal(b'.').is_some() {
            let digits = reader.take_digits();
            if digits.is_empty() {
                return None;
            }
            for (i, digit) in digits.iter().take(9).enumerate() {
                nanosecond += u32::from(digit - b'0') * 10u32.pow(8 - i as u32);
            }
        }
        let offset = match reader.next()? {
            b'Z' => UtcOffset::UTC,
            sign @ (b'+' | b'-') => {
                let hours = i8::try_from(reader.digits(2)?).ok()?;
                reader.literal(b':')?;
                let minutes = i8::try_from(reader.digits(2)?).ok()?;
                if hours > 23 || minutes > 59 {
                    return None;
                }
                let (hours, minutes) = if sign == b'-' {
                    (-hours, -minutes)
                } else {
                    (hours, minutes)
                };
                UtcOffset::from_hms(hours, minutes, 0).ok()?
            }
            _ => return None,
        };
        if !reader.0.is_empty() {
            return None;
        }
        // A leap second is the last instant of its minute.
        let (second, nanosecond) = match second {
            60 => (59, 999_999_999),
            0..=59 => (u8::try_from(second).ok()?, nanosecond),
            _ => return None,
        };
        let date = Date::from_calendar_date(i32::try_from(year).ok()?, month, day).ok()?;
        let time = Time::from_hms_nano(hour, minute, second, nanosecond).ok()?;
        Some(Self(
            PrimitiveDateTime::new(date, time).assume_offset(offset),
        ))
    }

    /// The same instant as a [`SystemTime`].
    pub fn to_system_time(self) -> SystemTime {
        self.0.into()
    }
}

/// Reads a timestamp's ASCII text from the front.
struct Reader<'t>(&'t [u8]);

impl<'t> Reader<'t> {
    fn next(&mut self) -> Option<u8> {
        let (first, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(*first)
    }

    fn literal(&mut self, expected: u8) -> Option<()> {
        (self.0.first() == Some(&expected)).then(|| self.0 = &self.0[1..])
    }

    /// Exactly `count` ASCII digits as a number.
    fn digits(&mut self, count: usize) -> Option<u32> {
        let (digits, rest) = self.0.split_at_checked(count)?;
        if !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        self.0 = rest;
        Some(digits.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0')))
    }

    /// The run of ASCII digits at the front.
    fn take_digits(&mut self) -> &'t [u8] {
        let end = self
            .0
            .iter()
            .position(|b| !b.is_ascii_digit())
            .unwrap_or(self.0.len());
        let (digits, rest) = self.0.split_at(end);
        self.0 = rest;
        digits
    }
}

/// Whether `text` is a timestamp ASL accepts.
pub(crate) fn is_valid(text: &str) -> bool {
    Timestamp::parse(text).is_some()
}

/// `time` as `YYYY-MM-DDTHH:MM:SS.mmmZ` (UTC, millisecond precision), as the context object
/// shows it.
pub(crate) fn format(time: SystemTime) -> String {
    let utc = OffsetDateTime::from(time).to_offset(UtcOffset::UTC);
    let layout =
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");
    // Infallible for a four-digit year; a `SystemTime` outside it is not a clock reading.
    utc.format(layout)
        .unwrap_or_else(|_| "1970-01-01T00:00:00.000Z".to_owned())
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

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
            "2016-12-05T21:29:29",
            "2016-03-14T01:59:00z",
            "2016-13-14T01:59:00Z",
            "2015-02-29T01:59:00Z",
            "2016-03-14T24:00:00Z",
            "2016-03-14T25:00:00Z",
            "2016-03-14T01:59:00.Z",
            "2016-03-14T01:59:00+0200",
            "2016-03-14T01:59:00Zjunk",
            "２016-03-14T01:59:00Z",
        ] {
            assert_eq!(Timestamp::parse(text), None, "{text}");
        }
        assert!(is_valid("2016-02-29T00:00:00Z"));
        for text in [
            "2016-03-14T01:59:00+24:00",
            "2016-03-14T01:60:00Z",
            "2016-03-14T01:59:61Z",
        ] {
            assert_eq!(Timestamp::parse(text), None, "{text}");
        }
    }

    #[test]
    fn leap_seconds_are_the_last_instant_of_their_minute() {
        let leap = Timestamp::parse("2016-03-14T10:59:60+09:00");
        let next = Timestamp::parse("2016-03-14T02:00:00Z");
        assert!(leap.is_some_and(|leap| Timestamp::parse("2016-03-14T01:59:59.9Z") < Some(leap)));
        assert!(leap < next);
        assert!(Timestamp::parse("2016-12-31T23:59:60Z").is_some());
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
