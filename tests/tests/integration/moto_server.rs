//! The harness's moto: it starts on loopback, answers, and is gone once dropped.

use std::net::TcpStream;

use dragons_harness::moto::Moto;

#[test]
fn moto_starts_answers_and_stops() {
    let moto = Moto::start().unwrap();
    let endpoint = moto.endpoint();
    assert!(endpoint.starts_with("http://127.0.0.1:"), "{endpoint}");
    let (status, body) = moto.get("/moto-api/data.json").unwrap();
    assert!(status.contains(" 200 "), "{status}");
    assert!(body.trim_start().starts_with('{'), "{body}");
    let address = endpoint.trim_start_matches("http://").to_owned();
    drop(moto);
    assert!(
        TcpStream::connect(&address).is_err(),
        "moto still listens on {address}"
    );
}
