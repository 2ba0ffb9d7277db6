//! Output: typed records ([`records`]), statistics ([`stats`]), the results
//! folder and its atomic files ([`folder`]), the tables ([`tables`]) and the
//! manifest ([`manifest`]).

pub mod folder;
pub mod manifest;
