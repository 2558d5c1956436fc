//! "Enter once" in the browser: the enterprise's request form shows what
//! the system holds (each value with its source and date) above the form;
//! a correction made from it is a new dated fact the form then shows as
//! "corrected by" the account; a bad correction is refused in words with
//! nothing changed. Recorded in both languages at both widths.

use crate::browser::{Tour, browser_available, screenshot_dir, start_browser};
use crate::support::{PASSWORD, set_scene};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_request_form_is_pre_filled_and_a_correction_is_made_from_it() {
    if !browser_available() {
        return;
    }
    let mut scene = set_scene(false).await;
    let (mut driver, client) = start_browser().await;
    let shots = screenshot_dir();
    std::fs::create_dir_all(&shots).unwrap();
    let tour = Tour {
        client: client.clone(),
        base: scene.base.clone(),
        shots,
    };
    let walked = tokio::spawn(async move { walk(&tour).await }).await;
    let _ = client.close().await;
    let _ = driver.kill().await;
    if let Some(stop) = scene.stop.take() {
        let _ = stop.send(());
    }
    if let Err(error) = walked {
        std::panic::resume_unwind(error.into_panic());
    }
}

async fn walk(tour: &Tour) {
    tour.go("/signin").await;
    tour.sign_in("alpha.user", PASSWORD).await;
    assert_eq!(tour.path().await, "/");
    tour.go("/requests/new").await;
    // Pre-filled: the ledger's name with the import it came from, the
    // contact from the enterprise's declaration.
    let name = tour.text("#held-name").await;
    assert!(
        name.contains("深圳甲科技有限公司") && name.contains("台账导入 browser-test"),
        "{name}"
    );
    let region = tour.text("#held-region").await;
    assert!(region.contains("440305"), "{region}");
    let contact = tour.text("#held-contact_phone").await;
    assert!(
        contact.contains("0755-12345678") && contact.contains("申报"),
        "{contact}"
    );
    tour.both("request-held", "zh-CN").await;

    // Corrected from the form: back on the form, the new value shown as
    // corrected by the account, dated today.
    tour.tick("#held-contact_phone summary").await;
    tour.fill("#correct-contact_phone-value", "0755-87654321")
        .await;
    tour.click("#correct-contact_phone button[value=correct]")
        .await;
    assert!(tour.path().await.starts_with("/requests/new"));
    let contact = tour.text("#held-contact_phone").await;
    assert!(
        contact.contains("0755-87654321") && contact.contains("由 alpha.user 更正"),
        "{contact}"
    );
    assert!(
        tour.value("#title").await.is_empty(),
        "the request form is still to be filled"
    );
    tour.both("request-held-corrected", "zh-CN").await;

    // A region that is no division: refused, naming the field; nothing changed.
    tour.tick("#held-region summary").await;
    tour.fill("#correct-region-value", "999999").await;
    tour.click("#correct-region button[value=correct]").await;
    let problem = tour.text("#problem").await;
    assert!(
        problem.contains("注册地") && problem.contains("999999"),
        "{problem}"
    );
    assert!(tour.text("#held-region").await.contains("440305"));
    let facts = tour.text("#facts").await;
    assert!(
        facts.contains("0755-87654321") && !facts.contains("999999"),
        "{facts}"
    );
    tour.record("profile-refused", "zh-CN").await;
    // The profile page itself: every value held, and the correction made.
    tour.go("/enterprises/alpha/profile").await;
    assert!(tour.text("#facts").await.contains("alpha.user"));
    tour.both("profile", "zh-CN").await;
}
