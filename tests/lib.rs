//! End-to-end tests of Stillpoint: the real `stillpoint` binary, run as a user would, over real
//! indexes in temporary directories. The tests live in `e2e/` (one binary, shared helpers in
//! `e2e/common`); this library is empty.
