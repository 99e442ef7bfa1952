//! JSON out of the core's `Serialize` structures (the raw resolution, pool settings) and the
//! playground's state (share links, localStorage), without serde_json: a small serializer over
//! a `String`, compact or pretty (two-space indent, as `serde_json::to_string_pretty`). Numbers
//! that are not integers are formatted by JavaScript (`Number.prototype.toString`), which spares
//! the wasm Rust's float formatting. Non-finite floats become `null`, as in serde_json.
//! Reading JSON back is the core YAML reader's job (JSON is YAML): see `share::State::from_json`.

use serde::ser::{self, Serialize};

/// `value` as compact JSON.
pub fn to_string<T: Serialize + ?Sized>(value: &T) -> String {
    write(value, false)
}

/// `value` as indented JSON.
pub fn to_string_pretty<T: Serialize + ?Sized>(value: &T) -> String {
    write(value, true)
}

fn write<T: Serialize + ?Sized>(value: &T, pretty: bool) -> String {
    let mut w = Writer { out: String::new(), pretty, depth: 0 };
    // Only a custom `Serialize` that fails (none in the core) could make this an error.
    if value.serialize(&mut w).is_err() {
        return String::new();
    }
    w.out
}

#[derive(Debug)]
pub struct Error(String);

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        Error(msg.to_string())
    }
}

struct Writer {
    out: String,
    pretty: bool,
    depth: usize,
}

impl Writer {
    fn newline(&mut self) {
        if self.pretty {
            self.out.push('\n');
            for _ in 0..self.depth {
                self.out.push_str("  ");
            }
        }
    }

    fn string(&mut self, s: &str) {
        self.out.push('"');
        for c in s.chars() {
            match c {
                '"' => self.out.push_str("\\\""),
                '\\' => self.out.push_str("\\\\"),
                '\n' => self.out.push_str("\\n"),
                '\r' => self.out.push_str("\\r"),
                '\t' => self.out.push_str("\\t"),
                c if (c as u32) < 0x20 => {
                    const HEX: &[u8; 16] = b"0123456789abcdef";
                    self.out.push_str("\\u00");
                    self.out.push(HEX[(c as usize) >> 4] as char);
                    self.out.push(HEX[(c as usize) & 15] as char);
                }
                c => self.out.push(c),
            }
        }
        self.out.push('"');
    }

    fn open(&mut self, bracket: char) -> Compound<'_> {
        self.out.push(bracket);
        self.depth += 1;
        Compound { w: self, first: true, close: if bracket == '{' { '}' } else { ']' }, wrap: false }
    }

    fn integer(&mut self, digits: String) -> Result<(), Error> {
        self.out.push_str(&digits);
        Ok(())
    }
}

/// An array or object being written. `wrap`: a `{"Variant": ...}` around it to close as well.
struct Compound<'a> {
    w: &'a mut Writer,
    first: bool,
    close: char,
    wrap: bool,
}

impl Compound<'_> {
    fn item(&mut self) {
        if !self.first {
            self.w.out.push(',');
        }
        self.first = false;
        self.w.newline();
    }

    fn key(&mut self, key: &str) {
        self.item();
        self.w.string(key);
        self.w.out.push_str(if self.w.pretty { ": " } else { ":" });
    }

    fn end(self) -> Result<(), Error> {
        self.w.depth -= 1;
        if !self.first {
            self.w.newline();
        }
        self.w.out.push(self.close);
        if self.wrap {
            self.w.depth -= 1;
            self.w.newline();
            self.w.out.push('}');
        }
        Ok(())
    }
}

impl<'a> ser::Serializer for &'a mut Writer {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Compound<'a>;
    type SerializeTuple = Compound<'a>;
    type SerializeTupleStruct = Compound<'a>;
    type SerializeTupleVariant = Compound<'a>;
    type SerializeMap = Compound<'a>;
    type SerializeStruct = Compound<'a>;
    type SerializeStructVariant = Compound<'a>;

    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        self.out.push_str(if v { "true" } else { "false" });
        Ok(())
    }
    fn serialize_i8(self, v: i8) -> Result<(), Error> {
        self.serialize_i64(v as i64)
    }
    fn serialize_i16(self, v: i16) -> Result<(), Error> {
        self.serialize_i64(v as i64)
    }
    fn serialize_i32(self, v: i32) -> Result<(), Error> {
        self.serialize_i64(v as i64)
    }
    fn serialize_i64(self, v: i64) -> Result<(), Error> {
        self.integer(v.to_string())
    }
    fn serialize_i128(self, v: i128) -> Result<(), Error> {
        self.integer(v.to_string())
    }
    fn serialize_u8(self, v: u8) -> Result<(), Error> {
        self.serialize_u64(v as u64)
    }
    fn serialize_u16(self, v: u16) -> Result<(), Error> {
        self.serialize_u64(v as u64)
    }
    fn serialize_u32(self, v: u32) -> Result<(), Error> {
        self.serialize_u64(v as u64)
    }
    fn serialize_u64(self, v: u64) -> Result<(), Error> {
        self.integer(v.to_string())
    }
    fn serialize_u128(self, v: u128) -> Result<(), Error> {
        self.integer(v.to_string())
    }
    fn serialize_f32(self, v: f32) -> Result<(), Error> {
        self.serialize_f64(v as f64)
    }
    fn serialize_f64(self, v: f64) -> Result<(), Error> {
        if !v.is_finite() {
            self.out.push_str("null");
        } else if v.fract() == 0.0 && v.abs() < 1e15 {
            // Integral values as serde_json (ryu) writes them: `3.0`.
            self.out.push_str(&(v as i64).to_string());
            self.out.push_str(".0");
        } else {
            self.out.push_str(&format_float(v));
        }
        Ok(())
    }
    fn serialize_char(self, v: char) -> Result<(), Error> {
        self.string(v.encode_utf8(&mut [0; 4]));
        Ok(())
    }
    fn serialize_str(self, v: &str) -> Result<(), Error> {
        self.string(v);
        Ok(())
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), Error> {
        let mut seq = self.open('[');
        for b in v {
            seq.item();
            seq.w.out.push_str(&b.to_string());
        }
        seq.end()
    }
    fn serialize_none(self) -> Result<(), Error> {
        self.serialize_unit()
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Error> {
        self.out.push_str("null");
        Ok(())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Error> {
        self.serialize_unit()
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result<(), Error> {
        self.string(variant);
        Ok(())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        let mut m = self.open('{');
        m.key(variant);
        value.serialize(&mut *m.w)?;
        m.end()
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Compound<'a>, Error> {
        Ok(self.open('['))
    }
    fn serialize_tuple(self, _: usize) -> Result<Compound<'a>, Error> {
        Ok(self.open('['))
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Compound<'a>, Error> {
        Ok(self.open('['))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Compound<'a>, Error> {
        variant_open(self, variant, '[')
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Compound<'a>, Error> {
        Ok(self.open('{'))
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Compound<'a>, Error> {
        Ok(self.open('{'))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Compound<'a>, Error> {
        variant_open(self, variant, '{')
    }
}

/// `{"Variant": [` or `{"Variant": {`: closed by [`Compound::end`].
fn variant_open<'a>(w: &'a mut Writer, variant: &str, bracket: char) -> Result<Compound<'a>, Error> {
    w.out.push('{');
    w.depth += 1;
    w.newline();
    w.string(variant);
    w.out.push_str(if w.pretty { ": " } else { ":" });
    let mut c = w.open(bracket);
    c.wrap = true;
    Ok(c)
}

/// Shortest round-trip text of a finite float, by JavaScript.
#[cfg(target_arch = "wasm32")]
fn format_float(v: f64) -> String {
    js_sys::Number::from(v).to_string_with_radix(10).ok().and_then(|s| s.as_string()).unwrap_or_default()
}

#[cfg(not(target_arch = "wasm32"))]
fn format_float(v: f64) -> String {
    v.to_string()
}

macro_rules! compound {
    ($($trait:ident $method:ident;)*) => {$(
        impl ser::$trait for Compound<'_> {
            type Ok = ();
            type Error = Error;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
                self.item();
                value.serialize(&mut *self.w)
            }
            fn end(self) -> Result<(), Error> {
                Compound::end(self)
            }
        }
    )*};
}

compound! {
    SerializeSeq serialize_element;
    SerializeTuple serialize_element;
    SerializeTupleStruct serialize_field;
    SerializeTupleVariant serialize_field;
}

macro_rules! fields {
    ($($trait:ident)*) => {$(
        impl ser::$trait for Compound<'_> {
            type Ok = ();
            type Error = Error;
            fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), Error> {
                self.key(key);
                value.serialize(&mut *self.w)
            }
            fn end(self) -> Result<(), Error> {
                Compound::end(self)
            }
        }
    )*};
}

fields! { SerializeStruct SerializeStructVariant }

impl ser::SerializeMap for Compound<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        self.item();
        // Keys are written as values, then checked: JSON keys must be strings.
        let start = self.w.out.len();
        key.serialize(&mut *self.w)?;
        if !self.w.out[start..].starts_with('"') {
            let k = self.w.out.split_off(start);
            self.w.string(&k);
        }
        self.w.out.push_str(if self.w.pretty { ": " } else { ":" });
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        value.serialize(&mut *self.w)
    }
    fn end(self) -> Result<(), Error> {
        Compound::end(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[derive(serde::Serialize)]
    #[serde(rename_all = "camelCase")]
    struct S {
        text: String,
        n: u32,
        f: f64,
        list: Vec<i32>,
        empty: Vec<i32>,
        map: BTreeMap<u32, bool>,
        none: Option<u8>,
        e: E,
        t: E,
    }

    #[derive(serde::Serialize)]
    enum E {
        Unit,
        #[allow(dead_code)]
        Tuple(u8, u8),
        Struct {
            a: u8,
        },
    }

    fn sample() -> S {
        S {
            text: "a \"q\" \\ \n\t\u{1} ü 🚀".into(),
            n: 7,
            f: 2.5,
            list: vec![1, -2],
            empty: vec![],
            map: BTreeMap::from([(80, true)]),
            none: None,
            e: E::Unit,
            t: E::Struct { a: 1 },
        }
    }

    #[test]
    fn compact_json_is_what_serde_json_writes() {
        let s = sample();
        assert_eq!(to_string(&s), serde_json::to_string(&s).unwrap());
        assert_eq!(to_string(&E::Tuple(1, 2)), serde_json::to_string(&E::Tuple(1, 2)).unwrap());
        assert_eq!(to_string(&3.0f64), "3.0");
        assert_eq!(to_string(&f64::NAN), "null");
    }

    #[test]
    fn pretty_json_is_what_serde_json_writes() {
        let s = sample();
        assert_eq!(to_string_pretty(&s), serde_json::to_string_pretty(&s).unwrap());
        assert_eq!(to_string_pretty(&E::Tuple(1, 2)), serde_json::to_string_pretty(&E::Tuple(1, 2)).unwrap());
    }
}
