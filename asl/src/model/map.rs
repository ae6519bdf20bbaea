//! The Map state: a sub-workflow run for each item of an array, inline or distributed.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::nullable;
use super::{Branch, Catcher, QueryLanguage, Retrier};

/// A Map state.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct Map {
    /// Free-text description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// `JSONPath` (the default) or `JSONata`, overriding the machine's `QueryLanguage`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query_language: Option<QueryLanguage>,
    /// Workflow variables to set when the state completes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assign: Option<Value>,
    /// JSONata: the state's output.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<Value>,
    /// Input filter: absent, `null` (`Some(None)`) or a path.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    pub input_path: Option<Option<String>>,
    /// Output filter: absent, `null` (`Some(None)`) or a path.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    pub output_path: Option<Option<String>>,
    /// Where the array of results goes: absent, discarded (`Some(None)`) or a reference path.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    pub result_path: Option<Option<String>>,
    /// Reference path to the array in the effective input (default `$`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items_path: Option<String>,
    /// JSONata: the array (or an expression giving it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items: Option<Value>,
    /// Template building each iteration's input (`$$.Map.Item.Value`, `$$.Map.Item.Index`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_selector: Option<Value>,
    /// Legacy name of `ItemSelector`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters: Option<Value>,
    /// Template applied to the array of results.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_selector: Option<Value>,
    /// The sub-workflow run for each item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_processor: Option<Branch>,
    /// Legacy name of `ItemProcessor`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iterator: Option<Branch>,
    /// Distributed mode: where the items come from (an S3 object, listing or manifest).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_reader: Option<ItemReader>,
    /// Distributed mode: how items are grouped into batches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_batcher: Option<ItemBatcher>,
    /// Distributed mode: where the results are written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_writer: Option<ResultWriter>,
    /// Upper bound on concurrent iterations (0 or absent: as many as possible).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_concurrency: Option<u64>,
    /// Path to `MaxConcurrency`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_concurrency_path: Option<String>,
    /// JSONata: `MaxConcurrency` written as a `{% … %}` expression (a non-negative integer).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        rename(serialize = "MaxConcurrency", deserialize = "MaxConcurrency{%}")
    )]
    pub max_concurrency_expression: Option<String>,
    /// Distributed mode: percentage of failed items tolerated (0–100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tolerated_failure_percentage: Option<f64>,
    /// Path to `ToleratedFailurePercentage`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tolerated_failure_percentage_path: Option<String>,
    /// JSONata: `ToleratedFailurePercentage` written as a `{% … %}` expression (a number from 0 to 100).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        rename(
            serialize = "ToleratedFailurePercentage",
            deserialize = "ToleratedFailurePercentage{%}"
        )
    )]
    pub tolerated_failure_percentage_expression: Option<String>,
    /// Distributed mode: number of failed items tolerated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tolerated_failure_count: Option<u64>,
    /// Path to `ToleratedFailureCount`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tolerated_failure_count_path: Option<String>,
    /// JSONata: `ToleratedFailureCount` written as a `{% … %}` expression (a non-negative integer).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        rename(
            serialize = "ToleratedFailureCount",
            deserialize = "ToleratedFailureCount{%}"
        )
    )]
    pub tolerated_failure_count_expression: Option<String>,
    /// Distributed mode: a label for the Map Run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Retry policy, tried in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub retry: Vec<Retrier>,
    /// Fallback transitions once retries are exhausted, tried in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub catch: Vec<Catcher>,
    /// Next state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    /// Whether this state ends the execution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<bool>,
}

impl Map {
    /// A Map running `processor` for each item, with no transition yet.
    pub fn new(processor: Branch) -> Self {
        Self {
            item_processor: Some(processor),
            ..Self::default()
        }
    }

    /// Sets `ItemsPath`.
    #[must_use]
    pub fn items_path(mut self, path: impl Into<String>) -> Self {
        self.items_path = Some(path.into());
        self
    }

    /// Sets `ItemSelector`.
    #[must_use]
    pub fn item_selector(mut self, selector: Value) -> Self {
        self.item_selector = Some(selector);
        self
    }

    /// Sets `MaxConcurrency`.
    #[must_use]
    pub fn max_concurrency(mut self, max: u64) -> Self {
        self.max_concurrency = Some(max);
        self
    }

    /// The processor (`ItemProcessor`, or the legacy `Iterator`) with its field name.
    pub fn processor(&self) -> Option<(&'static str, &Branch)> {
        match (&self.item_processor, &self.iterator) {
            (Some(processor), _) => Some(("ItemProcessor", processor)),
            (None, Some(iterator)) => Some(("Iterator", iterator)),
            (None, None) => None,
        }
    }

    /// The item template (`ItemSelector`, or the legacy `Parameters`).
    pub fn selector(&self) -> Option<&Value> {
        self.item_selector.as_ref().or(self.parameters.as_ref())
    }

    /// Whether the processor runs in `DISTRIBUTED` mode.
    pub fn is_distributed(&self) -> bool {
        self.processor()
            .and_then(|(_, p)| p.processor_config.as_ref())
            .and_then(|config| config.mode)
            == Some(super::ProcessorMode::Distributed)
    }
}

/// A distributed Map's `ItemReader`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct ItemReader {
    /// The S3 API reading the items (`arn:aws:states:::s3:getObject`, `…:s3:listObjectsV2`).
    pub resource: String,
    /// `InputType`, `CSVHeaderLocation`, `CSVHeaders`, `MaxItems`, … as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reader_config: Option<Value>,
    /// JSONPath: the API's parameters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters: Option<Value>,
    /// JSONata: the API's arguments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arguments: Option<Value>,
}

/// A distributed Map's `ItemBatcher`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct ItemBatcher {
    /// Maximum items per batch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_items_per_batch: Option<u64>,
    /// Path to `MaxItemsPerBatch`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_items_per_batch_path: Option<String>,
    /// JSONata: `MaxItemsPerBatch` written as a `{% … %}` expression (a positive integer).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        rename(serialize = "MaxItemsPerBatch", deserialize = "MaxItemsPerBatch{%}")
    )]
    pub max_items_per_batch_expression: Option<String>,
    /// Maximum bytes per batch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_input_bytes_per_batch: Option<u64>,
    /// Path to `MaxInputBytesPerBatch`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_input_bytes_per_batch_path: Option<String>,
    /// JSONata: `MaxInputBytesPerBatch` written as a `{% … %}` expression (a positive integer).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        rename(
            serialize = "MaxInputBytesPerBatch",
            deserialize = "MaxInputBytesPerBatch{%}"
        )
    )]
    pub max_input_bytes_per_batch_expression: Option<String>,
    /// A fixed input added to every batch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_input: Option<Value>,
}

/// A distributed Map's `ResultWriter`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct ResultWriter {
    /// The S3 API writing the results (`arn:aws:states:::s3:putObject`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// JSONPath: the API's parameters (`Bucket`, `Prefix`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters: Option<Value>,
    /// JSONata: the API's arguments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arguments: Option<Value>,
    /// `OutputType` and `Transformation`, as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub writer_config: Option<Value>,
}
