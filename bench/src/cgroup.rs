//! Lambda-sized cgroups (v1, as root): a memory limit and the CPU share Lambda
//! gives a function of that size (one vCPU at 1,769 MB), so a release binary runs
//! as Lambda would size it (LOCAL-AWS.md), plus a `cpuacct` group that counts the
//! CPU time it uses. Removed on drop.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;

/// Where cgroup v1 mounts its controllers.
const ROOT: &str = "/sys/fs/cgroup";
/// The memory at which Lambda gives a function one full vCPU, in MB.
const FULL_CPU_MB: u64 = 1769;
/// The CFS period the quota is a share of, in µs.
const PERIOD_US: u64 = 100_000;

/// A memory, a cpu and a cpuacct cgroup of one size, for one child at a time.
pub struct LambdaCgroup {
    memory: PathBuf,
    cpu: PathBuf,
    cpuacct: PathBuf,
    /// The memory limit in MiB.
    pub memory_mib: u64,
}

impl LambdaCgroup {
    /// Creates the groups: `memory_mib` MiB of memory, `memory_mib / 1769` of a
    /// CPU (7,236 µs per 100 ms at 128), and the accounting of its CPU time.
    pub fn create(memory_mib: u64) -> anyhow::Result<Self> {
        let name = dragons_harness::fixtures::unique_name("dragons-bench");
        let group = Self {
            memory: PathBuf::from(ROOT).join("memory").join(&name),
            cpu: PathBuf::from(ROOT).join("cpu").join(&name),
            cpuacct: PathBuf::from(ROOT).join("cpuacct").join(&name),
            memory_mib,
        };
        let create = |path: &PathBuf| {
            std::fs::create_dir(path).with_context(|| {
                format!(
                    "creating the cgroup {} (needs root and cgroup v1; see LOCAL-AWS.md)",
                    path.display()
                )
            })
        };
        create(&group.memory)?;
        create(&group.cpu)?;
        create(&group.cpuacct)?;
        let write = |path: PathBuf, value: String| {
            std::fs::write(&path, value).with_context(|| format!("writing {}", path.display()))
        };
        write(
            group.memory.join("memory.limit_in_bytes"),
            (memory_mib << 20).to_string(),
        )?;
        write(group.cpu.join("cpu.cfs_period_us"), PERIOD_US.to_string())?;
        write(
            group.cpu.join("cpu.cfs_quota_us"),
            (PERIOD_US * memory_mib / FULL_CPU_MB).to_string(),
        )?;
        Ok(group)
    }

    /// The `cgroup.procs` files a child writes its pid to before it runs.
    pub fn procs(&self) -> [PathBuf; 3] {
        [
            self.memory.join("cgroup.procs"),
            self.cpu.join("cgroup.procs"),
            self.cpuacct.join("cgroup.procs"),
        ]
    }

    /// The CPU time (user and system, every thread) the group has used so far.
    pub fn cpu_usage(&self) -> Option<Duration> {
        std::fs::read_to_string(self.cpuacct.join("cpuacct.usage"))
            .ok()?
            .trim()
            .parse()
            .ok()
            .map(Duration::from_nanos)
    }

    /// The group's peak memory charge since it was made, in bytes.
    pub fn max_usage_bytes(&self) -> Option<u64> {
        std::fs::read_to_string(self.memory.join("memory.max_usage_in_bytes"))
            .ok()?
            .trim()
            .parse()
            .ok()
    }

    /// How many times the group hit its memory limit.
    pub fn failcnt(&self) -> u64 {
        std::fs::read_to_string(self.memory.join("memory.failcnt"))
            .ok()
            .and_then(|text| text.trim().parse().ok())
            .unwrap_or(0)
    }
}

impl Drop for LambdaCgroup {
    fn drop(&mut self) {
        // Empty once its child has been reaped; a leftover group is harmless.
        let _ = std::fs::remove_dir(&self.memory);
        let _ = std::fs::remove_dir(&self.cpu);
        let _ = std::fs::remove_dir(&self.cpuacct);
    }
}
