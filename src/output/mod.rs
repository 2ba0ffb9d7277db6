//! Output: the results folder, its atomic and scratch files and its
//! ownership ([`folder`]), and the provenance of a run ([`manifest`]). The
//! tables of a run are written by [`crate::experiment::tables`], which stands
//! on these.

pub mod folder;
pub mod manifest;
