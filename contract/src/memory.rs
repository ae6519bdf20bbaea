//! An in-memory store implementing the store contract, for unit tests of the
//! handlers and the workflow without any AWS endpoint. It can be told to fail the
//! way a real store fails, so every error path can be tested from its domain error.

use std::sync::{Mutex, MutexGuard, PoisonError};

use crate::{
    Dragon, DragonQuery, name,
    store::{AddError, Added, DragonReader, DragonWriter, StoreError},
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
    dragons: Vec<Dragon>,
    failure: Option<Failure>,
}

/// Dragons in a vector, in the order they were added.
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
                dragons: dragons.into_iter().collect(),
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
        self.lock().dragons.clone()
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

impl DragonReader for MemoryStore {
    async fn list(&self, query: &DragonQuery) -> Result<Vec<u8>, StoreError> {
        let state = self.readable()?;
        let matching: Vec<&Dragon> = state
            .dragons
            .iter()
            .filter(|dragon| query.matches(&dragon.dragon_name_str, &dragon.family_str))
            .collect();
        serde_json::to_vec(&matching).map_err(StoreError::failed)
    }
}

impl DragonWriter for MemoryStore {
    async fn is_name_taken(&self, wanted: &str) -> Result<bool, StoreError> {
        let key = name::key(wanted);
        Ok(self
            .readable()?
            .dragons
            .iter()
            .any(|dragon| name::key(&dragon.dragon_name_str) == key))
    }

    async fn add(&self, dragon: &Dragon) -> Result<Added, AddError> {
        let mut state = self.readable()?;
        if state.failure == Some(Failure::Conflict) {
            return Err(AddError::Conflict { attempts: 1 });
        }
        let key = name::key(&dragon.dragon_name_str);
        if state
            .dragons
            .iter()
            .any(|stored| name::key(&stored.dragon_name_str) == key)
        {
            return Err(AddError::NameTaken(dragon.dragon_name_str.clone()));
        }
        state.dragons.push(dragon.clone());
        Ok(Added { attempts: 1 })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[tokio::test]
    async fn lists_what_matches_and_adds_each_name_once() {
        let store = MemoryStore::with([dragon("Atlas", "red"), dragon("Bryn", "blue")]);
        let red = DragonQuery {
            family: Some("red".into()),
            ..DragonQuery::default()
        };
        let listed: Vec<Dragon> = serde_json::from_slice(&store.list(&red).await.unwrap()).unwrap();
        assert_eq!(listed, [dragon("Atlas", "red")]);
        assert!(store.is_name_taken("ATLAS").await.unwrap());
        assert!(!store.is_name_taken("Cora").await.unwrap());
        assert!(matches!(
            store.add(&dragon("atlas", "gold")).await,
            Err(AddError::NameTaken(name)) if name == "atlas"
        ));
        store.add(&dragon("Cora", "gold")).await.unwrap();
        assert_eq!(store.dragons().len(), 3);
    }

    #[tokio::test]
    async fn injected_failures_are_the_domain_errors() {
        let store = MemoryStore::with([dragon("Atlas", "red")]);
        store.fail(Failure::Unavailable);
        assert!(
            store
                .list(&DragonQuery::default())
                .await
                .unwrap_err()
                .is_transient()
        );
        store.fail(Failure::Failed);
        assert!(!store.is_name_taken("x").await.unwrap_err().is_transient());
        store.fail(Failure::Conflict);
        assert!(store.list(&DragonQuery::default()).await.is_ok());
        assert!(matches!(
            store.add(&dragon("Bryn", "red")).await,
            Err(AddError::Conflict { .. })
        ));
        store.heal();
        store.add(&dragon("Bryn", "red")).await.unwrap();
    }
}
