//! A name's claim: the small marker object a writer puts (`If-None-Match: *`, or
//! `If-Match` the marker it replaces) before its append can land, saying which report
//! appends which bytes where, on which version of the object. The marker and the
//! append are two writes; a crash between them is told apart from a landed append by
//! reading the claimed bytes back: the object only ever grows at its end (before an
//! array's closing bracket), so a record, once appended at `at`, stays there for the
//! rest of the lineage.

use std::{ops::Range, time::Duration};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{catalog::Append, name_index::hex};

/// How long after its marker was last written a claim whose append has not landed,
/// on a version that is still current, keeps others from claiming the name: longer
/// than any Lambda invocation may live (15 minutes) and S3 may take to complete a
/// request it already got, so its writer is certainly gone by then. A claim on a
/// version that is no longer current is stale at once (its append cannot land).
pub const LEASE: Duration = Duration::from_secs(20 * 60);
/// The largest marker read (ours are a few hundred bytes).
pub const MAX_CLAIM_BYTES: u64 = 16 * 1024;
/// The most bytes a claim may say it appends: more than any record the schema allows
/// (about 2,600 characters, at most 4 bytes each), so a larger one is not ours.
const MAX_CLAIMED_LENGTH: u64 = 64 * 1024;

/// Who appends which bytes where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claim {
    /// The report (execution) appending.
    pub report: String,
    /// The dragon's name as reported (for people reading the marker).
    pub name: String,
    /// Where in the object its bytes go.
    pub at: u64,
    /// How many bytes.
    pub length: u64,
    /// Their SHA-256, in hex.
    pub sha256: String,
    /// The ETag of the version the append is conditional on (`None`: no object yet).
    pub etag: Option<String>,
}

/// A marker that is not a claim.
#[derive(Debug, thiserror::Error)]
pub enum MalformedClaim {
    /// Not the JSON of a claim.
    #[error("a name marker is malformed")]
    Json(#[source] serde_json::Error),
    /// It claims more bytes than any record has.
    #[error("a name marker claims {0} bytes, more than any record has")]
    TooLong(u64),
}

impl Claim {
    /// The claim of `report` for `plan` (of the dragon `name`) on the version `etag`:
    /// its insert, the bytes that stay where they are written.
    pub fn new(report: &str, name: &str, plan: &Append, etag: Option<&str>) -> Self {
        Self {
            report: report.to_owned(),
            name: name.to_owned(),
            at: plan.at,
            length: plan.insert.len() as u64,
            sha256: sha256_hex(&plan.insert),
            etag: etag.map(str::to_owned),
        }
    }

    /// The marker's bytes.
    pub fn encode(&self) -> Vec<u8> {
        serde_json::json!(self).to_string().into_bytes()
    }

    /// The claim a marker holds.
    pub fn decode(bytes: &[u8]) -> Result<Self, MalformedClaim> {
        let claim: Self = serde_json::from_slice(bytes).map_err(MalformedClaim::Json)?;
        if claim.length > MAX_CLAIMED_LENGTH {
            return Err(MalformedClaim::TooLong(claim.length));
        }
        Ok(claim)
    }

    /// The bytes of the object the claimed append writes.
    pub fn range(&self) -> Range<u64> {
        self.at..self.at.saturating_add(self.length)
    }

    /// Whether `bytes` (the object's bytes in [`range`](Self::range)) are the claimed ones.
    pub fn is(&self, bytes: &[u8]) -> bool {
        bytes.len() as u64 == self.length && sha256_hex(bytes) == self.sha256
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// What an add does about a marker found on its dragon's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// This report's own append landed (a retried task): added.
    Replayed,
    /// Another report's dragon of this name is in the object: refused.
    Taken,
    /// Another report's append may still land: try again later.
    Wait,
    /// Claim the name (replacing the marker): this report's earlier claim did not land,
    /// or another's never will.
    Claim,
}

/// The add of `report` found `claim` on its name; `landed`: its bytes are in the
/// current version of the object, whose ETag is `current` (`None`: no object); the
/// marker was last written `age` ago.
pub fn decide(
    claim: &Claim,
    report: &str,
    landed: bool,
    current: Option<&str>,
    age: Duration,
) -> Decision {
    let ours = claim.report == report;
    match (ours, landed) {
        (true, true) => Decision::Replayed,
        (false, true) => Decision::Taken,
        (true, false) => Decision::Claim,
        (false, false) if claim.etag.as_deref() == current && age < LEASE => Decision::Wait,
        (false, false) => Decision::Claim,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claim(report: &str, etag: Option<&str>) -> Claim {
        let plan = Append {
            at: 10,
            insert: b"{\"dragon_name_str\":\"A\"}\n".to_vec(),
            closing: b"",
        };
        Claim::new(report, "A", &plan, etag)
    }

    #[test]
    fn a_claim_round_trips_and_knows_its_bytes() {
        let claim = claim("r1", Some("\"e1\""));
        assert_eq!(Claim::decode(&claim.encode()).unwrap(), claim);
        assert_eq!(claim.range(), 10..34);
        assert!(claim.is(b"{\"dragon_name_str\":\"A\"}\n"));
        assert!(!claim.is(b"{\"dragon_name_str\":\"B\"}\n"));
        assert!(!claim.is(b"{\"dragon_name_str\":\"A\"}"));
        assert!(Claim::decode(b"{\"report\":1}").is_err());
        let huge = Claim {
            length: 1 << 30,
            ..claim
        };
        assert!(matches!(
            Claim::decode(&huge.encode()),
            Err(MalformedClaim::TooLong(_))
        ));
    }

    #[test]
    fn decisions() {
        let minute = Duration::from_secs(60);
        let on_e1 = claim("r1", Some("e1"));
        let current = Some("e1");
        // Landed: the report's own is a replay, anyone else's is taken.
        assert_eq!(
            decide(&on_e1, "r1", true, Some("e9"), minute),
            Decision::Replayed
        );
        assert_eq!(
            decide(&on_e1, "r2", true, Some("e9"), minute),
            Decision::Taken
        );
        // Not landed, the report's own: claim again (its earlier attempt failed).
        assert_eq!(
            decide(&on_e1, "r1", false, current, minute),
            Decision::Claim
        );
        // Another's, on the current version and recent: it may still land.
        assert_eq!(decide(&on_e1, "r2", false, current, minute), Decision::Wait);
        // ... unless the object moved on (its If-Match cannot hold) or it is too old.
        assert_eq!(
            decide(&on_e1, "r2", false, Some("e2"), minute),
            Decision::Claim
        );
        assert_eq!(decide(&on_e1, "r2", false, current, LEASE), Decision::Claim);
        // A claim made when there was no object is stale once there is one.
        let on_nothing = claim("r1", None);
        assert_eq!(
            decide(&on_nothing, "r2", false, None, minute),
            Decision::Wait
        );
        assert_eq!(
            decide(&on_nothing, "r2", false, current, minute),
            Decision::Claim
        );
    }
}
