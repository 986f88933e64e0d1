//! Typed values: every type of the language round-trips through Rust data,
//! bit for bit the same as the literal parser, and mismatches name the
//! parameter or output and the path inside it.

use circuits::typed::{self, BigInt};
use circuits::{value, Circuit, CircuitError, Party, Type, Variant, VariantFields};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// A small deterministic generator (splitmix64), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn u128(&mut self) -> u128 {
        u128::from(self.next()) << 64 | u128::from(self.next())
    }

    fn bits(&mut self, n: usize) -> Vec<bool> {
        (0..n).map(|_| self.next() & 1 == 1).collect()
    }
}

/// Encodes `v` as `ty`, checks the bits against the literal parser, and
/// decodes them back into `v`.
fn round_trip<T>(ty: &Type, v: &T, literal: &str)
where
    T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let bits = typed::encode(ty, v).unwrap_or_else(|e| panic!("{ty} {literal}: {e}"));
    let want = value::parse(ty, literal).unwrap_or_else(|e| panic!("{ty} {literal}: {e}"));
    assert_eq!(bits, want, "{ty}: bits of {literal}");
    let back: T = typed::decode(ty, &bits).unwrap_or_else(|e| panic!("{ty} {literal}: {e}"));
    assert_eq!(&back, v, "{ty}: {literal} back");
}

fn err_text(e: CircuitError) -> String {
    e.to_string()
}

#[test]
fn bools() {
    round_trip(&Type::Bool, &true, "true");
    round_trip(&Type::Bool, &false, "false");
}

#[test]
fn unsigned_every_width() {
    let mut rng = Rng(1);
    for w in 1..=128u32 {
        let ty = Type::Unsigned(w);
        let max = if w == 128 {
            u128::MAX
        } else {
            (1u128 << w) - 1
        };
        for v in [0, max, rng.u128() & max, rng.u128() & max] {
            round_trip(&ty, &v, &v.to_string());
        }
        if w < 128 {
            let e = err_text(typed::encode(&ty, &(max + 1)).unwrap_err());
            assert_eq!(
                e,
                format!("value: the value does not fit u{w} (0 ..= 2^{w}-1)")
            );
        }
        let e = err_text(typed::encode(&ty, &-1i8).unwrap_err());
        assert!(e.contains("a negative value does not fit"), "{e}");
    }
    for w in 129..=1024u32 {
        let ty = Type::Unsigned(w);
        let bits = rng.bits(w as usize);
        let literal = value::format(&ty, &bits);
        let big: BigInt = literal.parse().unwrap();
        round_trip(&ty, &big, &literal);
        let max = "0b".to_string() + &"1".repeat(w as usize);
        round_trip(&ty, &max.parse::<BigInt>().unwrap(), &max);
        // Small Rust integers fit wide types too.
        let small = rng.u128();
        round_trip(&ty, &small, &small.to_string());
        let over = "0b1".to_string() + &"0".repeat(w as usize);
        if w < 1024 {
            let e = err_text(typed::encode(&ty, &over.parse::<BigInt>().unwrap()).unwrap_err());
            assert_eq!(
                e,
                format!("value: the value does not fit u{w} (0 ..= 2^{w}-1)")
            );
        } else {
            // Beyond every type of the language: not a BigInt at all.
            assert!(over.parse::<BigInt>().is_err());
            let e = err_text(typed::encode(&ty, over.as_str()).unwrap_err());
            assert!(e.contains("not an integer of at most 1024 bits"), "{e}");
        }
    }
}

#[test]
fn signed_every_width() {
    let mut rng = Rng(2);
    for w in 1..=128u32 {
        let ty = Type::Signed(w);
        let min = -1i128 << (w - 1);
        let max = !min;
        let shift = 128 - w;
        let r1 = (rng.u128() as i128) << shift >> shift;
        let r2 = (rng.u128() as i128) << shift >> shift;
        for v in [0, -1, min, max, r1, r2] {
            if (min..=max).contains(&v) {
                round_trip(&ty, &v, &v.to_string());
            }
        }
        if w < 128 {
            for v in [min - 1, max + 1] {
                let e = err_text(typed::encode(&ty, &v).unwrap_err());
                let bound = w - 1;
                assert_eq!(
                    e,
                    format!("value: the value does not fit i{w} (-2^{bound} ..= 2^{bound}-1)")
                );
            }
        }
    }
    for w in 129..=1024u32 {
        let ty = Type::Signed(w);
        let bits = rng.bits(w as usize);
        let literal = value::format(&ty, &bits);
        round_trip(&ty, &literal.parse::<BigInt>().unwrap(), &literal);
        let min = format!("-0b1{}", "0".repeat(w as usize - 1));
        round_trip(&ty, &min.parse::<BigInt>().unwrap(), &min);
        let small = rng.u128() as i128;
        round_trip(&ty, &small, &small.to_string());
        let below = format!("-0b1{}1", "0".repeat(w as usize - 2));
        let e = typed::encode(&ty, &below.parse::<BigInt>().unwrap()).unwrap_err();
        assert!(err_text(e).contains("does not fit"));
    }
}

#[test]
fn integers_of_other_rust_types() {
    // Any Rust integer whose value fits the declared width.
    let u16t = Type::Unsigned(16);
    assert_eq!(
        typed::encode(&u16t, &7u8).unwrap(),
        value::parse(&u16t, "7").unwrap()
    );
    assert_eq!(
        typed::encode(&u16t, &7i64).unwrap(),
        value::parse(&u16t, "7").unwrap()
    );
    let i8t = Type::Signed(8);
    assert_eq!(
        typed::encode(&i8t, &-128i64).unwrap(),
        value::parse(&i8t, "-128").unwrap()
    );
    // Integer text, for any width.
    assert_eq!(
        typed::encode(&u16t, "0xff").unwrap(),
        value::parse(&u16t, "255").unwrap()
    );
    let back: u8 = typed::decode(&u16t, &value::parse(&u16t, "200").unwrap()).unwrap();
    assert_eq!(back, 200);
    let e = typed::decode::<u8>(&u16t, &value::parse(&u16t, "300").unwrap()).unwrap_err();
    assert!(err_text(e).contains("expected u8"));
    let text: String = typed::decode(&i8t, &value::parse(&i8t, "-5").unwrap()).unwrap();
    assert_eq!(text, "-5");
    assert!(typed::encode(&u16t, "12z").is_err());
    assert!(typed::encode(&u16t, &1.5f64).is_err());
}

#[test]
fn arrays_vecs_and_nesting() {
    let a = Type::Array(Box::new(Type::Unsigned(8)), 4);
    round_trip(&a, &[1u8, 2, 3, 255], "[1, 2, 3, 255]");
    round_trip(&a, &vec![9u8, 8, 7, 6], "[9, 8, 7, 6]");
    let slice: &[u8] = &[4, 5, 6, 7];
    assert_eq!(
        typed::encode(&a, slice).unwrap(),
        value::parse(&a, "[4, 5, 6, 7]").unwrap()
    );
    let nested = Type::Array(Box::new(Type::Array(Box::new(Type::Signed(16)), 3)), 2);
    round_trip(
        &nested,
        &[[-1i16, 2, -300], [32767, -32768, 0]],
        "[[-1, 2, -300], [32767, -32768, 0]]",
    );
    round_trip(
        &nested,
        &vec![vec![1i16, 2, 3], vec![4, 5, 6]],
        "[[1, 2, 3], [4, 5, 6]]",
    );
    let bools = Type::Array(Box::new(Type::Bool), 3);
    round_trip(&bools, &[true, false, true], "[true, false, true]");
    let wide = Type::Array(Box::new(Type::Unsigned(300)), 2);
    let big = "0x1".to_string() + &"0".repeat(70);
    round_trip(
        &wide,
        &[big.parse::<BigInt>().unwrap(), BigInt::from(3u8)],
        &format!("[{big}, 3]"),
    );
    let e = err_text(typed::encode(&a, &vec![1u8, 2, 3]).unwrap_err());
    assert_eq!(e, "value: expected 4 elements, found 3");
    let e = err_text(typed::encode(&a, &[1u8, 2, 3, 4, 5]).unwrap_err());
    assert_eq!(e, "value: expected 4 elements, found 5");
    let e = err_text(typed::encode(&nested, &[[1i32, 2, 3], [4, 5, 99999]]).unwrap_err());
    assert_eq!(
        e,
        "value: element 1: element 2: the value does not fit i16 (-2^15 ..= 2^15-1)"
    );
    let e = typed::decode::<[u8; 3]>(&a, &value::parse(&a, "[1, 2, 3, 4]").unwrap()).unwrap_err();
    assert!(err_text(e).contains("4 elements, the Rust type 3"));
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Pair(u8, bool);

#[test]
fn tuples() {
    let t = Type::Tuple(vec![Type::Unsigned(8), Type::Bool, Type::Signed(32)]);
    round_trip(&t, &(200u8, true, -7i32), "(200, true, -7)");
    let p = Type::Tuple(vec![Type::Unsigned(8), Type::Bool]);
    round_trip(&p, &Pair(3, false), "(3, false)");
    let one = Type::Tuple(vec![Type::Unsigned(4)]);
    round_trip(&one, &(5u8,), "(5,)");
    let e = err_text(typed::encode(&t, &(1u8, 2u8, 3u8)).unwrap_err());
    assert_eq!(e, "value: field 1: expected bool, found an integer");
    let e = err_text(typed::encode(&t, &(1u8, true)).unwrap_err());
    assert_eq!(e, "value: expected 3 elements, found 2");
}

/// Declared in the language as `struct Bid { who: u8, amount: u32, sealed: bool }`;
/// the Rust field order differs.
#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Bid {
    sealed: bool,
    amount: u32,
    who: u8,
}

fn bid_type() -> Type {
    Type::Struct {
        name: "Bid".into(),
        fields: vec![
            ("who".into(), Type::Unsigned(8)),
            ("amount".into(), Type::Unsigned(32)),
            ("sealed".into(), Type::Bool),
        ],
    }
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Partial {
    who: u8,
    amount: u32,
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Extra {
    who: u8,
    amount: u32,
    sealed: bool,
    note: u8,
}

#[test]
fn structs_by_field_name() {
    let t = bid_type();
    let b = Bid {
        sealed: true,
        amount: 70000,
        who: 3,
    };
    round_trip(&t, &b, "Bid { who: 3, amount: 70000, sealed: true }");
    let bids = Type::Array(Box::new(t.clone()), 2);
    round_trip(
        &bids,
        &[
            Bid {
                sealed: false,
                amount: 1,
                who: 0,
            },
            Bid {
                sealed: true,
                amount: 2,
                who: 1,
            },
        ],
        "[Bid { who: 0, amount: 1, sealed: false }, Bid { who: 1, amount: 2, sealed: true }]",
    );
    let e = err_text(typed::encode(&t, &Partial { who: 1, amount: 2 }).unwrap_err());
    assert_eq!(e, "value: missing field `sealed`");
    let extra = Extra {
        who: 1,
        amount: 2,
        sealed: true,
        note: 4,
    };
    let e = err_text(typed::encode(&t, &extra).unwrap_err());
    assert_eq!(
        e,
        "value: `Extra` has no field `note` (it has who, amount, sealed)"
    );
    let bits = value::parse(&t, "Bid { who: 3, amount: 9, sealed: false }").unwrap();
    let e = err_text(typed::decode::<Partial>(&t, &bits).unwrap_err());
    assert!(e.contains("field `sealed` of `Bid` has no place"), "{e}");
    let e = err_text(typed::decode::<Extra>(&t, &bits).unwrap_err());
    assert!(e.contains("missing field `note`"), "{e}");
    let e = err_text(typed::encode(&t, &(1u8, 2u32, true)).unwrap_err());
    assert_eq!(e, "value: expected struct `Bid`, found a sequence");
}

/// The Rust enum for `Sale`: names of Rust types do not matter.
#[derive(Serialize, Deserialize, Debug, PartialEq)]
enum Deal {
    NoSale,
    Sold { winner: u8, price: u32 },
    Split(bool, i8),
    One(u16),
}

fn sale_type() -> Type {
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
                    ("price".into(), Type::Unsigned(32)),
                ]),
            },
            Variant {
                name: "Split".into(),
                fields: VariantFields::Tuple(vec![Type::Bool, Type::Signed(4)]),
            },
            Variant {
                name: "One".into(),
                fields: VariantFields::Tuple(vec![Type::Unsigned(12)]),
            },
        ],
    }
}

fn option_of(t: Type) -> Type {
    Type::Enum {
        name: "Option".into(),
        variants: vec![
            Variant {
                name: "None".into(),
                fields: VariantFields::Unit,
            },
            Variant {
                name: "Some".into(),
                fields: VariantFields::Tuple(vec![t]),
            },
        ],
    }
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
enum Smaller {
    NoSale,
    Sold { winner: u8, price: u32 },
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
enum Other {
    Gone,
}

#[test]
fn enums_by_variant_name() {
    let t = sale_type();
    round_trip(&t, &Deal::NoSale, "Sale::NoSale");
    round_trip(
        &t,
        &Deal::Sold {
            price: 90,
            winner: 3,
        },
        "Sale::Sold { winner: 3, price: 90 }",
    );
    round_trip(&t, &Deal::Split(true, -8), "Sale::Split(true, -8)");
    round_trip(&t, &Deal::One(4095), "Sale::One(4095)");
    round_trip(
        &Type::Array(Box::new(t.clone()), 2),
        &[Deal::One(1), Deal::NoSale],
        "[Sale::One(1), Sale::NoSale]",
    );
    let e = err_text(typed::encode(&t, &Other::Gone).unwrap_err());
    assert_eq!(
        e,
        "value: `Sale` has no variant `Gone` (it has NoSale, Sold, Split, One)"
    );
    let e = err_text(typed::encode(&t, &Deal::Split(true, 8)).unwrap_err());
    assert_eq!(
        e,
        "value: variant `Split`: field 1: the value does not fit i4 (-2^3 ..= 2^3-1)"
    );
    // A variant the Rust enum lacks.
    let bits = value::parse(&t, "Sale::Split(false, 1)").unwrap();
    let e = err_text(typed::decode::<Smaller>(&t, &bits).unwrap_err());
    // Which one is the value, so it is not named.
    assert!(e.contains("unknown variant, not named"), "{e}");
    assert!(!e.contains("Split"), "{e}");
    // An invalid tag (only a tampered circuit makes one) is an error.
    let mut bits = vec![false; t.width()];
    bits[0] = true;
    bits[1] = true;
    bits[2] = true;
    let wide = Type::Enum {
        name: "Sale".into(),
        variants: match &t {
            Type::Enum { variants, .. } => variants[..3].to_vec(),
            _ => unreachable!(),
        },
    };
    let e = err_text(typed::decode::<Deal>(&wide, &bits[..wide.width()]).unwrap_err());
    assert_eq!(e, "value: invalid tag 3 for enum `Sale`");
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Maybe {
    a: Option<u8>,
    b: Option<[i8; 2]>,
}

#[test]
fn options() {
    let t = option_of(Type::Unsigned(8));
    round_trip(&t, &Some(5u8), "Some(5)");
    round_trip(&t, &None::<u8>, "None");
    let s = Type::Struct {
        name: "Maybe".into(),
        fields: vec![
            ("a".into(), option_of(Type::Unsigned(8))),
            (
                "b".into(),
                option_of(Type::Array(Box::new(Type::Signed(8)), 2)),
            ),
        ],
    };
    round_trip(
        &s,
        &Maybe {
            a: None,
            b: Some([-1, 2]),
        },
        "Maybe { a: None, b: Some([-1, 2]) }",
    );
    let e = err_text(typed::encode(&Type::Unsigned(8), &Some(1u8)).unwrap_err());
    assert_eq!(e, "value: expected u8, found variant `Some`");
    let e = err_text(typed::decode::<Option<u8>>(&Type::Unsigned(8), &[false; 8]).unwrap_err());
    assert_eq!(e, "value: expected an Option, found u8");
}

fn compile(src: &str) -> Circuit {
    compiler::compile_source(src, "typed.mpc").unwrap_or_else(|e| panic!("{e:?}"))
}

/// All input bits in wire order, from each party's typed inputs.
fn wires<G: Serialize, E: Serialize>(c: &Circuit, g: &G, e: &E) -> Vec<bool> {
    let mut bits = vec![false; c.num_inputs() as usize];
    for (party, enc) in [
        (
            Party::Garbler,
            typed::encode_inputs(c, Some(Party::Garbler), g),
        ),
        (
            Party::Evaluator,
            typed::encode_inputs(c, Some(Party::Evaluator), e),
        ),
    ] {
        let enc = enc.unwrap();
        let mut at = 0;
        for i in c.inputs.iter().filter(|i| i.party == party) {
            let w = i.ty.width();
            let first = i.first_wire as usize;
            bits[first..first + w].copy_from_slice(&enc[at..at + w]);
            at += w;
        }
        assert_eq!(at, enc.len());
    }
    bits
}

#[derive(Serialize)]
struct Seller {
    reserve: u32,
    a: [u32; 8],
}

#[derive(Deserialize, Debug, PartialEq)]
enum Outcome {
    NoSale,
    Sold { winner: u8, price: u32 },
}

/// The Vickrey auction with a reserve of the examples, from Rust data to a
/// Rust outcome, checked against the auction computed in Rust.
#[test]
fn vickrey_reserve_outcome() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/vickrey_reserve.mpc"
    );
    let src = std::fs::read_to_string(path).unwrap();
    let c = compile(&src);
    let mut rng = Rng(3);
    for round in 0..20 {
        let bids: [u32; 8] = std::array::from_fn(|_| (rng.next() % 1000) as u32);
        let mask: [u32; 8] = std::array::from_fn(|_| rng.next() as u32);
        let share: [u32; 8] = std::array::from_fn(|i| bids[i] ^ mask[i]);
        let reserve = if round % 4 == 0 {
            2000
        } else {
            (rng.next() % 900) as u32
        };
        let seller = Seller { reserve, a: mask };
        // The evaluator's single parameter is given as the value itself.
        let inputs = wires(&c, &seller, &share);
        let out = c.eval_bits(&inputs).unwrap();
        let got: Outcome = typed::decode_outputs(&c, &out, Some(Party::Evaluator)).unwrap();
        let mut order: Vec<usize> = (0..8).collect();
        order.sort_by_key(|&i| (std::cmp::Reverse(bids[i]), i));
        let (first, second) = (bids[order[0]], bids[order[1]]);
        let want = if first < reserve {
            Outcome::NoSale
        } else {
            Outcome::Sold {
                winner: order[0] as u8,
                price: second.max(reserve),
            }
        };
        assert_eq!(got, want, "bids {bids:?} reserve {reserve}");
        let shown = value::format_result(&c, &out, Some(Party::Evaluator)).unwrap();
        assert_eq!(shown.starts_with("Sale::Sold"), want != Outcome::NoSale);
    }
}

#[derive(Serialize)]
struct GarblerIn {
    a: u8,
    bids: [u8; 3],
}

#[test]
fn input_mismatches_name_the_parameter() {
    let c = compile(
        "fn main(garbler a: u8, garbler bids: [u8; 3], evaluator b: u32) -> u32 { b + (a as u32) + (bids[0] as u32) }",
    );
    let g = |e: CircuitError| err_text(e);
    let enc = |v: &dyn erased::Ser| v.encode(&c);
    // By name and by position give the same bits.
    let by_name = enc(&GarblerIn {
        a: 1,
        bids: [2, 3, 4],
    })
    .unwrap();
    assert_eq!(by_name, enc(&(1u8, [2u8, 3, 4])).unwrap());
    assert_eq!(
        by_name,
        value::parse_inputs(
            &c,
            Some(Party::Garbler),
            &["1".to_string(), "[2, 3, 4]".to_string()]
        )
        .unwrap()
    );

    #[derive(Serialize)]
    struct WrongLen {
        a: u8,
        bids: Vec<u8>,
    }
    let e = g(enc(&WrongLen {
        a: 1,
        bids: vec![1, 2],
    })
    .unwrap_err());
    assert_eq!(e, "parameter `bids`: expected 3 elements, found 2");

    #[derive(Serialize)]
    struct TooBig {
        a: u8,
        bids: [u32; 3],
    }
    let e = g(enc(&TooBig {
        a: 1,
        bids: [1, 2, 300],
    })
    .unwrap_err());
    assert_eq!(
        e,
        "parameter `bids`: element 2: the value does not fit u8 (0 ..= 2^8-1)"
    );

    #[derive(Serialize)]
    struct Missing {
        a: u8,
    }
    let e = g(enc(&Missing { a: 1 }).unwrap_err());
    assert_eq!(e, "inputs of the garbler: missing parameter `bids`");

    #[derive(Serialize)]
    struct Unknown {
        a: u8,
        bids: [u8; 3],
        c: u8,
    }
    let e = g(enc(&Unknown {
        a: 1,
        bids: [0; 3],
        c: 2,
    })
    .unwrap_err());
    assert_eq!(
        e,
        "inputs of the garbler: there is no parameter `c` (the parameters are a, bids)"
    );

    #[derive(Serialize)]
    struct WrongType {
        a: bool,
        bids: [u8; 3],
    }
    let e = g(enc(&WrongType {
        a: true,
        bids: [0; 3],
    })
    .unwrap_err());
    assert_eq!(e, "parameter `a`: expected u8, found a bool");
    // Positional: the error names the parameter at that position.
    let e = g(enc(&(1u8, [1u16, 2, 300])).unwrap_err());
    assert_eq!(
        e,
        "parameter `bids`: element 2: the value does not fit u8 (0 ..= 2^8-1)"
    );
    let e = g(enc(&(1u8,)).unwrap_err());
    assert_eq!(e, "inputs of the garbler: expected 2 elements, found 1");
    let e = g(enc(&5u8).unwrap_err());
    assert!(
        e.starts_with("inputs of the garbler: expected a struct of the parameters"),
        "{e}"
    );

    // One parameter: the value itself, or a struct naming it.
    let one = |v: &dyn erased::Ser| v.encode_for(&c, Party::Evaluator);
    let bits = one(&7u32).unwrap();
    assert_eq!(bits, value::parse(&Type::Unsigned(32), "7").unwrap());
    #[derive(Serialize)]
    struct B {
        b: u32,
    }
    assert_eq!(one(&B { b: 7 }).unwrap(), bits);
    let e = g(one(&true).unwrap_err());
    assert_eq!(e, "parameter `b`: expected u32, found a bool");
    let e = g(one(&-1i32).unwrap_err());
    assert_eq!(
        e,
        "parameter `b`: a negative value does not fit u32 (0 ..= 2^32-1)"
    );
    #[derive(Serialize)]
    enum Unit {
        Gone,
    }
    let e = g(one(&Unit::Gone).unwrap_err());
    assert_eq!(e, "parameter `b`: expected u32, found variant `Gone`");
}

#[derive(Serialize)]
enum Pick {
    Red,
    Mix { r: u8, g: u8 },
}

#[test]
fn unknown_variant_in_an_input() {
    let c = compile(
        "enum Color { Red, Blue, Mix { r: u8, g: u8 } }\n\
         fn main(garbler c: Color, evaluator k: u8) -> u8 { match c { Color::Red => 1, Color::Blue => 2, Color::Mix { r, g } => r ^ g ^ k } }",
    );
    let ok = typed::encode_inputs(&c, Some(Party::Garbler), &Pick::Mix { r: 1, g: 2 }).unwrap();
    assert_eq!(
        ok,
        value::parse(&c.inputs[0].ty, "Color::Mix { r: 1, g: 2 }").unwrap()
    );
    assert!(typed::encode_inputs(&c, Some(Party::Garbler), &Pick::Red).is_ok());
    #[derive(Serialize)]
    enum Bad {
        Green,
    }
    let e = err_text(typed::encode_inputs(&c, Some(Party::Garbler), &Bad::Green).unwrap_err());
    assert_eq!(
        e,
        "parameter `c`: `Color` has no variant `Green` (it has Red, Blue, Mix)"
    );
}

#[test]
fn outputs_by_party() {
    let c = compile(
        "fn main(garbler a: u8, evaluator b: u32) -> (bool, evaluator u32, garbler u8) { ((a as u32) < b, b + 1, a ^ 1) }",
    );
    #[derive(Serialize)]
    struct G {
        a: u8,
    }
    let inputs = wires(&c, &G { a: 4 }, &1000u32);
    let out = c.eval_bits(&inputs).unwrap();
    let all: (bool, u32, u8) = typed::decode_outputs(&c, &out, None).unwrap();
    assert_eq!(all, (true, 1001, 5));
    let ev: (bool, u32) = typed::decode_outputs(&c, &out, Some(Party::Evaluator)).unwrap();
    assert_eq!(ev, (true, 1001));
    let ga: (bool, u8) = typed::decode_outputs(&c, &out, Some(Party::Garbler)).unwrap();
    assert_eq!(ga, (true, 5));
    let e = typed::decode_outputs::<(bool, u8)>(&c, &out, Some(Party::Evaluator)).unwrap_err();
    assert!(err_text(e).starts_with("output `result.1`: "));
    let e = typed::decode_outputs::<(bool, u32)>(&c, &out[1..], None).unwrap_err();
    assert!(err_text(e).starts_with("outputs: "));

    let c = compile("fn main(garbler a: u8, evaluator b: u8) -> evaluator u8 { a + b }");
    let out = c.eval_bits(&wires(&c, &3u8, &4u8)).unwrap();
    let sum: u8 = typed::decode_outputs(&c, &out, Some(Party::Evaluator)).unwrap();
    assert_eq!(sum, 7);
    // The garbler learns nothing.
    let () = typed::decode_outputs(&c, &out, Some(Party::Garbler)).unwrap();
    let e = err_text(typed::decode_outputs::<bool>(&c, &out, Some(Party::Evaluator)).unwrap_err());
    assert!(e.starts_with("output `result`: "), "{e}");
}

/// Object-safe wrappers, so one closure encodes values of different types.
mod erased {
    use circuits::{typed, Circuit, CircuitError, Party};
    use serde::Serialize;

    pub trait Ser {
        fn encode(&self, c: &Circuit) -> Result<Vec<bool>, CircuitError>;
        fn encode_for(&self, c: &Circuit, p: Party) -> Result<Vec<bool>, CircuitError>;
    }

    impl<T: Serialize> Ser for T {
        fn encode(&self, c: &Circuit) -> Result<Vec<bool>, CircuitError> {
            typed::encode_inputs(c, Some(Party::Garbler), self)
        }

        fn encode_for(&self, c: &Circuit, p: Party) -> Result<Vec<bool>, CircuitError> {
            typed::encode_inputs(c, Some(p), self)
        }
    }
}

/// Types no program declares (a tampered circuit's) give errors or values,
/// never a panic.
#[test]
fn degenerate_types_do_not_panic() {
    for ty in [Type::Unsigned(0), Type::Signed(0), Type::Bits(0)] {
        assert!(typed::encode(&ty, &0u8).is_err());
        assert!(typed::encode(&ty, "0").is_err());
        let _ = typed::decode::<i64>(&ty, &[]);
        let _ = typed::decode::<BigInt>(&ty, &[]);
    }
    let empty = Type::Enum {
        name: "Never".into(),
        variants: vec![],
    };
    assert!(typed::encode(&empty, &Other::Gone).is_err());
    let e = err_text(typed::decode::<Other>(&empty, &[]).unwrap_err());
    assert_eq!(e, "value: invalid tag 0 for enum `Never`");
    assert!(typed::decode::<u8>(&Type::Unsigned(8), &[true; 7]).is_err());
}

/// A Bristol value may be wider than any integer type (Keccak-f's 1600-bit
/// state): text and `BigInt` values still encode, zero- or sign-extended,
/// exactly as `value::parse` reads them.
#[test]
fn bristol_values_wider_than_any_integer_encode() {
    let ty = Type::Bits(1600);
    for text in ["1", "0x8000000000000000000000000000000000000000", "0"] {
        let bits = typed::encode(&ty, text).unwrap();
        assert_eq!(bits, value::parse(&ty, text).unwrap(), "{text}");
        let big: BigInt = text.parse().unwrap();
        assert_eq!(typed::encode(&ty, &big).unwrap(), bits, "{text}");
    }
    assert!(typed::encode(&ty, "-1").is_err());
    let back: BigInt = typed::decode(&ty, &typed::encode(&ty, "12345").unwrap()).unwrap();
    assert_eq!(back.as_str(), "12345");
}

#[test]
fn decode_errors_never_quote_the_value() {
    // 300 in a u16 read into a u8: serde's own message would quote 300.
    let ty = Type::Unsigned(16);
    let bits = typed::encode(&ty, &300u16).unwrap();
    let e = err_text(typed::decode::<u8>(&ty, &bits).unwrap_err());
    assert!(e.contains("expected u8"), "{e}");
    assert!(!e.contains("300"), "{e}");
    // The same through an output of a program, named by the output.
    let c = compile("fn main(garbler a: u16, evaluator b: u16) -> u16 { a + b }");
    let out = c.eval_bits(&wires(&c, &299u16, &1u16)).unwrap();
    let e = err_text(typed::decode_outputs::<u8>(&c, &out, None).unwrap_err());
    assert!(e.starts_with("output `"), "{e}");
    assert!(e.contains("expected u8") && !e.contains("300"), "{e}");
    // A type's own message (a `try_from` conversion, here) is not shown.
    #[derive(Deserialize, Debug)]
    #[serde(try_from = "u16")]
    struct Even(#[allow(dead_code)] u16);
    impl TryFrom<u16> for Even {
        type Error = String;
        fn try_from(v: u16) -> Result<Even, String> {
            if v.is_multiple_of(2) {
                Ok(Even(v))
            } else {
                Err(format!("{v} is odd"))
            }
        }
    }
    let bits = typed::encode(&ty, &301u16).unwrap();
    let e = err_text(typed::decode::<Even>(&ty, &bits).unwrap_err());
    assert!(e.contains("refused the value") && !e.contains("301"), "{e}");
    // A variant read from the bits that the Rust enum lacks is not named.
    #[derive(Deserialize, Debug)]
    enum OnlyNone {
        None,
    }
    let opt = option_of(Type::Unsigned(8));
    let bits = typed::encode(&opt, &Some(5u8)).unwrap();
    let e = err_text(typed::decode::<OnlyNone>(&opt, &bits).unwrap_err());
    assert!(e.contains("the Rust enum has `None`"), "{e}");
    assert!(!e.contains("Some"), "{e}");
    assert!(matches!(
        typed::decode::<OnlyNone>(&opt, &typed::encode(&opt, &None::<u8>).unwrap()),
        Ok(OnlyNone::None)
    ));
}
