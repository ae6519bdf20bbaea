//! The stack's CloudWatch alarms, derived from its model rather than written one by
//! one: a [`Rule`] says what to watch and when to fire for every resource of a
//! kind (each function, each route of the contract's table, the state machine, the
//! report topic), so a new function or route gets its alarms by being in the model.
//! Every threshold is a [`Threshold`] with its reason; every alarm notifies the ops
//! topic (and again when it clears). `docs/alarms.md` tells the operator what each
//! one means and what to do.

use std::collections::BTreeMap;

use dragons_contract::routes::Route;
use stratosphere::services::aws::{cloudwatch, lambda, sns, stepfunctions};
use stratosphere::value::ExpString;

use super::report_metrics::LogMetric;
use crate::template::{Handle, Template, TemplateError, id_stem};

/// The longest `AlarmDescription` CloudWatch accepts.
pub const MAX_DESCRIPTION_CHARS: usize = 1024;

/// Where an alarm's threshold sits, in the unit of its metric.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Level {
    /// A count in one period.
    Count(f64),
    /// A share of the requests (0 to 1: the average of a 0/1 metric).
    Share(f64),
    /// Milliseconds.
    Millis(f64),
    /// A share of the function's timeout (0 to 1), in milliseconds.
    OfTimeout(f64),
}

/// A threshold and why it sits there.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Threshold {
    /// The level.
    pub value: Level,
    /// Why this level: what is normal below it, what it means above.
    pub reason: &'static str,
}

impl Threshold {
    /// The alarm's `Threshold` for a resource whose timeout (if it has one) is
    /// `timeout_seconds`.
    pub fn resolve(&self, timeout_seconds: Option<i32>) -> f64 {
        match self.value {
            Level::Count(value) | Level::Share(value) | Level::Millis(value) => value,
            Level::OfTimeout(share) => share * f64::from(timeout_seconds.unwrap_or(0)) * 1000.0,
        }
    }
}

/// How a period's datapoint is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Statistic {
    /// `Sum`.
    Sum,
    /// `Average`.
    Average,
    /// The 99th percentile (`ExtendedStatistic: p99`).
    P99,
}

impl Statistic {
    /// The name CloudWatch gives it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Sum => "Sum",
            Self::Average => "Average",
            Self::P99 => "p99",
        }
    }
}

/// One kind of alarm: what it watches and when it fires.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rule {
    /// What the alarm is called after its subject (`Errors`): its logical id's tail.
    pub name: &'static str,
    /// The metric's namespace (`AWS/Lambda`), for AWS's own metrics.
    pub namespace: &'static str,
    /// The metric's name.
    pub metric: &'static str,
    /// How a period's datapoint is computed.
    pub statistic: Statistic,
    /// When it fires: the datapoint is at or above this.
    pub threshold: Threshold,
    /// The period, in seconds.
    pub period_seconds: i32,
    /// How many periods are looked at …
    pub evaluation_periods: i32,
    /// … and how many of them must breach.
    pub datapoints_to_alarm: i32,
    /// What it means, in a line.
    pub meaning: &'static str,
    /// What the operator should do.
    pub action: &'static str,
}

const FIVE_MINUTES: i32 = 300;

/// The alarms of every Lambda function.
pub const FUNCTION_RULES: [Rule; 3] = [
    Rule {
        name: "Errors",
        namespace: "AWS/Lambda",
        metric: "Errors",
        statistic: Statistic::Sum,
        threshold: Threshold {
            value: Level::Count(1.0),
            reason: "A rejected report or a missing dragon is an answer, not an error: an invocation errors only when a store kept failing, an add kept losing write races (the workflow retries it) or the code broke, so one is worth a look.",
        },
        period_seconds: FIVE_MINUTES,
        evaluation_periods: 1,
        datapoints_to_alarm: 1,
        meaning: "The function failed an invocation.",
        action: "Read the function's log (its errors carry their causes); a store error points at the data bucket or table, a panic at a deploy to roll back.",
    },
    Rule {
        name: "Throttles",
        namespace: "AWS/Lambda",
        metric: "Throttles",
        statistic: Statistic::Sum,
        threshold: Threshold {
            value: Level::Count(1.0),
            reason: "The functions reserve no concurrency and the API stage throttles far below the account's limit: a throttle means the account's concurrency is used up, by this stack or another.",
        },
        period_seconds: FIVE_MINUTES,
        evaluation_periods: 1,
        datapoints_to_alarm: 1,
        meaning: "Lambda refused to run the function.",
        action: "Look at the account's ConcurrentExecutions; ask for a higher concurrency quota or find the function that uses it up.",
    },
    Rule {
        name: "DurationNearTimeout",
        namespace: "AWS/Lambda",
        metric: "Duration",
        statistic: Statistic::P99,
        threshold: Threshold {
            value: Level::OfTimeout(0.8),
            reason: "At 80% of its timeout a slow call becomes a timed-out one; alarming first leaves time to act before requests fail.",
        },
        period_seconds: FIVE_MINUTES,
        evaluation_periods: 3,
        datapoints_to_alarm: 2,
        meaning: "The function's slowest calls come close to its timeout.",
        action: "Find what slowed (the data object's size, S3 or DynamoDB latency in the traces); page smaller, move to DataStore=dynamodb, or raise the timeout.",
    },
];

/// The alarms of every route of the API.
pub const ROUTE_RULES: [Rule; 2] = [
    Rule {
        name: "ServerErrors",
        namespace: "AWS/ApiGateway",
        metric: "5XXError",
        statistic: Statistic::Average,
        threshold: Threshold {
            value: Level::Share(0.05),
            reason: "A few 5xx answers are transient (a cold start timing out, a throttled backend the client retries); one request in twenty failing for ten minutes is an outage.",
        },
        period_seconds: FIVE_MINUTES,
        evaluation_periods: 2,
        datapoints_to_alarm: 2,
        meaning: "The route answers more than 5% of its requests with a server error.",
        action: "Check the route's function alarms and its log, the API's access log (status and integration error per request) and the state machine's role for POST.",
    },
    Rule {
        name: "Latency",
        namespace: "AWS/ApiGateway",
        metric: "Latency",
        statistic: Statistic::P99,
        threshold: Threshold {
            value: Level::Millis(5000.0),
            reason: "A page of dragons answers in well under a second; at 5 s the slowest callers wait long enough to give up, and API Gateway cuts every request at 29 s.",
        },
        period_seconds: FIVE_MINUTES,
        evaluation_periods: 3,
        datapoints_to_alarm: 2,
        meaning: "The route's slowest requests take more than 5 seconds.",
        action: "Compare Latency with IntegrationLatency on the dashboard: the backend (function duration, data size) or API Gateway itself.",
    },
];

/// The alarms of the report workflow's state machine.
pub const STATE_MACHINE_RULES: [Rule; 3] = [
    Rule {
        name: "ExecutionsFailed",
        namespace: "AWS/States",
        metric: "ExecutionsFailed",
        statistic: Statistic::Sum,
        threshold: Threshold {
            value: Level::Count(1.0),
            reason: "A rejected report ends in a Succeed state; an execution fails only on a fault (a store that kept failing, a notification that could not be sent), so one is worth a look.",
        },
        period_seconds: FIVE_MINUTES,
        evaluation_periods: 1,
        datapoints_to_alarm: 1,
        meaning: "A report could not be processed (or was added without its notification).",
        action: "Open the failed execution in the Step Functions console (its history names the failing state and error); the reporter was told to report again.",
    },
    Rule {
        name: "ExecutionsTimedOut",
        namespace: "AWS/States",
        metric: "ExecutionsTimedOut",
        statistic: Statistic::Sum,
        threshold: Threshold {
            value: Level::Count(1.0),
            reason: "Every task has its own timeout and retries; an execution that times out as a whole means a step hung past all of them.",
        },
        period_seconds: FIVE_MINUTES,
        evaluation_periods: 1,
        datapoints_to_alarm: 1,
        meaning: "A report's execution ran out of time.",
        action: "Open the execution's history to see which step hung; check the functions' Duration alarms.",
    },
    Rule {
        name: "ExecutionThrottled",
        namespace: "AWS/States",
        metric: "ExecutionThrottled",
        statistic: Statistic::Sum,
        threshold: Threshold {
            value: Level::Count(1.0),
            reason: "Reports arrive far below Step Functions' state transition quota; a throttle means the account's quota is used up.",
        },
        period_seconds: FIVE_MINUTES,
        evaluation_periods: 1,
        datapoints_to_alarm: 1,
        meaning: "Step Functions throttled the workflow's state transitions.",
        action: "Look for a burst of reports (or another workflow of the account); ask for a higher StateTransition quota.",
    },
];

/// The alarm of the report topic.
pub const TOPIC_RULES: [Rule; 1] = [Rule {
    name: "NotificationsFailed",
    namespace: "AWS/SNS",
    metric: "NumberOfNotificationsFailed",
    statistic: Statistic::Sum,
    threshold: Threshold {
        value: Level::Count(1.0),
        reason: "SNS retries deliveries itself; a notification it gives up on is lost to its subscriber.",
    },
    period_seconds: FIVE_MINUTES,
    evaluation_periods: 1,
    datapoints_to_alarm: 1,
    meaning: "SNS could not deliver a report notification to a subscriber.",
    action: "Check the topic's subscriptions (an endpoint that bounces or was removed); the reporter can still read the report's status.",
}];

/// The alarm on reports whose dragon was added without a notification.
pub const ADDED_UNANNOUNCED_RULE: Rule = Rule {
    name: "AddedUnannounced",
    namespace: "",
    metric: super::report_metrics::ADDED_UNANNOUNCED,
    statistic: Statistic::Sum,
    threshold: Threshold {
        value: Level::Count(1.0),
        reason: "Publishing is retried three times; a dragon added without its notification means SNS or its key kept failing, and its reporter was not told.",
    },
    period_seconds: FIVE_MINUTES,
    evaluation_periods: 1,
    datapoints_to_alarm: 1,
    meaning: "A report's dragon was added but its notification could not be sent (the execution ended DragonAddedUnannounced).",
    action: "Nothing is lost: the dragon is in the data and the report's status says ADDED. Check the report topic and its key, then tell subscribers if they rely on the notification.",
};

/// Every rule with what it applies to: the table `docs/alarms.md` holds.
pub fn rules() -> Vec<(&'static str, &'static Rule)> {
    FUNCTION_RULES
        .iter()
        .map(|rule| ("each function", rule))
        .chain(ROUTE_RULES.iter().map(|rule| ("each API route", rule)))
        .chain(
            STATE_MACHINE_RULES
                .iter()
                .map(|rule| ("the report workflow", rule)),
        )
        .chain(TOPIC_RULES.iter().map(|rule| ("the report topic", rule)))
        .chain([("reports (metric filter)", &ADDED_UNANNOUNCED_RULE)])
        .collect()
}

/// A rule's threshold in words.
fn threshold_text(rule: &Rule) -> String {
    let level = match rule.threshold.value {
        Level::Count(value) => format!("≥ {value}"),
        Level::Share(value) => format!("≥ {}% of requests", value * 100.0),
        Level::Millis(value) => format!("≥ {value} ms"),
        Level::OfTimeout(value) => format!("≥ {}% of its timeout", value * 100.0),
    };
    format!(
        "{} {level}, {} of {} {}-minute periods",
        rule.statistic.name(),
        rule.datapoints_to_alarm,
        rule.evaluation_periods,
        rule.period_seconds / 60
    )
}

/// The Markdown table of every alarm: what, metric, threshold, why, what to do.
pub fn markdown_table() -> String {
    let mut table = String::from(
        "| Alarm (logical id ends with) | On | Metric | Fires at | Why there | What to do |\n|---|---|---|---|---|---|\n",
    );
    for (subject, rule) in rules() {
        let namespace = if rule.namespace.is_empty() {
            "Dragons/<stack>"
        } else {
            rule.namespace
        };
        table.push_str(&format!(
            "| `{}Alarm` | {subject} | `{namespace}` `{}` | {} | {} | {} |\n",
            rule.name,
            rule.metric,
            threshold_text(rule),
            rule.threshold.reason,
            rule.action,
        ));
    }
    table
}

/// A function the alarms watch.
#[derive(Debug, Clone)]
pub struct WatchedFunction<'a> {
    /// Its binary (`list-dragons`): how [`Alarms::rollback_alarms`] finds it.
    pub binary: &'a str,
    /// The function.
    pub function: &'a Handle<lambda::Function_>,
    /// Its timeout, in seconds.
    pub timeout_seconds: i32,
}

/// The API the route alarms watch.
#[derive(Debug, Clone)]
pub struct WatchedApi<'a> {
    /// The API's name (`ApiName`).
    pub name: ExpString,
    /// The stage (`Ref`: its name).
    pub stage: &'a Handle<stratosphere::services::aws::apigateway::Stage_>,
    /// The routes (the contract's table).
    pub routes: &'a [Route],
}

/// What the alarms are derived from.
pub struct Model<'a> {
    /// Every function of the stack.
    pub functions: Vec<WatchedFunction<'a>>,
    /// The API and its routes.
    pub api: WatchedApi<'a>,
    /// The report workflow.
    pub state_machine: &'a Handle<stepfunctions::StateMachine_>,
    /// The topic of report outcomes.
    pub reports_topic: &'a Handle<sns::Topic_>,
    /// The count of dragons added unannounced.
    pub added_unannounced: &'a LogMetric,
    /// Where every alarm sends its notifications.
    pub ops_topic: &'a Handle<sns::Topic_>,
}

/// The alarms the stack built, by what they watch.
#[derive(Debug, Default)]
pub struct Alarms {
    /// Per function binary: its alarms, by rule name.
    functions: BTreeMap<String, BTreeMap<&'static str, Handle<cloudwatch::Alarm_>>>,
    /// Every alarm, in the order added.
    all: Vec<Handle<cloudwatch::Alarm_>>,
}

impl Alarms {
    /// The alarms a deployment of the function `binary` should roll back on (its
    /// Errors and Throttles alarms, for an `AWS::CodeDeploy::DeploymentGroup`'s
    /// `AlarmConfiguration`: `Ref` of a handle is the alarm's name); none for a
    /// function the stack does not have.
    pub fn rollback_alarms(&self, binary: &str) -> Vec<Handle<cloudwatch::Alarm_>> {
        let rules = [FUNCTION_RULES[0].name, FUNCTION_RULES[1].name];
        self.functions.get(binary).map_or_else(Vec::new, |alarms| {
            rules
                .iter()
                .filter_map(|rule| alarms.get(rule).cloned())
                .collect()
        })
    }

    /// Every alarm.
    pub fn all(&self) -> &[Handle<cloudwatch::Alarm_>] {
        &self.all
    }
}

/// A metric and the values of its dimensions.
struct Watched {
    namespace: ExpString,
    dimensions: Vec<(&'static str, ExpString)>,
    timeout_seconds: Option<i32>,
}

fn description(rule: &Rule, subject: &str, threshold: f64) -> String {
    let text = format!(
        "{subject}: {meaning} Fires when {statistic} {metric} >= {threshold} in {datapoints} of {periods} {minutes}-minute periods. Why: {reason} Do: {action} (docs/alarms.md)",
        meaning = rule.meaning,
        statistic = rule.statistic.name(),
        metric = rule.metric,
        datapoints = rule.datapoints_to_alarm,
        periods = rule.evaluation_periods,
        minutes = rule.period_seconds / 60,
        reason = rule.threshold.reason,
        action = rule.action,
    );
    text.chars().take(MAX_DESCRIPTION_CHARS).collect()
}

fn add_alarm(
    template: &mut Template,
    id: &str,
    subject: &str,
    rule: &Rule,
    watched: Watched,
    ops_topic: &Handle<sns::Topic_>,
) -> Result<Handle<cloudwatch::Alarm_>, TemplateError> {
    let threshold = rule.threshold.resolve(watched.timeout_seconds);
    let mut alarm = cloudwatch::Alarm! {
        actions_enabled: true,
        alarm_actions: vec![ops_topic.reference()],
        alarm_description: description(rule, subject, threshold).as_str(),
        comparison_operator: "GreaterThanOrEqualToThreshold",
        datapoints_to_alarm: rule.datapoints_to_alarm,
        dimensions: watched
            .dimensions
            .into_iter()
            .map(|(name, value)| cloudwatch::alarm::Dimension! { name: name, value: value })
            .collect::<Vec<_>>(),
        evaluation_periods: rule.evaluation_periods,
        metric_name: rule.metric,
        namespace: watched.namespace,
        ok_actions: vec![ops_topic.reference()],
        period: rule.period_seconds,
        threshold: threshold,
        treat_missing_data: "notBreaching",
    };
    if alarm.dimensions.as_ref().is_some_and(Vec::is_empty) {
        alarm.dimensions = None;
    }
    match rule.statistic {
        Statistic::P99 => alarm.extended_statistic = Some(rule.statistic.name().into()),
        Statistic::Sum | Statistic::Average => {
            alarm.statistic = Some(rule.statistic.name().into());
        }
    }
    template.add(id, alarm)
}

/// Adds every alarm the model calls for.
pub fn add(template: &mut Template, model: &Model) -> Result<Alarms, TemplateError> {
    let mut alarms = Alarms::default();
    for watched in &model.functions {
        let mut by_rule = BTreeMap::new();
        for rule in &FUNCTION_RULES {
            let alarm = add_alarm(
                template,
                &format!("{}{}Alarm", id_stem(watched.binary), rule.name),
                &format!("Function {}", watched.binary),
                rule,
                Watched {
                    namespace: rule.namespace.into(),
                    dimensions: vec![("FunctionName", watched.function.reference())],
                    timeout_seconds: Some(watched.timeout_seconds),
                },
                model.ops_topic,
            )?;
            alarms.all.push(alarm.clone());
            by_rule.insert(rule.name, alarm);
        }
        alarms.functions.insert(watched.binary.to_owned(), by_rule);
    }
    for route in model.api.routes {
        for rule in &ROUTE_RULES {
            let alarm = add_alarm(
                template,
                &format!(
                    "{}{}{}Alarm",
                    id_stem(&route.method.to_ascii_lowercase()),
                    id_stem(&route.path),
                    rule.name
                ),
                &format!("Route {} {}", route.method, route.path),
                rule,
                Watched {
                    namespace: rule.namespace.into(),
                    dimensions: vec![
                        ("ApiName", model.api.name.clone()),
                        ("Method", route.method.into()),
                        ("Resource", route.path.as_str().into()),
                        ("Stage", model.api.stage.reference()),
                    ],
                    timeout_seconds: None,
                },
                model.ops_topic,
            )?;
            alarms.all.push(alarm);
        }
    }
    let singles = STATE_MACHINE_RULES
        .iter()
        .map(|rule| {
            (
                format!("ReportWorkflow{}Alarm", rule.name),
                "The report workflow",
                rule,
                Watched {
                    namespace: rule.namespace.into(),
                    dimensions: vec![("StateMachineArn", model.state_machine.reference())],
                    timeout_seconds: None,
                },
            )
        })
        .chain(TOPIC_RULES.iter().map(|rule| {
            (
                format!("ReportsTopic{}Alarm", rule.name),
                "The report topic",
                rule,
                Watched {
                    namespace: rule.namespace.into(),
                    dimensions: vec![("TopicName", model.reports_topic.topic_name())],
                    timeout_seconds: None,
                },
            )
        }))
        .chain([(
            format!("Reports{}Alarm", ADDED_UNANNOUNCED_RULE.name),
            "Reports",
            &ADDED_UNANNOUNCED_RULE,
            Watched {
                namespace: model.added_unannounced.namespace.clone(),
                dimensions: Vec::new(),
                timeout_seconds: None,
            },
        )]);
    for (id, subject, rule, watched) in singles.collect::<Vec<_>>() {
        let alarm = add_alarm(template, &id, subject, rule, watched, model.ops_topic)?;
        alarms.all.push(alarm);
    }
    Ok(alarms)
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};
    use stratosphere::services::aws::apigateway;

    use super::*;
    use crate::stack::report_metrics;

    /// A template with one of each watched resource, and the model's parts.
    struct Parts {
        template: Template,
        functions: Vec<Handle<lambda::Function_>>,
        stage: Handle<apigateway::Stage_>,
        machine: Handle<stepfunctions::StateMachine_>,
        reports: Handle<sns::Topic_>,
        ops: Handle<sns::Topic_>,
    }

    fn parts(binaries: &[&str]) -> Parts {
        let mut template = Template::new("t");
        let functions = binaries
            .iter()
            .map(|binary| {
                template
                    .add(
                        &format!("{}Function", id_stem(binary)),
                        lambda::Function! { code: lambda::function::Code! {}, role: "r" },
                    )
                    .unwrap()
            })
            .collect();
        let stage = template
            .add("Stage", apigateway::Stage! { rest_api_id: "api" })
            .unwrap();
        let machine = template
            .add("Machine", stepfunctions::StateMachine! { role_arn: "r" })
            .unwrap();
        let reports = template.add("Reports", sns::Topic! {}).unwrap();
        let ops = template.add("Ops", sns::Topic! {}).unwrap();
        Parts {
            template,
            functions,
            stage,
            machine,
            reports,
            ops,
        }
    }

    /// The logical ids of the alarms built for `binaries` and `routes`.
    fn alarm_ids(binaries: &[&str], routes: &[Route]) -> Vec<String> {
        let mut parts = parts(binaries);
        let metric = LogMetric {
            namespace: report_metrics::namespace(),
            name: report_metrics::ADDED_UNANNOUNCED,
        };
        let model = Model {
            functions: binaries
                .iter()
                .zip(&parts.functions)
                .map(|(binary, function)| WatchedFunction {
                    binary,
                    function,
                    timeout_seconds: 10,
                })
                .collect(),
            api: WatchedApi {
                name: "api".into(),
                stage: &parts.stage,
                routes,
            },
            state_machine: &parts.machine,
            reports_topic: &parts.reports,
            added_unannounced: &metric,
            ops_topic: &parts.ops,
        };
        let alarms = add(&mut parts.template, &model).unwrap();
        alarms
            .all()
            .iter()
            .map(|alarm| alarm.id().to_owned())
            .collect()
    }

    #[test]
    fn a_new_function_or_route_gets_its_alarms_without_writing_any() {
        let binaries = dragons_contract::names::functions::ALL;
        let routes = dragons_contract::routes::all();
        let before = alarm_ids(&binaries, &routes);

        let mut more_binaries = binaries.to_vec();
        more_binaries.push("hatch-egg");
        let with_function = alarm_ids(&more_binaries, &routes);
        let new: Vec<&String> = with_function
            .iter()
            .filter(|id| !before.contains(id))
            .collect();
        assert_eq!(
            new,
            [
                "HatchEggErrorsAlarm",
                "HatchEggThrottlesAlarm",
                "HatchEggDurationNearTimeoutAlarm"
            ]
        );

        let mut more_routes = routes.clone();
        let mut eggs = dragons_contract::routes::list_dragons();
        eggs.path = "/dragons/{dragonName}/eggs".to_owned();
        more_routes.push(eggs);
        let with_route = alarm_ids(&binaries, &more_routes);
        let new: Vec<&String> = with_route
            .iter()
            .filter(|id| !before.contains(id))
            .collect();
        assert_eq!(
            new,
            [
                "GetDragonsDragonNameEggsServerErrorsAlarm",
                "GetDragonsDragonNameEggsLatencyAlarm"
            ]
        );
    }

    fn stack_template() -> (Value, Alarms) {
        let stack = crate::stack::build().unwrap();
        (stack.template.to_value().unwrap(), stack.alarms)
    }

    /// The type of the resource `value` references (`Ref` or `Fn::GetAtt`), with the
    /// attribute (`Ref` for a `Ref`).
    fn referenced<'a>(resources: &'a Value, value: &Value) -> Option<(&'a str, String)> {
        let (id, attribute) = match value {
            Value::Object(object) if object.contains_key("Ref") => {
                (object["Ref"].as_str()?, "Ref".to_owned())
            }
            Value::Object(object) if object.contains_key("Fn::GetAtt") => (
                object["Fn::GetAtt"][0].as_str()?,
                object["Fn::GetAtt"][1].as_str()?.to_owned(),
            ),
            _ => return None,
        };
        Some((resources[id]["Type"].as_str()?, attribute))
    }

    #[test]
    fn every_alarm_watches_a_resource_of_the_template_and_notifies_the_ops_topic() {
        let (template, _) = stack_template();
        let resources = &template["Resources"];
        let of_type = |kind: &str| -> Vec<(&String, &Value)> {
            resources
                .as_object()
                .unwrap()
                .iter()
                .filter(|(_, resource)| resource["Type"] == kind)
                .collect()
        };
        let api_name = &of_type("AWS::ApiGateway::RestApi")[0].1["Properties"]["Name"];
        let routes = dragons_contract::routes::all();
        let filters = of_type("AWS::Logs::MetricFilter");
        let alarms = of_type("AWS::CloudWatch::Alarm");
        assert!(!alarms.is_empty());
        for (id, alarm) in alarms {
            let properties = &alarm["Properties"];
            for actions in ["AlarmActions", "OKActions"] {
                assert_eq!(properties[actions], json!([{ "Ref": "OpsTopic" }]), "{id}");
            }
            assert!(
                properties["AlarmDescription"].as_str().unwrap().len() <= MAX_DESCRIPTION_CHARS
            );
            let dimensions: BTreeMap<&str, &Value> = properties["Dimensions"]
                .as_array()
                .map(|dimensions| {
                    dimensions
                        .iter()
                        .map(|d| (d["Name"].as_str().unwrap(), &d["Value"]))
                        .collect()
                })
                .unwrap_or_default();
            let names: Vec<&str> = dimensions.keys().copied().collect();
            let resolves = |name: &str, kind: &str, attribute: &str| {
                assert_eq!(
                    referenced(resources, dimensions[name]),
                    Some((kind, attribute.to_owned())),
                    "{id}: {name}"
                );
            };
            match properties["Namespace"].as_str() {
                Some("AWS/Lambda") => {
                    assert_eq!(names, ["FunctionName"], "{id}");
                    resolves("FunctionName", "AWS::Lambda::Function", "Ref");
                }
                Some("AWS/States") => {
                    assert_eq!(names, ["StateMachineArn"], "{id}");
                    resolves("StateMachineArn", "AWS::StepFunctions::StateMachine", "Ref");
                }
                Some("AWS/SNS") => {
                    assert_eq!(names, ["TopicName"], "{id}");
                    resolves("TopicName", "AWS::SNS::Topic", "TopicName");
                    assert_eq!(
                        dimensions["TopicName"]["Fn::GetAtt"][0],
                        "DragonReportsTopic"
                    );
                }
                Some("AWS/ApiGateway") => {
                    assert_eq!(names, ["ApiName", "Method", "Resource", "Stage"], "{id}");
                    assert_eq!(dimensions["ApiName"], api_name, "{id}");
                    resolves("Stage", "AWS::ApiGateway::Stage", "Ref");
                    assert!(
                        routes
                            .iter()
                            .any(|route| dimensions["Method"] == route.method
                                && dimensions["Resource"] == route.path.as_str()),
                        "{id}: no such route"
                    );
                }
                other => {
                    // The stack's own metrics: a metric filter of the template writes it.
                    assert!(names.is_empty(), "{id}");
                    assert!(
                        filters.iter().any(|(_, filter)| {
                            let transformation = &filter["Properties"]["MetricTransformations"][0];
                            transformation["MetricNamespace"] == properties["Namespace"]
                                && transformation["MetricName"] == properties["MetricName"]
                        }),
                        "{id}: {other:?} {} is no metric filter's",
                        properties["MetricName"]
                    );
                }
            }
        }
    }

    #[test]
    fn rollback_alarms_are_a_functions_errors_and_throttles() {
        let (template, alarms) = stack_template();
        for binary in dragons_contract::names::functions::ALL {
            let rollback = alarms.rollback_alarms(binary);
            assert_eq!(rollback.len(), 2, "{binary}");
            for alarm in rollback {
                let properties = &template["Resources"][alarm.id()]["Properties"];
                assert!(
                    ["Errors", "Throttles"].contains(&properties["MetricName"].as_str().unwrap())
                );
            }
        }
        assert!(alarms.rollback_alarms("no-such-function").is_empty());
    }

    #[test]
    fn docs_alarms_md_has_the_table_of_every_alarm() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/alarms.md");
        let doc = std::fs::read_to_string(path).unwrap();
        let table = markdown_table();
        assert!(
            doc.contains(&table),
            "docs/alarms.md must hold this table:\n{table}"
        );
    }

    #[test]
    fn duration_alarms_sit_at_a_share_of_each_timeout() {
        let threshold = FUNCTION_RULES[2].threshold;
        assert_eq!(threshold.resolve(Some(10)), 8000.0);
        let (template, _) = stack_template();
        let alarm = &template["Resources"]["AddDragonDurationNearTimeoutAlarm"]["Properties"];
        assert_eq!(alarm["ExtendedStatistic"], "p99");
        assert_eq!(alarm["Threshold"], 48000.0);
    }
}
