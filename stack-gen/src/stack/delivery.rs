//! Gradual deploys. Every function is published as a version behind the alias
//! [`LIVE_ALIAS`], which the API and the state machine invoke. A version is
//! immutable and published when its `Description` changes (a create-only property,
//! so CloudFormation replaces it): the description names the code (`CodeVersion`,
//! which `scripts/deploy` sets from the zips and the environment file) and the
//! function's definition in the template (its fingerprint). CodeDeploy then shifts
//! the alias to the new version (`DeploymentConfig`: all at once, or a canary) and
//! rolls it back when one of the function's alarms fires.

use dragons_contract::names::LIVE_ALIAS;
use stratosphere::services::aws::{cloudwatch, codedeploy, lambda};

use super::Parameters;
use crate::iam::{self, ManagedPolicy, Service, Trust};
use crate::template::{
    Attributes, CodeDeployLambdaAliasUpdate, Handle, Sub, Template, TemplateError, regional_arn,
};

/// The deployment configurations CodeDeploy predefines for Lambda (`DeploymentConfig`).
pub const DEPLOYMENT_CONFIGS: [&str; 9] = [
    "CodeDeployDefault.LambdaAllAtOnce",
    "CodeDeployDefault.LambdaCanary10Percent5Minutes",
    "CodeDeployDefault.LambdaCanary10Percent10Minutes",
    "CodeDeployDefault.LambdaCanary10Percent15Minutes",
    "CodeDeployDefault.LambdaCanary10Percent30Minutes",
    "CodeDeployDefault.LambdaLinear10PercentEvery1Minute",
    "CodeDeployDefault.LambdaLinear10PercentEvery2Minutes",
    "CodeDeployDefault.LambdaLinear10PercentEvery3Minutes",
    "CodeDeployDefault.LambdaLinear10PercentEvery10Minutes",
];

/// A function published behind its `live` alias.
#[derive(Debug, Clone)]
pub struct Published {
    /// The logical id's stem (`ListDragons`).
    pub id: String,
    /// The binary it runs (`list-dragons`).
    pub binary: String,
    /// The function (its `$LATEST` is what the next version publishes).
    pub function: Handle<lambda::Function_>,
    /// The `live` alias (`Ref`: its ARN): what every caller invokes.
    pub alias: Handle<lambda::Alias_>,
}

/// Publishes `function` (logical id `<id>Function`, built from `binary`) as a
/// version behind the `live` alias.
pub fn publish(
    template: &mut Template,
    parameters: &Parameters,
    id: &str,
    binary: &str,
    function: Handle<lambda::Function_>,
) -> Result<Published, TemplateError> {
    let definition = template.fingerprint(&[function.id().to_owned()].into());
    let version = template.add(
        &format!("{id}Version"),
        lambda::Version! {
            description: Sub::new()
                .text(&format!("{binary}: code "))
                .param(&parameters.delivery.code_version)
                .text(&format!(", definition {definition}"))
                .build(),
            function_name: function.reference(),
        },
    )?;
    let alias = template.add(
        &format!("{id}Alias"),
        lambda::Alias! {
            description: format!("What the stack invokes of {binary}: CodeDeploy shifts it to each new version.").as_str(),
            function_name: function.reference(),
            function_version: version.version(),
            name: LIVE_ALIAS,
        },
    )?;
    Ok(Published {
        id: id.to_owned(),
        binary: binary.to_owned(),
        function,
        alias,
    })
}

/// The CodeDeploy application and its service role, which every function's
/// deployment group shares.
pub struct Delivery {
    application: Handle<codedeploy::Application_>,
    role: Handle<stratosphere::services::aws::iam::Role_>,
}

impl Delivery {
    /// Adds the application and the role CodeDeploy assumes for it, with AWS's
    /// managed policy for Lambda deployments without hooks
    /// (`AWSCodeDeployRoleForLambdaLimited`: read the alarms, move an alias).
    pub fn add(template: &mut Template) -> Result<Self, TemplateError> {
        let application = template.add(
            "CodeDeployApplication",
            codedeploy::Application! { compute_platform: "Lambda" },
        )?;
        // CodeDeploy documents the confused-deputy keys for its service role: only
        // for this application's deployment groups, in this account.
        let groups = regional_arn(
            "codedeploy",
            Sub::new()
                .text("deploymentgroup:")
                .reference(&application)
                .text("/*"),
        );
        let role = template.add(
            "CodeDeployRole",
            iam::managed_role(
                &Trust::for_source(Service::CodeDeploy, groups),
                "Role CodeDeploy assumes to shift the functions' live aliases",
                ManagedPolicy::CodeDeployForLambdaLimited,
            ),
        )?;
        Ok(Self { application, role })
    }

    /// Adds `published`'s deployment group, rolling back on `alarms` (and on a
    /// failed deployment), and lets CodeDeploy move its alias.
    pub fn add_group(
        &self,
        template: &mut Template,
        parameters: &Parameters,
        published: &Published,
        alarms: &[Handle<cloudwatch::Alarm_>],
    ) -> Result<(), TemplateError> {
        let group = template.add_with(
            &format!("{}DeploymentGroup", published.id),
            codedeploy::DeploymentGroup! {
                alarm_configuration: codedeploy::deploymentgroup::AlarmConfiguration! {
                    alarms: alarms
                        .iter()
                        .map(|alarm| codedeploy::deploymentgroup::Alarm! { name: alarm.reference() })
                        .collect::<Vec<_>>(),
                    enabled: true,
                },
                application_name: self.application.reference(),
                auto_rollback_configuration: codedeploy::deploymentgroup::AutoRollbackConfiguration! {
                    enabled: true,
                    events: vec!["DEPLOYMENT_FAILURE".into(), "DEPLOYMENT_STOP_ON_ALARM".into()],
                },
                deployment_config_name: parameters.delivery.deployment_config.reference(),
                deployment_style: codedeploy::deploymentgroup::DeploymentStyle! {
                    deployment_option: "WITH_TRAFFIC_CONTROL",
                    deployment_type: "BLUE_GREEN",
                },
                service_role_arn: self.role.arn(),
            },
            Attributes::default(),
        )?;
        template.shift_with_code_deploy(
            &published.alias,
            CodeDeployLambdaAliasUpdate::new(&self.application, &group),
        );
        Ok(())
    }
}
