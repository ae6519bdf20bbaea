//! The GitHub Actions workflows the project gives its users: actionlint (with
//! shellcheck on the `run:` scripts) finds nothing, actions are pinned by commit,
//! and the deploy job uses OIDC, not stored keys.

use std::path::Path;

use dragons_harness::in_workspace;
use dragons_harness::tools::{Run, Tool, arg};

fn actionlint(dir: &Path, files: &[String]) -> Run {
    let shellcheck = arg(&Tool::Shellcheck.path());
    let mut args = vec!["-no-color".to_owned(), "-shellcheck".to_owned(), shellcheck];
    args.extend_from_slice(files);
    Tool::Actionlint.run_in(dir, args).unwrap()
}

fn workflow_files() -> Vec<String> {
    let dir = in_workspace(".github/workflows");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "yml" || e == "yaml"))
        .map(|path| arg(&path))
        .collect();
    files.sort();
    assert!(files.len() >= 2, "the workflows are missing: {files:?}");
    files
}

#[test]
fn actionlint_reports_nothing_on_the_workflows() {
    let run = actionlint(&in_workspace("."), &workflow_files());
    assert_eq!(
        run.code,
        Some(0),
        "actionlint findings:\n{}{}",
        run.stdout,
        run.stderr
    );
}

#[test]
fn actionlint_and_shellcheck_do_find_mistakes() {
    let dir = tempfile::tempdir().unwrap();
    let workflow = dir.path().join("broken.yml");
    std::fs::write(
        &workflow,
        "on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.event.nope.nope }} $UNQUOTED\n        if: ${{ matrix.missing }}\n",
    )
    .unwrap();
    let run = actionlint(dir.path(), &[arg(&workflow)]);
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stdout.contains("matrix"), "{}", run.stdout);
    assert!(run.stdout.contains("shellcheck"), "{}", run.stdout);
}

#[test]
fn actions_are_pinned_by_commit_and_deploys_use_oidc() {
    let mut uses = 0;
    for file in workflow_files() {
        let text = std::fs::read_to_string(&file).unwrap();
        for line in text.lines().filter(|l| {
            l.trim_start().starts_with("- uses:") || l.trim_start().starts_with("uses:")
        }) {
            uses += 1;
            let reference = line.split("uses:").nth(1).unwrap().trim();
            let (action, rest) = reference
                .split_once('@')
                .unwrap_or_else(|| panic!("{file}: {line}"));
            let (sha, comment) = rest.split_once(" # ").unwrap_or((rest, ""));
            assert!(
                sha.len() == 40 && sha.chars().all(|c| c.is_ascii_hexdigit()),
                "{file}: {action} is not pinned by a full commit SHA: {line}"
            );
            assert!(
                comment.starts_with('v'),
                "{file}: {action} needs a `# vX.Y.Z` comment: {line}"
            );
        }
        assert!(
            !text.contains("secrets.AWS_"),
            "{file}: AWS keys in secrets"
        );
    }
    assert!(uses >= 3, "{uses} actions");
    let deploy = std::fs::read_to_string(in_workspace(".github/workflows/deploy.yml")).unwrap();
    assert!(
        deploy.contains("id-token: write"),
        "deploy needs the OIDC token"
    );
    assert!(
        deploy.contains("role-to-assume: ${{ vars."),
        "the role comes from a repository variable"
    );
}
