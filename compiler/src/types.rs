//! The compiler's view of types: the language's types plus the type of an
//! untyped integer literal, which takes its type from context.

use circuits::Type;
use std::fmt;
use std::rc::Rc;

/// A resolved type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ty {
    Bool,
    Int {
        signed: bool,
        width: u32,
    },
    Array(Rc<Ty>, u32),
    /// Tuples; the empty tuple is the unit type `()`.
    Tuple(Rc<[Ty]>),
    /// A struct, by index into the program's struct table.
    Struct(Rc<StructDef>),
    /// An enum (a user's, or the prelude's `Option<T>`).
    Enum(Rc<EnumDef>),
    /// An integer literal (or public integer) that has no type yet.
    Lit,
}

/// A struct declaration with resolved field types.
#[derive(Debug, PartialEq, Eq)]
pub struct StructDef {
    pub name: String,
    pub fields: Vec<(String, Ty)>,
}

/// An enum declaration with resolved payload types. Layout: the tag (the
/// variant's index, [`circuits::tag_bits`] bits), then the variant's fields,
/// zero-padded to the largest payload.
#[derive(Debug, PartialEq, Eq)]
pub struct EnumDef {
    /// `Sale`, or `Option` for the prelude's.
    pub name: String,
    pub variants: Vec<VariantDef>,
}

#[derive(Debug, PartialEq, Eq)]
pub struct VariantDef {
    pub name: String,
    /// Field names (`0`, `1`, ... for a tuple variant) and types.
    pub fields: Vec<(String, Ty)>,
    /// Declared as `V { f: T }` (named) rather than `V(T)` or `V`.
    pub named: bool,
    /// Declared as `V(...)`.
    pub tuple: bool,
}

impl EnumDef {
    /// The prelude's `Option<T>`.
    pub fn option(t: Ty) -> EnumDef {
        EnumDef {
            name: "Option".into(),
            variants: vec![
                VariantDef {
                    name: "None".into(),
                    fields: Vec::new(),
                    named: false,
                    tuple: false,
                },
                VariantDef {
                    name: "Some".into(),
                    fields: vec![("0".into(), t)],
                    named: false,
                    tuple: true,
                },
            ],
        }
    }

    pub fn is_option(&self) -> bool {
        self.name == "Option"
    }

    pub fn tag_bits(&self) -> usize {
        circuits::tag_bits(self.variants.len())
    }

    /// Bits of the largest payload.
    pub fn payload_bits(&self) -> usize {
        self.variants
            .iter()
            .map(|v| {
                v.fields
                    .iter()
                    .map(|(_, t)| t.width())
                    .fold(0, usize::saturating_add)
            })
            .max()
            .unwrap_or(0)
    }

    /// How a value is written: `Sale::Sold`, or `Some` for the prelude's.
    pub fn path(&self, variant: &str) -> String {
        if self.is_option() {
            variant.to_string()
        } else {
            format!("{}::{variant}", self.name)
        }
    }
}

impl Ty {
    pub fn unit() -> Ty {
        Ty::Tuple(Rc::from(Vec::new()))
    }

    /// Number of bits of a value of this type (saturating).
    pub fn width(&self) -> usize {
        match self {
            Ty::Bool => 1,
            Ty::Int { width, .. } => *width as usize,
            Ty::Array(t, n) => t.width().saturating_mul(*n as usize),
            Ty::Tuple(ts) => ts.iter().map(Ty::width).fold(0, usize::saturating_add),
            Ty::Struct(s) => s
                .fields
                .iter()
                .map(|(_, t)| t.width())
                .fold(0, usize::saturating_add),
            Ty::Enum(e) => e.tag_bits().saturating_add(e.payload_bits()),
            Ty::Lit => 0,
        }
    }

    /// The circuit core's type for the same layout.
    pub fn to_circuit(&self) -> Type {
        match self {
            Ty::Bool => Type::Bool,
            Ty::Int {
                signed: false,
                width,
            } => Type::Unsigned(*width),
            Ty::Int {
                signed: true,
                width,
            } => Type::Signed(*width),
            Ty::Array(t, n) => Type::Array(Box::new(t.to_circuit()), *n),
            Ty::Tuple(ts) => Type::Tuple(ts.iter().map(Ty::to_circuit).collect()),
            Ty::Struct(s) => Type::Struct {
                name: s.name.clone(),
                fields: s
                    .fields
                    .iter()
                    .map(|(n, t)| (n.clone(), t.to_circuit()))
                    .collect(),
            },
            Ty::Enum(e) => Type::Enum {
                name: e.name.clone(),
                variants: e
                    .variants
                    .iter()
                    .map(|v| circuits::Variant {
                        name: v.name.clone(),
                        fields: if v.named {
                            circuits::VariantFields::Named(
                                v.fields
                                    .iter()
                                    .map(|(n, t)| (n.clone(), t.to_circuit()))
                                    .collect(),
                            )
                        } else if v.tuple {
                            circuits::VariantFields::Tuple(
                                v.fields.iter().map(|(_, t)| t.to_circuit()).collect(),
                            )
                        } else {
                            circuits::VariantFields::Unit
                        },
                    })
                    .collect(),
            },
            Ty::Lit => Type::Signed(32),
        }
    }
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ty::Bool => f.write_str("bool"),
            Ty::Int {
                signed: false,
                width,
            } => write!(f, "u{width}"),
            Ty::Int {
                signed: true,
                width,
            } => write!(f, "i{width}"),
            Ty::Array(t, n) => write!(f, "[{t}; {n}]"),
            Ty::Tuple(ts) => {
                f.write_str("(")?;
                for (i, t) in ts.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{t}")?;
                }
                if ts.len() == 1 {
                    f.write_str(",")?;
                }
                f.write_str(")")
            }
            Ty::Struct(s) => f.write_str(&s.name),
            Ty::Enum(e) if e.is_option() => {
                match e.variants.get(1).and_then(|v| v.fields.first()) {
                    Some((_, t)) => write!(f, "Option<{t}>"),
                    None => f.write_str("Option"),
                }
            }
            Ty::Enum(e) => f.write_str(&e.name),
            Ty::Lit => f.write_str("integer"),
        }
    }
}
