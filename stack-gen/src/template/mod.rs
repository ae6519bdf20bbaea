//! Our template layer around `stratosphere`'s generated property types.
//!
//! `stratosphere` types every resource's properties from AWS's specification; this
//! layer adds what its own `Template` lacks (`DependsOn`, `Metadata`, retention
//! policies, parameters with defaults and allowed values, packaged code paths) and
//! hands out typed [`Handle`]s, so a `Ref`/`Fn::GetAtt` can only name a resource
//! that was added to the template.

mod edit;
mod handle;
mod parameter;
mod render;
mod sub;

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use stratosphere::services::aws::{codedeploy, lambda};
use stratosphere::template::ToResource;
use stratosphere::value::ExpBool;

pub use edit::Edits;
pub use handle::{Condition, Handle, HasArn, HasDomainName, HasName, Param};
pub use parameter::{Output, Parameter};
pub use sub::{Pseudo, Sub, region_arn, regional_arn};

/// Why a resource, parameter, condition or output could not be added.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TemplateError {
    /// Two entries of one section share a logical id.
    #[error("duplicate logical id `{0}`")]
    Duplicate(String),
    /// A logical id that CloudFormation would reject (alphanumeric, 1-255).
    #[error("invalid logical id `{0}`: use 1 to 255 ASCII letters and digits")]
    InvalidId(String),
    /// An [`Edits`] change was written for another resource type.
    #[error("edit of `{id}` expects {expected}, but the stack adds {found}")]
    EditType {
        /// The logical id.
        id: String,
        /// The type the edit was written for.
        expected: &'static str,
        /// The type the stack adds under that id.
        found: &'static str,
    },
    /// [`Template::extend_when`] would change a property the resource already sets.
    #[error("`{id}` already sets `{property}` to another value")]
    PropertyConflict {
        /// The logical id.
        id: String,
        /// The property.
        property: String,
    },
    /// An [`Edits`] change names a resource the stack never adds.
    #[error("edit of `{0}` met no resource of that logical id")]
    UnusedEdit(String),
}

/// A checkov check skipped on one resource, with the reason a reviewer reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckovSkip {
    /// The check id, e.g. `CKV_AWS_117`.
    pub id: &'static str,
    /// Why the check does not apply to this resource.
    pub reason: &'static str,
}

/// A cfn-guard rule suppressed on one resource (`Metadata.guard.SuppressedRules`),
/// with the reason a reviewer reads (`Metadata.guard.Reasons`). The Guard Rules
/// Registry's rules read the list themselves; for AWS Control Tower's proactive
/// controls, which do not, the lint test subtracts it from their findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GuardSuppression {
    /// The rule's name: a registry rule's, e.g. `S3_BUCKET_LOGGING_ENABLED`, or a
    /// Control Tower control's id, e.g. `CT.S3.PR.2`.
    pub rule: &'static str,
    /// Why the rule does not fit this resource (or why the rule is wrong).
    pub reason: &'static str,
}

/// An `UpdatePolicy`: how CloudFormation updates a resource. The one kind here is
/// `CodeDeployLambdaAliasUpdate`: a change of a Lambda alias's version is a CodeDeploy
/// deployment of that application and group, which shifts the traffic gradually and
/// rolls back on its alarms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeDeployLambdaAliasUpdate {
    application: String,
    deployment_group: String,
}

impl CodeDeployLambdaAliasUpdate {
    /// Deployments of `group` in `application`.
    pub fn new(
        application: &Handle<codedeploy::Application_>,
        group: &Handle<codedeploy::DeploymentGroup_>,
    ) -> Self {
        Self {
            application: application.id().to_owned(),
            deployment_group: group.id().to_owned(),
        }
    }
}

/// The resource attributes `stratosphere`'s template cannot express.
#[derive(Debug, Default, Clone)]
pub struct Attributes {
    depends_on: Vec<String>,
    condition: Option<Condition>,
    retain: bool,
    update_policy: Option<CodeDeployLambdaAliasUpdate>,
    checkov_skips: Vec<CheckovSkip>,
    guard_suppressions: Vec<GuardSuppression>,
}

impl Attributes {
    /// Attributes carrying only checkov skips.
    pub fn skipping(skips: &[CheckovSkip]) -> Self {
        Self::default().skip(skips)
    }

    /// Records checkov checks that do not apply, each with its reason (in `Metadata`).
    pub fn skip(mut self, skips: &[CheckovSkip]) -> Self {
        self.checkov_skips.extend_from_slice(skips);
        self
    }

    /// Records cfn-guard rules that do not fit, each with its reason (in `Metadata`).
    pub fn suppress(mut self, suppressions: &[GuardSuppression]) -> Self {
        self.guard_suppressions.extend_from_slice(suppressions);
        self
    }

    /// Adds an explicit `DependsOn` on a resource of this template.
    pub fn after<R>(mut self, resource: &Handle<R>) -> Self {
        self.depends_on.push(resource.id().to_owned());
        self
    }

    /// Creates the resource only when `condition` holds.
    pub fn when(mut self, condition: &Condition) -> Self {
        self.condition = Some(condition.clone());
        self
    }

    /// Keeps the resource (and its data) when the stack deletes or replaces it.
    pub fn retained(mut self) -> Self {
        self.retain = true;
        self
    }
}

/// A resource type whose code `aws cloudformation package` uploads from a local path.
pub trait Packageable: ToResource {
    /// The property `package` rewrites from a local path to an S3 location.
    const PACKAGED_PROPERTY: &'static str;
}

impl Packageable for stratosphere::services::aws::lambda::Function_ {
    const PACKAGED_PROPERTY: &'static str = "Code";
}

#[derive(Debug, Clone)]
struct Entry {
    resource_type: String,
    properties: Map<String, Value>,
    attributes: Attributes,
}

/// A CloudFormation template under construction.
#[derive(Debug)]
pub struct Template {
    description: String,
    parameters: BTreeMap<String, Parameter>,
    conditions: BTreeMap<String, ExpBool>,
    resources: BTreeMap<String, Entry>,
    outputs: BTreeMap<String, Output>,
    edits: Edits,
}

fn checked_id(id: &str) -> Result<String, TemplateError> {
    if id.is_empty() || id.len() > 255 || !id.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(TemplateError::InvalidId(id.to_owned()));
    }
    Ok(id.to_owned())
}

fn insert_new<V>(
    map: &mut BTreeMap<String, V>,
    id: &str,
    value: V,
) -> Result<String, TemplateError> {
    let id = checked_id(id)?;
    if map.contains_key(&id) {
        return Err(TemplateError::Duplicate(id));
    }
    map.insert(id.clone(), value);
    Ok(id)
}

impl Template {
    /// An empty template with a description.
    pub fn new(description: impl Into<String>) -> Self {
        Self {
            description: description.into(),
            parameters: BTreeMap::new(),
            conditions: BTreeMap::new(),
            resources: BTreeMap::new(),
            outputs: BTreeMap::new(),
            edits: Edits::none(),
        }
    }

    /// Applies `edits` to the resources added from now on (what-if variants).
    pub fn with_edits(mut self, edits: Edits) -> Self {
        self.edits = edits;
        self
    }

    /// Fails when one of the [`Edits`] met no resource.
    pub fn finish_edits(&self) -> Result<(), TemplateError> {
        self.edits.finish()
    }

    /// Adds a resource; the handle is the only way to reference it.
    pub fn add<R: ToResource + 'static>(
        &mut self,
        id: &str,
        resource: R,
    ) -> Result<Handle<R>, TemplateError> {
        self.add_with(id, resource, Attributes::default())
    }

    /// Adds a resource with attributes (`DependsOn`, `Condition`, retention, skips).
    pub fn add_with<R: ToResource + 'static>(
        &mut self,
        id: &str,
        mut resource: R,
        attributes: Attributes,
    ) -> Result<Handle<R>, TemplateError> {
        let Some(id) = self.edits.apply(id, &mut resource)? else {
            return Ok(Handle::new(checked_id(id)?));
        };
        let id = id.as_str();
        let entry = Entry {
            resource_type: R::RESOURCE_TYPE_NAME.to_string(),
            properties: resource.to_resource_properties(),
            attributes,
        };
        insert_new(&mut self.resources, id, entry).map(Handle::new)
    }

    /// Adds a resource whose code property is a local path for `aws cloudformation package`.
    pub fn add_packaged<R: Packageable + 'static>(
        &mut self,
        id: &str,
        resource: R,
        local_path: &str,
        attributes: Attributes,
    ) -> Result<Handle<R>, TemplateError> {
        let handle = self.add_with(id, resource, attributes)?;
        // An omitted resource has no entry; there is nothing to point at the code.
        if let Some(entry) = self.resources.get_mut(handle.id()) {
            entry.properties.insert(
                R::PACKAGED_PROPERTY.to_owned(),
                Value::String(local_path.to_owned()),
            );
        }
        Ok(handle)
    }

    /// Adds `extra`'s properties to a resource already in the template, each present
    /// only where `condition` holds (`Fn::If`, else `AWS::NoValue`): settings that
    /// belong to a feature under a parameter, on a resource that exists without it.
    /// A property the resource already has must have the same value in `extra` (a
    /// required one, say) and stays as it is.
    pub fn extend_when<R: ToResource>(
        &mut self,
        resource: &Handle<R>,
        extra: R,
        condition: &Condition,
    ) -> Result<(), TemplateError> {
        // An omitted resource (see `Edits`) has no entry to extend.
        let Some(entry) = self.resources.get_mut(resource.id()) else {
            return Ok(());
        };
        for (property, value) in extra.to_resource_properties() {
            match entry.properties.get(&property) {
                Some(existing) if *existing == value => {}
                Some(_) => {
                    return Err(TemplateError::PropertyConflict {
                        id: resource.id().to_owned(),
                        property,
                    });
                }
                None => {
                    let when = serde_json::json!({
                        "Fn::If": [condition.id(), value, { "Ref": "AWS::NoValue" }]
                    });
                    entry.properties.insert(property, when);
                }
            }
        }
        Ok(())
    }

    /// Lets CodeDeploy shift `alias` to a new version (its `UpdatePolicy`), once the
    /// deployment group exists: the alias is added first, as what invokes it (the
    /// API, the state machine) is built before the alarms the group rolls back on.
    pub fn shift_with_code_deploy(
        &mut self,
        alias: &Handle<lambda::Alias_>,
        update: CodeDeployLambdaAliasUpdate,
    ) {
        // An omitted resource (see `Edits`) has no entry.
        if let Some(entry) = self.resources.get_mut(alias.id()) {
            entry.attributes.update_policy = Some(update);
        }
    }

    /// Declares a stack parameter.
    pub fn parameter(&mut self, id: &str, parameter: Parameter) -> Result<Param, TemplateError> {
        insert_new(&mut self.parameters, id, parameter).map(Param::new)
    }

    /// Declares a condition.
    pub fn condition(&mut self, id: &str, expression: ExpBool) -> Result<Condition, TemplateError> {
        insert_new(&mut self.conditions, id, expression).map(Condition::new)
    }

    /// Declares a stack output.
    pub fn output(&mut self, id: &str, output: Output) -> Result<(), TemplateError> {
        insert_new(&mut self.outputs, id, output).map(|_| ())
    }

    /// A short, stable hash of some resources' full definitions: a logical id that
    /// embeds it changes exactly when one of them changes.
    pub fn fingerprint(&self, ids: &BTreeSet<String>) -> String {
        let mut hasher = Sha256::new();
        for id in ids {
            if let Some(entry) = self.resources.get(id) {
                hasher.update(id.as_bytes());
                hasher.update(render::resource(entry).to_string().as_bytes());
            }
        }
        hasher
            .finalize()
            .iter()
            .take(5)
            .map(|byte| format!("{byte:02x}"))
            .collect()
    }

    /// The template as pretty JSON with a trailing newline; the same input gives
    /// the same bytes.
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        render::pretty(&render::template(self)?)
    }

    /// The template as a JSON value.
    pub fn to_value(&self) -> Result<Value, serde_json::Error> {
        render::template(self)
    }
}

/// A logical id's stem from a name or a path, each word capitalized and every
/// character that is not a letter or digit dropped: `list-dragons` → `ListDragons`,
/// `/dragons/reports/{reportId}` → `DragonsReportsReportId`.
pub fn id_stem(text: &str) -> String {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use stratosphere::services::aws::sns;

    #[test]
    fn rejects_duplicate_and_invalid_ids() {
        let mut template = Template::new("t");
        template.add("Topic", sns::Topic! {}).unwrap();
        assert_eq!(
            template.add("Topic", sns::Topic! {}).unwrap_err(),
            TemplateError::Duplicate("Topic".into())
        );
        assert_eq!(
            template.add("My-Topic", sns::Topic! {}).unwrap_err(),
            TemplateError::InvalidId("My-Topic".into())
        );
    }

    #[test]
    fn extend_when_adds_conditional_properties_and_refuses_conflicts() {
        let mut template = Template::new("t");
        let topic = template
            .add("Topic", sns::Topic! { display_name: "a" })
            .unwrap();
        let on = template.condition("On", ExpBool::Literal(true)).unwrap();
        template
            .extend_when(
                &topic,
                sns::Topic! { display_name: "a", topic_name: "t" },
                &on,
            )
            .unwrap();
        let value = template.to_value().unwrap();
        assert_eq!(
            value["Resources"]["Topic"]["Properties"],
            serde_json::json!({
                "DisplayName": "a",
                "TopicName": { "Fn::If": ["On", "t", { "Ref": "AWS::NoValue" }] }
            })
        );
        assert_eq!(
            template
                .extend_when(&topic, sns::Topic! { display_name: "b" }, &on)
                .unwrap_err(),
            TemplateError::PropertyConflict {
                id: "Topic".into(),
                property: "DisplayName".into()
            }
        );
    }

    #[test]
    fn fingerprint_follows_the_definition() {
        let mut a = Template::new("t");
        a.add("Topic", sns::Topic! { display_name: "a" }).unwrap();
        let mut b = Template::new("t");
        b.add("Topic", sns::Topic! { display_name: "b" }).unwrap();
        let ids = BTreeSet::from(["Topic".to_owned()]);
        assert_eq!(a.fingerprint(&ids), a.fingerprint(&ids));
        assert_ne!(a.fingerprint(&ids), b.fingerprint(&ids));
        assert_eq!(a.fingerprint(&ids).len(), 10);
    }
}
