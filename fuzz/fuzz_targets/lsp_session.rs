//! The language server's message loop over an in-memory stream, no process spawned.
//!
//! The first byte picks how the rest is fed: as a raw byte stream (framing, headers,
//! resynchronisation), or as NUL-separated JSON payloads that this target frames, after an
//! `initialize`, so the fuzzer spends its time in the request and notification handlers.
//! Inputs naming `file:` URIs are skipped: they would make the server read (or walk) the real
//! file system, which is neither deterministic nor fast.
#![no_main]

use libfuzzer_sys::fuzz_target;

const INITIALIZE: &str =
    r#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"capabilities":{}}}"#;

fn frame(out: &mut Vec<u8>, body: &[u8]) {
    out.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
    out.extend_from_slice(body);
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if rest.windows(5).any(|w| w.eq_ignore_ascii_case(b"file:")) {
        return;
    }
    let input = if mode & 1 == 0 {
        rest.to_vec()
    } else {
        let mut input = Vec::new();
        frame(&mut input, INITIALIZE.as_bytes());
        for body in rest.split(|&b| b == 0) {
            frame(&mut input, body);
        }
        // A final request makes the server run pending lints before it answers.
        frame(
            &mut input,
            br#"{"jsonrpc":"2.0","id":999,"method":"shutdown"}"#,
        );
        input
    };
    let _ = stowlint::lsp::serve(std::io::Cursor::new(input), std::io::sink());
});
