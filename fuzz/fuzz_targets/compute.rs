//! The compute request: never a panic; what decodes re-encodes to the same
//! bytes, and holds one context of at most `MAX_CONTEXT` bytes per
//! computation, which pack back into the same bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;
use protocol::{pack_contexts, Compute, MAX_CONTEXT};

fuzz_target!(|data: &[u8]| {
    if let Ok(c) = Compute::decode(data) {
        assert_eq!(c.encode(), data);
        let contexts = c.contexts().expect("checked by the decode");
        assert_eq!(contexts.len(), c.count as usize);
        assert!(contexts.iter().all(|x| x.len() <= MAX_CONTEXT));
        assert_eq!(pack_contexts(&contexts).expect("short enough"), c.contexts);
    }
});
