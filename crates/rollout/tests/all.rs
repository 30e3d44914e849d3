//! Integration tests of the session store, one binary (see `suite/`).

#[cfg(test)]
mod suite;
