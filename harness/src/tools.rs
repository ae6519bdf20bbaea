//! The pinned external tools (installed by `scripts/install-tools` into `.tools/`)
//! and a runner that captures what they print.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::workspace_root;

/// A tool the tests run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    /// `cfn-lint`, in `.tools/venv/cfn-lint`.
    CfnLint,
    /// `checkov`, in its own `.tools/venv/checkov`.
    Checkov,
    /// `asl-validator`, in `.tools/npm`.
    AslValidator,
    /// `moto_server`, in `.tools/venv/moto`.
    MotoServer,
    /// The Python with airspeed-ext (a Velocity engine), in `.tools/venv/airspeed`.
    VelocityPython,
    /// The AWS CLI (v1), in `.tools/venv/awscli`.
    Aws,
    /// `actionlint` (GitHub Actions workflows), in `.tools/venv/actionlint`.
    Actionlint,
    /// `shellcheck`, beside actionlint, which runs it on `run:` scripts.
    Shellcheck,
    /// `openapi-spec-validator`, in moto's virtualenv (moto pins it).
    OpenapiSpecValidator,
    /// `cfn-guard` (AWS CloudFormation Guard) as AWS builds it for Linux, shipped in the
    /// pinned `@cdklabs/cdk-validator-cfnguard` beside the rules it is tested with.
    CfnGuard,
}

/// Why a tool could not be run.
#[derive(Debug, thiserror::Error)]
pub enum ToolError {
    /// The tool is not installed: the message says how to install it.
    #[error(
        "{tool} is not installed at {path}: run `scripts/install-tools` (or `scripts/test`, which runs it)"
    )]
    Missing {
        /// The tool's name.
        tool: &'static str,
        /// Where it was looked for.
        path: PathBuf,
    },
    /// The tool could not be started.
    #[error("could not start {tool}: {source}")]
    Spawn {
        /// The tool's name.
        tool: &'static str,
        /// The cause.
        source: std::io::Error,
    },
}

impl Tool {
    /// The tool's command name.
    pub fn name(self) -> &'static str {
        match self {
            Self::CfnLint => "cfn-lint",
            Self::Checkov => "checkov",
            Self::AslValidator => "asl-validator",
            Self::MotoServer => "moto_server",
            Self::VelocityPython => "airspeed-ext",
            Self::Aws => "aws",
            Self::Actionlint => "actionlint",
            Self::Shellcheck => "shellcheck",
            Self::OpenapiSpecValidator => "openapi-spec-validator",
            Self::CfnGuard => "cfn-guard",
        }
    }

    /// Where `scripts/install-tools` puts the executable.
    pub fn path(self) -> PathBuf {
        let tools = workspace_root().join(".tools");
        match self {
            Self::CfnLint => tools.join("venv/cfn-lint/bin/cfn-lint"),
            Self::Checkov => tools.join("venv/checkov/bin/checkov"),
            Self::AslValidator => tools.join("npm/node_modules/.bin/asl-validator"),
            Self::MotoServer => tools.join("venv/moto/bin/moto_server"),
            Self::VelocityPython => tools.join("venv/airspeed/bin/python"),
            Self::Aws => tools.join("venv/awscli/bin/aws"),
            Self::Actionlint => tools.join("venv/actionlint/bin/actionlint"),
            Self::Shellcheck => tools.join("venv/actionlint/bin/shellcheck"),
            Self::OpenapiSpecValidator => tools.join("venv/moto/bin/openapi-spec-validator"),
            Self::CfnGuard => tools
                .join("npm/node_modules/@cdklabs/cdk-validator-cfnguard/bin/ubuntu")
                .join(std::env::consts::ARCH)
                .join("cfn-guard"),
        }
    }

    /// Runs the tool with `args` in the workspace root and captures its output.
    pub fn run<I, S>(self, args: I) -> Result<Run, ToolError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        self.run_in(&workspace_root(), args)
    }

    /// Runs the tool with `args` in `dir` and captures its output.
    pub fn run_in<I, S>(self, dir: &Path, args: I) -> Result<Run, ToolError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        let mut command = self.command()?;
        command.args(args).current_dir(dir);
        self.capture(&mut command)
    }

    /// The tool as a `Command` to add arguments and environment to; run it with
    /// [`capture`](Self::capture).
    pub fn command(self) -> Result<Command, ToolError> {
        let path = self.path();
        if !path.is_file() {
            return Err(ToolError::Missing {
                tool: self.name(),
                path,
            });
        }
        let mut command = Command::new(&path);
        command.current_dir(workspace_root());
        Ok(command)
    }

    /// Runs `command` (made by [`command`](Self::command)) and captures its output.
    pub fn capture(self, command: &mut Command) -> Result<Run, ToolError> {
        let output = command.output().map_err(|source| ToolError::Spawn {
            tool: self.name(),
            source,
        })?;
        Ok(Run {
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        })
    }
}

/// What a tool run printed and how it exited.
#[derive(Debug, Clone)]
pub struct Run {
    /// The exit code (`None` when killed by a signal).
    pub code: Option<i32>,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Run {
    /// Standard output parsed as JSON.
    pub fn json(&self) -> Result<serde_json::Value, serde_json::Error> {
        serde_json::from_str(&self.stdout)
    }
}

/// The AWS provider schemas the pinned cfn-lint ships
/// (`.tools/venv/cfn-lint/lib/python3.*/site-packages/cfnlint/data/schemas`).
pub fn cfn_lint_schemas() -> Result<PathBuf, ToolError> {
    let lib = workspace_root().join(".tools/venv/cfn-lint/lib");
    let missing = || ToolError::Missing {
        tool: "cfn-lint's schemas",
        path: lib.join("python3.*/site-packages/cfnlint/data/schemas"),
    };
    let entries = std::fs::read_dir(&lib).map_err(|_| missing())?;
    entries
        .filter_map(Result::ok)
        .map(|entry| entry.path().join("site-packages/cfnlint/data/schemas"))
        .find(|schemas| schemas.is_dir())
        .ok_or_else(missing)
}

/// AWS Control Tower's proactive controls as Guard rule files, one directory per
/// service, from the pinned `@cdklabs/cdk-validator-cfnguard` in `.tools/npm`.
pub fn control_tower_rules() -> Result<PathBuf, ToolError> {
    let rules = workspace_root().join(
        ".tools/npm/node_modules/@cdklabs/cdk-validator-cfnguard/rules/control-tower/cfn-guard",
    );
    if rules.is_dir() {
        Ok(rules)
    } else {
        Err(ToolError::Missing {
            tool: "Control Tower's Guard rules",
            path: rules,
        })
    }
}

/// A path as a string argument.
pub fn arg(path: &Path) -> String {
    path.display().to_string()
}
