//! The web app in headless Chromium (Debian's package, over WebDriver), served by a
//! real local-api over its own moto, signing in through the stand-in: browse, filter
//! and page, sign out, a wrong password; report (added, rejected, refused in the
//! browser); hostile records shown as text with no script of theirs run; an expired
//! token recovered from without losing the form; axe-core on every view; 320 px.

use std::{
    sync::atomic::Ordering,
    time::{Duration, Instant},
};

use dragons_harness::{
    browser::{self, Chromedriver, axe_source, axe_violations},
    site::LocalSite,
};
use fantoccini::{
    Client, Locator,
    actions::{InputSource, KeyAction, KeyActions},
    elements::Element,
};
use local_api::oauth::WRONG_PASSWORD;
use serde_json::{Value, json};

use crate::util::{sample_lines, sample_records};

const ENTER: &str = "\u{E007}";
const TAB: char = '\u{E004}';
/// How long a page may take to show what a step waits for.
const PATIENCE: Duration = Duration::from_secs(20);

/// Records whose every field is hostile: markup, script, `javascript:` URLs, quotes,
/// ampersands, newlines, right-to-left text and bidi controls.
fn hostile_records() -> Vec<Value> {
    vec![
        json!({
            "dragon_name_str": "<img src=x onerror=\"window.pwned=1;alert(1)\">",
            "family_str": "hostile",
            "description_str": "<script>window.pwned=2;alert(2)</script> & \"quotes\" 'apostrophes'\nsecond line &amp; &lt;b&gt;",
            "location_city_str": "javascript:window.pwned=3",
            "location_country_str": "\u{202E}evil\u{202C} <b>bold</b>",
            "location_state_str": "",
            "location_neighborhood_str": ""
        }),
        json!({
            "dragon_name_str": "\"><svg onload=alert(4)>",
            "family_str": "hostile",
            "description_str": "שלום \u{2066}עולם\u{2069} <a href=\"javascript:alert(5)\">click</a>",
            "location_city_str": "القاهرة",
            "location_country_str": "javascript:alert(6)",
            "location_state_str": "<iframe src=\"javascript:alert(7)\"></iframe>",
            "location_neighborhood_str": "{{constructor.constructor('alert(8)')()}}"
        }),
    ]
}

fn data() -> (Vec<u8>, Vec<Value>) {
    let mut lines = sample_lines();
    let hostile = hostile_records();
    for record in &hostile {
        if !lines.ends_with(b"\n") {
            lines.push(b'\n');
        }
        lines.extend_from_slice(record.to_string().as_bytes());
        lines.push(b'\n');
    }
    let mut records = sample_records();
    records.extend(hostile);
    (lines, records)
}

/// Polls `script` (a function body returning a value) until it returns something
/// truthy; that value.
async fn wait_for(client: &Client, what: &str, script: &str) -> Value {
    match browser::wait_for(client, what, script, PATIENCE).await {
        Ok(value) => value,
        Err(error) => panic!("{error}; the page says: {}", page_text(client).await),
    }
}

async fn page_text(client: &Client) -> String {
    client
        .execute(
            "return document.body ? document.body.innerText : ''",
            Vec::new(),
        )
        .await
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The button whose accessible text is exactly `name`.
async fn button(client: &Client, name: &str) -> Element {
    let xpath = format!("//button[normalize-space(.)='{name}']");
    client
        .wait()
        .at_most(PATIENCE)
        .for_element(Locator::XPath(&xpath))
        .await
        .unwrap_or_else(|e| panic!("no button {name:?}: {e}"))
}

/// The control labelled exactly `label` (through its `<label for>`).
async fn labelled(client: &Client, label: &str) -> Element {
    let xpath = format!("//label[normalize-space(.)='{label}']");
    let label_element = client
        .wait()
        .at_most(PATIENCE)
        .for_element(Locator::XPath(&xpath))
        .await
        .unwrap_or_else(|e| panic!("no label {label:?}: {e}"));
    let id = label_element
        .attr("for")
        .await
        .unwrap()
        .expect("label has for");
    client.find(Locator::Id(&id)).await.unwrap()
}

async fn tokens(client: &Client) -> Value {
    client
        .execute(
            "return sessionStorage.getItem('dragons.tokens')",
            Vec::new(),
        )
        .await
        .unwrap()
}

async fn assert_accessible(client: &Client, axe: &str, view: &str) {
    let violations = axe_violations(client, axe).await.unwrap();
    assert!(violations.is_empty(), "axe on {view}: {violations:#?}");
}

async fn assert_fits(client: &Client, view: &str) {
    let overflow = client
        .execute(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth",
            Vec::new(),
        )
        .await
        .unwrap();
    assert_eq!(overflow, json!(0), "{view} scrolls sideways at 320 px");
}

/// From a view showing "Sign in": through the stand-in's page with `password`.
async fn sign_in(client: &Client, site: &LocalSite, password: &str) {
    button(client, "Sign in").await.click().await.unwrap();
    wait_for(client, "the sign-in page", "return location.pathname.startsWith('/oauth2/authorize') || location.pathname === '/login'").await;
    labelled(client, "Email")
        .await
        .send_keys(&site.seeded.username)
        .await
        .unwrap();
    labelled(client, "Password")
        .await
        .send_keys(password)
        .await
        .unwrap();
    button(client, "Sign in").await.click().await.unwrap();
}

async fn card_names(client: &Client) -> Vec<String> {
    let names = client
        .execute(
            "return [...document.querySelectorAll('main .card h2')].map((e) => e.textContent)",
            Vec::new(),
        )
        .await
        .unwrap();
    serde_json::from_value(names).unwrap()
}

/// Sign in (after a wrong password), list, page with "More" to the end, filter by
/// family (in the URL, kept on reload), the hostile records as text, sign out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browse_filter_page_and_sign_out() {
    let (lines, records) = data();
    let site = LocalSite::start(lines).await.unwrap();
    let axe = axe_source().unwrap();
    let driver = Chromedriver::start().unwrap();
    let client = driver.session(1024, 800).await.unwrap();
    client.goto(&format!("{}/", site.origin)).await.unwrap();
    button(&client, "Sign in").await;
    assert_accessible(&client, &axe, "the signed-out view").await;

    // A wrong password: the stand-in says so and no token is stored.
    sign_in(&client, &site, "not-the-password-1A!").await;
    wait_for(
        &client,
        "the wrong-password error",
        &format!(
            "return document.querySelector('[role=alert]')?.textContent.includes({})",
            json!(WRONG_PASSWORD)
        ),
    )
    .await;
    assert_eq!(tokens(&client).await, Value::Null);
    assert_accessible(&client, &axe, "the sign-in page").await;
    labelled(&client, "Password")
        .await
        .send_keys(&site.seeded.password)
        .await
        .unwrap();
    button(&client, "Sign in").await.click().await.unwrap();

    // Every record once, in the object's order, through "More" (by keyboard).
    wait_for(
        &client,
        "the first page",
        "return document.querySelectorAll('main .card').length > 0",
    )
    .await;
    assert!(tokens(&client).await.is_string(), "signed in: tokens held");
    assert_accessible(&client, &axe, "the dragons view").await;
    let mut pages = 1;
    loop {
        let more = client
            .find_all(Locator::XPath("//button[normalize-space(.)='More']"))
            .await
            .unwrap();
        let Some(more) = more.into_iter().next() else {
            break;
        };
        let before = card_names(&client).await.len();
        more.send_keys(ENTER).await.unwrap();
        wait_for(&client, "the next page", &format!(
            "return document.querySelectorAll('main .card').length > {before} || !document.evaluate(\"//button[normalize-space(.)='More']\", document, null, 9, null).singleNodeValue"
        ))
        .await;
        wait_for(
            &client,
            "the page loaded",
            "return !document.querySelector('main[aria-busy]')",
        )
        .await;
        pages += 1;
        assert!(pages < 10, "More never ends");
    }
    let expected: Vec<String> = records
        .iter()
        .map(|r| r["dragon_name_str"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        card_names(&client).await,
        expected,
        "every record once, in order"
    );
    assert!(pages >= 3, "62 records in pages of 25: {pages} pages");
    // The pages came from the API under the stage, each next one from its `Link`
    // resolved against the page before (never the stage twice).
    let fetched = client
        .execute(
            "return performance.getEntriesByType('resource').map(e => new URL(e.name).pathname).filter(p => p.endsWith('/dragons'))",
            vec![],
        )
        .await
        .unwrap();
    let paths: Vec<&str> = fetched
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let stage_path = format!("/{}/dragons", dragons_contract::names::STAGE);
    assert!(paths.len() >= pages, "{paths:?}");
    assert!(paths.iter().all(|path| *path == stage_path), "{paths:?}");

    // The hostile records: their literal text, no element of theirs, no script run,
    // no dialog, no CSP violation.
    let hostile = hostile_records();
    let shown = client
        .execute(
            "return [...document.querySelectorAll('main .card')].slice(-2).map((card) => [...card.querySelectorAll('h2, dd')].map((e) => [e.textContent, e.getAttribute('dir')]))",
            Vec::new(),
        )
        .await
        .unwrap();
    for (record, shown) in hostile.iter().zip(shown.as_array().unwrap()) {
        let shown = shown.as_array().unwrap();
        // In the schema's reading order (its `required`), as the card shows them.
        let schema = dragons_contract::schema::dragon_schema();
        let expected: Vec<&str> = schema["required"]
            .as_array()
            .unwrap()
            .iter()
            .map(|key| record[key.as_str().unwrap()].as_str().unwrap())
            .filter(|value| !value.is_empty())
            .collect();
        let texts: Vec<&str> = shown.iter().map(|pair| pair[0].as_str().unwrap()).collect();
        assert_eq!(texts, expected, "shown as their literal text");
        assert!(
            shown.iter().all(|pair| pair[1] == "auto"),
            "dir=auto on every value"
        );
    }
    let foreign = client
        .execute(
            "return [document.querySelectorAll('main img, main script, main svg, main iframe, main a').length, window.pwned === undefined]",
            Vec::new(),
        )
        .await
        .unwrap();
    assert_eq!(
        foreign,
        json!([0, true]),
        "no element or script of the data"
    );
    assert!(client.get_alert_text().await.is_err(), "no dialog opened");
    assert_eq!(site.site.csp_violations.load(Ordering::Relaxed), 0);
    assert_fits_at(&client, "the dragons view").await;

    // Filter by family: in the URL, kept on reload.
    let family = labelled(&client, "Family").await;
    family.send_keys("red").await.unwrap();
    family.send_keys(ENTER).await.unwrap();
    wait_for(
        &client,
        "the filter in the URL",
        "return location.hash === '#/dragons?family=red'",
    )
    .await;
    let reds: Vec<String> = records
        .iter()
        .filter(|r| r["family_str"] == "red")
        .map(|r| r["dragon_name_str"].as_str().unwrap().to_owned())
        .collect();
    let count = reds.len();
    wait_for(&client, "the red dragons", &format!("return document.querySelectorAll('main .card').length === {count} && !document.querySelector('main[aria-busy]')")).await;
    client.refresh().await.unwrap();
    wait_for(&client, "the red dragons after a reload", &format!("return document.querySelectorAll('main .card').length === {count} && !document.querySelector('main[aria-busy]')")).await;
    assert_eq!(card_names(&client).await, reds);
    assert_eq!(
        labelled(&client, "Family")
            .await
            .prop("value")
            .await
            .unwrap()
            .as_deref(),
        Some("red")
    );
    button(&client, "Search").await;

    // An empty answer says so.
    client
        .goto(&format!("{}/#/dragons?family=no-such-family", site.origin))
        .await
        .unwrap();
    wait_for(
        &client,
        "the empty state",
        "return document.getElementById('list-status')?.textContent === 'No dragons match.'",
    )
    .await;

    // The CSP is what catches a script: one injected now is refused and reported.
    let blocked = client
        .execute(
            "const s = document.createElement('script'); try { s.textContent = 'window.pwned = 9'; } catch (e) {} document.body.append(s); return window.pwned === undefined;",
            Vec::new(),
        )
        .await
        .unwrap();
    assert_eq!(blocked, json!(true));
    let started = Instant::now();
    while site.site.csp_violations.load(Ordering::Relaxed) == 0 {
        assert!(
            started.elapsed() < PATIENCE,
            "the violation was never reported"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // Sign out: the tokens are gone and the app asks to sign in.
    button(&client, "Sign out").await.click().await.unwrap();
    button(&client, "Sign in").await;
    assert_eq!(tokens(&client).await, Value::Null);
    client.close().await.unwrap();
}

/// The width check at 320 px, the window put back after.
async fn assert_fits_at(client: &Client, view: &str) {
    client.set_window_size(320, 800).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_fits(client, view).await;
    client.set_window_size(1024, 800).await.unwrap();
}

const FIELDS: [&str; 7] = [
    "Name",
    "Family",
    "Description",
    "City",
    "Country",
    "State or region",
    "Neighbourhood",
];

/// Presses and releases `key` wherever the focus is, as a keyboard does.
async fn press(client: &Client, key: char) {
    let actions = KeyActions::new("keyboard".into())
        .then(KeyAction::Down { value: key })
        .then(KeyAction::Up { value: key });
    client.perform_actions(actions).await.unwrap();
}

/// Fills the report form by keyboard alone: Tab to the first field, then type and
/// Tab through every field in order, ending on "Report".
async fn type_report(client: &Client, values: [&str; 7]) {
    let first = labelled(client, FIELDS[0]).await;
    let id = first.attr("id").await.unwrap().unwrap();
    for _ in 0..12 {
        let active = client
            .execute("return document.activeElement?.id ?? ''", Vec::new())
            .await
            .unwrap();
        if active == json!(id) {
            break;
        }
        press(client, TAB).await;
    }
    for value in values {
        client
            .active_element()
            .await
            .unwrap()
            .send_keys(value)
            .await
            .unwrap();
        press(client, TAB).await;
    }
    let on = client
        .execute("return document.activeElement.textContent", Vec::new())
        .await
        .unwrap();
    assert_eq!(on, json!("Report"), "Tab ends on the Report button");
}

async fn report_state(client: &Client, name: &str) -> String {
    let script = format!(
        "const card = [...document.querySelectorAll('main .card')].find((c) => c.querySelector('h2').textContent === {}); const s = card?.querySelector('[role=status]').textContent ?? ''; return s.startsWith('Running') ? '' : s;",
        json!(name)
    );
    wait_for(client, &format!("the report of {name} to end"), &script)
        .await
        .as_str()
        .unwrap()
        .to_owned()
}

/// The report form: refused in the browser with the schema's messages (no request
/// sent), a valid dragon ADDED, a taken name REJECTED with the reason, and an
/// expired token mid-session, refreshed or signed in again, the input kept.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn report_follow_and_recover() {
    let site = LocalSite::start(sample_lines()).await.unwrap();
    let axe = axe_source().unwrap();
    let driver = Chromedriver::start().unwrap();
    let client = driver.session(1024, 800).await.unwrap();
    client
        .goto(&format!("{}/#/report", site.origin))
        .await
        .unwrap();
    sign_in(&client, &site, &site.seeded.password).await;
    wait_for(
        &client,
        "the form after sign-in",
        "return location.hash === '#/report' && !!document.querySelector('main form')",
    )
    .await;
    assert_accessible(&client, &axe, "the report form").await;
    assert_fits_at(&client, "the report form").await;

    // Refused in the browser: each field's message, focus on the first, nothing sent.
    let invocations = site.api.invocations.load(Ordering::Relaxed);
    labelled(&client, "Family")
        .await
        .send_keys(&"f".repeat(41))
        .await
        .unwrap();
    // A control character cannot be typed; it can be pasted.
    client
        .execute(
            "const c = document.getElementById('field-location_city_str'); c.value = 'line\\u0007bell'; c.dispatchEvent(new Event('input')); return true;",
            Vec::new(),
        )
        .await
        .unwrap();
    button(&client, "Report").await.click().await.unwrap();
    let messages = wait_for(&client, "the field messages", "const m = [...document.querySelectorAll('main .error:not([hidden])')].map((e) => e.textContent); return m.length >= 4 ? m : null;").await;
    let messages: Vec<String> = serde_json::from_value(messages).unwrap();
    for expected in [
        "Name is required.",
        "Family must be at most 40 characters (it has 41).",
        "Description is required.",
        "City may not contain the character U+0007.",
        "Country is required.",
    ] {
        assert!(
            messages.contains(&expected.to_owned()),
            "{expected:?} in {messages:?}"
        );
    }
    let focused = client
        .execute("return document.activeElement.id", Vec::new())
        .await
        .unwrap();
    assert_eq!(focused, json!("field-dragon_name_str"));
    assert_accessible(&client, &axe, "the report form with its errors").await;
    assert_eq!(
        site.api.invocations.load(Ordering::Relaxed),
        invocations,
        "no request was sent"
    );

    // A valid dragon, by keyboard alone: ADDED.
    client.refresh().await.unwrap();
    wait_for(
        &client,
        "the form",
        "return !!document.querySelector('main form')",
    )
    .await;
    client
        .execute(
            "sessionStorage.removeItem('dragons.draft'); return true",
            Vec::new(),
        )
        .await
        .unwrap();
    client.refresh().await.unwrap();
    wait_for(
        &client,
        "the empty form",
        "return document.getElementById('field-family_str')?.value === ''",
    )
    .await;
    type_report(
        &client,
        [
            "Quill",
            "copper",
            "Nests on the crane.\nShy.",
            "Reykjavík",
            "iceland",
            "",
            "grandi",
        ],
    )
    .await;
    press(&client, '\u{E007}').await;
    wait_for(
        &client,
        "My reports",
        "return location.hash === '#/reports'",
    )
    .await;
    assert_eq!(report_state(&client, "Quill").await, "Added");
    assert_accessible(&client, &axe, "my reports").await;

    // A taken name: REJECTED with the reason.
    client
        .goto(&format!("{}/#/report", site.origin))
        .await
        .unwrap();
    wait_for(
        &client,
        "the form",
        "return !!document.querySelector('main form')",
    )
    .await;
    type_report(
        &client,
        ["ATLAS", "green", "Again.", "anchorage", "usa", "alaska", ""],
    )
    .await;
    button(&client, "Report").await.click().await.unwrap();
    wait_for(
        &client,
        "My reports",
        "return location.hash === '#/reports'",
    )
    .await;
    let rejected = report_state(&client, "ATLAS").await;
    assert!(
        rejected.starts_with("Rejected: ") && rejected.contains("already exists"),
        "{rejected}"
    );

    // An expired ID token: refreshed before the request; the report goes through.
    let forge = "const t = JSON.parse(sessionStorage.getItem('dragons.tokens')); const [h, p, s] = t.idToken.split('.'); const c = JSON.parse(atob(p.replaceAll('-', '+').replaceAll('_', '/'))); c.exp = Math.floor(Date.now() / 1000) - 60; t.idToken = [h, btoa(JSON.stringify(c)).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, ''), s].join('.'); if (arguments[0]) t.refreshToken = arguments[0]; sessionStorage.setItem('dragons.tokens', JSON.stringify(t)); return t.idToken;";
    client
        .goto(&format!("{}/#/report", site.origin))
        .await
        .unwrap();
    wait_for(
        &client,
        "the form",
        "return !!document.querySelector('main form')",
    )
    .await;
    let expired = client.execute(forge, vec![Value::Null]).await.unwrap();
    type_report(
        &client,
        ["Kindlewing", "red", "Warm.", "oslo", "norway", "", ""],
    )
    .await;
    press(&client, '\u{E007}').await;
    wait_for(
        &client,
        "My reports",
        "return location.hash === '#/reports'",
    )
    .await;
    assert_eq!(report_state(&client, "Kindlewing").await, "Added");
    let held = tokens(&client).await;
    let held: Value = serde_json::from_str(held.as_str().unwrap()).unwrap();
    assert_ne!(held["idToken"], expired, "the token was refreshed");

    // Expired and a refresh token that is refused: sign in again; the input is kept.
    client
        .goto(&format!("{}/#/report", site.origin))
        .await
        .unwrap();
    wait_for(
        &client,
        "the form",
        "return !!document.querySelector('main form')",
    )
    .await;
    client
        .execute(forge, vec![json!("revoked-refresh-token")])
        .await
        .unwrap();
    type_report(
        &client,
        [
            "Sootwhisker",
            "black",
            "Sooty.",
            "bergen",
            "norway",
            "",
            "bryggen",
        ],
    )
    .await;
    press(&client, '\u{E007}').await;
    wait_for(
        &client,
        "the sign-in page",
        "return location.pathname.startsWith('/oauth2/authorize')",
    )
    .await;
    assert_eq!(
        tokens(&client).await,
        Value::Null,
        "the refused tokens are dropped"
    );
    labelled(&client, "Email")
        .await
        .send_keys(&site.seeded.username)
        .await
        .unwrap();
    labelled(&client, "Password")
        .await
        .send_keys(&site.seeded.password)
        .await
        .unwrap();
    button(&client, "Sign in").await.click().await.unwrap();
    wait_for(&client, "the form again", "return location.hash === '#/report' && document.getElementById('field-dragon_name_str')?.value === 'Sootwhisker'").await;
    for (label, value) in FIELDS.iter().zip([
        "Sootwhisker",
        "black",
        "Sooty.",
        "bergen",
        "norway",
        "",
        "bryggen",
    ]) {
        assert_eq!(
            labelled(&client, label)
                .await
                .prop("value")
                .await
                .unwrap()
                .as_deref(),
            Some(value),
            "{label} kept"
        );
    }
    button(&client, "Report").await.click().await.unwrap();
    wait_for(
        &client,
        "My reports",
        "return location.hash === '#/reports'",
    )
    .await;
    assert_eq!(report_state(&client, "Sootwhisker").await, "Added");
    assert!(client.get_alert_text().await.is_err());
    assert_eq!(site.site.csp_violations.load(Ordering::Relaxed), 0);
    client.close().await.unwrap();
}
