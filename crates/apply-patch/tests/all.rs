//! Integration tests of codex-apply-patch (one binary, see `suite/`).

mod suite;
