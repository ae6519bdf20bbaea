//! `invalid-timestamp`: a Wait `Timestamp` and the operand of a Choice `Timestamp…`
//! comparison are RFC 3339 date-times with an uppercase `T` and an offset (`Z` or `±hh:mm`).

use super::all_rules;
use crate::interpret::timestamp;
use crate::model::{Compared, Comparison, Operand, State, StateMachine};
use crate::validate::{Diagnostic, Rule};

pub(super) fn check(machine: &StateMachine, out: &mut Vec<Diagnostic>) {
    for (name, state) in &machine.states {
        let mut report = |field: &str, text: &str| {
            out.push(Diagnostic::state(
                Rule::InvalidTimestamp,
                name,
                format!("{field} `{text}` is not an RFC 3339 timestamp"),
            ));
        };
        match state {
            State::Wait(wait) => {
                if let Some(text) = &wait.timestamp
                    && !timestamp::is_valid(text)
                {
                    report("Timestamp", text);
                }
            }
            State::Choice(choice) => {
                let mut rules = Vec::new();
                all_rules("Choices", &choice.choices, &mut rules);
                for (location, rule) in rules {
                    if let Some(Comparison {
                        kind: Compared::Timestamp,
                        operand: Operand::Text(operand),
                        ..
                    }) = rule.condition.comparison()
                        && !timestamp::is_valid(operand)
                    {
                        report(&location, operand);
                    }
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::validate::Rule;
    use crate::validate::tests::{at, reported};

    #[test]
    fn timestamps_must_be_rfc_3339_with_an_offset() {
        let wait = |name: &str, timestamp: &str, next: &str| {
            (
                name.to_owned(),
                json!({"Type": "Wait", "Timestamp": timestamp, "Next": next}),
            )
        };
        let states: serde_json::Map<String, serde_json::Value> = [
            wait("Good", "2016-12-05T21:29:29Z", "NoOffset"),
            wait("NoOffset", "2016-12-05T21:29:29", "Space"),
            wait("Space", "2016-12-05 21:29:29Z", "Month13"),
            wait("Month13", "2016-13-05T21:29:29Z", "Hour25"),
            wait("Hour25", "2016-12-05T25:29:29Z", "Pick"),
            (
                "Pick".to_owned(),
                json!({"Type": "Choice", "Choices": [
                {"Not": {"Variable": "$.t", "TimestampLessThan": "yesterday"}, "Next": "End"}
            ], "Default": "End"}),
            ),
            ("End".to_owned(), json!({"Type": "Succeed"})),
        ]
        .into_iter()
        .collect();
        let mut got = reported(json!({"StartAt": "Good", "States": states}));
        // JSON objects keep their keys sorted here, so compare in name order.
        got.sort_by(|a, b| a.1.cmp(&b.1));
        assert_eq!(
            got,
            ["Hour25", "Month13", "NoOffset", "Pick", "Space"]
                .map(|s| at(Rule::InvalidTimestamp, s))
        );
    }
}
