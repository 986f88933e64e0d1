//! The messages of garbling ahead: a `Window` (either side's bound, the
//! garbler's agreed window) and a `Refill` (OTs sent ahead of need). Never a
//! panic; what decodes re-encodes to the same bytes; a window holds at most
//! `MAX_AHEAD` computations, and the window a garbler agrees to from two
//! decoded bounds stays within both and is one the evaluator admits.
#![no_main]
use libfuzzer_sys::fuzz_target;
use protocol::{Refill, Window, MAX_AHEAD};

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    if pick & 1 == 0 {
        if let Ok(r) = Refill::decode(rest) {
            assert!(r.count >= 1);
            assert_eq!(r.encode(), rest);
        }
        return;
    }
    // Two windows and a table size, each from its own part of the input.
    let cut = rest.len() / 2;
    let (a, b) = rest.split_at(cut);
    let (Ok(own), Ok(asked)) = (Window::decode(a), Window::decode(b)) else {
        return;
    };
    for w in [&own, &asked] {
        assert!(w.computations <= MAX_AHEAD);
    }
    assert_eq!(own.encode(), a);
    let table_bytes = u64::from(pick >> 1) * 32;
    let agreed = own.agree(&asked, table_bytes);
    assert!(agreed.computations <= own.computations.min(asked.computations));
    assert!(agreed.bytes <= own.bytes.min(asked.bytes));
    assert!(asked.admits(&agreed, table_bytes));
});
