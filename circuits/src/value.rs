//! Values on the command line: parsing literals of the language into input
//! bits, and printing output bits back as literals (see LANGUAGE.md, "Inputs
//! and outputs on the command line").
//!
//! ```
//! use circuits::{value, Type};
//! let ty = Type::Array(Box::new(Type::Signed(8)), 2);
//! let bits = value::parse(&ty, "[-1, 0x7f]").unwrap();
//! assert_eq!(value::format(&ty, &bits), "[-1, 127]");
//! ```

use crate::{Circuit, CircuitError, Party, Type, VariantFields};

/// Parses one literal of type `ty` into its bits (layout of [`crate::Type`]).
/// The error message says what is wrong, without the parameter name.
pub fn parse(ty: &Type, text: &str) -> Result<Vec<bool>, String> {
    let mut p = Parser {
        s: text.as_bytes(),
        pos: 0,
    };
    let mut bits = Vec::with_capacity(ty.width().min(1 << 20));
    p.value(ty, &mut bits)?;
    p.skip_ws();
    if p.pos != p.s.len() {
        return Err(format!("unexpected `{}` after the value", p.rest_preview()));
    }
    Ok(bits)
}

/// Parses the values of the inputs of `circuit` that belong to `party` (all
/// inputs when `party` is `None`), one literal per input, in declaration order.
/// Returns the bits of those inputs, concatenated in order.
pub fn parse_inputs(
    circuit: &Circuit,
    party: Option<Party>,
    values: &[String],
) -> Result<Vec<bool>, CircuitError> {
    let params: Vec<_> = circuit
        .inputs
        .iter()
        .filter(|i| party.is_none_or(|p| i.party == p))
        .collect();
    if params.len() != values.len() {
        let names = params
            .iter()
            .map(|p| format!("`{}`", p.name))
            .collect::<Vec<_>>()
            .join(", ");
        return Err(CircuitError::ValueCount {
            expected: params.len(),
            got: values.len(),
            names: if names.is_empty() {
                "none".into()
            } else {
                names
            },
        });
    }
    let mut bits = Vec::new();
    for (param, text) in params.iter().zip(values) {
        let mut b = parse(&param.ty, text).map_err(|msg| CircuitError::Value {
            param: param.name.clone(),
            ty: param.ty.to_string(),
            msg,
        })?;
        bits.append(&mut b);
    }
    Ok(bits)
}

/// Prints the bits of a value of type `ty` as a literal of the language
/// (`Type::Bits` as zero-padded lowercase hex). `bits.len()` must be `ty.width()`.
pub fn format(ty: &Type, bits: &[bool]) -> String {
    let mut out = String::new();
    write_value(ty, bits, &mut out);
    out
}

/// Prints every output of `circuit` from its output bits, one string per output.
pub fn format_outputs(circuit: &Circuit, bits: &[bool]) -> Vec<String> {
    circuit
        .outputs
        .iter()
        .map(|o| format(&o.ty, &bits[o.first_bit..o.first_bit + o.ty.width()]))
        .collect()
}

/// What `party` learns of the outputs (`None`: everything, as `mpcc run`
/// prints): the parts revealed to it, in order, one part bare and several
/// as a tuple; `None` when it learns nothing. `bits` are all output bits.
pub fn format_result(circuit: &Circuit, bits: &[bool], party: Option<Party>) -> Option<String> {
    let parts: Vec<String> = circuit
        .outputs
        .iter()
        .filter(|o| party.is_none() || o.party.is_none() || o.party == party)
        .map(|o| format(&o.ty, &bits[o.first_bit..o.first_bit + o.ty.width()]))
        .collect();
    match parts.len() {
        0 => None,
        1 => parts.into_iter().next(),
        _ => Some(format!("({})", parts.join(", "))),
    }
}

/// Prints the outputs `party` learns, one string per output, from the bits
/// it learns only (as [`Circuit::output_bits_of`] lists them: the outputs
/// revealed to it or to both, in order). `bits` must hold exactly those.
pub fn format_learned_parts(circuit: &Circuit, party: Party, bits: &[bool]) -> Vec<String> {
    let mut at = 0;
    circuit
        .outputs
        .iter()
        .filter(|o| o.party.is_none_or(|p| p == party))
        .map(|o| {
            let w = o.ty.width();
            // Missing bits (a caller's mistake) print as zeros, not a panic.
            let part: Vec<bool> = (at..at + w)
                .map(|i| bits.get(i).copied().unwrap_or(false))
                .collect();
            at += w;
            format(&o.ty, &part)
        })
        .collect()
}

/// What `party` learns of the outputs, from the bits it learns only (see
/// [`format_learned_parts`]): one part bare, several as a tuple; `None`
/// when it learns nothing.
pub fn format_learned(circuit: &Circuit, party: Party, bits: &[bool]) -> Option<String> {
    let parts = format_learned_parts(circuit, party, bits);
    match parts.len() {
        0 => None,
        1 => parts.into_iter().next(),
        _ => Some(format!("({})", parts.join(", "))),
    }
}

fn write_value(ty: &Type, bits: &[bool], out: &mut String) {
    match ty {
        Type::Bool => out.push_str(if bits[0] { "true" } else { "false" }),
        Type::Unsigned(_) => out.push_str(&to_decimal(&limbs_from_bits(bits))),
        Type::Signed(_) => {
            if bits.last() == Some(&true) {
                let neg: Vec<bool> = negate_bits(bits);
                out.push('-');
                out.push_str(&to_decimal(&limbs_from_bits(&neg)));
            } else {
                out.push_str(&to_decimal(&limbs_from_bits(bits)));
            }
        }
        Type::Bits(n) => {
            out.push_str("0x");
            let digits = (*n as usize).div_ceil(4).max(1);
            for d in (0..digits).rev() {
                let mut v = 0u32;
                for k in 0..4 {
                    if bits.get(d * 4 + k) == Some(&true) {
                        v |= 1 << k;
                    }
                }
                out.push(char::from_digit(v, 16).unwrap_or('0'));
            }
        }
        Type::Array(t, n) => {
            let w = t.width();
            out.push('[');
            for i in 0..*n as usize {
                if i > 0 {
                    out.push_str(", ");
                }
                write_value(t, &bits[i * w..(i + 1) * w], out);
            }
            out.push(']');
        }
        Type::Tuple(ts) => {
            out.push('(');
            let mut at = 0;
            for (i, t) in ts.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_value(t, &bits[at..at + t.width()], out);
                at += t.width();
            }
            if ts.len() == 1 {
                out.push(',');
            }
            out.push(')');
        }
        Type::Struct { name, fields } => {
            out.push_str(name);
            out.push_str(" { ");
            let mut at = 0;
            for (i, (f, t)) in fields.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(f);
                out.push_str(": ");
                write_value(t, &bits[at..at + t.width()], out);
                at += t.width();
            }
            out.push_str(" }");
        }
        Type::Enum { name, variants } => {
            let tb = crate::tag_bits(variants.len());
            let tag = bits[..tb]
                .iter()
                .enumerate()
                .fold(0usize, |acc, (i, &b)| acc | (usize::from(b) << i));
            let Some(v) = variants.get(tag) else {
                out.push_str(&format!("<invalid {name} tag {tag}>"));
                return;
            };
            if name != "Option" {
                out.push_str(name);
                out.push_str("::");
            }
            out.push_str(&v.name);
            let mut at = tb;
            match &v.fields {
                VariantFields::Unit => {}
                VariantFields::Tuple(ts) => {
                    out.push('(');
                    for (i, t) in ts.iter().enumerate() {
                        if i > 0 {
                            out.push_str(", ");
                        }
                        write_value(t, &bits[at..at + t.width()], out);
                        at += t.width();
                    }
                    out.push(')');
                }
                VariantFields::Named(fs) => {
                    out.push_str(" { ");
                    for (i, (f, t)) in fs.iter().enumerate() {
                        if i > 0 {
                            out.push_str(", ");
                        }
                        out.push_str(f);
                        out.push_str(": ");
                        write_value(t, &bits[at..at + t.width()], out);
                        at += t.width();
                    }
                    out.push_str(" }");
                }
            }
        }
    }
}

/// Two's complement negation of a bit vector (LSB first).
fn negate_bits(bits: &[bool]) -> Vec<bool> {
    let mut carry = true;
    bits.iter()
        .map(|&b| {
            let v = !b ^ carry;
            carry &= !b;
            v
        })
        .collect()
}

fn limbs_from_bits(bits: &[bool]) -> Vec<u64> {
    let mut limbs = vec![0u64; bits.len().div_ceil(64).max(1)];
    for (i, &b) in bits.iter().enumerate() {
        if b {
            limbs[i / 64] |= 1 << (i % 64);
        }
    }
    limbs
}

fn to_decimal(limbs: &[u64]) -> String {
    let mut l = limbs.to_vec();
    let mut digits = Vec::new();
    loop {
        let mut rem = 0u128;
        for x in l.iter_mut().rev() {
            let cur = (rem << 64) | u128::from(*x);
            *x = (cur / 10) as u64;
            rem = cur % 10;
        }
        digits.push(b'0' + rem as u8);
        if l.iter().all(|&x| x == 0) {
            break;
        }
    }
    digits.reverse();
    String::from_utf8(digits).unwrap_or_default()
}

struct Parser<'a> {
    s: &'a [u8],
    pos: usize,
}

impl Parser<'_> {
    fn skip_ws(&mut self) {
        while self.pos < self.s.len() && self.s[self.pos].is_ascii_whitespace() {
            self.pos += 1;
        }
    }

    fn rest_preview(&self) -> String {
        let rest = String::from_utf8_lossy(&self.s[self.pos.min(self.s.len())..]);
        rest.chars().take(20).collect()
    }

    fn peek(&mut self) -> Option<u8> {
        self.skip_ws();
        self.s.get(self.pos).copied()
    }

    fn expect(&mut self, c: u8, what: &str) -> Result<(), String> {
        if self.peek() == Some(c) {
            self.pos += 1;
            Ok(())
        } else if self.pos >= self.s.len() {
            Err(format!(
                "expected `{}` {what}, found the end of the value",
                c as char
            ))
        } else {
            Err(format!(
                "expected `{}` {what}, found `{}`",
                c as char,
                self.rest_preview()
            ))
        }
    }

    fn word(&mut self) -> &[u8] {
        self.skip_ws();
        let start = self.pos;
        while self.pos < self.s.len()
            && (self.s[self.pos].is_ascii_alphanumeric() || self.s[self.pos] == b'_')
        {
            self.pos += 1;
        }
        &self.s[start..self.pos]
    }

    fn value(&mut self, ty: &Type, bits: &mut Vec<bool>) -> Result<(), String> {
        match ty {
            Type::Bool => match self.word() {
                b"true" => bits.push(true),
                b"false" => bits.push(false),
                b"" => {
                    return Err(format!(
                        "expected `true` or `false`, found `{}`",
                        self.rest_preview()
                    ))
                }
                w => {
                    return Err(format!(
                        "expected `true` or `false`, found `{}`",
                        String::from_utf8_lossy(w)
                    ))
                }
            },
            Type::Unsigned(n) | Type::Signed(n) | Type::Bits(n) => {
                let signed = matches!(ty, Type::Signed(_));
                self.integer(*n as usize, signed, bits)?
            }
            Type::Array(t, n) => {
                self.expect(b'[', "to open an array")?;
                let start = bits.len();
                let mut count = 0u64;
                if self.peek() != Some(b']') {
                    loop {
                        self.value(t, bits)?;
                        count += 1;
                        if count == 1 && self.peek() == Some(b';') {
                            self.pos += 1;
                            let digits = self.word();
                            let reps: u64 = std::str::from_utf8(digits)
                                .ok()
                                .and_then(|d| d.parse().ok())
                                .ok_or("expected a repeat count after `;`")?;
                            if reps != u64::from(*n) {
                                return Err(format!("expected {n} elements, got {reps}"));
                            }
                            let elem = bits[start..].to_vec();
                            for _ in 1..reps {
                                bits.extend_from_slice(&elem);
                            }
                            count = reps;
                            break;
                        }
                        if count > u64::from(*n) {
                            return Err(format!("too many elements: expected {n}"));
                        }
                        if self.peek() == Some(b',') {
                            self.pos += 1;
                            if self.peek() == Some(b']') {
                                break;
                            }
                        } else {
                            break;
                        }
                    }
                }
                self.expect(b']', "to close the array")?;
                if count != u64::from(*n) {
                    return Err(format!("expected {n} elements, got {count}"));
                }
            }
            Type::Tuple(ts) => {
                self.expect(b'(', "to open a tuple")?;
                for (i, t) in ts.iter().enumerate() {
                    if i > 0 {
                        self.expect(b',', "between tuple elements")?;
                    }
                    self.value(t, bits)?;
                }
                if self.peek() == Some(b',') {
                    self.pos += 1;
                }
                self.expect(b')', &format!("to close a tuple of {} elements", ts.len()))?;
            }
            Type::Struct { name, fields } => {
                let w = self.word().to_vec();
                if w != name.as_bytes() {
                    return Err(format!(
                        "expected a `{name}` struct literal, found `{}`",
                        String::from_utf8_lossy(&w)
                    ));
                }
                self.expect(b'{', "after the struct name")?;
                let mut parts: Vec<Option<Vec<bool>>> = vec![None; fields.len()];
                while self.peek() != Some(b'}') {
                    let f = String::from_utf8_lossy(self.word()).into_owned();
                    let Some(idx) = fields.iter().position(|(n, _)| *n == f) else {
                        return Err(format!("`{name}` has no field `{f}`"));
                    };
                    if parts[idx].is_some() {
                        return Err(format!("field `{f}` given twice"));
                    }
                    self.expect(b':', "after the field name")?;
                    let mut fb = Vec::new();
                    self.value(&fields[idx].1, &mut fb)
                        .map_err(|e| format!("field `{f}`: {e}"))?;
                    parts[idx] = Some(fb);
                    if self.peek() == Some(b',') {
                        self.pos += 1;
                    } else {
                        break;
                    }
                }
                self.expect(b'}', "to close the struct")?;
                for ((f, _), part) in fields.iter().zip(parts) {
                    let part = part.ok_or_else(|| format!("missing field `{f}`"))?;
                    bits.extend(part);
                }
            }
            Type::Enum { name, variants } => self.enum_value(ty, name, variants, bits)?,
        }
        Ok(())
    }

    /// `Name::Variant`, `Name::Variant(v, ...)`, `Name::Variant { f: v, ... }`;
    /// the path may be left out, and is for `Some(5)` and `None`.
    fn enum_value(
        &mut self,
        ty: &Type,
        name: &str,
        variants: &[crate::Variant],
        bits: &mut Vec<bool>,
    ) -> Result<(), String> {
        let first = String::from_utf8_lossy(self.word()).into_owned();
        let vname = if self.s[self.pos..].starts_with(b"::") {
            if first != name {
                return Err(format!("expected a `{name}` value, found `{first}::...`"));
            }
            self.pos += 2;
            String::from_utf8_lossy(self.word()).into_owned()
        } else {
            first
        };
        let Some(tag) = variants.iter().position(|v| v.name == vname) else {
            let names: Vec<&str> = variants.iter().map(|v| v.name.as_str()).collect();
            return Err(format!(
                "`{name}` has no variant `{vname}` (it has {})",
                names.join(", ")
            ));
        };
        let start = bits.len();
        let tb = crate::tag_bits(variants.len());
        bits.extend((0..tb).map(|i| tag >> i & 1 == 1));
        match &variants[tag].fields {
            VariantFields::Unit => {}
            VariantFields::Tuple(ts) => {
                self.expect(b'(', &format!("after `{vname}`"))?;
                for (i, t) in ts.iter().enumerate() {
                    if i > 0 {
                        self.expect(b',', "between the values of a variant")?;
                    }
                    self.value(t, bits)?;
                }
                if self.peek() == Some(b',') {
                    self.pos += 1;
                }
                self.expect(b')', &format!("to close `{vname}(...)`"))?;
            }
            VariantFields::Named(fs) => {
                let fields = fs.clone();
                let sname = vname.clone();
                self.expect(b'{', &format!("after `{vname}`"))?;
                let mut parts: Vec<Option<Vec<bool>>> = vec![None; fields.len()];
                while self.peek() != Some(b'}') {
                    let f = String::from_utf8_lossy(self.word()).into_owned();
                    let Some(idx) = fields.iter().position(|(n, _)| *n == f) else {
                        return Err(format!("`{sname}` has no field `{f}`"));
                    };
                    if parts[idx].is_some() {
                        return Err(format!("field `{f}` given twice"));
                    }
                    self.expect(b':', "after the field name")?;
                    let mut fb = Vec::new();
                    self.value(&fields[idx].1, &mut fb)
                        .map_err(|e| format!("field `{f}`: {e}"))?;
                    parts[idx] = Some(fb);
                    if self.peek() == Some(b',') {
                        self.pos += 1;
                    } else {
                        break;
                    }
                }
                self.expect(b'}', &format!("to close `{vname} {{ ... }}`"))?;
                for ((f, _), part) in fields.iter().zip(parts) {
                    let part = part.ok_or_else(|| format!("missing field `{f}`"))?;
                    bits.extend(part);
                }
            }
        }
        // Zero padding up to the largest variant.
        bits.resize(start + ty.width(), false);
        Ok(())
    }

    /// Reads an integer literal and appends its `width` bits, checking it fits.
    fn integer(&mut self, width: usize, signed: bool, bits: &mut Vec<bool>) -> Result<(), String> {
        self.skip_ws();
        let negative = self.s.get(self.pos) == Some(&b'-');
        if negative {
            self.pos += 1;
        }
        let w = self.word();
        let text = String::from_utf8_lossy(w).into_owned();
        let (radix, digits) =
            if let Some(d) = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
                (16, d)
            } else if let Some(d) = text.strip_prefix("0b").or_else(|| text.strip_prefix("0B")) {
                (2, d)
            } else {
                (10, text.as_str())
            };
        let digits: Vec<u32> = digits
            .chars()
            .filter(|&c| c != '_')
            .map(|c| c.to_digit(radix).ok_or(c))
            .collect::<Result<_, _>>()
            .map_err(|c| {
                if text.is_empty() {
                    format!("expected an integer, found `{}`", self.rest_preview())
                } else {
                    format!("`{text}` is not an integer (bad digit `{c}`)")
                }
            })?;
        if digits.is_empty() {
            return Err(if text.is_empty() {
                format!("expected an integer, found `{}`", self.rest_preview())
            } else {
                format!("`{text}` has no digits")
            });
        }
        // Magnitude in 64-bit limbs, growing only while it could still fit.
        let max_limbs = width / 64 + 2;
        let mut mag = vec![0u64];
        for d in digits {
            let mut carry = u128::from(d);
            for x in mag.iter_mut() {
                let cur = u128::from(*x) * u128::from(radix) + carry;
                *x = cur as u64;
                carry = cur >> 64;
            }
            if carry != 0 {
                if mag.len() >= max_limbs {
                    return Err(too_big(&text, negative, width, signed));
                }
                mag.push(carry as u64);
            }
        }
        let bitlen = mag
            .iter()
            .enumerate()
            .rev()
            .find(|(_, &x)| x != 0)
            .map_or(0, |(i, x)| i * 64 + 64 - x.leading_zeros() as usize);
        let is_zero = bitlen == 0;
        let fits = match (signed, negative) {
            (false, true) => is_zero,
            (false, false) => bitlen <= width,
            (true, false) => bitlen < width,
            // magnitude <= 2^(width-1)
            (true, true) => bitlen < width || (bitlen == width && mag_is_pow2(&mag)),
        };
        if !fits {
            return Err(too_big(&text, negative, width, signed));
        }
        let mut v: Vec<bool> = (0..width)
            .map(|i| mag.get(i / 64).is_some_and(|x| x >> (i % 64) & 1 == 1))
            .collect();
        if negative {
            v = negate_bits(&v);
        }
        bits.extend(v);
        Ok(())
    }
}

fn mag_is_pow2(mag: &[u64]) -> bool {
    mag.iter().map(|x| x.count_ones()).sum::<u32>() == 1
}

fn too_big(text: &str, negative: bool, width: usize, signed: bool) -> String {
    let sign = if negative { "-" } else { "" };
    match (signed, negative) {
        (false, true) => format!("`{sign}{text}` is negative but the type is unsigned"),
        (false, false) => format!("`{text}` does not fit in {width} bits"),
        (true, _) => format!("`{sign}{text}` does not fit in a signed {width}-bit integer"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rt(ty: &Type, s: &str) -> String {
        format(ty, &parse(ty, s).unwrap())
    }

    fn sale() -> Type {
        Type::Enum {
            name: "Sale".into(),
            variants: vec![
                crate::Variant {
                    name: "NoSale".into(),
                    fields: VariantFields::Unit,
                },
                crate::Variant {
                    name: "Sold".into(),
                    fields: VariantFields::Named(vec![
                        ("winner".into(), Type::Unsigned(8)),
                        ("price".into(), Type::Unsigned(32)),
                    ]),
                },
                crate::Variant {
                    name: "Split".into(),
                    fields: VariantFields::Tuple(vec![Type::Bool, Type::Signed(4)]),
                },
            ],
        }
    }

    #[test]
    fn enums_round_trip() {
        let t = sale();
        assert_eq!(t.width(), 2 + 40);
        assert_eq!(rt(&t, "Sale::NoSale"), "Sale::NoSale");
        assert_eq!(rt(&t, "NoSale"), "Sale::NoSale");
        assert_eq!(
            rt(&t, "Sale::Sold { price: 90, winner: 3 }"),
            "Sale::Sold { winner: 3, price: 90 }"
        );
        assert_eq!(rt(&t, "Sale::Split(true, -2)"), "Sale::Split(true, -2)");
        // Tag first, least significant bit first; unused payload bits zero.
        let bits = parse(&t, "Sale::Sold { winner: 3, price: 90 }").unwrap();
        assert_eq!(&bits[..4], &[true, false, true, true]);
        let bits = parse(&t, "Sale::NoSale").unwrap();
        assert!(bits.iter().all(|&b| !b));
        assert!(parse(&t, "Sale::Gone")
            .unwrap_err()
            .contains("no variant `Gone`"));
        assert!(parse(&t, "Auction::NoSale")
            .unwrap_err()
            .contains("expected a `Sale` value"));
        assert!(parse(&t, "Sale::Sold { winner: 3 }")
            .unwrap_err()
            .contains("missing field `price`"));
        // An invalid tag (only a tampered circuit makes one) prints, never panics.
        let mut bits = vec![false; t.width()];
        bits[0] = true;
        bits[1] = true;
        assert_eq!(format(&t, &bits), "<invalid Sale tag 3>");
        let opt = Type::Enum {
            name: "Option".into(),
            variants: vec![
                crate::Variant {
                    name: "None".into(),
                    fields: VariantFields::Unit,
                },
                crate::Variant {
                    name: "Some".into(),
                    fields: VariantFields::Tuple(vec![Type::Unsigned(8)]),
                },
            ],
        };
        assert_eq!(opt.to_string(), "Option<u8>");
        assert_eq!(opt.width(), 9);
        assert_eq!(rt(&opt, "Some(5)"), "Some(5)");
        assert_eq!(rt(&opt, "None"), "None");
        assert_eq!(rt(&opt, "Option::None"), "None");
    }

    #[test]
    fn integers_round_trip() {
        assert_eq!(rt(&Type::Unsigned(8), "255"), "255");
        assert_eq!(rt(&Type::Unsigned(8), "0xff"), "255");
        assert_eq!(rt(&Type::Unsigned(8), "0b101"), "5");
        assert_eq!(rt(&Type::Signed(8), "-128"), "-128");
        assert_eq!(rt(&Type::Signed(8), "127"), "127");
        assert_eq!(rt(&Type::Signed(64), "-5"), "-5");
        assert_eq!(rt(&Type::Bits(64), "1"), "0x0000000000000001");
        let big = "179769313486231590772930519078902473361797697894230657273430081157732675805500963132708477322407536021120113879871393357658789768814416622492847430639474124377767893424865485276302219601246094119453082952085005768838150682342462881473913110540827237163350510684586298239947245938479716304835356329624224137215";
        assert_eq!(rt(&Type::Unsigned(1024), big), big);
    }

    #[test]
    fn integers_that_do_not_fit() {
        assert!(parse(&Type::Unsigned(8), "256")
            .unwrap_err()
            .contains("does not fit"));
        assert!(parse(&Type::Unsigned(8), "-1")
            .unwrap_err()
            .contains("unsigned"));
        assert!(parse(&Type::Signed(8), "128").is_err());
        assert!(parse(&Type::Signed(8), "-129").is_err());
        assert!(parse(&Type::Unsigned(8), "12a")
            .unwrap_err()
            .contains("bad digit"));
        assert!(parse(&Type::Unsigned(8), "").is_err());
        assert!(parse(&Type::Unsigned(8), "1 2").is_err());
        assert!(parse(
            &Type::Unsigned(1),
            "99999999999999999999999999999999999999999999999"
        )
        .is_err());
    }

    #[test]
    fn composites_round_trip() {
        let s = Type::Struct {
            name: "Outcome".into(),
            fields: vec![
                ("winner".into(), Type::Unsigned(8)),
                ("price".into(), Type::Unsigned(32)),
            ],
        };
        assert_eq!(
            rt(&s, "Outcome { price: 90, winner: 3 }"),
            "Outcome { winner: 3, price: 90 }"
        );
        let t = Type::Tuple(vec![Type::Unsigned(4), Type::Bool]);
        assert_eq!(rt(&t, "(1, true)"), "(1, true)");
        let a = Type::Array(Box::new(Type::Unsigned(3)), 3);
        assert_eq!(rt(&a, "[1,2,3,]"), "[1, 2, 3]");
        assert_eq!(rt(&a, "[7; 3]"), "[7, 7, 7]");
        assert!(parse(&a, "[1, 2]")
            .unwrap_err()
            .contains("expected 3 elements"));
        assert!(parse(&a, "[1, 2, 3, 4]").is_err());
        assert!(parse(&s, "Outcome { winner: 3 }")
            .unwrap_err()
            .contains("missing field `price`"));
        assert!(parse(&s, "Other { }").is_err());
    }
}
