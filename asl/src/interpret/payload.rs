//! The payload size quota: a state's input or output, or a task's result, may not exceed
//! 256 KiB of JSON text (`States.DataLimitExceeded`).
//!
//! A task's result over the quota is a failure of the task, which its retriers and
//! catchers (`States.ALL` included) see, as executions recorded on the service show; a
//! state's own output, or its input after `Parameters`, over the quota is the terminal
//! error the error-handling page describes, which ends the execution whatever the
//! catchers around it say.

use std::io;

use serde_json::Value;

use super::runner::TaskError;
use crate::errors;

/// Step Functions' quota on a payload, in bytes of UTF-8 JSON text.
pub(crate) const MAX_PAYLOAD_BYTES: u64 = 256 * 1024;

/// Counts the bytes written to it.
#[derive(Default)]
struct Counter(u64);

impl io::Write for Counter {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.0 += bytes.len() as u64;
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The size of `value` as compact JSON text.
pub(crate) fn size(value: &Value) -> u64 {
    let mut counter = Counter::default();
    // Writing to a counter cannot fail.
    let _ = serde_json::to_writer(&mut counter, value);
    counter.0
}

/// `Ok` when `value` fits the quota, `States.DataLimitExceeded` naming `what` otherwise.
pub(crate) fn check(value: &Value, what: &str) -> Result<(), TaskError> {
    let size = size(value);
    if size > MAX_PAYLOAD_BYTES {
        return Err(TaskError::new(
            errors::DATA_LIMIT_EXCEEDED,
            format!("{what} is {size} bytes, over the quota of {MAX_PAYLOAD_BYTES} bytes"),
        ));
    }
    Ok(())
}

/// `Ok` when the result (or output) `value` of the task or state `name` fits the quota,
/// `States.DataLimitExceeded` in the service's words otherwise.
pub(crate) fn check_result(value: &Value, name: &str) -> Result<(), TaskError> {
    if size(value) > MAX_PAYLOAD_BYTES {
        return Err(TaskError::new(
            errors::DATA_LIMIT_EXCEEDED,
            format!(
                "The state/task '{name}' returned a result with a size exceeding the maximum number of bytes service limit."
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn counts_compact_json_and_enforces_the_quota() {
        assert_eq!(
            size(&json!({"a": [1, "é"]})),
            r#"{"a":[1,"é"]}"#.len() as u64
        );
        let limit = usize::try_from(MAX_PAYLOAD_BYTES).unwrap_or(usize::MAX);
        // A string of n characters is n + 2 bytes of JSON.
        assert!(check(&json!("x".repeat(limit - 2)), "the output").is_ok());
        let over = check(&json!("x".repeat(limit - 1)), "the output");
        assert_eq!(
            over.map_err(|e| e.error),
            Err(errors::DATA_LIMIT_EXCEEDED.to_owned())
        );
    }
}
