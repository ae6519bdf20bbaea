//! `web`: the web app in headless Chromium against local-api (over moto) with 10k and
//! 100k records: from navigation to the first page of dragons in the page, from
//! "More" to the next page in the page (the app's `performance.mark`s, read back
//! through WebDriver), and the bytes of HTML, JavaScript and CSS the first load
//! transferred (gzip, as local-api and CloudFront send them).
//! `screenshots` writes a PNG of each view for the README.

use std::{path::PathBuf, time::Duration};

use anyhow::Context;
use clap::Args;
use dragons_harness::{
    browser::{self, Chromedriver},
    site::LocalSite,
};
use fantoccini::{Client, Locator};
use serde_json::Value;

use crate::SEED;
use crate::report::{Check, Report};
use crate::runtime;
use crate::stats::Summary;
use crate::table::{self, Table};

/// Options of `web`.
#[derive(Debug, Clone, Args)]
pub struct Options {
    /// Record counts to serve.
    #[arg(long = "web-records", value_delimiter = ',', default_values_t = [10_000, 100_000])]
    pub records: Vec<u64>,
    /// Navigations measured per count (after one to warm up).
    #[arg(long = "web-runs", default_value_t = 10)]
    pub runs: usize,
}

/// The targets: first page at 100k records, and the first load's size.
const FIRST_PAGE_TARGET_MS: f64 = 300.0;
const FIRST_LOAD_TARGET_KB: f64 = 50.0;
const PATIENCE: Duration = Duration::from_secs(30);

/// Polls `script` until it returns a number other than 0; that number.
async fn number(client: &Client, what: &str, script: &str) -> anyhow::Result<f64> {
    browser::wait_for(client, what, script, PATIENCE)
        .await?
        .as_f64()
        .with_context(|| format!("{what} is not a number"))
}

/// Signs in through the stand-in's page from the app at `origin`.
pub async fn sign_in(client: &Client, site: &LocalSite) -> anyhow::Result<()> {
    client.goto(&format!("{}/", site.origin)).await?;
    let button = "//button[normalize-space(.)='Sign in']";
    client
        .wait()
        .at_most(PATIENCE)
        .for_element(Locator::XPath(button))
        .await?
        .click()
        .await?;
    // The app navigates to the stand-in's sign-in page, which then redirects back:
    // poll in the page, where a navigation in between is only "not yet".
    browser::wait_for(
        client,
        "the sign-in page",
        "return document.getElementById('password') !== null",
        PATIENCE,
    )
    .await?;
    client
        .find(Locator::Id("email"))
        .await?
        .send_keys(&site.seeded.username)
        .await?;
    client
        .find(Locator::Id("password"))
        .await?
        .send_keys(&site.seeded.password)
        .await?;
    client.find(Locator::XPath(button)).await?.click().await?;
    browser::wait_for(
        client,
        "the dragons after signing in",
        "return document.querySelector('main .card') !== null",
        PATIENCE,
    )
    .await?;
    Ok(())
}

const FIRST_PAGE: &str = "const m = performance.getEntriesByName('dragons:first-page')[0]; return m ? m.startTime : null;";
const MORE: &str = "const a = performance.getEntriesByName('dragons:more-requested')[0]; const b = performance.getEntriesByName('dragons:more')[0]; return a && b ? b.startTime - a.startTime : null;";
/// Bytes of the document, scripts and style sheets: (transferred, compressed bodies, decoded bodies).
const BYTES: &str = "const entries = [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')].filter((e) => /(\\/|\\.html|\\.js|\\.css)$/.test(new URL(e.name).pathname)); return [entries.reduce((s, e) => s + e.transferSize, 0), entries.reduce((s, e) => s + e.encodedBodySize, 0), entries.reduce((s, e) => s + e.decodedBodySize, 0), entries.length];";

struct Measured {
    first_page: Vec<Duration>,
    more: Vec<Duration>,
    bytes: Vec<f64>,
}

async fn measure(records: u64, runs: usize) -> anyhow::Result<Measured> {
    eprintln!("bench web: {records} records");
    let data = dragons_ops::sample::write_lines(records, SEED, Vec::new())?;
    let site = LocalSite::start(data).await?;
    let driver = Chromedriver::start()?;
    let client = driver.session(1024, 800).await?;
    sign_in(&client, &site).await?;
    let mut measured = Measured {
        first_page: Vec::new(),
        more: Vec::new(),
        bytes: Vec::new(),
    };
    for run in 0..=runs {
        client.goto("about:blank").await?;
        client.goto(&format!("{}/#/dragons", site.origin)).await?;
        let first = number(&client, "the first page", FIRST_PAGE).await?;
        if run == 0 {
            // A new session's first load: nothing cached.
            let bytes = client.execute(BYTES, Vec::new()).await?;
            measured.bytes = bytes
                .as_array()
                .context("byte counts")?
                .iter()
                .filter_map(Value::as_f64)
                .collect();
        }
        client
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::XPath("//button[normalize-space(.)='More']"))
            .await?
            .click()
            .await?;
        let more = number(&client, "the next page", MORE).await?;
        if run > 0 {
            measured
                .first_page
                .push(Duration::from_secs_f64(first / 1000.0));
            measured.more.push(Duration::from_secs_f64(more / 1000.0));
        }
    }
    client.close().await?;
    Ok(measured)
}

/// Runs the benchmark.
pub fn run(options: &Options) -> anyhow::Result<Report> {
    let runtime = runtime()?;
    let mut table = Table::new([
        "records",
        "navigation → first page p50 / p99",
        "More → next page p50 / p99",
        "first load HTML+JS+CSS: transferred / bodies gzip / bodies",
    ]);
    let mut checks = Vec::new();
    let mut worst_load = 0.0_f64;
    for &records in &options.records {
        let measured = runtime.block_on(measure(records, options.runs))?;
        let first = Summary::of(&measured.first_page).context("no runs")?;
        let more = Summary::of(&measured.more).context("no runs")?;
        let [transferred, encoded, decoded, files] = measured.bytes[..] else {
            anyhow::bail!("no byte counts");
        };
        worst_load = worst_load.max(transferred);
        table.row(vec![
            table::count(records as f64),
            format!("{} / {}", table::ms(first.p50), table::ms(first.p99)),
            format!("{} / {}", table::ms(more.p50), table::ms(more.p99)),
            format!(
                "{:.1} KB / {:.1} KB / {:.1} KB ({files} files)",
                transferred / 1000.0,
                encoded / 1000.0,
                decoded / 1000.0
            ),
        ]);
        if records == 100_000 {
            checks.push(Check::at_most(
                "web: navigation → first page, 100k records (p50)",
                first.p50.as_secs_f64() * 1000.0,
                FIRST_PAGE_TARGET_MS,
                "ms",
            ));
        }
    }
    checks.push(Check::at_most(
        "web: first load, HTML+JS+CSS transferred (compressed)",
        worst_load / 1000.0,
        FIRST_LOAD_TARGET_KB,
        "KB",
    ));
    let mut report = Report::new("web: the app in headless Chromium against local-api", table);
    report.notes.push(format!(
        "{} navigations per count after a warm-up, one browser session each; the first page is 25 records; \
         times are the app's performance marks (navigation start → first page in the DOM; More pressed → next page in the DOM); \
         bytes from the first navigation's Resource Timing (transferSize includes headers; config.json and the schema are not counted)",
        options.runs
    ));
    report.checks = checks;
    Ok(report)
}

/// Options of `screenshots`.
#[derive(Debug, Clone, Args)]
pub struct ScreenshotOptions {
    /// Where the PNGs go.
    #[arg(long, default_value = "docs/screenshots")]
    pub out: PathBuf,
}

async fn shoot(client: &Client, out: &std::path::Path, name: &str) -> anyhow::Result<()> {
    tokio::time::sleep(Duration::from_millis(300)).await;
    let png = client.screenshot().await?;
    let path = out.join(format!("{name}.png"));
    std::fs::write(&path, png).with_context(|| format!("writing {}", path.display()))?;
    eprintln!("screenshots: {}", path.display());
    Ok(())
}

async fn screenshots_async(options: &ScreenshotOptions) -> anyhow::Result<()> {
    std::fs::create_dir_all(&options.out)
        .with_context(|| format!("creating {}", options.out.display()))?;
    let data = std::fs::read(dragons_harness::in_workspace("data/dragons.jsonl"))?;
    let site = LocalSite::start(data).await?;
    let driver = Chromedriver::start()?;
    let client = driver.session(900, 760).await?;
    let out = options.out.as_path();
    client.goto(&format!("{}/", site.origin)).await?;
    client
        .wait()
        .at_most(PATIENCE)
        .for_element(Locator::XPath("//button[normalize-space(.)='Sign in']"))
        .await?;
    shoot(&client, out, "1-signed-out").await?;
    client
        .find(Locator::XPath(
            "//main//button[normalize-space(.)='Sign in']",
        ))
        .await?
        .click()
        .await?;
    client
        .wait()
        .at_most(PATIENCE)
        .for_element(Locator::Id("email"))
        .await?
        .send_keys(&site.seeded.username)
        .await?;
    shoot(&client, out, "2-sign-in").await?;
    client
        .find(Locator::Id("password"))
        .await?
        .send_keys(&site.seeded.password)
        .await?;
    client
        .find(Locator::XPath("//button[normalize-space(.)='Sign in']"))
        .await?
        .click()
        .await?;
    client
        .wait()
        .at_most(PATIENCE)
        .for_element(Locator::Css("main .card"))
        .await?;
    shoot(&client, out, "3-dragons").await?;
    client
        .goto(&format!("{}/#/dragons?family=red", site.origin))
        .await?;
    client.refresh().await?;
    client
        .wait()
        .at_most(PATIENCE)
        .for_element(Locator::Css("main .card"))
        .await?;
    shoot(&client, out, "4-dragons-filtered").await?;
    client.goto(&format!("{}/#/report", site.origin)).await?;
    client
        .wait()
        .at_most(PATIENCE)
        .for_element(Locator::Id("field-family_str"))
        .await?
        .send_keys(&"f".repeat(41))
        .await?;
    client
        .find(Locator::Id("field-location_city_str"))
        .await?
        .send_keys("Reykjavík")
        .await?;
    client
        .find(Locator::XPath("//button[normalize-space(.)='Report']"))
        .await?
        .click()
        .await?;
    shoot(&client, out, "5-report-refused").await?;
    client.refresh().await?;
    client
        .execute(
            "sessionStorage.removeItem('dragons.draft'); return true",
            Vec::new(),
        )
        .await?;
    client.refresh().await?;
    for (id, value) in [
        ("field-dragon_name_str", "Quill"),
        ("field-family_str", "copper"),
        (
            "field-description_str",
            "Nests on the old harbour crane.\nShy in daylight.",
        ),
        ("field-location_city_str", "Reykjavík"),
        ("field-location_country_str", "iceland"),
        ("field-location_neighborhood_str", "grandi"),
    ] {
        client
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::Id(id))
            .await?
            .send_keys(value)
            .await?;
    }
    shoot(&client, out, "6-report").await?;
    client
        .find(Locator::XPath("//button[normalize-space(.)='Report']"))
        .await?
        .click()
        .await?;
    client
        .wait()
        .at_most(PATIENCE)
        .for_element(Locator::Css(".state-ADDED"))
        .await?;
    client.goto(&format!("{}/#/report", site.origin)).await?;
    for (id, value) in [
        ("field-dragon_name_str", "Atlas"),
        ("field-family_str", "green"),
        ("field-description_str", "Seen again."),
        ("field-location_city_str", "anchorage"),
        ("field-location_country_str", "usa"),
    ] {
        client
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::Id(id))
            .await?
            .send_keys(value)
            .await?;
    }
    client
        .find(Locator::XPath("//button[normalize-space(.)='Report']"))
        .await?
        .click()
        .await?;
    client
        .wait()
        .at_most(PATIENCE)
        .for_element(Locator::Css(".state-REJECTED"))
        .await?;
    shoot(&client, out, "7-my-reports").await?;
    client.set_window_size(320, 700).await?;
    client.goto(&format!("{}/#/dragons", site.origin)).await?;
    client.refresh().await?;
    client
        .wait()
        .at_most(PATIENCE)
        .for_element(Locator::Css("main .card"))
        .await?;
    shoot(&client, out, "8-dragons-320px").await?;
    client.close().await?;
    Ok(())
}

/// Writes the screenshots.
pub fn screenshots(options: &ScreenshotOptions) -> anyhow::Result<()> {
    runtime()?.block_on(screenshots_async(options))
}
