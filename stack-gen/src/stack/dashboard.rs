//! The stack's CloudWatch dashboard, from the same model as the alarms: requests,
//! errors and latency per route of the contract's table, reports by outcome (the
//! metric filters' counts and the workflow's executions), and every function's
//! duration and errors. The body is typed values serialized to JSON, always in the
//! same order; the names of the stack's resources are spliced into it with `Fn::Sub`.

use serde::{Serialize, Serializer, ser::SerializeSeq};
use stratosphere::services::aws::{apigateway, cloudwatch, lambda, stepfunctions};

use super::report_metrics::{self, ReportMetrics};
use crate::template::{Handle, Pseudo, Sub, Template, TemplateError};
use dragons_contract::routes::Route;

/// How wide the dashboard's grid is.
const GRID_WIDTH: u32 = 24;
/// A widget's size: half the grid's width.
const WIDTH: u32 = 12;
/// A widget's height.
const HEIGHT: u32 = 6;
/// The period of every graph, in seconds.
const PERIOD_SECONDS: u32 = 300;

/// A string of the body: literal, or a value of the template spliced in.
#[derive(Debug, Clone)]
enum Text {
    /// Literal text.
    Literal(String),
    /// A pattern `Fn::Sub` fills in (the index of a splice).
    Spliced(usize),
}

impl Serialize for Text {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Literal(text) => serializer.serialize_str(text),
            Self::Spliced(index) => serializer.serialize_str(&marker(*index)),
        }
    }
}

/// Where splice `index` stands in the serialized body until it is built.
fn marker(index: usize) -> String {
    format!("{MARKER_START}{index}{MARKER_END}")
}

const MARKER_START: &str = "{{splice:";
const MARKER_END: &str = "}}";

/// The values spliced into the body.
#[derive(Debug, Default)]
struct Splices(Vec<Sub>);

impl Splices {
    fn add(&mut self, pattern: Sub) -> Text {
        self.0.push(pattern);
        Text::Spliced(self.0.len() - 1)
    }
}

/// Which y axis a line is drawn against.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "lowercase")]
enum Axis {
    Left,
    Right,
}

/// How one line of a graph is drawn.
#[derive(Debug, Clone, Serialize)]
struct LineOptions {
    stat: &'static str,
    label: String,
    #[serde(rename = "yAxis")]
    y_axis: Axis,
}

/// One line: `[namespace, metric, dimension name, value, …, options]`.
#[derive(Debug, Clone)]
struct Line {
    namespace: Text,
    metric: &'static str,
    dimensions: Vec<(&'static str, Text)>,
    options: LineOptions,
}

impl Serialize for Line {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(3 + 2 * self.dimensions.len()))?;
        seq.serialize_element(&self.namespace)?;
        seq.serialize_element(self.metric)?;
        for (name, value) in &self.dimensions {
            seq.serialize_element(name)?;
            seq.serialize_element(value)?;
        }
        seq.serialize_element(&self.options)?;
        seq.end()
    }
}

/// A graph's properties.
#[derive(Debug, Clone, Serialize)]
struct Graph {
    title: String,
    view: &'static str,
    region: Text,
    period: u32,
    stacked: bool,
    metrics: Vec<Line>,
}

/// One widget of the grid.
#[derive(Debug, Clone, Serialize)]
struct Widget {
    #[serde(rename = "type")]
    kind: &'static str,
    x: u32,
    y: u32,
    width: u32,
    height: u32,
    properties: Graph,
}

/// The dashboard's body.
#[derive(Debug, Clone, Serialize)]
struct Body {
    widgets: Vec<Widget>,
}

/// What the dashboard shows.
pub struct Model<'a> {
    /// The routes (the contract's table).
    pub routes: &'a [Route],
    /// The API's name.
    pub api_name: Sub,
    /// The API's stage.
    pub stage: &'a Handle<apigateway::Stage_>,
    /// Every function, by binary.
    pub functions: Vec<(&'a str, &'a Handle<lambda::Function_>)>,
    /// The report workflow.
    pub state_machine: &'a Handle<stepfunctions::StateMachine_>,
    /// The counts of reports by outcome.
    pub reports: &'a ReportMetrics,
}

fn line(
    namespace: &Text,
    metric: &'static str,
    dimensions: &[(&'static str, Text)],
    stat: &'static str,
    label: String,
    y_axis: Axis,
) -> Line {
    Line {
        namespace: namespace.clone(),
        metric,
        dimensions: dimensions.to_vec(),
        options: LineOptions {
            stat,
            label,
            y_axis,
        },
    }
}

/// The body, with its splices.
fn body(model: &Model) -> (Body, Splices) {
    let mut splices = Splices::default();
    let region = splices.add(Sub::new().pseudo(Pseudo::Region));
    let api_name = splices.add(model.api_name.clone());
    let stage = splices.add(Sub::new().reference(model.stage));
    let literal = |text: &str| Text::Literal(text.to_owned());
    let graph = |title: String, metrics: Vec<Line>| Graph {
        title,
        view: "timeSeries",
        region: region.clone(),
        period: PERIOD_SECONDS,
        stacked: false,
        metrics,
    };
    let mut graphs = Vec::new();

    let api = literal("AWS/ApiGateway");
    for route in model.routes {
        let dimensions = [
            ("ApiName", api_name.clone()),
            ("Method", literal(route.method)),
            ("Resource", literal(&route.path)),
            ("Stage", stage.clone()),
        ];
        let of = |metric, stat, label: &str, axis| {
            line(&api, metric, &dimensions, stat, label.to_owned(), axis)
        };
        graphs.push(graph(
            format!("{} {}: requests, errors, latency", route.method, route.path),
            vec![
                of("Count", "Sum", "requests", Axis::Left),
                of("4XXError", "Sum", "4xx", Axis::Left),
                of("5XXError", "Sum", "5xx", Axis::Left),
                of("Latency", "p50", "latency p50 (ms)", Axis::Right),
                of("Latency", "p99", "latency p99 (ms)", Axis::Right),
            ],
        ));
    }

    let own = splices.add(report_metrics::namespace_pattern());
    let states = literal("AWS/States");
    let machine = [(
        "StateMachineArn",
        splices.add(Sub::new().reference(model.state_machine)),
    )];
    let reports = model.reports;
    graphs.push(graph(
        "Reports by outcome".to_owned(),
        [
            (&reports.added, "added"),
            (&reports.rejected, "rejected"),
            (&reports.failed, "failed"),
            (&reports.added_unannounced, "added, unannounced"),
        ]
        .into_iter()
        .map(|(metric, label)| line(&own, metric.name, &[], "Sum", label.to_owned(), Axis::Left))
        .chain([
            line(
                &states,
                "ExecutionsStarted",
                &machine,
                "Sum",
                "executions started".to_owned(),
                Axis::Left,
            ),
            line(
                &states,
                "ExecutionThrottled",
                &machine,
                "Sum",
                "executions throttled".to_owned(),
                Axis::Left,
            ),
        ])
        .collect(),
    ));

    let lambda = literal("AWS/Lambda");
    let functions: Vec<(&str, [(&'static str, Text); 1])> = model
        .functions
        .iter()
        .map(|(binary, function)| {
            (
                *binary,
                [("FunctionName", splices.add(Sub::new().reference(function)))],
            )
        })
        .collect();
    for (title, metric, stats) in [
        ("Function duration (ms)", "Duration", &["p50", "p99"][..]),
        ("Function errors and throttles", "Errors", &["Sum"][..]),
    ] {
        let mut lines = Vec::new();
        for (binary, dimensions) in &functions {
            for stat in stats {
                lines.push(line(
                    &lambda,
                    metric,
                    dimensions,
                    stat,
                    format!("{binary} {stat}"),
                    Axis::Left,
                ));
            }
            if metric == "Errors" {
                lines.push(line(
                    &lambda,
                    "Throttles",
                    dimensions,
                    "Sum",
                    format!("{binary} throttles"),
                    Axis::Left,
                ));
            }
        }
        graphs.push(graph(title.to_owned(), lines));
    }

    let per_row = GRID_WIDTH / WIDTH;
    let widgets = graphs
        .into_iter()
        .zip(0u32..)
        .map(|(properties, n)| Widget {
            kind: "metric",
            x: (n % per_row) * WIDTH,
            y: (n / per_row) * HEIGHT,
            width: WIDTH,
            height: HEIGHT,
            properties,
        })
        .collect();
    (Body { widgets }, splices)
}

/// Why the body could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum DashboardError {
    /// The body could not be serialized.
    #[error("could not serialize the dashboard body: {0}")]
    Json(#[from] serde_json::Error),
    /// The body's text names a splice that does not exist.
    #[error("the dashboard body refers to splice {0}, which does not exist")]
    Splice(String),
    /// The resource could not be added.
    #[error(transparent)]
    Template(#[from] TemplateError),
}

/// The body as a `Fn::Sub` pattern: the JSON text, each splice's marker replaced by
/// its pattern.
fn rendered(body: &Body, splices: &Splices) -> Result<Sub, DashboardError> {
    let text = serde_json::to_string(body)?;
    let mut pattern = Sub::new();
    let mut rest = text.as_str();
    while let Some(start) = rest.find(MARKER_START) {
        pattern = pattern.text(&rest[..start]);
        let after = &rest[start + MARKER_START.len()..];
        let end = after
            .find(MARKER_END)
            .ok_or_else(|| DashboardError::Splice(after.to_owned()))?;
        let index = &after[..end];
        let splice = index
            .parse::<usize>()
            .ok()
            .and_then(|index| splices.0.get(index))
            .ok_or_else(|| DashboardError::Splice(index.to_owned()))?;
        pattern = pattern.then(splice.clone());
        rest = &after[end + MARKER_END.len()..];
    }
    Ok(pattern.text(rest))
}

/// Adds the dashboard.
pub fn add(
    template: &mut Template,
    model: &Model,
) -> Result<Handle<cloudwatch::Dashboard_>, DashboardError> {
    let (body, splices) = body(model);
    let pattern = rendered(&body, &splices)?;
    Ok(template.add(
        "OperationsDashboard",
        cloudwatch::Dashboard! { dashboard_body: pattern.build() },
    )?)
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    fn dashboard() -> (Value, Value) {
        let stack = crate::stack::build().unwrap();
        let template = stack.template.to_value().unwrap();
        let body =
            template["Resources"]["OperationsDashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
                .clone();
        (template, body)
    }

    /// The body with every `${…}` replaced by a sample value: JSON CloudWatch accepts.
    fn filled(pattern: &str) -> Value {
        let mut text = String::new();
        let mut rest = pattern;
        while let Some(start) = rest.find("${") {
            text.push_str(&rest[..start]);
            let end = rest[start..].find('}').unwrap() + start;
            text.push_str("sample");
            rest = &rest[end + 1..];
        }
        text.push_str(rest);
        serde_json::from_str(&text).unwrap()
    }

    #[test]
    fn the_body_graphs_every_route_every_function_and_the_outcomes() {
        let (template, body) = dashboard();
        let pattern = body.as_str().unwrap();
        let parsed = filled(pattern);
        let widgets = parsed["widgets"].as_array().unwrap();
        let titles: Vec<&str> = widgets
            .iter()
            .map(|widget| widget["properties"]["title"].as_str().unwrap())
            .collect();
        for route in dragons_contract::routes::all() {
            assert!(
                titles.contains(
                    &format!("{} {}: requests, errors, latency", route.method, route.path).as_str()
                ),
                "{titles:?}"
            );
        }
        assert!(titles.contains(&"Reports by outcome"));
        for binary in dragons_contract::names::functions::ALL {
            assert!(pattern.contains(&format!("{binary} p99")), "{binary}");
        }
        // Every splice names a resource of the template, a pseudo parameter or the
        // stack's own metric namespace.
        let resources = template["Resources"].as_object().unwrap();
        let mut rest = pattern;
        while let Some(start) = rest.find("${") {
            let end = rest[start..].find('}').unwrap() + start;
            let name = &rest[start + 2..end];
            assert!(
                name.starts_with("AWS::") || resources.contains_key(name),
                "{name}"
            );
            rest = &rest[end + 1..];
        }
        // Widgets do not overlap.
        let places: std::collections::BTreeSet<(u64, u64)> = widgets
            .iter()
            .map(|widget| (widget["x"].as_u64().unwrap(), widget["y"].as_u64().unwrap()))
            .collect();
        assert_eq!(places.len(), widgets.len());
    }

    #[test]
    fn the_body_is_the_same_every_time() {
        assert_eq!(dashboard().1, dashboard().1);
    }
}
