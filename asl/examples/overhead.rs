//! Measures the interpreter's overhead per state: runs a chain of Pass states many times
//! and prints the mean time per state, for JSONPath Pass states (no fields) and for JSONata
//! Pass states whose `Output` holds one expression (`{% $states.input %}`).
//!
//! `cargo run --release -p asl --example overhead [STATES] [RUNS]` (defaults: 1000 × 100).

use std::time::Instant;

use asl::interpret::{Interpreter, TestClock};
use asl::{Pass, QueryLanguage, StateMachine};
use serde_json::{Value, json};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let states: usize = args.next().map_or(Ok(1000), |a| a.parse())?;
    let runs: u32 = args.next().map_or(Ok(100), |a| a.parse())?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()?;
    for language in [QueryLanguage::JsonPath, QueryLanguage::JsonAta] {
        let machine = chain(states, language);
        asl::validate(&machine)?;
        let interpreter = Interpreter::new(&machine).clock(TestClock::new());
        let input = json!({"dragon": {"dragon_name_str": "Atlas", "family_str": "red"},
                           "reporter": {"sub": "user", "username": "mira"}});
        // Warm-up run, also checking the chain completes.
        let outcome = runtime.block_on(interpreter.run(input.clone()));
        if !outcome.succeeded()
            || outcome.states_entered().len() != states
            || outcome.output.as_ref() != Some(&input)
        {
            return Err(format!("unexpected outcome: {:?}", outcome.cause).into());
        }
        let start = Instant::now();
        for _ in 0..runs {
            runtime.block_on(interpreter.run(input.clone()));
        }
        let elapsed = start.elapsed();
        let per_state = elapsed.as_secs_f64() * 1e6 / (f64::from(runs) * states as f64);
        let kind = match language {
            QueryLanguage::JsonPath => "JSONPath Pass states",
            QueryLanguage::JsonAta => "JSONata Pass states (one Output expression)",
        };
        println!(
            "{states} {kind} × {runs} runs in {elapsed:.2?}: {per_state:.2} µs per state \
             (including history)"
        );
    }
    Ok(())
}

/// `states` Pass states in a chain; in JSONata each outputs `{% $states.input %}`.
fn chain(states: usize, language: QueryLanguage) -> StateMachine {
    let mut machine = StateMachine::new("S0");
    if language == QueryLanguage::JsonAta {
        machine.query_language = Some(language);
    }
    for i in 0..states {
        let mut pass = Pass::new();
        if language == QueryLanguage::JsonAta {
            pass.output = Some(Value::String("{% $states.input %}".to_owned()));
        }
        let pass = if i + 1 == states {
            pass.end()
        } else {
            pass.next(format!("S{}", i + 1))
        };
        machine = machine.state(format!("S{i}"), pass);
    }
    machine
}
