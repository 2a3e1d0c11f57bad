//! The wire format of the control socket: requests are lines of bytes
//! (at most [`MAX_LINE`] of them, UTF-8), answers are one JSON object a
//! line, `{"ok":true,"out":"..."}` or `{"ok":false,"error":"..."}`.

use std::io::{self, BufRead};

/// The longest request line, in bytes (without its newline). Longer
/// lines are skipped to their end and answered with an error.
pub const MAX_LINE: usize = 16 * 1024;

/// One request line as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    /// A line of text (its newline and a `\r` before it removed).
    Text(String),
    /// A line longer than the bound; how many bytes it had.
    TooLong(usize),
    /// A line that is not UTF-8.
    NotUtf8,
}

/// Reads the next line of at most `max` bytes from `r`, keeping no more
/// than `max` bytes in memory however long the line is. `None` at the end
/// of input; a last line without a newline still counts.
///
/// # Errors
/// When reading fails.
pub fn read_line(r: &mut impl BufRead, max: usize) -> io::Result<Option<Line>> {
    let mut buf = Vec::new();
    let mut total = 0usize;
    let mut over = false;
    loop {
        let available = match r.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            if total == 0 && buf.is_empty() {
                return Ok(None);
            }
            break;
        }
        let newline = available.iter().position(|&b| b == b'\n');
        let chunk = &available[..newline.unwrap_or(available.len())];
        total = total.saturating_add(chunk.len());
        if !over {
            if buf.len() + chunk.len() > max {
                over = true;
                buf = Vec::new();
            } else {
                buf.extend_from_slice(chunk);
            }
        }
        let used = newline.map_or(available.len(), |i| i + 1);
        r.consume(used);
        if newline.is_some() {
            return Ok(Some(finish(buf, total, over)));
        }
    }
    Ok(Some(finish(buf, total, over)))
}

fn finish(mut buf: Vec<u8>, total: usize, over: bool) -> Line {
    if over {
        return Line::TooLong(total);
    }
    if buf.last() == Some(&b'\r') {
        buf.pop();
    }
    String::from_utf8(buf).map_or(Line::NotUtf8, Line::Text)
}

/// An answer to one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// The line ran; what it said (maybe empty, maybe several lines).
    Ok(String),
    /// The line did not run, and why.
    Err(String),
}

impl Reply {
    /// The answer as one line of JSON, with its newline.
    pub fn to_json_line(&self) -> String {
        // `ok` first, as documented; serde_json escapes the text.
        let (ok, key, text) = match self {
            Reply::Ok(out) => (true, "out", out),
            Reply::Err(error) => (false, "error", error),
        };
        let text = serde_json::Value::String(text.clone());
        format!("{{\"ok\":{ok},\"{key}\":{text}}}\n")
    }

    /// The answer to a line that could not be read as text.
    pub fn for_unreadable(line: &Line) -> Option<Reply> {
        match line {
            Line::Text(_) => None,
            Line::TooLong(n) => Some(Reply::Err(format!("line of {n} bytes is over the limit of {MAX_LINE}"))),
            Line::NotUtf8 => Some(Reply::Err("line is not UTF-8 text".into())),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn lines(bytes: &[u8], max: usize) -> Vec<Line> {
        let mut r = io::BufReader::with_capacity(7, bytes);
        let mut out = Vec::new();
        while let Some(line) = read_line(&mut r, max).unwrap() {
            out.push(line);
        }
        out
    }

    #[test]
    fn lines_split_at_newlines_and_bad_ones_are_named() {
        let got = lines(b"play\r\n\nabcdefghijkl\n\xff\xfe\nlast", 10);
        assert_eq!(
            got,
            vec![
                Line::Text("play".into()),
                Line::Text(String::new()),
                Line::TooLong(12),
                Line::NotUtf8,
                Line::Text("last".into())
            ]
        );
    }

    #[test]
    fn replies_are_one_json_line_each() {
        let ok = Reply::Ok("a \"b\"\nc".into()).to_json_line();
        assert_eq!(ok, "{\"ok\":true,\"out\":\"a \\\"b\\\"\\nc\"}\n");
        let err = Reply::Err("no".into()).to_json_line();
        assert_eq!(err, "{\"ok\":false,\"error\":\"no\"}\n");
    }

    proptest! {
        /// Any bytes make one answerable line per newline (plus a last
        /// unterminated one), never more than the bound kept.
        #[test]
        fn any_bytes_frame_into_one_line_per_newline(bytes in proptest::collection::vec(any::<u8>(), 0..400), max in 1usize..64) {
            let got = lines(&bytes, max);
            let newlines = bytes.iter().filter(|&&b| b == b'\n').count();
            let tail = usize::from(!bytes.is_empty() && bytes.last() != Some(&b'\n'));
            prop_assert_eq!(got.len(), newlines + tail);
            for line in &got {
                match line {
                    Line::Text(s) => prop_assert!(s.len() <= max),
                    Line::TooLong(n) => prop_assert!(*n > max),
                    Line::NotUtf8 => {}
                }
                let reply = Reply::for_unreadable(line).unwrap_or(Reply::Ok(String::new()));
                let json = reply.to_json_line();
                prop_assert_eq!(json.matches('\n').count(), 1);
                prop_assert!(serde_json::from_str::<serde_json::Value>(&json).is_ok());
            }
        }
    }
}
