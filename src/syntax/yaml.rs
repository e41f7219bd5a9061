//! YAML (compose files, Kubernetes manifests) read into a tree of nodes that keep their byte
//! range in the file: findings point at the YAML token that sets a value, and fixes replace that
//! token and nothing else. Events come from `saphyr-parser` (a YAML 1.2 event parser, iterative);
//! the tree is built here with hard caps, because every file may be hostile: nesting depth,
//! document count and the nodes that aliases expand to (a "billion laughs" file doubles its size
//! at every anchor) are bounded, so the work grows linearly with the input's bytes.

use saphyr_parser::{Event, Parser, ScalarStyle};
use std::collections::HashMap;
use std::ops::Range;

/// Collections nested deeper than this end the reading (no real manifest comes near it).
pub const MAX_DEPTH: usize = 128;
/// Documents of one stream read at most.
pub const MAX_DOCUMENTS: usize = 20_000;
/// Nodes one file may hold once its aliases are expanded: far beyond a real file (one node per
/// scalar), and what keeps an alias bomb to a few milliseconds.
pub const MAX_NODES: usize = 2_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    /// `|`: the lines as written, less the block's indentation.
    Literal,
    /// `>`: lines folded into spaces.
    Folded,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Scalar(String, Style),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

/// One node with the byte range of its source text (quotes and block indicators included; an
/// alias's node keeps the range of the anchored node it copies).
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub span: Range<usize>,
}

impl Node {
    /// The scalar text, for a scalar.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar(s, _) => Some(s),
            _ => None,
        }
    }
    pub fn style(&self) -> Option<Style> {
        match &self.value {
            Value::Scalar(_, style) => Some(*style),
            _ => None,
        }
    }
    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(items) => Some(items),
            _ => None,
        }
    }
    pub fn as_map(&self) -> Option<&[(Node, Node)]> {
        match &self.value {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }
    /// The value of key `key` in a mapping (the first one: compose and kubectl refuse a
    /// duplicate key, so which one wins does not matter for a file that deploys).
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_map()?
            .iter()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(_, v)| v)
    }
    /// A plain scalar that YAML reads as null (`~`, `null`, empty).
    pub fn is_null(&self) -> bool {
        matches!(&self.value, Value::Scalar(s, Style::Plain) if matches!(s.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }
    /// Whether the source bytes of this scalar are its text, byte for byte (a plain scalar on
    /// one line, or a quoted one without escapes): then a part of the text is a part of the file
    /// at the same offsets, and a fix can edit it in place.
    pub fn text_offset(&self, bytes: &[u8]) -> Option<usize> {
        let Value::Scalar(text, style) = &self.value else {
            return None;
        };
        let raw = bytes.get(self.span.clone())?;
        let inner = match style {
            Style::Plain => raw,
            Style::SingleQuoted | Style::DoubleQuoted if raw.len() >= 2 => &raw[1..raw.len() - 1],
            _ => return None,
        };
        let escapes = match style {
            Style::DoubleQuoted => inner.contains(&b'\\'),
            Style::SingleQuoted => inner.windows(2).any(|w| w == b"''"),
            _ => false,
        };
        if inner == text.as_bytes() && !escapes && !inner.contains(&b'\n') {
            Some(self.span.start + (raw.len() - inner.len()) / 2)
        } else {
            None
        }
    }
}

/// Why a stream could not be read to its end, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub offset: usize,
    pub message: String,
}

/// The documents read (those before an error are kept), and the error that ended the reading.
#[derive(Debug, Clone, Default)]
pub struct Stream {
    pub documents: Vec<Node>,
    pub error: Option<YamlError>,
}

enum Frame {
    Seq {
        start: usize,
        anchor: usize,
        items: Vec<Node>,
    },
    Map {
        start: usize,
        anchor: usize,
        entries: Vec<(Node, Node)>,
        key: Option<Node>,
    },
}

/// Character index -> byte offset, for a file that is not all ASCII (the parser counts
/// characters).
struct Offsets {
    /// Byte offset of every character, and one past the end; empty for ASCII input.
    chars: Vec<u32>,
    len: usize,
}

impl Offsets {
    fn new(text: &str) -> Offsets {
        let chars = if text.is_ascii() {
            Vec::new()
        } else {
            let mut v: Vec<u32> = text.char_indices().map(|(i, _)| i as u32).collect();
            v.push(text.len() as u32);
            v
        };
        Offsets {
            chars,
            len: text.len(),
        }
    }
    fn byte(&self, char_index: usize) -> usize {
        if self.chars.is_empty() {
            char_index.min(self.len)
        } else {
            self.chars.get(char_index).map_or(self.len, |&b| b as usize)
        }
    }
}

/// Read a YAML stream. Never panics: input that is not UTF-8, that the parser refuses, or that
/// passes a cap ends the reading with an error at its offset.
pub fn parse(bytes: &[u8]) -> Stream {
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            return Stream {
                documents: Vec::new(),
                error: Some(YamlError {
                    offset: e.valid_up_to(),
                    message: "the file is not UTF-8".into(),
                }),
            }
        }
    };
    // The parser is a dependency: a panic in it on some input is a syntax error here, not a
    // crash of the audit.
    match std::panic::catch_unwind(|| build(text)) {
        Ok(stream) => stream,
        Err(_) => Stream {
            documents: Vec::new(),
            error: Some(YamlError {
                offset: 0,
                message: "the YAML parser failed on this file".into(),
            }),
        },
    }
}

fn size_of(node: &Node) -> usize {
    // Iterative: an anchored node can be as deep as MAX_DEPTH.
    let mut count = 0;
    let mut todo = vec![node];
    while let Some(n) = todo.pop() {
        count += 1;
        match &n.value {
            Value::Scalar(..) => {}
            Value::Seq(items) => todo.extend(items),
            Value::Map(entries) => {
                for (k, v) in entries {
                    todo.push(k);
                    todo.push(v);
                }
            }
        }
    }
    count
}

fn build(text: &str) -> Stream {
    let offsets = Offsets::new(text);
    let mut parser = Parser::new_from_str(text);
    let mut stream = Stream::default();
    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors: HashMap<usize, (Node, usize)> = HashMap::new();
    let mut nodes = 0usize;
    let fail = |stream: &mut Stream, offset: usize, message: String| {
        stream.error = Some(YamlError { offset, message });
    };
    while let Some(event) = parser.next_event() {
        let (event, span) = match event {
            Ok(pair) => pair,
            Err(e) => {
                let offset = offsets.byte(e.marker().index());
                fail(&mut stream, offset, e.info().to_string());
                return stream;
            }
        };
        let start = offsets.byte(span.start.index());
        let end = offsets.byte(span.end.index()).max(start);
        let complete: Option<(Node, usize)> = match event {
            Event::StreamEnd => break,
            Event::Nothing | Event::StreamStart | Event::DocumentEnd => None,
            Event::DocumentStart(_) => {
                if stream.documents.len() >= MAX_DOCUMENTS {
                    fail(
                        &mut stream,
                        start,
                        format!("more than {MAX_DOCUMENTS} documents: the rest is not read"),
                    );
                    return stream;
                }
                // Anchors are local to a document.
                anchors.clear();
                None
            }
            Event::Alias(id) => match anchors.get(&id) {
                Some((node, size)) => {
                    nodes += size;
                    if nodes > MAX_NODES {
                        fail(
                            &mut stream,
                            start,
                            format!("aliases expand to more than {MAX_NODES} nodes (an alias bomb?): not read"),
                        );
                        return stream;
                    }
                    Some((node.clone(), 0))
                }
                None => {
                    fail(&mut stream, start, "an alias to an unknown anchor".into());
                    return stream;
                }
            },
            Event::Scalar(value, style, anchor, _) => {
                nodes += 1;
                let style = match style {
                    ScalarStyle::Plain => Style::Plain,
                    ScalarStyle::SingleQuoted => Style::SingleQuoted,
                    ScalarStyle::DoubleQuoted => Style::DoubleQuoted,
                    ScalarStyle::Literal => Style::Literal,
                    ScalarStyle::Folded => Style::Folded,
                };
                Some((
                    Node {
                        value: Value::Scalar(value.into_owned(), style),
                        span: start..end,
                    },
                    anchor,
                ))
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                if stack.len() >= MAX_DEPTH {
                    fail(
                        &mut stream,
                        start,
                        format!("collections nested deeper than {MAX_DEPTH} levels"),
                    );
                    return stream;
                }
                nodes += 1;
                stack.push(if matches!(event, Event::SequenceStart(..)) {
                    Frame::Seq {
                        start,
                        anchor,
                        items: Vec::new(),
                    }
                } else {
                    Frame::Map {
                        start,
                        anchor,
                        entries: Vec::new(),
                        key: None,
                    }
                });
                None
            }
            Event::SequenceEnd | Event::MappingEnd => match stack.pop() {
                Some(Frame::Seq {
                    start: s,
                    anchor,
                    items,
                }) => {
                    let e = items.last().map_or(end, |n| n.span.end.max(s));
                    Some((
                        Node {
                            value: Value::Seq(items),
                            span: s..e,
                        },
                        anchor,
                    ))
                }
                Some(Frame::Map {
                    start: s,
                    anchor,
                    mut entries,
                    ..
                }) => {
                    let e = entries.last().map_or(end, |(_, v)| v.span.end.max(s));
                    let merged = merge_keys(&mut entries);
                    nodes += merged;
                    if nodes > MAX_NODES {
                        fail(
                            &mut stream,
                            start,
                            format!("merge keys expand to more than {MAX_NODES} nodes: not read"),
                        );
                        return stream;
                    }
                    Some((
                        Node {
                            value: Value::Map(entries),
                            span: s..e,
                        },
                        anchor,
                    ))
                }
                None => None,
            },
        };
        let Some((node, anchor)) = complete else {
            continue;
        };
        if anchor != 0 {
            // The copy an anchor keeps counts against the cap too: anchors nested around one
            // large node would otherwise copy it once per level.
            let size = size_of(&node);
            nodes += size;
            if nodes > MAX_NODES {
                fail(
                    &mut stream,
                    node.span.start,
                    format!("anchors and their aliases hold more than {MAX_NODES} nodes: not read"),
                );
                return stream;
            }
            anchors.insert(anchor, (node.clone(), size));
        }
        match stack.last_mut() {
            None => stream.documents.push(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { entries, key, .. }) => match key.take() {
                None => *key = Some(node),
                Some(k) => entries.push((k, node)),
            },
        }
    }
    stream
}

/// Apply YAML merge keys (`<<: *base`, `<<: [*a, *b]`): the merged mappings' entries whose keys
/// the mapping does not set itself are added, as compose and kubectl read them. Returns how many
/// nodes were added (counted against the cap).
fn merge_keys(entries: &mut Vec<(Node, Node)>) -> usize {
    if !entries
        .iter()
        .any(|(k, _)| k.as_str() == Some("<<") && k.style() == Some(Style::Plain))
    {
        return 0;
    }
    let mut own = Vec::new();
    let mut sources = Vec::new();
    for (k, v) in entries.drain(..) {
        if k.as_str() == Some("<<") && k.style() == Some(Style::Plain) {
            match v.value {
                Value::Map(_) => sources.push(v),
                Value::Seq(items) => sources.extend(items),
                _ => {}
            }
        } else {
            own.push((k, v));
        }
    }
    let mut added = 0;
    // The keys set so far, looked up (a scan per merged key was quadratic in the mapping).
    let mut present: std::collections::HashSet<String> = own
        .iter()
        .filter_map(|(k, _)| k.as_str().map(str::to_string))
        .collect();
    for source in sources {
        if let Value::Map(merged) = source.value {
            for (k, v) in merged {
                let new = match k.as_str() {
                    Some(key) => present.insert(key.to_string()),
                    None => true,
                };
                if new {
                    added += 1;
                    own.push((k, v));
                }
            }
        }
    }
    *entries = own;
    added
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_are_byte_ranges() {
        let text = "# é comment\nservices:\n  redis:\n    command: redis-server --appendonly no\n";
        let stream = parse(text.as_bytes());
        assert!(stream.error.is_none(), "{:?}", stream.error);
        let command = stream.documents[0]
            .get("services")
            .and_then(|s| s.get("redis"))
            .and_then(|r| r.get("command"))
            .unwrap();
        assert_eq!(&text[command.span.clone()], "redis-server --appendonly no");
        assert_eq!(
            command.text_offset(text.as_bytes()),
            Some(command.span.start)
        );
    }

    #[test]
    fn quoted_scalars_and_offsets() {
        let text = "a: \"x y\"\nb: 'it''s'\nc: \"t\\tab\"\n";
        let doc = &parse(text.as_bytes()).documents[0];
        let a = doc.get("a").unwrap();
        assert_eq!(&text[a.span.clone()], "\"x y\"");
        assert_eq!(a.text_offset(text.as_bytes()), Some(a.span.start + 1));
        assert_eq!(doc.get("b").unwrap().text_offset(text.as_bytes()), None);
        assert_eq!(doc.get("c").unwrap().as_str(), Some("t\tab"));
        assert_eq!(doc.get("c").unwrap().text_offset(text.as_bytes()), None);
    }

    #[test]
    fn multi_document_and_merge_keys() {
        let text = "x: &base {image: redis, ports: [1]}\ny:\n  <<: *base\n  ports: [2]\n---\nkind: Service\n";
        let stream = parse(text.as_bytes());
        assert_eq!(stream.documents.len(), 2);
        let y = stream.documents[0].get("y").unwrap();
        assert_eq!(y.get("image").unwrap().as_str(), Some("redis"));
        assert_eq!(
            y.get("ports").unwrap().as_seq().unwrap()[0].as_str(),
            Some("2")
        );
    }

    #[test]
    fn errors_never_panic() {
        for bad in ["a: [", "a: *nope", "key: 'open", "- a\n b: c", "]]]"] {
            let stream = parse(bad.as_bytes());
            assert!(stream.error.is_some(), "{bad:?}");
        }
        assert!(parse(b"\xff\xfe").error.is_some());
    }

    #[test]
    fn alias_bomb_is_capped() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..20 {
            let prev = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"
            ));
        }
        let started = std::time::Instant::now();
        let stream = parse(text.as_bytes());
        assert!(stream.error.unwrap().message.contains("alias"));
        assert!(started.elapsed().as_secs() < 5);
    }

    #[test]
    fn depth_is_capped() {
        let text = "[".repeat(10_000) + &"]".repeat(10_000);
        assert!(parse(text.as_bytes()).error.is_some());
        let nested: String = (0..1000)
            .map(|i| format!("{}k:\n", " ".repeat(i)))
            .collect();
        assert!(parse(nested.as_bytes()).error.is_some());
    }
}
