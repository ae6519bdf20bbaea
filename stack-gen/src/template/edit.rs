//! What-if variants of the real stack: changes applied to resources as the stack
//! code adds them (a typed edit, another logical id, or leaving one out), so a test
//! can compare the template the code generates with the one it would generate after
//! a small change, without hand-written JSON.

use std::any::{Any, TypeId, type_name};
use std::collections::{BTreeMap, BTreeSet};

use super::TemplateError;

/// A typed edit, erased: it downcasts the resource it is given.
type ErasedEdit = Box<dyn FnOnce(&mut dyn Any)>;

struct Change {
    type_id: TypeId,
    type_name: &'static str,
    apply: ErasedEdit,
}

/// Changes to resources, by the logical id the stack code gives them; see
/// [`crate::stack::build_with`]. Every change must meet its resource: one that does
/// not (a wrong id or type) fails the build.
#[derive(Default)]
pub struct Edits {
    changes: BTreeMap<String, Change>,
    renames: BTreeMap<String, String>,
    omitted: BTreeSet<String>,
}

impl std::fmt::Debug for Edits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Edits")
            .field("changes", &self.changes.keys().collect::<Vec<_>>())
            .field("renames", &self.renames)
            .field("omitted", &self.omitted)
            .finish()
    }
}

impl Edits {
    /// No changes: the real stack.
    pub fn none() -> Self {
        Self::default()
    }

    /// Changes the typed resource `id` (of type `R`) before it is added.
    pub fn change<R: 'static>(mut self, id: &str, edit: impl FnOnce(&mut R) + 'static) -> Self {
        let apply: ErasedEdit = Box::new(move |resource: &mut dyn Any| {
            if let Some(resource) = resource.downcast_mut::<R>() {
                edit(resource);
            }
        });
        self.changes.insert(
            id.to_owned(),
            Change {
                type_id: TypeId::of::<R>(),
                type_name: type_name::<R>(),
                apply,
            },
        );
        self
    }

    /// Adds resource `from` under the logical id `to`; references to it follow.
    pub fn rename(mut self, from: &str, to: &str) -> Self {
        self.renames.insert(from.to_owned(), to.to_owned());
        self
    }

    /// Leaves resource `id` out of the template (references to it are left as written).
    pub fn omit(mut self, id: &str) -> Self {
        self.omitted.insert(id.to_owned());
        self
    }

    /// Applies the changes for `id` to `resource`: the logical id to add it under, or
    /// `None` to leave it out.
    pub(super) fn apply<R: 'static>(
        &mut self,
        id: &str,
        resource: &mut R,
    ) -> Result<Option<String>, TemplateError> {
        if let Some(change) = self.changes.remove(id) {
            if change.type_id != TypeId::of::<R>() {
                return Err(TemplateError::EditType {
                    id: id.to_owned(),
                    expected: change.type_name,
                    found: type_name::<R>(),
                });
            }
            (change.apply)(resource);
        }
        if self.omitted.remove(id) {
            return Ok(None);
        }
        Ok(Some(
            self.renames.remove(id).unwrap_or_else(|| id.to_owned()),
        ))
    }

    /// Fails when a change never met its resource.
    pub(super) fn finish(&self) -> Result<(), TemplateError> {
        let unused = self
            .changes
            .keys()
            .chain(self.renames.keys())
            .chain(self.omitted.iter())
            .next();
        match unused {
            Some(id) => Err(TemplateError::UnusedEdit(id.clone())),
            None => Ok(()),
        }
    }
}
