//! The add's decisions against the fake S3 (which enforces what moto does not):
//! which path an append takes and what it writes, the lost-update guard on the
//! multipart completion, crashes and lost answers between the marker and the
//! append, idempotency across versions, and where names are looked up.

use std::{sync::Arc, time::Duration};

use dragons_contract::{
    DataFormat, Dragon, ReportRef,
    store::{AddError, Added},
};

use super::{
    DataObject, MAX_PART, MIN_PART, copy_ranges,
    fake::{Action, FakeS3, Op},
};
use crate::domain::{
    catalog::{self, TAIL_BYTES},
    name_claim::LEASE,
    name_index::{Base, BaseIndex, Lineage},
};

const LINES: &str = "dragons.jsonl";
const ARRAY: &str = "dragons.json";

fn dragon(name: &str) -> Dragon {
    Dragon {
        dragon_name_str: name.into(),
        family_str: "red".into(),
        description_str: "Sleeps on the \"old\" bridge.\nWakes at noon.".into(),
        location_city_str: "Kraków".into(),
        location_country_str: "poland".into(),
        location_state_str: String::new(),
        location_neighborhood_str: String::new(),
    }
}

fn report(id: &str) -> ReportRef {
    ReportRef {
        id: id.into(),
        submitted_at: "2026-01-01T00:00:00Z".into(),
    }
}

/// `count` dragons named `Base {n}` with long descriptions (~1 KiB a record).
fn dragons(count: usize) -> Vec<Dragon> {
    (0..count)
        .map(|n| Dragon {
            description_str: format!("{n} ").repeat(300),
            ..dragon(&format!("Base {n}"))
        })
        .collect()
}

/// JSON Lines of `dragons`, ending in a newline or not.
fn lines(dragons: &[Dragon], newline: bool) -> Vec<u8> {
    let mut bytes: Vec<u8> = dragons
        .iter()
        .flat_map(|dragon| [serde_json::to_vec(dragon).unwrap(), b"\n".to_vec()])
        .flatten()
        .collect();
    if !newline {
        bytes.pop();
    }
    bytes
}

/// The names in an object of `format`.
fn names(bytes: &[u8], format: DataFormat) -> Vec<String> {
    let records: Vec<Dragon> = match format {
        DataFormat::JsonLines => bytes
            .split(|byte| *byte == b'\n')
            .filter(|line| !line.trim_ascii().is_empty())
            .map(|line| serde_json::from_slice(line).unwrap())
            .collect(),
        DataFormat::JsonArray => serde_json::from_slice(bytes).unwrap(),
    };
    records
        .into_iter()
        .map(|dragon| dragon.dragon_name_str)
        .collect()
}

/// Puts `bytes` at `key`, indexed as `upload-data` does (`indexed`), or as anything
/// else loads it (no lineage).
fn seed(fake: &FakeS3, key: &str, bytes: Vec<u8>, indexed: bool) -> Option<Lineage> {
    let format = DataFormat::for_key(key);
    let mut state = fake.state();
    if !indexed {
        state.write(key, bytes, Vec::new());
        return None;
    }
    let names = if bytes.trim_ascii().is_empty() {
        Vec::new()
    } else {
        names(&bytes, format)
    };
    let mut index = BaseIndex::for_records(names.len());
    for name in &names {
        index.push(name);
    }
    let lineage = index.lineage().clone();
    for (shard, shard_bytes) in index.shards(key) {
        state.write(&shard, shard_bytes, Vec::new());
    }
    let metadata = lineage
        .metadata()
        .into_iter()
        .map(|(name, value)| (name.to_owned(), value))
        .collect();
    state.write(key, bytes, metadata);
    Some(lineage)
}

/// An object of `format` a little smaller than [`MIN_PART`] (by `margin` bytes and less
/// than one record more): adds to it cross the part minimum.
fn just_below(format: DataFormat, margin: u64) -> (Vec<u8>, usize) {
    let body = |count: usize| match format {
        DataFormat::JsonLines => lines(&dragons(count), true),
        DataFormat::JsonArray => serde_json::to_vec_pretty(&dragons(count)).unwrap(),
    };
    let target = MIN_PART - margin;
    let mut count = 3000;
    loop {
        let bytes = body(count);
        let size = bytes.len() as u64;
        let record = size / count as u64;
        if size > target {
            count -= usize::try_from((size - target).div_ceil(record)).unwrap();
        } else if target - size > 2 * record {
            count += usize::try_from((target - size) / record / 2).unwrap();
        } else {
            return (bytes, count);
        }
    }
}

fn bytes_of(fake: &FakeS3, key: &str) -> Vec<u8> {
    fake.object(key)
        .map(|object| object.bytes)
        .unwrap_or_default()
}

/// Adds like the state machine does: a write conflict is retried (up to 6 times).
async fn add_as_the_workflow_does(
    object: &DataObject<'_, FakeS3>,
    dragon: &Dragon,
    report: &ReportRef,
) -> Result<Added, AddError> {
    let mut tries = 0;
    loop {
        match object.add(dragon, report).await {
            Err(AddError::Conflict { .. }) if tries < 6 => tries += 1,
            answer => return answer,
        }
    }
}

#[test]
fn copies_are_s3_sized_parts() {
    for end in [MIN_PART, MAX_PART] {
        let ranges = copy_ranges(end);
        assert_eq!(ranges.len(), 1);
        assert_eq!(ranges[0], 0..end);
    }
    let ranges = copy_ranges(2 * MAX_PART + 1);
    assert_eq!(ranges.len(), 3);
    assert_eq!(ranges[0].start, 0);
    assert_eq!(ranges[2].end, 2 * MAX_PART + 1);
    for pair in ranges.windows(2) {
        assert_eq!(pair[0].end, pair[1].start);
    }
    assert!(
        ranges
            .iter()
            .all(|range| (MIN_PART..=MAX_PART).contains(&(range.end - range.start)))
    );
}

#[tokio::test]
async fn appends_below_and_past_the_part_minimum_keep_every_byte_in_both_formats() {
    let small = dragons(20);
    let large = dragons(6000);
    let pretty = |dragons: &[Dragon], end: &str| {
        let mut bytes = serde_json::to_vec_pretty(dragons).unwrap();
        bytes.extend_from_slice(end.as_bytes());
        bytes
    };
    let cases: Vec<(&str, Vec<u8>)> = vec![
        (LINES, lines(&small, true)),
        (LINES, lines(&small, false)),
        (LINES, lines(&large, true)),
        (LINES, lines(&large, false)),
        (LINES, Vec::new()),
        (ARRAY, pretty(&small, "\n")),
        (ARRAY, pretty(&large, "\n")),
        (ARRAY, pretty(&large, " \n\n  \r\n")),
        (ARRAY, serde_json::to_vec(&large).unwrap()),
        (ARRAY, b"[]".to_vec()),
        (ARRAY, b" [ \n ]\n".to_vec()),
        (ARRAY, Vec::new()),
    ];
    for (case, (key, before)) in cases.into_iter().enumerate() {
        let format = DataFormat::for_key(key);
        let indexed = case % 2 == 0;
        let fake = FakeS3::default();
        let lineage = seed(&fake, key, before.clone(), indexed);
        let object = DataObject::new(&fake, key);
        let added = object
            .add(&dragon("Newcomer"), &report("r1"))
            .await
            .unwrap();
        assert_eq!(
            added,
            Added {
                attempts: 1,
                replayed: false
            },
            "case {case}"
        );
        let tail = &before[before.len().saturating_sub(TAIL_BYTES as usize)..];
        let plan = catalog::append(format, before.len() as u64, tail, &dragon("Newcomer")).unwrap();
        let at = plan.at as usize;
        let expected = [&before[..at], &plan.insert, plan.closing, &before[at..]].concat();
        let after = bytes_of(&fake, key);
        assert!(
            after == expected,
            "case {case}: every old byte kept, the record inserted"
        );
        let mut wanted = if before.trim_ascii().is_empty() {
            Vec::new()
        } else {
            names(&before, format)
        };
        wanted.push("Newcomer".to_owned());
        assert_eq!(names(&after, format), wanted, "case {case}");
        // Past the part minimum nothing of the object passes through the function.
        let by_copy = plan.at >= MIN_PART;
        assert_eq!(
            fake.calls(Op::CopyPart),
            usize::from(by_copy),
            "case {case}"
        );
        assert_eq!(
            fake.calls(Op::Complete),
            usize::from(by_copy),
            "case {case}"
        );
        assert_eq!(
            fake.calls(Op::PutData),
            usize::from(!by_copy),
            "case {case}"
        );
        if by_copy {
            assert_eq!(fake.calls(Op::Read), 0, "case {case}");
        }
        // An indexed object is never scanned; the lineage is carried over.
        let scanned = !indexed && !before.trim_ascii().is_empty();
        assert_eq!(fake.calls(Op::Scan), usize::from(scanned), "case {case}");
        let stored = fake.object(key).unwrap();
        let carried = Lineage::from_metadata(|name| {
            stored
                .metadata
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
        })
        .unwrap();
        match lineage {
            Some(lineage) => assert_eq!(carried, lineage, "case {case}"),
            None => assert_eq!(carried.base, Base::Scan, "case {case}"),
        }
        assert_eq!(fake.open_uploads(), 0);
        assert!(
            object.is_name_taken("NEWCOMER").await.unwrap(),
            "case {case}"
        );
    }
}

#[tokio::test]
async fn a_missing_object_is_created_in_its_format_by_the_first_add() {
    for key in [LINES, ARRAY] {
        let fake = FakeS3::default();
        let object = DataObject::new(&fake, key);
        assert!(!object.is_name_taken("Quill").await.unwrap());
        object.add(&dragon("Quill"), &report("r1")).await.unwrap();
        object.add(&dragon("Rune"), &report("r2")).await.unwrap();
        let format = DataFormat::for_key(key);
        assert_eq!(names(&bytes_of(&fake, key), format), ["Quill", "Rune"]);
        assert!(object.is_name_taken("quill").await.unwrap());
        assert!(matches!(
            object.add(&dragon("RUNE"), &report("r3")).await,
            Err(AddError::NameTaken(_))
        ));
        // The object names a lineage that began empty: nothing to scan, ever.
        assert_eq!(fake.calls(Op::Scan), 0);
    }
}

#[tokio::test]
async fn a_completion_refused_by_if_match_loses_no_dragon_and_aborts_its_upload() {
    for op in [Op::Complete, Op::CopyPart] {
        let fake = FakeS3::default();
        seed(&fake, LINES, lines(&dragons(6000), true), true);
        let other = lines(&[dragon("Other")], true);
        // Another writer appends after this add read the object: the ETag it read is
        // stale by the time it copies, or completes.
        fake.on(
            op,
            1,
            Action::Interfere(Box::new(move |state| state.append(LINES, &other))),
        );
        let object = DataObject::new(&fake, LINES);
        let added = object.add(&dragon("Mine"), &report("r1")).await.unwrap();
        assert_eq!(
            added,
            Added {
                attempts: 2,
                replayed: false
            },
            "{op:?}"
        );
        let stored = names(&bytes_of(&fake, LINES), DataFormat::JsonLines);
        assert_eq!(stored.len(), 6002, "{op:?}");
        assert_eq!(&stored[6000..], ["Other", "Mine"], "{op:?}");
        assert_eq!(
            fake.calls(Op::Abort),
            1,
            "{op:?}: the refused upload is aborted"
        );
        assert_eq!(fake.open_uploads(), 0, "{op:?}");
    }
}

#[tokio::test]
async fn a_crash_between_the_marker_and_the_append_loses_nothing_and_blocks_nobody() {
    let large = lines(&dragons(6000), true);
    // (what follows the crash, whether the name ends added by r1)
    for case in ["retry", "object moves on", "lease ends"] {
        let fake = FakeS3::default();
        seed(&fake, LINES, large.clone(), true);
        let object = DataObject::new(&fake, LINES);
        // The claim is written; the completion fails for good (the function dies).
        fake.on(Op::Complete, 1, Action::Fail { transient: false });
        let crashed = object.add(&dragon("Quill"), &report("r1")).await;
        assert!(
            matches!(crashed, Err(AddError::Store(_))),
            "{case}: {crashed:?}"
        );
        assert_eq!(
            bytes_of(&fake, LINES),
            large,
            "{case}: the object is untouched"
        );
        assert_eq!(fake.open_uploads(), 0, "{case}: the upload is aborted");
        // Claimed but not added: not taken.
        assert!(!object.is_name_taken("Quill").await.unwrap(), "{case}");
        match case {
            "retry" => {
                let retried = object.add(&dragon("Quill"), &report("r1")).await.unwrap();
                assert_eq!(
                    retried,
                    Added {
                        attempts: 1,
                        replayed: false
                    }
                );
            }
            _ => {
                // Another report of the name waits while r1's append could still land.
                let waited = object.add(&dragon("QUILL"), &report("r2")).await;
                assert!(
                    matches!(waited, Err(AddError::Conflict { .. })),
                    "{case}: {waited:?}"
                );
                if case == "object moves on" {
                    object.add(&dragon("Other"), &report("r3")).await.unwrap();
                } else {
                    fake.state().now += LEASE;
                }
                let added = object.add(&dragon("QUILL"), &report("r2")).await.unwrap();
                assert!(!added.replayed, "{case}");
                // r1's retry now finds another report's dragon: refused, truly.
                let late = object.add(&dragon("Quill"), &report("r1")).await;
                assert!(
                    matches!(late, Err(AddError::NameTaken(_))),
                    "{case}: {late:?}"
                );
            }
        }
        let stored = names(&bytes_of(&fake, LINES), DataFormat::JsonLines);
        let quills = stored
            .iter()
            .filter(|name| name.eq_ignore_ascii_case("quill"))
            .count();
        assert_eq!(quills, 1, "{case}");
        assert!(object.is_name_taken("quill").await.unwrap(), "{case}");
    }
}

#[tokio::test]
async fn an_answer_lost_after_the_write_is_read_back_not_written_twice() {
    let small = lines(&dragons(20), true);
    let large = lines(&dragons(6000), true);
    for (op, body, replayed) in [
        (Op::Complete, &large, true),
        (Op::PutData, &small, true),
        // The marker was written but its answer lost: the claim is this report's own.
        (Op::PutMarker, &large, false),
    ] {
        let fake = FakeS3::default();
        seed(&fake, LINES, body.clone(), true);
        fake.on(op, 1, Action::FailAfter);
        let object = DataObject::new(&fake, LINES);
        let added = object.add(&dragon("Quill"), &report("r1")).await.unwrap();
        assert_eq!(
            added,
            Added {
                attempts: 2,
                replayed
            },
            "{op:?}"
        );
        let stored = names(&bytes_of(&fake, LINES), DataFormat::JsonLines);
        assert_eq!(
            stored.iter().filter(|name| *name == "Quill").count(),
            1,
            "{op:?}"
        );
        assert_eq!(stored.len(), names(body, DataFormat::JsonLines).len() + 1);
    }
}

#[tokio::test]
async fn a_retry_after_sixty_versions_is_added_and_another_report_is_refused() {
    for (key, body) in [
        (LINES, lines(&dragons(6000), true)),
        (ARRAY, serde_json::to_vec_pretty(&dragons(20)).unwrap()),
    ] {
        let fake = FakeS3::default();
        seed(&fake, key, body, true);
        let object = DataObject::new(&fake, key);
        let first = object.add(&dragon("Quill"), &report("r1")).await.unwrap();
        assert!(!first.replayed);
        for n in 0..60 {
            object
                .add(&dragon(&format!("Witness {n}")), &report(&format!("w{n}")))
                .await
                .unwrap();
        }
        let retried = object.add(&dragon("Quill"), &report("r1")).await.unwrap();
        assert_eq!(
            retried,
            Added {
                attempts: 1,
                replayed: true
            },
            "{key}"
        );
        assert!(matches!(
            object.add(&dragon("ＱＵＩＬＬ"), &report("r2")).await,
            Err(AddError::NameTaken(_))
        ));
        let stored = names(&bytes_of(&fake, key), DataFormat::for_key(key));
        assert_eq!(stored.iter().filter(|name| *name == "Quill").count(), 1);
    }
}

#[tokio::test]
async fn names_loaded_with_the_object_are_taken_whether_indexed_or_scanned() {
    let body = lines(&dragons(600), true);
    for indexed in [true, false] {
        let fake = FakeS3::default();
        let lineage = seed(&fake, LINES, body.clone(), indexed);
        let object = DataObject::new(&fake, LINES);
        for name in ["Base 0", "BASE 599", "ｂａｓｅ 300"] {
            assert!(object.is_name_taken(name).await.unwrap(), "{name}");
            assert!(matches!(
                object.add(&dragon(name), &report("r1")).await,
                Err(AddError::NameTaken(_))
            ));
        }
        assert!(!object.is_name_taken("Base 600").await.unwrap());
        assert_eq!(
            fake.calls(Op::Scan) > 0,
            !indexed,
            "scanned only without an index"
        );
        assert_eq!(fake.calls(Op::PutMarker), 0, "a refused add claims nothing");
        if let Some(lineage) = lineage {
            // A lost shard: the object is scanned instead (slower, still right).
            let shard = lineage
                .shard_key(LINES, &dragons_contract::name::key("Base 7"))
                .unwrap();
            fake.state().objects.remove(&shard);
            assert!(object.is_name_taken("base 7").await.unwrap());
            assert_eq!(fake.calls(Op::Scan), 1);
            // A shard that is not one is an error, not a free name.
            fake.state().write(&shard, b"{}".to_vec(), Vec::new());
            assert!(object.is_name_taken("base 7").await.is_err());
        }
    }
}

#[tokio::test]
async fn an_abandoned_upload_leaves_the_object_untouched_and_a_failed_one_is_aborted() {
    let large = lines(&dragons(6000), true);
    let fake = FakeS3::default();
    seed(&fake, LINES, large.clone(), true);
    let object = DataObject::new(&fake, LINES);
    // The function is stopped (its timeout) while the parts upload.
    fake.on(Op::UploadPart, 1, Action::Hang);
    let abandoned = tokio::time::timeout(
        Duration::from_millis(200),
        object.add(&dragon("Quill"), &report("r1")),
    )
    .await;
    assert!(abandoned.is_err(), "the add was stopped");
    assert_eq!(bytes_of(&fake, LINES), large, "the object is untouched");
    assert_eq!(
        fake.open_uploads(),
        1,
        "left to the bucket's lifecycle rule"
    );
    // A part that fails: the upload is aborted, the object untouched.
    fake.on(Op::UploadPart, 1, Action::Fail { transient: false });
    let failed = object.add(&dragon("Quill"), &report("r1")).await;
    assert!(matches!(failed, Err(AddError::Store(_))), "{failed:?}");
    assert_eq!(bytes_of(&fake, LINES), large);
    assert_eq!(fake.open_uploads(), 1, "only the abandoned one is left");
    // Then it works, and the stopped report's retry is not refused.
    let added = object.add(&dragon("Quill"), &report("r1")).await.unwrap();
    assert!(!added.replayed);
    assert_eq!(
        names(&bytes_of(&fake, LINES), DataFormat::JsonLines).len(),
        6001
    );
}

#[tokio::test]
async fn concurrent_adds_never_lose_a_dragon_and_add_one_name_once() {
    for key in [LINES, ARRAY] {
        let format = DataFormat::for_key(key);
        // The adds cross the part minimum: the first rewrite the object, the later
        // ones copy it.
        let (body, count) = just_below(format, 4000);
        let fake = Arc::new(FakeS3::default());
        seed(&fake, key, body.clone(), true);
        let adds: Vec<_> = (0..50)
            .map(|n| {
                let fake = Arc::clone(&fake);
                tokio::spawn(async move {
                    let object = DataObject::new(fake.as_ref(), key);
                    add_as_the_workflow_does(
                        &object,
                        &dragon(&format!("Swarm {n}")),
                        &report(&format!("s{n}")),
                    )
                    .await
                })
            })
            .collect();
        for add in adds {
            add.await.unwrap().unwrap();
        }
        let spellings = [
            "Twïn",
            "TWÏN",
            "twïn",
            "Ｔｗïｎ",
            "Twi\u{308}n",
            "TWI\u{308}N",
            "tWïN",
            "Ｔｗｉ\u{308}ｎ",
            "twÏn",
            "TwÏN",
        ];
        let same: Vec<_> = spellings
            .into_iter()
            .enumerate()
            .map(|(n, name)| {
                let fake = Arc::clone(&fake);
                tokio::spawn(async move {
                    let object = DataObject::new(fake.as_ref(), key);
                    add_as_the_workflow_does(&object, &dragon(name), &report(&format!("t{n}")))
                        .await
                })
            })
            .collect();
        let mut added = 0;
        for add in same {
            match add.await.unwrap() {
                Ok(_) => added += 1,
                Err(AddError::NameTaken(_)) => {}
                Err(error) => panic!("{error}"),
            }
        }
        assert_eq!(added, 1, "{key}");
        let stored = names(&bytes_of(&fake, key), format);
        assert_eq!(stored.len(), count + 51, "{key}");
        for n in 0..50 {
            assert!(
                stored.contains(&format!("Swarm {n}")),
                "{key}: Swarm {n} was lost"
            );
        }
        let after = bytes_of(&fake, key);
        assert!(
            after.len() as u64 > MIN_PART,
            "{key}: the adds crossed 5 MiB"
        );
        assert!(
            fake.calls(Op::PutData) > 0 && fake.calls(Op::Complete) > 0,
            "{key}: both paths"
        );
        let kept = body.len() - 4;
        assert!(after[..kept] == body[..kept], "{key}");
    }
}
