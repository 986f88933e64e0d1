//! The `.mpc` compiler: from the language of LANGUAGE.md to [`circuits::Circuit`].
#![deny(missing_docs)]
