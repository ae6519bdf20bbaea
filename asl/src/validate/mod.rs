//! Static validation of a [`StateMachine`], reporting every rule violation at once.

mod checks;
mod fields;
#[cfg(test)]
mod tests;

use std::fmt;

use crate::model::StateMachine;

/// A validation rule; each is enforced by its own check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rule {
    /// The machine has no states.
    EmptyStates,
    /// `StartAt` names no state.
    StartAtMissing,
    /// A `Next`, Choice rule `Next`, `Default` or `Catch` `Next` names no state.
    NextTargetMissing,
    /// A state cannot be reached from `StartAt`.
    UnreachableState,
    /// No terminal state (Succeed, Fail, `"End": true`) is reachable.
    NoTerminalState,
    /// A state has both `"End": true` and `Next`.
    EndWithNext,
    /// A Task, Pass or Wait state has neither `Next` nor `"End": true`.
    MissingTransition,
    /// A state name is longer than 80 characters.
    StateNameTooLong,
    /// A Choice has no rules, or a top-level rule has no `Next`.
    ChoiceWithoutRules,
    /// A `Retry`/`Catch` `ErrorEquals` is empty or misuses `States.ALL`.
    InvalidErrorEquals,
    /// A retrier has `BackoffRate` < 1.0 or `IntervalSeconds` = 0.
    InvalidRetry,
    /// A path field or a `.$` payload-template value is not a valid path.
    InvalidPath,
    /// A Wait state does not set exactly one of its four duration fields.
    InvalidWait,
    /// A zero timeout, or `HeartbeatSeconds` not below `TimeoutSeconds`.
    InvalidTimeout,
    /// A Wait `Timestamp` or Choice timestamp operand is not an RFC 3339 date-time.
    InvalidTimestamp,
    /// An intrinsic call is malformed, unknown, or given arguments of the wrong number/type.
    InvalidIntrinsic,
    /// A payload template has keys `a` and `a.$`.
    TemplateKeyCollision,
    /// A `arn:aws:states:::…` Task resource names no service integration.
    UnknownServiceIntegration,
    /// A `arn:aws:lambda:…` Task resource is not a well-formed function ARN.
    InvalidLambdaArn,
    /// A Map state's fields do not fit together.
    InvalidMap,
    /// A Parallel state has no branches.
    InvalidParallel,
    /// A JSONata state sets a field only JSONPath has (`InputPath`, `Parameters`, …).
    JsonPathFieldInJsonAtaState,
    /// A JSONPath state sets a field only JSONata has (`Arguments`, `Output`, …).
    JsonAtaFieldInJsonPathState,
    /// A `{% … %}` string of a JSONata state is not a JSONata expression.
    InvalidJsonAta,
}

impl Rule {
    /// Stable kebab-case name of the rule.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::EmptyStates => "empty-states",
            Self::StartAtMissing => "start-at-missing",
            Self::NextTargetMissing => "next-target-missing",
            Self::UnreachableState => "unreachable-state",
            Self::NoTerminalState => "no-terminal-state",
            Self::EndWithNext => "end-with-next",
            Self::MissingTransition => "missing-transition",
            Self::StateNameTooLong => "state-name-too-long",
            Self::ChoiceWithoutRules => "choice-without-rules",
            Self::InvalidErrorEquals => "invalid-error-equals",
            Self::InvalidRetry => "invalid-retry",
            Self::InvalidPath => "invalid-path",
            Self::InvalidWait => "invalid-wait",
            Self::InvalidTimeout => "invalid-timeout",
            Self::InvalidTimestamp => "invalid-timestamp",
            Self::InvalidIntrinsic => "invalid-intrinsic",
            Self::TemplateKeyCollision => "template-key-collision",
            Self::UnknownServiceIntegration => "unknown-service-integration",
            Self::InvalidLambdaArn => "invalid-lambda-arn",
            Self::InvalidMap => "invalid-map",
            Self::InvalidParallel => "invalid-parallel",
            Self::JsonPathFieldInJsonAtaState => "jsonpath-field-in-jsonata-state",
            Self::JsonAtaFieldInJsonPathState => "jsonata-field-in-jsonpath-state",
            Self::InvalidJsonAta => "invalid-jsonata",
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One rule violation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The violated rule.
    pub rule: Rule,
    /// The offending state, `None` for machine-level problems.
    pub state: Option<String>,
    /// Human-readable explanation.
    pub message: String,
}

impl Diagnostic {
    fn machine(rule: Rule, message: impl Into<String>) -> Self {
        Self {
            rule,
            state: None,
            message: message.into(),
        }
    }

    fn state(rule: Rule, state: &str, message: impl Into<String>) -> Self {
        Self {
            rule,
            state: Some(state.to_owned()),
            message: message.into(),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.state {
            Some(state) => write!(f, "[{}] state `{state}`: {}", self.rule, self.message),
            None => write!(f, "[{}] {}", self.rule, self.message),
        }
    }
}

/// Every diagnostic of an invalid state machine.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", render(.0))]
pub struct ValidationErrors(pub Vec<Diagnostic>);

fn render(diagnostics: &[Diagnostic]) -> String {
    let mut text = format!(
        "state machine has {} validation error(s):",
        diagnostics.len()
    );
    for diagnostic in diagnostics {
        text.push_str("\n  - ");
        text.push_str(&diagnostic.to_string());
    }
    text
}

/// All diagnostics for `machine`, grouped by rule, states in definition order; then those
/// of each Map processor and Parallel branch, its states named `Outer.Branches[0].Inner`.
pub fn diagnostics(machine: &StateMachine) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    collect(machine, &mut out);
    out
}

fn collect(machine: &StateMachine, out: &mut Vec<Diagnostic>) {
    for check in checks::ALL {
        check(machine, out);
    }
    for (name, state) in &machine.states {
        for (field, branch) in state.children() {
            // The sub-workflow's states take the language of the state around them.
            let nested = StateMachine {
                query_language: branch
                    .query_language
                    .or(state.query_language())
                    .or(machine.query_language),
                start_at: branch.start_at.clone(),
                states: branch.states.clone(),
                ..StateMachine::default()
            };
            let mut inner = Vec::new();
            collect(&nested, &mut inner);
            out.extend(inner.into_iter().map(|mut diagnostic| {
                diagnostic.state = Some(match diagnostic.state {
                    Some(inner) => format!("{name}.{field}.{inner}"),
                    None => format!("{name}.{field}"),
                });
                diagnostic
            }));
        }
    }
}

/// `Ok` if `machine` breaks no rule, otherwise every diagnostic.
pub fn validate(machine: &StateMachine) -> Result<(), ValidationErrors> {
    let diagnostics = diagnostics(machine);
    if diagnostics.is_empty() {
        Ok(())
    } else {
        Err(ValidationErrors(diagnostics))
    }
}
