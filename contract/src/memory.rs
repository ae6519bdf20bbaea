//! An in-memory store implementing the store contract, for unit tests of the
//! handlers and the workflow without any AWS endpoint. It can be told to fail the
//! way a real store fails, so every error path can be tested from its domain error.

use std::sync::{Mutex, MutexGuard, PoisonError};

use crate::{
    Dragon, ReportRef, name,
    page::{Cursor, Page, PageBuilder},
    store::{AddError, Added, DragonReader, DragonWriter, PageError, PageRequest, StoreError},
};

/// A failure the store answers every call with until [`MemoryStore::heal`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// [`StoreError::Unavailable`] (a throttled or unreachable service).
    Unavailable,
    /// [`StoreError::Failed`] (missing or malformed data).
    Failed,
    /// [`AddError::Conflict`] on writes (other writers kept winning); reads succeed.
    Conflict,
}

#[derive(Debug, Default)]
struct State {
    /// Each dragon and the report that added it (`None`: it was there from the start).
    dragons: Vec<(Dragon, Option<String>)>,
    failure: Option<Failure>,
}

/// Dragons in a vector, in the order they were added; a cursor is the position of
/// the next record.
#[derive(Debug, Default)]
pub struct MemoryStore {
    state: Mutex<State>,
}

/// What an injected failure says it is.
#[derive(Debug, thiserror::Error)]
#[error("injected {0:?} failure")]
struct Injected(Failure);

impl MemoryStore {
    /// A store holding `dragons`.
    pub fn with(dragons: impl IntoIterator<Item = Dragon>) -> Self {
        Self {
            state: Mutex::new(State {
                dragons: dragons.into_iter().map(|dragon| (dragon, None)).collect(),
                failure: None,
            }),
        }
    }

    /// From now on, answer every call with `failure`.
    pub fn fail(&self, failure: Failure) {
        self.lock().failure = Some(failure);
    }

    /// Stop failing.
    pub fn heal(&self) {
        self.lock().failure = None;
    }

    /// Every stored dragon, in order.
    pub fn dragons(&self) -> Vec<Dragon> {
        self.lock()
            .dragons
            .iter()
            .map(|(dragon, _)| dragon.clone())
            .collect()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The state, unless a read should fail now.
    fn readable(&self) -> Result<MutexGuard<'_, State>, StoreError> {
        let state = self.lock();
        match state.failure {
            Some(failure @ Failure::Unavailable) => Err(StoreError::unavailable(Injected(failure))),
            Some(failure @ Failure::Failed) => Err(StoreError::failed(Injected(failure))),
            Some(Failure::Conflict) | None => Ok(state),
        }
    }
}

/// The position a cursor names.
fn position(cursor: &Cursor) -> Option<usize> {
    let bytes: [u8; 8] = cursor.0.as_slice().try_into().ok()?;
    usize::try_from(u64::from_be_bytes(bytes)).ok()
}

fn cursor_at(position: usize) -> Cursor {
    Cursor((position as u64).to_be_bytes().to_vec())
}

impl DragonReader for MemoryStore {
    async fn page(&self, request: PageRequest<'_>) -> Result<Page, PageError> {
        let state = self.readable()?;
        let start = match request.after {
            None => 0,
            Some(cursor) => position(cursor)
                .filter(|position| *position < state.dragons.len())
                .ok_or(PageError::Cursor("no record at this position"))?,
        };
        let mut page = PageBuilder::new(request.limit);
        let wanted = request.query.matcher();
        for (index, (dragon, _)) in state.dragons.iter().enumerate().skip(start) {
            if !wanted.matches(&dragon.dragon_name_str, &dragon.family_str) {
                continue;
            }
            let record = serde_json::to_vec(dragon).map_err(StoreError::failed)?;
            if !page.push(&record) {
                return Ok(page.finish(Some(cursor_at(index))));
            }
        }
        Ok(page.finish(None))
    }
}

impl DragonWriter for MemoryStore {
    async fn is_name_taken(&self, wanted: &str) -> Result<bool, StoreError> {
        let key = name::key(wanted);
        Ok(self
            .readable()?
            .dragons
            .iter()
            .any(|(dragon, _)| name::key(&dragon.dragon_name_str) == key))
    }

    async fn add(&self, dragon: &Dragon, report: &ReportRef) -> Result<Added, AddError> {
        let mut state = self.readable()?;
        if state.failure == Some(Failure::Conflict) {
            return Err(AddError::Conflict { attempts: 1 });
        }
        let key = name::key(&dragon.dragon_name_str);
        if let Some((_, added_by)) = state
            .dragons
            .iter()
            .find(|(stored, _)| name::key(&stored.dragon_name_str) == key)
        {
            if added_by.as_deref() == Some(report.id.as_str()) {
                return Ok(Added {
                    attempts: 1,
                    replayed: true,
                });
            }
            return Err(AddError::NameTaken(dragon.dragon_name_str.clone()));
        }
        state
            .dragons
            .push((dragon.clone(), Some(report.id.clone())));
        Ok(Added {
            attempts: 1,
            replayed: false,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DragonQuery;

    fn dragon(name: &str, family: &str) -> Dragon {
        Dragon {
            dragon_name_str: name.into(),
            family_str: family.into(),
            description_str: "d".into(),
            location_city_str: "c".into(),
            location_country_str: "k".into(),
            location_state_str: String::new(),
            location_neighborhood_str: String::new(),
        }
    }

    fn report(id: &str) -> ReportRef {
        ReportRef {
            id: id.into(),
            submitted_at: "2026-12-01T00:00:00Z".into(),
        }
    }

    async fn walk(store: &MemoryStore, query: &DragonQuery, limit: usize) -> Vec<Vec<Dragon>> {
        let mut pages = Vec::new();
        let mut after = None;
        loop {
            let page = store
                .page(PageRequest {
                    query,
                    limit,
                    after: after.as_ref(),
                })
                .await
                .unwrap();
            pages.push(serde_json::from_slice(&page.body).unwrap());
            match page.next {
                Some(next) => after = Some(next),
                None => return pages,
            }
        }
    }

    #[tokio::test]
    async fn pages_hold_what_matches_and_walks_see_each_once() {
        let store = MemoryStore::with(
            (0..7).map(|n| dragon(&format!("D{n}"), if n % 2 == 0 { "red" } else { "blue" })),
        );
        let red = DragonQuery {
            family: Some("red".into()),
            ..DragonQuery::default()
        };
        let pages = walk(&store, &red, 2).await;
        let names: Vec<Vec<&str>> = pages
            .iter()
            .map(|page| page.iter().map(|d| d.dragon_name_str.as_str()).collect())
            .collect();
        assert_eq!(names, [vec!["D0", "D2"], vec!["D4", "D6"]]);
        assert_eq!(walk(&store, &DragonQuery::default(), 100).await.len(), 1);
        let forged = Cursor(vec![0xff; 8]);
        assert!(matches!(
            store
                .page(PageRequest {
                    query: &red,
                    limit: 2,
                    after: Some(&forged)
                })
                .await,
            Err(PageError::Cursor(_))
        ));
    }

    #[tokio::test]
    async fn adds_each_name_once_and_knows_its_own_reports() {
        let store = MemoryStore::with([dragon("Atlas", "red")]);
        assert!(store.is_name_taken("ATLAS").await.unwrap());
        assert!(!store.is_name_taken("Cora").await.unwrap());
        assert!(matches!(
            store.add(&dragon("atlas", "gold"), &report("r1")).await,
            Err(AddError::NameTaken(name)) if name == "atlas"
        ));
        let first = store
            .add(&dragon("Cora", "gold"), &report("r2"))
            .await
            .unwrap();
        assert!(!first.replayed);
        let again = store
            .add(&dragon("Cora", "gold"), &report("r2"))
            .await
            .unwrap();
        assert!(again.replayed);
        assert!(matches!(
            store.add(&dragon("CORA", "gold"), &report("r3")).await,
            Err(AddError::NameTaken(_))
        ));
        assert_eq!(store.dragons().len(), 2);
    }

    #[tokio::test]
    async fn injected_failures_are_the_domain_errors() {
        let store = MemoryStore::with([dragon("Atlas", "red")]);
        let all = DragonQuery::default();
        let request = PageRequest {
            query: &all,
            limit: 10,
            after: None,
        };
        store.fail(Failure::Unavailable);
        assert!(
            matches!(store.page(request).await, Err(PageError::Store(error)) if error.is_transient())
        );
        store.fail(Failure::Failed);
        assert!(!store.is_name_taken("x").await.unwrap_err().is_transient());
        store.fail(Failure::Conflict);
        assert!(store.page(request).await.is_ok());
        assert!(matches!(
            store.add(&dragon("Bryn", "red"), &report("r")).await,
            Err(AddError::Conflict { .. })
        ));
        store.heal();
        store
            .add(&dragon("Bryn", "red"), &report("r"))
            .await
            .unwrap();
    }
}
