//! The JSON outputs (`scan --format json`, `map --format json`), written with their long lists
//! (datasets, findings) serialised on every core. Each element is rendered into a buffer of its
//! own by a worker, a batch at a time so memory stays bounded (the next batch while the one
//! before is written, `report::pipelined`), and the buffers are written in order: the bytes are
//! those `serde_json::to_writer_pretty` writes (a test holds them equal), but a 100 MB scan's
//! 170 MB of JSON no longer waits on one core.

use serde::ser::{Error as _, SerializeSeq};
use serde::{Serialize, Serializer};
use serde_json::ser::Formatter;
use std::io::{self, Write};

/// Writes `value` as pretty JSON (two-space indents, as `serde_json::to_writer_pretty`), with
/// the `InParallel` lists in it rendered on every core.
pub fn write_pretty(out: &mut dyn Write, value: &impl Serialize) -> io::Result<()> {
    let mut serializer = serde_json::Serializer::with_formatter(&mut *out, Pretty::at(0));
    value.serialize(&mut serializer).map_err(io::Error::from)
}

/// A list written by `write_pretty` whose elements are rendered in parallel. `depth` is how
/// deep its elements are in the document (an array field of the top-level object: 2).
pub struct InParallel<'a, T> {
    pub items: &'a [T],
    pub depth: usize,
}

impl<T: Serialize + Sync> Serialize for InParallel<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut list = serializer.serialize_seq(Some(self.items.len()))?;
        super::pipelined(
            self.items,
            |item| render(item, self.depth),
            |text| list.serialize_element(&Verbatim(&text.map_err(S::Error::custom)?)),
        )?;
        list.end()
    }
}

/// One element's JSON, indented for where it goes.
fn render(item: &impl Serialize, depth: usize) -> serde_json::Result<Vec<u8>> {
    let mut text = Vec::with_capacity(1024);
    item.serialize(&mut serde_json::Serializer::with_formatter(
        &mut text,
        Pretty::at(depth),
    ))?;
    Ok(text)
}

/// Text already rendered as JSON, written as it is by `Pretty` (which writes byte strings
/// verbatim). Only `InParallel` makes these, and only `write_pretty` serialises them.
struct Verbatim<'a>(&'a [u8]);

impl Serialize for Verbatim<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(self.0)
    }
}

/// serde_json's `PrettyFormatter` (two spaces per level, `": "` after keys) that can start at
/// any depth, so that an element rendered on its own is indented as it is in the document, and
/// that writes byte strings (`Verbatim`) as they are.
struct Pretty {
    depth: usize,
    has_value: bool,
}

impl Pretty {
    fn at(depth: usize) -> Pretty {
        Pretty {
            depth,
            has_value: false,
        }
    }

    fn line<W: ?Sized + Write>(&self, out: &mut W, first: bool) -> io::Result<()> {
        out.write_all(if first { b"\n" } else { b",\n" })?;
        self.indent(out)
    }

    fn indent<W: ?Sized + Write>(&self, out: &mut W) -> io::Result<()> {
        for _ in 0..self.depth {
            out.write_all(b"  ")?;
        }
        Ok(())
    }

    fn open<W: ?Sized + Write>(&mut self, out: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        out.write_all(bracket)
    }

    fn close<W: ?Sized + Write>(&mut self, out: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            out.write_all(b"\n")?;
            self.indent(out)?;
        }
        out.write_all(bracket)
    }
}

impl Formatter for Pretty {
    fn begin_array<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.open(out, b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.close(out, b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(&mut self, out: &mut W, first: bool) -> io::Result<()> {
        self.line(out, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _out: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.open(out, b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.close(out, b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, out: &mut W, first: bool) -> io::Result<()> {
        self.line(out, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        out.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _out: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn write_byte_array<W: ?Sized + Write>(&mut self, out: &mut W, text: &[u8]) -> io::Result<()> {
        out.write_all(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Serialize)]
    struct Document<'a> {
        name: &'a str,
        items: InParallel<'a, serde_json::Value>,
        empty: InParallel<'a, serde_json::Value>,
        after: Vec<u32>,
    }

    #[test]
    fn lists_rendered_in_parallel_are_what_serde_json_writes() {
        // More items than a batch, nested objects and lists, empty ones, and text to escape.
        let items: Vec<serde_json::Value> = (0..2500)
            .map(|i| {
                json!({
                    "id": i,
                    "name": format!("bucket \"{i}\"\n"),
                    "copies": [{"region": "eu-west-1", "via": []}, {}],
                    "empty": {},
                })
            })
            .collect();
        let document = Document {
            name: "report",
            items: InParallel {
                items: &items,
                depth: 2,
            },
            empty: InParallel {
                items: &[],
                depth: 2,
            },
            after: vec![1, 2],
        };
        let mut ours = Vec::new();
        write_pretty(&mut ours, &document).unwrap();
        let expected = serde_json::to_string_pretty(&json!({
            "name": "report",
            "items": items,
            "empty": [],
            "after": [1, 2],
        }))
        .unwrap();
        assert_eq!(String::from_utf8(ours).unwrap(), expected);
    }
}
