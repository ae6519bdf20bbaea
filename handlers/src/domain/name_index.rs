//! The names index of the data object: where a writer looks a name up without reading
//! the data. Every loading of the data starts a **lineage** (a random id, kept in the
//! object's user metadata and carried over by every add); under
//! `<data key>.names/<lineage>/` live the index of the names the object was loaded
//! with (its **base**, in shards by a hash of the name key) and one marker per name
//! added since (`added/<hash>`, a [claim](super::name_claim)). A lineage's base never
//! changes: adds only append, and only the data's owner loads it again, which starts a
//! new lineage, so markers and shards of an older one are never read again.

use std::fmt::Write as _;

use dragons_contract::names::NAMES_INDEX_SUFFIX;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// User metadata of the data object (`x-amz-meta-dragons-names`): its lineage's id.
pub const LINEAGE_METADATA: &str = "dragons-names";
/// User metadata of the data object: how its base is indexed ([`Base`]).
pub const BASE_METADATA: &str = "dragons-names-base";
/// The base's value in [`BASE_METADATA`] when the lineage began with no records.
const EMPTY_BASE: &str = "none";
/// Each base shard holds about this many names at most on average.
const NAMES_PER_SHARD: usize = 512;
/// The most shards a base has: 2^16.
const MAX_SHARD_BITS: u8 = 16;
/// The longest lineage id read from metadata (ours are 32 hex digits).
const MAX_LINEAGE_ID: usize = 64;

/// How the names of the records a lineage began with are found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Base {
    /// There were none (an add created the object).
    Empty,
    /// In `2^bits` shard objects, written before the object (by `upload-data`).
    Shards {
        /// log2 of the number of shards.
        bits: u8,
    },
    /// Not indexed (an object loaded by other means): by scanning the object.
    Scan,
}

/// The lineage a version of the data object belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lineage {
    /// Its id: letters, digits, `-` and `_` only.
    pub id: String,
    /// Where the names it began with are found.
    pub base: Base,
}

impl Lineage {
    /// A new lineage (a random id) whose base is `base`.
    pub fn mint(base: Base) -> Self {
        let mut bytes = [0_u8; 16];
        rand::thread_rng().fill_bytes(&mut bytes);
        Self {
            id: hex(&bytes),
            base,
        }
    }

    /// The lineage the object's user metadata names (`metadata` looks a name up);
    /// `None` when it names none or a malformed one (then its names are scanned).
    pub fn from_metadata<'a>(metadata: impl Fn(&str) -> Option<&'a str>) -> Option<Self> {
        let id = metadata(LINEAGE_METADATA)?;
        let well_formed = !id.is_empty()
            && id.len() <= MAX_LINEAGE_ID
            && id
                .bytes()
                .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_');
        if !well_formed {
            return None;
        }
        let base = match metadata(BASE_METADATA) {
            Some(EMPTY_BASE) => Base::Empty,
            Some(bits) => match bits.parse::<u8>() {
                Ok(bits) if bits <= MAX_SHARD_BITS => Base::Shards { bits },
                _ => Base::Scan,
            },
            None => Base::Scan,
        };
        Some(Self {
            id: id.to_owned(),
            base,
        })
    }

    /// The user metadata that names this lineage on the data object.
    pub fn metadata(&self) -> Vec<(&'static str, String)> {
        let mut metadata = vec![(LINEAGE_METADATA, self.id.clone())];
        match self.base {
            Base::Empty => metadata.push((BASE_METADATA, EMPTY_BASE.to_owned())),
            Base::Shards { bits } => metadata.push((BASE_METADATA, bits.to_string())),
            Base::Scan => {}
        }
        metadata
    }

    /// Where this lineage's index of the object at `data_key` lives.
    fn prefix(&self, data_key: &str) -> String {
        format!("{}{}/", names_prefix(data_key), self.id)
    }

    /// The key of the marker of `name_key` (a [`dragons_contract::name::key`]).
    pub fn marker_key(&self, data_key: &str, name_key: &str) -> String {
        format!(
            "{}added/{}",
            self.prefix(data_key),
            hex(&Sha256::digest(name_key.as_bytes()))
        )
    }

    /// The key of the base shard that would hold `name_key`, when the base is sharded.
    pub fn shard_key(&self, data_key: &str, name_key: &str) -> Option<String> {
        match self.base {
            Base::Shards { bits } => Some(self.shard_key_of(data_key, shard_of(name_key, bits))),
            Base::Empty | Base::Scan => None,
        }
    }

    fn shard_key_of(&self, data_key: &str, shard: u32) -> String {
        format!("{}base/{shard:05x}", self.prefix(data_key))
    }
}

/// The prefix of every index object of the data object at `data_key` (what its
/// functions may read and write besides the object itself).
pub fn names_prefix(data_key: &str) -> String {
    format!("{data_key}{NAMES_INDEX_SUFFIX}")
}

/// The shard of `name_key` among `2^bits`: the first `bits` bits of its SHA-256.
fn shard_of(name_key: &str, bits: u8) -> u32 {
    let digest = Sha256::digest(name_key.as_bytes());
    let first = u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]]);
    if bits == 0 {
        0
    } else {
        first >> (32 - u32::from(bits))
    }
}

/// Lowercase hex digits of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut out, byte| {
        let _ = write!(out, "{byte:02x}");
        out
    })
}

/// A base shard that is not a JSON array of name keys.
#[derive(Debug, thiserror::Error)]
#[error("a shard of the names index is malformed")]
pub struct MalformedShard(#[source] serde_json::Error);

/// Whether the base shard `shard` (its bytes) holds `name_key`.
pub fn shard_holds(shard: &[u8], name_key: &str) -> Result<bool, MalformedShard> {
    let keys: Vec<String> = serde_json::from_slice(shard).map_err(MalformedShard)?;
    Ok(keys
        .binary_search_by(|key| key.as_str().cmp(name_key))
        .is_ok())
}

/// The index of a base being loaded: feed it every record's name, then write each
/// of [`shards`](Self::shards) before the object that carries
/// [`lineage`](Self::lineage)'s metadata.
#[derive(Debug)]
pub struct BaseIndex {
    lineage: Lineage,
    shards: Vec<Vec<String>>,
}

impl BaseIndex {
    /// An empty index sized for about `records` names, in a new lineage.
    pub fn for_records(records: usize) -> Self {
        let mut bits = 0;
        while bits < MAX_SHARD_BITS && (records >> bits) > NAMES_PER_SHARD {
            bits += 1;
        }
        Self {
            lineage: Lineage::mint(Base::Shards { bits }),
            shards: vec![Vec::new(); 1 << bits],
        }
    }

    /// Adds a record's name.
    pub fn push(&mut self, name: &str) {
        let key = dragons_contract::name::key(name);
        let bits = match self.lineage.base {
            Base::Shards { bits } => bits,
            Base::Empty | Base::Scan => 0,
        };
        let shard = shard_of(&key, bits) as usize;
        if let Some(keys) = self.shards.get_mut(shard) {
            keys.push(key);
        }
    }

    /// The lineage the object must name in its metadata.
    pub fn lineage(&self) -> &Lineage {
        &self.lineage
    }

    /// Every shard object of the object at `data_key`: key and bytes (sorted keys,
    /// each once). Every shard is written, empty ones too, so a lookup never misses one.
    pub fn shards(self, data_key: &str) -> impl Iterator<Item = (String, Vec<u8>)> {
        let lineage = self.lineage;
        let data_key = data_key.to_owned();
        self.shards
            .into_iter()
            .enumerate()
            .map(move |(shard, mut keys)| {
                keys.sort_unstable();
                keys.dedup();
                let bytes = serde_json::Value::from(keys).to_string().into_bytes();
                let shard = u32::try_from(shard).unwrap_or(u32::MAX);
                (lineage.shard_key_of(&data_key, shard), bytes)
            })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn from(pairs: &[(&str, &str)]) -> Option<Lineage> {
        let map: HashMap<&str, &str> = pairs.iter().copied().collect();
        Lineage::from_metadata(|name| map.get(name).copied())
    }

    #[test]
    fn a_lineage_round_trips_through_metadata_and_a_bad_one_means_scan() {
        for base in [Base::Empty, Base::Shards { bits: 11 }, Base::Scan] {
            let lineage = Lineage::mint(base);
            assert_eq!(lineage.id.len(), 32);
            let metadata = lineage.metadata();
            let pairs: Vec<(&str, &str)> = metadata
                .iter()
                .map(|(name, value)| (*name, value.as_str()))
                .collect();
            assert_eq!(from(&pairs), Some(lineage));
        }
        assert_eq!(from(&[]), None);
        assert_eq!(from(&[(BASE_METADATA, "3")]), None);
        for bad in ["", "a/b", "../x", &"a".repeat(65)] {
            assert_eq!(from(&[(LINEAGE_METADATA, bad)]), None, "{bad}");
        }
        for base in ["17", "x", "-1", ""] {
            assert_eq!(
                from(&[(LINEAGE_METADATA, "abc"), (BASE_METADATA, base)]).map(|l| l.base),
                Some(Base::Scan),
                "{base}"
            );
        }
    }

    #[test]
    fn keys_live_under_the_data_keys_names_prefix_by_lineage() {
        let lineage = Lineage {
            id: "L1".into(),
            base: Base::Shards { bits: 4 },
        };
        let marker = lineage.marker_key("dir/dragons.jsonl", "atlas");
        assert!(
            marker.starts_with("dir/dragons.jsonl.names/L1/added/"),
            "{marker}"
        );
        assert_eq!(marker.len(), "dir/dragons.jsonl.names/L1/added/".len() + 64);
        assert_ne!(marker, lineage.marker_key("dir/dragons.jsonl", "atlas2"));
        let shard = lineage.shard_key("dragons.json", "atlas").unwrap();
        assert!(
            shard.starts_with("dragons.json.names/L1/base/0000"),
            "{shard}"
        );
        let empty = Lineage {
            base: Base::Empty,
            ..lineage
        };
        assert_eq!(empty.shard_key("dragons.json", "atlas"), None);
    }

    #[test]
    fn every_name_is_found_in_its_shard_by_its_key_and_no_other_is() {
        let names: Vec<String> = (0..5000).map(|n| format!("Dragon {n}")).collect();
        let mut index = BaseIndex::for_records(names.len());
        assert_eq!(index.lineage().base, Base::Shards { bits: 4 });
        for name in &names {
            index.push(name);
        }
        index.push("Ａｔｌａｓ");
        index.push("Smokey \"Two-Tails\" O'Hara\\");
        let lineage = index.lineage().clone();
        let shards: HashMap<String, Vec<u8>> = index.shards("d.jsonl").collect();
        assert_eq!(shards.len(), 16);
        let holds = |name: &str| {
            let key = dragons_contract::name::key(name);
            shard_holds(&shards[&lineage.shard_key("d.jsonl", &key).unwrap()], &key).unwrap()
        };
        for name in [
            "dragon 0",
            "DRAGON 4999",
            "atlas",
            "ATLAS",
            "smokey \"two-tails\" o'hara\\",
        ] {
            assert!(holds(name), "{name}");
        }
        for name in ["Dragon 5000", "Atlas2", "dragon"] {
            assert!(!holds(name), "{name}");
        }
        let sizes: Vec<usize> = shards.values().map(Vec::len).collect();
        assert!(sizes.iter().all(|size| *size < 20_000), "{sizes:?}");
        assert!(shard_holds(b"{}", "x").is_err());
    }

    #[test]
    fn the_shard_count_follows_the_records() {
        for (records, bits) in [(0, 0), (512, 0), (513, 1), (10_000, 5), (1_000_000, 11)] {
            assert_eq!(
                BaseIndex::for_records(records).lineage().base,
                Base::Shards { bits },
                "{records}"
            );
        }
    }
}
