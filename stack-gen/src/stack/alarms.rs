//! The alarms a deployment rolls back on: each function's Errors alarm (any
//! invocation error in a minute), which its CodeDeploy deployment group watches
//! while it shifts the function's alias to a new version.

use std::collections::BTreeMap;

use stratosphere::services::aws::{cloudwatch, lambda};

use crate::template::{Attributes, GuardSuppression, Handle, Template, TemplateError};

/// Why the rollback alarms have no actions.
const NO_ACTIONS: &str = "A rollback alarm: CodeDeploy polls it while a deployment shifts traffic and rolls the alias back when it fires; it notifies nobody by itself.";

/// The rollback alarms, by the binary of the function they watch.
#[derive(Debug, Default)]
pub struct Alarms {
    functions: BTreeMap<String, Vec<Handle<cloudwatch::Alarm_>>>,
}

impl Alarms {
    /// Adds an Errors alarm for each `(binary, logical id stem, function)`.
    pub fn add(
        template: &mut Template,
        functions: &[(&str, &str, &Handle<lambda::Function_>)],
    ) -> Result<Self, TemplateError> {
        let mut alarms = Self::default();
        for (binary, id, function) in functions {
            let alarm = template.add_with(
                &format!("{id}ErrorsAlarm"),
                cloudwatch::Alarm! {
                    alarm_description: format!("{binary} answered with an error: a deployment of it rolls back.").as_str(),
                    comparison_operator: "GreaterThanOrEqualToThreshold",
                    dimensions: vec![cloudwatch::alarm::Dimension! {
                        name: "FunctionName",
                        value: function.reference(),
                    }],
                    evaluation_periods: 1,
                    metric_name: "Errors",
                    namespace: "AWS/Lambda",
                    period: 60,
                    statistic: "Sum",
                    threshold: 1.0,
                    treat_missing_data: "notBreaching",
                },
                Attributes::default().suppress(&[GuardSuppression {
                    rule: "CT.CLOUDWATCH.PR.1",
                    reason: NO_ACTIONS,
                }]),
            )?;
            alarms
                .functions
                .entry((*binary).to_owned())
                .or_default()
                .push(alarm);
        }
        Ok(alarms)
    }

    /// The alarms a deployment of `binary`'s function rolls back on (`Ref` of a
    /// handle is the alarm's name); none for a function the stack does not have.
    pub fn rollback_alarms(&self, binary: &str) -> Vec<Handle<cloudwatch::Alarm_>> {
        self.functions.get(binary).cloned().unwrap_or_default()
    }
}
