//! Output: the results folder, its atomic and scratch files and its
//! ownership ([`folder`]), the provenance of a run ([`manifest`]), and what
//! replacing an earlier run's folder may do ([`replace`]). The
//! tables of a run are written by [`crate::experiment::tables`], which stands
//! on these.

pub mod folder;
pub mod manifest;
pub mod replace;
