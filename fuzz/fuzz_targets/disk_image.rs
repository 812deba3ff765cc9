#![no_main]
// Body in fuzz/bodies.rs, shared with tests/fuzz_corpus.rs.
include!("../bodies.rs");

libfuzzer_sys::fuzz_target!(|data: &[u8]| bodies::disk_image(data));
