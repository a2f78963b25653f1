//! Server-sent events on the way back: split into events as they arrive, rewrite the few
//! that carry a `tools/list` result, pass every other byte through unchanged.

use bytes::{Bytes, BytesMut};
use futures::{Stream, StreamExt};
use serde_json::Value;

/// The byte order mark a client skips at the start of a stream.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Cuts a byte stream into complete SSE events (each with its terminating blank line).
#[derive(Debug, Default)]
pub(super) struct EventSplitter {
    buffer: BytesMut,
    /// Whether the start of the stream (and a byte order mark there) is behind.
    started: bool,
}

impl EventSplitter {
    /// Adds `chunk` and returns every event it completes, raw. A byte order mark at the
    /// start of the stream is dropped, as clients skip it: left in, it would hide the
    /// first line's field name from the rewriting, not from the client.
    pub(super) fn push(&mut self, chunk: &[u8]) -> Vec<Bytes> {
        self.buffer.extend_from_slice(chunk);
        if !self.started {
            if self.buffer.len() < BOM.len() && BOM.starts_with(&self.buffer) {
                return Vec::new();
            }
            if self.buffer.starts_with(BOM) {
                let _ = self.buffer.split_to(BOM.len());
            }
            self.started = true;
        }
        let mut events = Vec::new();
        while let Some(end) = event_end(&self.buffer) {
            events.push(self.buffer.split_to(end).freeze());
        }
        events
    }

    /// What is left when the stream ends (an unterminated event), raw.
    pub(super) fn finish(&mut self) -> Option<Bytes> {
        (!self.buffer.is_empty()).then(|| self.buffer.split().freeze())
    }
}

/// Where the first event in `buffer` ends: after the first empty line. Lines end with
/// CRLF, LF or CR; a CR at the very end of a non-empty line waits for the next byte.
fn event_end(buffer: &[u8]) -> Option<usize> {
    let mut line_empty = true;
    let mut index = 0;
    while let Some(&byte) = buffer.get(index) {
        match byte {
            b'\r' => {
                let width = match buffer.get(index + 1) {
                    Some(b'\n') => 2,
                    Some(_) => 1,
                    None if line_empty => 1,
                    None => return None,
                };
                if line_empty {
                    return Some(index + width);
                }
                line_empty = true;
                index += width;
            }
            b'\n' => {
                if line_empty {
                    return Some(index + 1);
                }
                line_empty = true;
                index += 1;
            }
            _ => {
                line_empty = false;
                index += 1;
            }
        }
    }
    None
}

/// The lines of one event, without their terminators.
fn lines(event: &[u8]) -> Vec<&[u8]> {
    let mut lines = Vec::new();
    let mut start = 0;
    let mut index = 0;
    while let Some(&byte) = event.get(index) {
        match byte {
            b'\r' | b'\n' => {
                lines.push(event.get(start..index).unwrap_or_default());
                index += if byte == b'\r' && event.get(index + 1) == Some(&b'\n') {
                    2
                } else {
                    1
                };
                start = index;
            }
            _ => index += 1,
        }
    }
    if start < event.len() {
        lines.push(event.get(start..).unwrap_or_default());
    }
    lines
}

/// The value of a `data` line, if it is one.
fn data_of(line: &[u8]) -> Option<&[u8]> {
    if line == b"data" {
        return Some(b"");
    }
    let value = line.strip_prefix(b"data:")?;
    Some(value.strip_prefix(b" ").unwrap_or(value))
}

/// Rewrites `event` when `rewrite` changes the JSON of its data; `None` keeps it as it is.
/// The other fields (`id`, `event`, `retry`, comments) are kept in order, the data becomes
/// one line.
pub(super) fn rewrite_event(event: &[u8], rewrite: &impl Fn(&mut Value) -> bool) -> Option<Bytes> {
    let lines = lines(event);
    let mut data: Vec<u8> = Vec::new();
    let mut has_data = false;
    for line in &lines {
        if let Some(value) = data_of(line) {
            if has_data {
                data.push(b'\n');
            }
            data.extend_from_slice(value);
            has_data = true;
        }
    }
    // Cheap test first: most events are not tool lists. A `\u` escape can spell `tools`.
    if !has_data
        || !(data.windows(7).any(|w| w == b"\"tools\"") || data.windows(2).any(|w| w == b"\\u"))
    {
        return None;
    }
    let mut message: Value = serde_json::from_slice(&data).ok()?;
    if !rewrite(&mut message) {
        return None;
    }
    let mut out = Vec::with_capacity(event.len());
    let mut written = false;
    for line in lines.iter().filter(|line| !line.is_empty()) {
        if data_of(line).is_some() {
            if !written {
                out.extend_from_slice(b"data: ");
                out.extend_from_slice(message.to_string().as_bytes());
                out.push(b'\n');
                written = true;
            }
        } else {
            out.extend_from_slice(line);
            out.push(b'\n');
        }
    }
    out.push(b'\n');
    Some(Bytes::from(out))
}

/// `upstream`'s events with `rewrite` applied, after the `prepend` events; yields as soon
/// as an event is complete.
pub(super) fn rewrite_stream<S, E, F>(
    upstream: S,
    prepend: Vec<Bytes>,
    rewrite: F,
) -> impl Stream<Item = Result<Bytes, E>> + Send + 'static
where
    S: Stream<Item = Result<Bytes, E>> + Send + Unpin + 'static,
    E: Send + 'static,
    F: Fn(&mut Value) -> bool + Send + 'static,
{
    let head = futures::stream::iter(prepend.into_iter().map(Ok));
    let state = (upstream, EventSplitter::default(), rewrite, false);
    let tail = futures::stream::unfold(
        state,
        |(mut upstream, mut splitter, rewrite, done)| async move {
            if done {
                return None;
            }
            loop {
                match upstream.next().await {
                    Some(Ok(chunk)) => {
                        let events = splitter.push(&chunk);
                        if events.is_empty() {
                            continue;
                        }
                        let mut out = BytesMut::new();
                        for event in events {
                            match rewrite_event(&event, &rewrite) {
                                Some(rewritten) => out.extend_from_slice(&rewritten),
                                None => out.extend_from_slice(&event),
                            }
                        }
                        return Some((Ok(out.freeze()), (upstream, splitter, rewrite, false)));
                    }
                    Some(Err(error)) => {
                        return Some((Err(error), (upstream, splitter, rewrite, true)));
                    }
                    None => {
                        // An event the stream ended in the middle of: some clients use it.
                        let rest = splitter.finish()?;
                        let rest = rewrite_event(&rest, &rewrite).unwrap_or(rest);
                        return Some((Ok(rest), (upstream, splitter, rewrite, true)));
                    }
                }
            }
        },
    );
    head.chain(tail)
}

/// An answer as one SSE event.
pub(super) fn event_of(message: &Value) -> Bytes {
    Bytes::from(format!("event: message\ndata: {message}\n\n"))
}

/// The data of one event (its `data` lines joined), if it has any.
pub(super) fn event_data(event: &[u8]) -> Option<Vec<u8>> {
    let mut data: Option<Vec<u8>> = None;
    for line in lines(event) {
        if let Some(value) = data_of(line) {
            let data = data.get_or_insert_with(Vec::new);
            if !data.is_empty() {
                data.push(b'\n');
            }
            data.extend_from_slice(value);
        }
    }
    data
}
