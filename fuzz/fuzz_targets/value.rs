//! Command-line values: never a panic; a literal that parses has the type's
//! width and prints back to a literal that parses to the same bits.
//! The first byte picks the type (or `parse_inputs` on a fixture circuit).
#![no_main]
use circuits::{value, Party, Type, Variant, VariantFields};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn types() -> &'static [Type] {
    static TYPES: OnceLock<Vec<Type>> = OnceLock::new();
    TYPES.get_or_init(|| {
        let u8_ = Type::Unsigned(8);
        vec![
            Type::Bool,
            Type::Unsigned(64),
            Type::Signed(8),
            Type::Unsigned(1),
            Type::Signed(1),
            Type::Signed(1024),
            Type::Bits(70),
            Type::Array(Box::new(u8_.clone()), 3),
            Type::Array(Box::new(Type::Array(Box::new(Type::Signed(4)), 2)), 2),
            Type::Array(Box::new(Type::Bool), 0),
            Type::Tuple(vec![Type::Signed(16), Type::Bool]),
            Type::Tuple(vec![Type::Unsigned(3)]),
            Type::Tuple(vec![]),
            Type::Struct {
                name: "Outcome".into(),
                fields: vec![
                    ("winner".into(), u8_),
                    ("price".into(), Type::Signed(32)),
                    (
                        "pair".into(),
                        Type::Tuple(vec![Type::Bool, Type::Unsigned(2)]),
                    ),
                ],
            },
            Type::Enum {
                name: "Sale".into(),
                variants: vec![
                    Variant {
                        name: "NoSale".into(),
                        fields: VariantFields::Unit,
                    },
                    Variant {
                        name: "Sold".into(),
                        fields: VariantFields::Named(vec![
                            ("winner".into(), Type::Unsigned(8)),
                            ("price".into(), Type::Signed(32)),
                        ]),
                    },
                    Variant {
                        name: "Split".into(),
                        fields: VariantFields::Tuple(vec![Type::Bool, Type::Unsigned(3)]),
                    },
                ],
            },
            Type::Enum {
                name: "Option".into(),
                variants: vec![
                    Variant {
                        name: "None".into(),
                        fields: VariantFields::Unit,
                    },
                    Variant {
                        name: "Some".into(),
                        fields: VariantFields::Tuple(vec![Type::Unsigned(8)]),
                    },
                ],
            },
        ]
    })
}

fn circuit() -> &'static circuits::Circuit {
    static C: OnceLock<circuits::Circuit> = OnceLock::new();
    C.get_or_init(|| {
        let src = "struct P { x: i8, y: bool }\n\
            fn main(garbler a: u16, evaluator b: [P; 2], garbler c: (bool, i3)) -> bool {\n\
            (a as i8) < b[1].x && c.0 }";
        compiler::compile_source(src, "fixture.mpc").expect("fixture compiles")
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let types = types();
    let i = usize::from(pick) % (types.len() + 1);
    if i == types.len() {
        let c = circuit();
        let values: Vec<String> = text.split('\n').map(str::to_string).collect();
        for party in [None, Some(Party::Garbler), Some(Party::Evaluator)] {
            if let Ok(bits) = value::parse_inputs(c, party, &values) {
                let want: usize = c
                    .inputs
                    .iter()
                    .filter(|i| party.is_none_or(|p| i.party == p))
                    .map(|i| i.ty.width())
                    .sum();
                assert_eq!(bits.len(), want);
            }
        }
        return;
    }
    let ty = &types[i];
    if let Ok(bits) = value::parse(ty, text) {
        assert_eq!(bits.len(), ty.width(), "{ty}: `{text}` has the wrong width");
        let printed = value::format(ty, &bits);
        let back = value::parse(ty, &printed)
            .unwrap_or_else(|e| panic!("{ty}: `{printed}` (from `{text}`) does not re-parse: {e}"));
        assert_eq!(
            back, bits,
            "{ty}: `{text}` prints as `{printed}`, another value"
        );
    }
});
