//! Splitting a data object, fed in chunks as it arrives, into its records: the lines
//! of JSON Lines, or the elements of one array document. Each record is handed on
//! with its absolute position in the object, trimmed of surrounding white space,
//! where it lies in the buffer (never copied out); at most one partial record is kept
//! between chunks. A split can start at any record of the object (to resume a walk)
//! and can stop after any record.

use dragons_contract::DataFormat;

/// Why the data is not a list of records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the data is not a JSON array of records: {0}")]
pub struct MalformedDocument(pub &'static str);

/// One record: where it starts in the object, and its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Record<'a> {
    /// Offset of its first byte in the object.
    pub start: u64,
    /// Its bytes, without surrounding white space.
    pub bytes: &'a [u8],
}

impl Record<'_> {
    /// Offset just past its last byte.
    pub fn end(&self) -> u64 {
        self.start + self.bytes.len() as u64
    }
}

/// Whether to go on after a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Hand on the next record.
    Continue,
    /// Stop: nothing more is wanted.
    Stop,
}

/// Where the array splitter is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ArrayState {
    /// Before the opening `[`.
    Start,
    /// After `[`: expecting a record or `]`.
    Open,
    /// After a record: expecting `,` or `]`.
    AfterRecord,
    /// After a `,`: expecting a record.
    AfterComma,
    /// Inside a record, `depth` braces/brackets deep, maybe inside a string.
    Record {
        depth: usize,
        in_string: bool,
        escaped: bool,
    },
    /// After the closing `]`.
    Done,
}

/// A splitter: feed it chunks with [`push`](Self::push), then call
/// [`finish`](Self::finish) at the end of the data.
#[derive(Debug)]
pub struct RecordSplitter {
    format: DataFormat,
    pending: Vec<u8>,
    /// The object offset of `pending[0]`.
    offset: u64,
    /// How far into `pending` has been looked at.
    scanned: usize,
    array: ArrayState,
}

impl RecordSplitter {
    /// A splitter for a whole object, from its first byte.
    pub fn new(format: DataFormat) -> Self {
        Self {
            format,
            pending: Vec::new(),
            offset: 0,
            scanned: 0,
            array: ArrayState::Start,
        }
    }

    /// A splitter fed the object from `offset` on, where a record starts (for an array
    /// document: an element past the opening `[`, which must come next).
    pub fn resuming_at(format: DataFormat, offset: u64) -> Self {
        Self {
            offset,
            array: ArrayState::AfterComma,
            ..Self::new(format)
        }
    }

    /// Feeds the next chunk; `on_record` sees each complete record in order.
    pub fn push<E: From<MalformedDocument>>(
        &mut self,
        chunk: &[u8],
        on_record: impl FnMut(Record<'_>) -> Result<Flow, E>,
    ) -> Result<Flow, E> {
        self.pending.extend_from_slice(chunk);
        let (consumed, flow) = match self.format {
            DataFormat::JsonLines => self.split_lines(false, on_record)?,
            DataFormat::JsonArray => self.split_array(on_record)?,
        };
        self.pending.drain(..consumed);
        self.scanned -= consumed;
        self.offset += consumed as u64;
        Ok(flow)
    }

    /// Ends the data: hands on the last line of JSON Lines, and checks that an array
    /// document was closed and nothing follows it.
    pub fn finish<E: From<MalformedDocument>>(
        mut self,
        on_record: impl FnMut(Record<'_>) -> Result<Flow, E>,
    ) -> Result<Flow, E> {
        match self.format {
            DataFormat::JsonLines => Ok(self.split_lines(true, on_record)?.1),
            DataFormat::JsonArray => {
                if self.array != ArrayState::Done {
                    return Err(MalformedDocument("it ends before its closing `]`").into());
                }
                if self.pending.iter().any(|b| !b.is_ascii_whitespace()) {
                    return Err(MalformedDocument("text follows the closing `]`").into());
                }
                Ok(Flow::Continue)
            }
        }
    }

    /// Handles every complete line in `pending` (and, at the end, the last one).
    fn split_lines<E>(
        &mut self,
        at_end: bool,
        mut on_record: impl FnMut(Record<'_>) -> Result<Flow, E>,
    ) -> Result<(usize, Flow), E> {
        let mut start = 0;
        while let Some(found) = memchr::memchr(b'\n', &self.pending[self.scanned..]) {
            let end = self.scanned + found;
            let flow = self.record_at(start, end, &mut on_record)?;
            start = end + 1;
            self.scanned = start;
            if flow == Flow::Stop {
                return Ok((start, Flow::Stop));
            }
        }
        self.scanned = self.pending.len();
        if at_end {
            let flow = self.record_at(start, self.pending.len(), &mut on_record)?;
            return Ok((self.pending.len(), flow));
        }
        Ok((start, Flow::Continue))
    }

    /// Handles every complete record of the array document in `pending`.
    fn split_array<E: From<MalformedDocument>>(
        &mut self,
        mut on_record: impl FnMut(Record<'_>) -> Result<Flow, E>,
    ) -> Result<(usize, Flow), E> {
        let mut consumed = 0;
        let mut record_start = 0;
        let mut index = self.scanned;
        let mut flow = Flow::Continue;
        while index < self.pending.len() && flow == Flow::Continue {
            let byte = self.pending[index];
            self.array = match self.array {
                ArrayState::Start if byte.is_ascii_whitespace() => ArrayState::Start,
                ArrayState::Start if byte == b'[' => ArrayState::Open,
                ArrayState::Start => {
                    return Err(MalformedDocument("it does not start with `[`").into());
                }
                state @ (ArrayState::Open | ArrayState::AfterRecord | ArrayState::AfterComma)
                    if byte.is_ascii_whitespace() =>
                {
                    state
                }
                ArrayState::AfterRecord if byte == b',' => ArrayState::AfterComma,
                ArrayState::Open | ArrayState::AfterRecord if byte == b']' => ArrayState::Done,
                ArrayState::AfterRecord => {
                    return Err(MalformedDocument("records are not separated by `,`").into());
                }
                ArrayState::Open | ArrayState::AfterComma if byte == b'{' => {
                    record_start = index;
                    ArrayState::Record {
                        depth: 1,
                        in_string: false,
                        escaped: false,
                    }
                }
                ArrayState::AfterComma if byte == b']' => {
                    return Err(MalformedDocument("a `,` is not followed by a record").into());
                }
                ArrayState::Open | ArrayState::AfterComma => {
                    return Err(MalformedDocument("an element is not an object").into());
                }
                ArrayState::Record {
                    depth,
                    in_string: true,
                    escaped,
                } => ArrayState::Record {
                    depth,
                    in_string: escaped || byte != b'"',
                    escaped: !escaped && byte == b'\\',
                },
                ArrayState::Record { depth, .. } => match byte {
                    b'"' => ArrayState::Record {
                        depth,
                        in_string: true,
                        escaped: false,
                    },
                    b'{' | b'[' => ArrayState::Record {
                        depth: depth + 1,
                        in_string: false,
                        escaped: false,
                    },
                    b'}' | b']' if depth == 1 => {
                        flow = self.record_at(record_start, index + 1, &mut on_record)?;
                        ArrayState::AfterRecord
                    }
                    b'}' | b']' => ArrayState::Record {
                        depth: depth - 1,
                        in_string: false,
                        escaped: false,
                    },
                    _ => ArrayState::Record {
                        depth,
                        in_string: false,
                        escaped: false,
                    },
                },
                ArrayState::Done if byte.is_ascii_whitespace() => ArrayState::Done,
                ArrayState::Done => {
                    return Err(MalformedDocument("text follows the closing `]`").into());
                }
            };
            index += 1;
            if !matches!(self.array, ArrayState::Record { .. }) {
                // Between records nothing needs keeping: a partial record then
                // always starts at the front of `pending`.
                consumed = index;
            }
        }
        self.scanned = index;
        Ok((consumed, flow))
    }

    /// Hands on `pending[start..end]` (surrounding white space trimmed), unless blank.
    fn record_at<E>(
        &self,
        start: usize,
        end: usize,
        on_record: &mut impl FnMut(Record<'_>) -> Result<Flow, E>,
    ) -> Result<Flow, E> {
        let raw = &self.pending[start..end];
        let bytes = raw.trim_ascii();
        if bytes.is_empty() {
            return Ok(Flow::Continue);
        }
        let leading = raw.len() - raw.trim_ascii_start().len();
        on_record(Record {
            start: self.offset + (start + leading) as u64,
            bytes,
        })
    }

    /// How many bytes are held for a partial record.
    pub fn pending_len(&self) -> usize {
        self.pending.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every record of `data` as `(start, text)`, fed `chunk` bytes at a time from
    /// `from` on.
    fn split(
        data: &[u8],
        format: DataFormat,
        chunk: usize,
        from: u64,
    ) -> Result<Vec<(u64, String)>, MalformedDocument> {
        let mut splitter = if from == 0 {
            RecordSplitter::new(format)
        } else {
            RecordSplitter::resuming_at(format, from)
        };
        let mut records = Vec::new();
        let mut keep = |record: Record<'_>| {
            records.push((
                record.start,
                String::from_utf8(record.bytes.to_vec()).unwrap(),
            ));
            Ok::<_, MalformedDocument>(Flow::Continue)
        };
        for piece in data[from as usize..].chunks(chunk) {
            splitter.push(piece, &mut keep)?;
        }
        splitter.finish(&mut keep)?;
        Ok(records)
    }

    #[test]
    fn records_of_an_array_are_separated_by_exactly_one_comma() {
        for bad in ["[,{}]", "[{},,{}]", "[{},]", "[{}{}]", "[{} {}]", "[,]"] {
            for chunk in [1, 3, 64] {
                assert!(
                    split(bad.as_bytes(), DataFormat::JsonArray, chunk, 0).is_err(),
                    "{bad} in chunks of {chunk}"
                );
            }
        }
        let good = "[ {} ,\n{\"a\":[1,{}]} ]";
        assert_eq!(
            split(good.as_bytes(), DataFormat::JsonArray, 2, 0)
                .unwrap()
                .len(),
            2
        );
        assert_eq!(
            split(b"[ ]", DataFormat::JsonArray, 1, 0).unwrap(),
            Vec::new()
        );
    }

    #[test]
    fn lines_and_array_elements_come_with_their_offsets_for_any_chunking() {
        let lines = b"{\"a\":1}\n\n  {\"b\":\"x\\ny\"}\r\n{\"c\":[1,{\"d\":2}]}";
        let array = b" [ {\"a\":1},\n {\"b\":\"}]\\\"\"} , {\"c\":[1,{\"d\":2}]} ] \n";
        for chunk in [1, 2, 3, 7, 1 << 20] {
            let found = split(lines, DataFormat::JsonLines, chunk, 0).unwrap();
            assert_eq!(
                found,
                [
                    (0, "{\"a\":1}".to_owned()),
                    (11, "{\"b\":\"x\\ny\"}".to_owned()),
                    (25, "{\"c\":[1,{\"d\":2}]}".to_owned()),
                ],
                "{chunk}"
            );
            for (start, text) in &found {
                assert_eq!(
                    &lines[*start as usize..*start as usize + text.len()],
                    text.as_bytes()
                );
            }
            let found = split(array, DataFormat::JsonArray, chunk, 0).unwrap();
            assert_eq!(found.len(), 3, "{chunk}");
            for (start, text) in &found {
                assert_eq!(
                    &array[*start as usize..*start as usize + text.len()],
                    text.as_bytes()
                );
            }
            assert_eq!(found[1].1, "{\"b\":\"}]\\\"\"}");
        }
    }

    #[test]
    fn a_split_resumes_at_any_record() {
        let array = b"[{\"a\":1},{\"b\":2},{\"c\":3}]";
        let resumed = split(array, DataFormat::JsonArray, 2, 9).unwrap();
        assert_eq!(
            resumed,
            [(9, "{\"b\":2}".to_owned()), (17, "{\"c\":3}".to_owned())]
        );
        let lines = b"{\"a\":1}\n{\"b\":2}\n";
        assert_eq!(
            split(lines, DataFormat::JsonLines, 3, 8).unwrap(),
            [(8, "{\"b\":2}".to_owned())]
        );
    }

    #[test]
    fn a_malformed_document_is_an_error() {
        for document in [&b"{}"[..], b"[1]", b"[{\"a\":1}", b"[] x"] {
            assert!(
                split(document, DataFormat::JsonArray, 2, 0).is_err(),
                "{document:?}"
            );
        }
    }

    #[test]
    fn a_split_stops_when_told_and_holds_only_a_partial_record() {
        let mut splitter = RecordSplitter::new(DataFormat::JsonLines);
        let mut seen = 0;
        let flow = splitter
            .push(b"{\"a\":1}\n{\"b\":2}\n{\"c\"", |_| {
                seen += 1;
                Ok::<_, MalformedDocument>(if seen == 2 {
                    Flow::Stop
                } else {
                    Flow::Continue
                })
            })
            .unwrap();
        assert_eq!((flow, seen), (Flow::Stop, 2));
        let mut splitter = RecordSplitter::new(DataFormat::JsonLines);
        for _ in 0..100 {
            splitter
                .push(b"{\"a\":1}\n", |_| {
                    Ok::<_, MalformedDocument>(Flow::Continue)
                })
                .unwrap();
            assert_eq!(splitter.pending_len(), 0);
        }
    }
}
