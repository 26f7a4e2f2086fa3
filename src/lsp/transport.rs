//! JSON-RPC framing over a byte stream, tolerant of bad input.
//!
//! lsp-server's own stdio transport ends the reader thread (and so the server) at the first
//! malformed header or payload. Editors do not send such frames, but a language server must not
//! die of one: a frame with a broken `Content-Length` is skipped by scanning for the next
//! header, and a payload that is not JSON (or not a JSON-RPC message) is answered with a
//! `ParseError` / `InvalidRequest` response while the server carries on.

use std::io::{self, Read, Write};
use std::sync::mpsc;

use lsp_server::Message;
use serde_json::{Value, json};

/// Payloads larger than this are refused as if their length were garbage: no editor sends a
/// 64 MiB document, and reading one would stall the server.
const MAX_BODY: usize = 64 * 1024 * 1024;
/// A header line longer than this is junk.
const MAX_LINE: usize = 8 * 1024;

const HEADER: &[u8] = b"content-length:";

/// What the reader thread hands the main loop.
#[derive(Debug)]
pub enum Incoming {
    Message(Message),
    /// A frame that could not be read as a message: answered with an error response (`id` is
    /// `null` when the payload has none or is not JSON).
    Invalid {
        id: Value,
        code: i32,
        message: String,
    },
    /// The client closed the stream.
    Eof,
}

/// Read frames from `input` on a thread of its own. The thread ends after it passes on the
/// end of input or an `exit` notification (or when the receiver is gone); its handle lets the
/// caller wait for that.
pub fn spawn_reader<R: Read + Send + 'static>(
    input: R,
) -> (
    mpsc::Receiver<Incoming>,
    Option<std::thread::JoinHandle<()>>,
) {
    let (tx, rx) = mpsc::channel();
    let reader = std::thread::Builder::new()
        .name("stowlint-lsp-reader".into())
        .spawn(move || {
            let mut framed = Framed::new(input);
            loop {
                let item = match framed.next_frame() {
                    Ok(Some(body)) => classify(&body, &mut framed),
                    Ok(None) | Err(_) => Incoming::Eof,
                };
                let eof = matches!(item, Incoming::Eof);
                let exit = matches!(&item, Incoming::Message(Message::Notification(n)) if n.method == "exit");
                if tx.send(item).is_err() || eof || exit {
                    break;
                }
            }
        })
        .ok();
    match reader {
        Some(handle) => (rx, Some(handle)),
        // No thread, no input: the main loop sees a closed stream.
        None => (mpsc::channel().1, None),
    }
}

/// A payload as a message, or the error to answer it with.
fn classify<R: Read>(body: &[u8], framed: &mut Framed<R>) -> Incoming {
    let value: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => {
            // A `Content-Length` larger than the payload swallows the next frames: give back
            // what follows a header found inside the body.
            if let Some(at) = find_header(body, 1) {
                framed.unread(&body[at..]);
            }
            return Incoming::Invalid {
                id: Value::Null,
                code: lsp_server::ErrorCode::ParseError as i32,
                message: format!("payload is not JSON: {e}"),
            };
        }
    };
    let id = value.get("id").cloned().unwrap_or(Value::Null);
    match serde_json::from_value::<Message>(value) {
        Ok(msg) => Incoming::Message(msg),
        Err(e) => Incoming::Invalid {
            id,
            code: lsp_server::ErrorCode::InvalidRequest as i32,
            message: format!("not a JSON-RPC request, response or notification: {e}"),
        },
    }
}

/// Case-insensitive `Content-Length:` at or after `from`.
fn find_header(bytes: &[u8], from: usize) -> Option<usize> {
    (from..bytes.len().saturating_sub(HEADER.len() - 1))
        .find(|&i| bytes[i..i + HEADER.len()].eq_ignore_ascii_case(HEADER))
}

/// A byte stream with its own buffer, so that bytes can be given back (`unread`).
struct Framed<R> {
    inner: R,
    buf: Vec<u8>,
    pos: usize,
}

impl<R: Read> Framed<R> {
    fn new(inner: R) -> Self {
        Self {
            inner,
            buf: Vec::new(),
            pos: 0,
        }
    }

    fn unread(&mut self, bytes: &[u8]) {
        let rest = self.buf.split_off(self.pos);
        self.buf.clear();
        self.buf.extend_from_slice(bytes);
        self.buf.extend_from_slice(&rest);
        self.pos = 0;
    }

    /// Refill when empty; `false` at the end of the stream.
    fn fill(&mut self) -> io::Result<bool> {
        if self.pos < self.buf.len() {
            return Ok(true);
        }
        self.buf.resize(64 * 1024, 0);
        self.pos = 0;
        loop {
            match self.inner.read(&mut self.buf) {
                Ok(n) => {
                    self.buf.truncate(n);
                    return Ok(n > 0);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.buf.clear();
                    return Err(e);
                }
            }
        }
    }

    /// One line without its `\n` (or `\r\n`), at most [`MAX_LINE`] bytes (the rest of a longer
    /// line comes as further lines); `None` at the end of the stream.
    fn line(&mut self) -> io::Result<Option<Vec<u8>>> {
        let mut line = Vec::new();
        loop {
            if !self.fill()? {
                return Ok(if line.is_empty() { None } else { Some(line) });
            }
            let avail = &self.buf[self.pos..];
            let room = MAX_LINE - line.len();
            match avail.iter().take(room).position(|&b| b == b'\n') {
                Some(i) => {
                    line.extend_from_slice(&avail[..i]);
                    self.pos += i + 1;
                    if line.last() == Some(&b'\r') {
                        line.pop();
                    }
                    return Ok(Some(line));
                }
                None => {
                    let n = avail.len().min(room);
                    line.extend_from_slice(&avail[..n]);
                    self.pos += n;
                    if line.len() >= MAX_LINE {
                        return Ok(Some(line));
                    }
                }
            }
        }
    }

    fn exact(&mut self, n: usize) -> io::Result<Option<Vec<u8>>> {
        let mut out = Vec::with_capacity(n.min(1 << 20));
        while out.len() < n {
            if !self.fill()? {
                return Ok(None);
            }
            let take = (n - out.len()).min(self.buf.len() - self.pos);
            out.extend_from_slice(&self.buf[self.pos..self.pos + take]);
            self.pos += take;
        }
        Ok(Some(out))
    }

    /// The next payload. Headers are scanned for `Content-Length` anywhere in a line, so that
    /// after a broken frame the reader finds its footing at the next header.
    fn next_frame(&mut self) -> io::Result<Option<Vec<u8>>> {
        let mut length: Option<usize> = None;
        let mut seen_header = false;
        loop {
            let Some(line) = self.line()? else {
                return Ok(None);
            };
            if line.is_empty() {
                match length {
                    Some(n) => return self.exact(n),
                    None if seen_header => {
                        eprintln!(
                            "stowlint server: skipped a frame without a valid Content-Length"
                        );
                        seen_header = false;
                    }
                    None => {}
                }
                continue;
            }
            let Some(at) = find_header(&line, 0) else {
                continue;
            };
            seen_header = true;
            let value = String::from_utf8_lossy(&line[at + HEADER.len()..]);
            length = value
                .trim()
                .parse::<usize>()
                .ok()
                .filter(|&n| n <= MAX_BODY);
        }
    }
}

/// Writes frames to the client.
pub struct Writer<W: Write> {
    out: W,
}

impl<W: Write> Writer<W> {
    pub fn new(out: W) -> Self {
        Self { out }
    }

    /// Send a message. A client that has gone away is not an error worth dying of: the reader
    /// sees the end of the stream soon after.
    pub fn send(&mut self, msg: impl Into<Message>) {
        let msg = msg.into();
        if let Err(e) = msg.write(&mut self.out) {
            eprintln!("stowlint server: cannot write to the client: {e}");
        }
    }

    /// An error response with the id as the client wrote it (possibly `null`).
    pub fn send_raw_error(&mut self, id: &Value, code: i32, message: &str) {
        let text = json!({
            "jsonrpc": "2.0",
            "id": id,
            "error": {"code": code, "message": message},
        })
        .to_string();
        let result = write!(self.out, "Content-Length: {}\r\n\r\n{text}", text.len())
            .and_then(|()| self.out.flush());
        if let Err(e) = result {
            eprintln!("stowlint server: cannot write to the client: {e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(input: &[u8]) -> Vec<String> {
        let (rx, _) = spawn_reader(std::io::Cursor::new(input.to_vec()));
        let mut out = Vec::new();
        while let Ok(item) = rx.recv() {
            match item {
                Incoming::Message(Message::Request(r)) => out.push(format!("req {}", r.method)),
                Incoming::Message(Message::Notification(n)) => {
                    out.push(format!("note {}", n.method));
                }
                Incoming::Message(Message::Response(_)) => out.push("resp".into()),
                Incoming::Invalid { id, code, .. } => out.push(format!("invalid {id} {code}")),
                Incoming::Eof => break,
            }
        }
        out
    }

    fn frame(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    #[test]
    fn recovers_from_garbage() {
        let good = frame(r#"{"jsonrpc":"2.0","id":1,"method":"hover","params":{}}"#);
        let input = [
            "Content-Length: abc\r\n\r\n{\"x\":1}".to_string(),
            good.clone(),
            frame("{not json"),
            frame(r#"{"jsonrpc":"2.0","id":7,"foo":1}"#),
            "garbage line\r\n".to_string(),
            frame(r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#),
            // Claims more bytes than it has: the next frame is given back.
            format!("Content-Length: 40\r\n\r\n{{\"a\"{good}"),
            " ".repeat(40),
        ]
        .concat();
        assert_eq!(
            frames(input.as_bytes()),
            [
                "req hover",
                "invalid null -32700",
                "invalid 7 -32600",
                "note initialized",
                "invalid null -32700",
                "req hover",
            ]
        );
    }
}
