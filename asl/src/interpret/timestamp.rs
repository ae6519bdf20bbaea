//! RFC 3339 timestamps as ASL restricts them (uppercase `T`, `Z` or a numeric offset),
//! parsed and formatted with the `time` crate.

use std::time::SystemTime;

use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{OffsetDateTime, UtcOffset};

/// An instant; ordered chronologically.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Timestamp(OffsetDateTime);

impl Timestamp {
    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`: RFC 3339 with the ASL
    /// specification's further rule that the `T` and the `Z` are uppercase.
    pub fn parse(text: &str) -> Option<Self> {
        // RFC 3339 allows `t`, `z` and (in its note) a space; ASL does not.
        if text.as_bytes().get(10) != Some(&b'T') || text.contains('z') {
            return None;
        }
        OffsetDateTime::parse(text, &Rfc3339).ok().map(Self)
    }

    /// The same instant as a [`SystemTime`].
    pub fn to_system_time(self) -> SystemTime {
        self.0.into()
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
