//! The dependency rules ARCHITECTURE.md states as invariants, checked against what
//! cargo resolves for each crate (`cargo tree`, normal and build dependencies, with
//! that crate's own features), and the one rule inside a crate: the handlers'
//! domain never reaches its AWS adapters.

use std::collections::BTreeSet;
use std::process::Command;

/// One crate's rule: the workspace crates it may reach, and the external crates
/// (by name prefix) it must never compile.
struct Rule {
    package: &'static str,
    may_reach: &'static [&'static str],
    never: &'static [&'static [&'static str]],
    why: &'static str,
}

/// The workspace's library crates, as cargo names them.
const WORKSPACE: [&str; 9] = [
    "asl",
    "dragons-bench",
    "dragons-contract",
    "dragons-harness",
    "dragons-ops",
    "dragons-tests",
    "handlers",
    "local-api",
    "stack-gen",
];

/// AWS SDKs and Lambda runtimes, by crate name prefix.
const AWS: &[&str] = &["aws-config", "aws-sdk-", "aws-smithy-", "lambda_"];
/// HTTP servers and clients.
const HTTP: &[&str] = &["hyper", "axum"];

const RULES: [Rule; 5] = [
    Rule {
        package: "asl",
        may_reach: &[],
        never: &[AWS, HTTP, &["stratosphere"]],
        why: "asl is a leaf: it knows nothing of dragons, CloudFormation or AWS SDKs",
    },
    Rule {
        package: "dragons-contract",
        may_reach: &["asl"],
        never: &[AWS, HTTP],
        why: "the contract knows nothing of AWS SDKs, Lambda runtimes or HTTP servers",
    },
    Rule {
        package: "handlers",
        may_reach: &["dragons-contract", "asl"],
        never: &[&["stratosphere", "axum"]],
        why: "handlers never depend on stack-gen or local-api",
    },
    Rule {
        package: "stack-gen",
        may_reach: &["dragons-contract", "asl"],
        never: &[AWS, &["hyper", "tokio"]],
        why: "stack-gen never depends on handlers or local-api, and builds without the SDK",
    },
    Rule {
        package: "local-api",
        may_reach: &["dragons-contract", "handlers", "asl"],
        never: &[&["stratosphere"]],
        why: "local-api runs the handlers and the contract's workflow, never stack-gen",
    },
];

/// The names of every crate `package` compiles (normal and build dependencies,
/// transitively), itself included.
fn reached(package: &str) -> BTreeSet<String> {
    let root = dragons_harness::workspace_root();
    let output = Command::new(env!("CARGO"))
        .args([
            "tree",
            "--locked",
            "-p",
            package,
            "-e",
            "normal,build",
            "--prefix",
            "none",
            "--format",
            "{p}",
        ])
        .current_dir(&root)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "cargo tree -p {package}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .map(str::to_owned)
        .collect()
}

/// What in `reached` breaks `rule`.
fn violations(rule: &Rule, reached: &BTreeSet<String>) -> Vec<String> {
    let mut found = Vec::new();
    for name in reached {
        if name == rule.package {
            continue;
        }
        if WORKSPACE.contains(&name.as_str()) && !rule.may_reach.contains(&name.as_str()) {
            found.push(format!("reaches the workspace crate {name}"));
        }
        if rule
            .never
            .iter()
            .flat_map(|group| group.iter())
            .any(|prefix| name.starts_with(prefix))
        {
            found.push(format!("compiles {name}"));
        }
    }
    found
}

#[test]
fn every_crate_keeps_its_dependency_rule() {
    let mut broken = Vec::new();
    for rule in &RULES {
        for violation in violations(rule, &reached(rule.package)) {
            broken.push(format!("{}: {violation} ({})", rule.package, rule.why));
        }
    }
    assert!(
        broken.is_empty(),
        "dependency rules broken:\n{}",
        broken.join("\n")
    );
}

#[test]
fn a_broken_rule_is_reported() {
    let rule = &RULES[3];
    let mut reached = BTreeSet::from(["stack-gen".to_owned(), "serde".to_owned()]);
    assert!(violations(rule, &reached).is_empty());
    reached.insert("handlers".to_owned());
    reached.insert("aws-sdk-s3".to_owned());
    assert_eq!(
        violations(rule, &reached),
        [
            "compiles aws-sdk-s3",
            "reaches the workspace crate handlers"
        ]
    );
}

/// Paths that, named in `handlers/src/domain`, would mean I/O or AWS types there.
const NOT_IN_THE_DOMAIN: [&str; 10] = [
    "crate::aws",
    "super::super::aws",
    "aws_sdk_",
    "aws_smithy_",
    "aws_config",
    "lambda_http",
    "lambda_runtime",
    "tokio",
    "std::fs",
    "std::net",
];

#[test]
fn the_handlers_domain_never_reaches_its_adapters() {
    let domain = dragons_harness::in_workspace("handlers/src/domain");
    let mut files = 0;
    let mut broken = Vec::new();
    for entry in std::fs::read_dir(&domain).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|extension| extension == "rs") {
            files += 1;
            let text = std::fs::read_to_string(&path).unwrap();
            for (number, line) in text.lines().enumerate() {
                for name in NOT_IN_THE_DOMAIN {
                    if line.contains(name) && !line.trim_start().starts_with("//") {
                        broken.push(format!("{}:{}: {name}", path.display(), number + 1));
                    }
                }
            }
        }
    }
    assert!(
        files >= 4,
        "no domain modules found in {}",
        domain.display()
    );
    assert!(
        broken.is_empty(),
        "the domain reaches I/O or AWS:\n{}",
        broken.join("\n")
    );
}
