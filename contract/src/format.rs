//! How the data object is laid out: JSON Lines or one array document, chosen by its key.

/// How the data object is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataFormat {
    /// One JSON record per line (`.jsonl`, `.ndjson`).
    JsonLines,
    /// One JSON document whose top level is an array of records.
    JsonArray,
}

impl DataFormat {
    /// The format a key implies: `.jsonl`/`.ndjson` (any case) are lines, the rest a document.
    pub fn for_key(key: &str) -> Self {
        let lower = key.to_ascii_lowercase();
        if lower.ends_with(".jsonl") || lower.ends_with(".ndjson") {
            Self::JsonLines
        } else {
            Self::JsonArray
        }
    }

    /// The media type an object in this format is stored with.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::JsonLines => "application/x-ndjson",
            Self::JsonArray => "application/json",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_follows_the_key() {
        assert_eq!(DataFormat::for_key("dragons.jsonl"), DataFormat::JsonLines);
        assert_eq!(
            DataFormat::for_key("a/b/DRAGONS.NDJSON"),
            DataFormat::JsonLines
        );
        assert_eq!(
            DataFormat::for_key("dragon_stats_one.txt"),
            DataFormat::JsonArray
        );
        assert_eq!(DataFormat::for_key("dragons.json"), DataFormat::JsonArray);
        assert_eq!(DataFormat::JsonLines.content_type(), "application/x-ndjson");
        assert_eq!(DataFormat::JsonArray.content_type(), "application/json");
    }
}
