//! Measures the interpreter's overhead per state: runs a chain of Pass states many times
//! and prints the mean time per state.
//!
//! `cargo run --release -p asl --example overhead [STATES] [RUNS]` (defaults: 1000 × 100).

use std::time::Instant;

use asl::interpret::{Interpreter, TestClock};
use asl::{Pass, StateMachine};
use serde_json::json;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let states: usize = args.next().map_or(Ok(1000), |a| a.parse())?;
    let runs: u32 = args.next().map_or(Ok(100), |a| a.parse())?;

    let mut machine = StateMachine::new("S0");
    for i in 0..states {
        let pass = Pass::new();
        let pass = if i + 1 == states {
            pass.end()
        } else {
            pass.next(format!("S{}", i + 1))
        };
        machine = machine.state(format!("S{i}"), pass);
    }
    asl::validate(&machine)?;
    let interpreter = Interpreter::new(&machine).clock(TestClock::new());
    let input = json!({"dragon": {"dragon_name_str": "Atlas", "family_str": "red"},
                       "reporter": {"sub": "user", "username": "mira"}});

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()?;
    // Warm-up run, also checking the chain completes.
    let outcome = runtime.block_on(interpreter.run(input.clone()));
    if !outcome.succeeded() || outcome.states_entered().len() != states {
        return Err(format!("unexpected outcome: {:?}", outcome.error).into());
    }

    let start = Instant::now();
    for _ in 0..runs {
        runtime.block_on(interpreter.run(input.clone()));
    }
    let elapsed = start.elapsed();
    let per_state = elapsed.as_secs_f64() * 1e6 / (f64::from(runs) * states as f64);
    println!(
        "{states} Pass states × {runs} runs in {elapsed:.2?}: {per_state:.2} µs per state \
         (including history)"
    );
    Ok(())
}
